"""Assertions on the synthesized stack (built once for this module)."""

import json
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from app import build_app
from livedesk.conversations.store import CONVERSATION_INDEX
from livedesk.tickets.repository import QUEUE_INDEX
from tests.infrastructure import OWN_FUNCTION

KNOWLEDGE_BUCKET = {"Properties": {"VersioningConfiguration": Match.any_value()}}
CANARY = "CodeDeployDefault.LambdaCanary10Percent5Minutes"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    app = build_app(outdir=str(tmp_path_factory.mktemp("cdk.out")))
    return Template.from_stack(app.node.find_child("LiveDesk"))  # type: ignore[arg-type]


def _alias_name(function: str) -> dict:
    """How CDK writes the function's live alias as a FunctionName: NAME:live."""
    alias_ref = {"Ref": Match.string_like_regexp(f"FunctionsLive{function}")}
    return {"Fn::Join": ["", [{"Fn::Select": [6, {"Fn::Split": [":", alias_ref]}]}, ":live"]]}


def test_tables_are_on_demand_with_recovery(template: Template) -> None:
    tables = template.find_resources("AWS::DynamoDB::Table")
    assert {t["Properties"]["TableName"] for t in tables.values()} == {
        "livedesk-dev-conversations",
        "livedesk-dev-customers",
        "livedesk-dev-tickets",
        "livedesk-dev-ticket-history",
        "livedesk-dev-supply",
        "livedesk-dev-analytics",
        "livedesk-dev-idempotency",
        "livedesk-dev-knowledge",
        "livedesk-dev-audit",
    }
    (data_key,) = template.find_resources("AWS::KMS::Key")
    for table in tables.values():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert properties["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": [data_key, "Arn"]}}
        assert "ProvisionedThroughput" not in properties


def test_the_indexes_the_stores_query_are_the_ones_the_tables_have(template: Template) -> None:
    indexes = {
        table["Properties"]["TableName"]: {index["IndexName"] for index in table["Properties"].get("GlobalSecondaryIndexes", [])}
        for table in template.find_resources("AWS::DynamoDB::Table").values()
    }
    assert CONVERSATION_INDEX in indexes["livedesk-dev-conversations"]
    assert QUEUE_INDEX in indexes["livedesk-dev-tickets"]


def test_the_knowledge_bucket_is_private_encrypted_and_versioned(template: Template) -> None:
    (bucket,) = template.find_resources("AWS::S3::Bucket", KNOWLEDGE_BUCKET).values()
    properties = bucket["Properties"]
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert (
        properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    )
    assert all(properties["PublicAccessBlockConfiguration"].values())
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )


def test_expiring_data_has_ttl(template: Template) -> None:
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {"TableName": "livedesk-dev-conversations", "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True}},
    )
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {"TableName": "livedesk-dev-idempotency", "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True}},
    )


def test_every_queue_has_a_dlq_or_is_one(template: Template) -> None:
    queues = template.find_resources("AWS::SQS::Queue")
    dlq_ids = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    assert dlq_ids, "the inbound queue must redrive to a DLQ"
    for mapping in template.find_resources("AWS::Lambda::EventSourceMapping").values():  # stream consumers
        destination = mapping["Properties"].get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination:
            dlq_ids.add(destination["Fn::GetAtt"][0])
    for logical_id, queue in queues.items():
        assert logical_id in dlq_ids or "RedrivePolicy" in queue["Properties"], logical_id
    template.has_resource_properties("AWS::SQS::Queue", {"QueueName": "livedesk-dev-inbound", "RedrivePolicy": {"maxReceiveCount": 3}})


def test_routing_consumes_the_inbound_queue_with_partial_batch_responses(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BatchSize": 10,
            "FunctionName": _alias_name("Routing"),
        },
    )


def test_functions_are_traced_logged_and_named(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function", OWN_FUNCTION)
    names = {f["Properties"]["FunctionName"] for f in functions.values()}
    assert {"livedesk-dev-intake", "livedesk-dev-routing", "livedesk-dev-search", "livedesk-dev-sentiment", "livedesk-dev-tickets"} <= names
    for function in functions.values():
        properties = function["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert "LoggingConfig" in properties
        assert "ReservedConcurrentExecutions" not in properties
    for log_group in template.find_resources("AWS::Logs::LogGroup").values():
        assert log_group["Properties"]["RetentionInDays"] == 30


def test_no_function_scans_installed_packages_for_pydantic_plugins_at_cold_start(template: Template) -> None:
    for function in template.find_resources("AWS::Lambda::Function", OWN_FUNCTION).values():
        assert function["Properties"]["Environment"]["Variables"]["PYDANTIC_DISABLE_PLUGINS"] == "true"


def test_search_is_a_container_image_function(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"FunctionName": "livedesk-dev-search", "PackageType": "Image", "ImageConfig": {"Command": ["search.handler.handler"]}},
    )


def test_zip_functions_share_the_two_layers_and_the_understanding_ones_embed(template: Template) -> None:
    layers = template.find_resources("AWS::Lambda::LayerVersion", {"Properties": {"LayerName": Match.any_value()}})  # not CDK's own
    names = {logical_id: layer["Properties"]["LayerName"] for logical_id, layer in layers.items()}
    assert set(names.values()) == {"livedesk-dev-dependencies", "livedesk-dev-shared", "livedesk-dev-embedding"}
    embedding = next(logical_id for logical_id, name in names.items() if name == "livedesk-dev-embedding")
    for function in template.find_resources("AWS::Lambda::Function", OWN_FUNCTION).values():
        properties = function["Properties"]
        if "Layers" not in properties:
            continue
        has_embedder = embedding in json.dumps(properties["Layers"])
        understands = properties["FunctionName"] in {"livedesk-dev-routing", "livedesk-dev-sentiment"}
        assert has_embedder is understands, properties["FunctionName"]


def test_http_api_routes_are_versioned(template: Template) -> None:
    routes = {r["Properties"]["RouteKey"] for r in template.find_resources("AWS::ApiGatewayV2::Route").values()}
    assert "POST /v1/messages" in routes
    assert all(route.split(" ", 1)[1].startswith("/v1/") for route in routes)
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {"AccessLogSettings": Match.any_value(), "DefaultRouteSettings": {"ThrottlingRateLimit": 500, "ThrottlingBurstLimit": 1000}},
    )


def _definition(machine: dict) -> dict:
    return dict(
        json.loads("".join(part if isinstance(part, str) else "ARN" for part in machine["Properties"]["DefinitionString"]["Fn::Join"][1]))
    )


@pytest.fixture(scope="module")
def machines(template: Template) -> dict[str, dict]:
    return {
        m["Properties"]["StateMachineName"].removeprefix("livedesk-dev-"): m
        for m in template.find_resources("AWS::StepFunctions::StateMachine").values()
    }


def test_the_ticket_workflows_are_standard_state_machines_whose_tasks_all_retry_and_catch(machines: dict[str, dict]) -> None:
    assert set(machines) == {"sla", "takeover", "recovery", "aftercare", "after-sales"}
    for name, machine in machines.items():
        properties = machine["Properties"]
        assert properties["StateMachineType"] == "STANDARD" and properties["TracingConfiguration"] == {"Enabled": True}
        assert properties["LoggingConfiguration"]["Level"] == "ALL"
        for state_name, state in _definition(machine)["States"].items():
            if state["Type"] == "Task":
                assert state.get("Retry") and state.get("Catch"), f"{name}.{state_name} needs Retry and Catch"


def test_reads_and_notifications_are_direct_integrations_and_people_answer_through_task_tokens(machines: dict[str, dict]) -> None:
    sla = _definition(machines["sla"])["States"]
    assert sla["WaitForFirstResponseDue"]["TimestampPath"] == "$.first_response_due"
    assert sla["ReadAtFirstResponseDue"]["Resource"] == "arn:ARN:states:::dynamodb:getItem"
    assert sla["NotifySupervisorsOfP1"]["Resource"] == "arn:ARN:states:::sns:publish"
    for name, state in (("takeover", "AwaitSupervisor"), ("recovery", "AwaitManager"), ("after-sales", "AwaitInspection")):
        task = _definition(machines[name])["States"][state]
        assert task["Resource"] == "arn:ARN:states:::lambda:invoke.waitForTaskToken" and "TimeoutSecondsPath" in task
        assert any("States.Timeout" in c["ErrorEquals"] for c in task["Catch"]), f"{name} escalates on timeout"
    refund = _definition(machines["after-sales"])["States"]["Refund"]
    assert any(r["ErrorEquals"] == ["TransientSupplyError"] and r["MaxAttempts"] >= 3 for r in refund["Retry"])


def test_history_and_audit_are_append_only_for_every_function(template: Template) -> None:
    """No function deletes history; only erasure may blank an event's words (``detail``); nobody changes the audit log."""
    tables = {t["Properties"]["TableName"]: lid for lid, t in template.find_resources("AWS::DynamoDB::Table").items()}
    history_id, audit_id = tables["livedesk-dev-ticket-history"], tables["livedesk-dev-audit"]
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            resources, actions = json.dumps(statement.get("Resource")), set(_actions(statement))
            if audit_id in resources:
                assert actions <= {"dynamodb:PutItem", "dynamodb:Query"}, statement
            if history_id in resources:
                assert not {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} & actions, statement
                if "dynamodb:UpdateItem" in actions:
                    assert statement["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "sk", "detail"]}}


def test_agents_sign_in_with_cognito_and_agent_routes_need_their_token(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "Schema": Match.array_with([Match.object_like({"Name": "brand_id"})]),
        },
    )
    assert {g["Properties"]["GroupName"] for g in template.find_resources("AWS::Cognito::UserPoolGroup").values()} == {
        "agent",
        "supervisor",
        "admin",
        "operator",
    }
    (client,) = template.find_resources("AWS::Cognito::UserPoolClient").values()
    writable = client["Properties"]["WriteAttributes"]
    assert writable and not [a for a in writable if a.startswith("custom:")], "users never write their own brand or skills"
    (authorizer,) = template.find_resources("AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["Properties"]["AuthorizerType"] == "JWT"
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in template.find_resources("AWS::ApiGatewayV2::Route").values()}
    channel = {"POST /v1/messages", "POST /v1/sentiment", "POST /v1/surveys/{ticket_id}"}
    for key, route in routes.items():
        assert (route.get("AuthorizationType") == "JWT") == (key not in channel), key
    assert {"GET /v1/agents/me/queue", "POST /v1/tickets/{ticket_id}/takeover", "GET /v1/orders/{order_id}"} <= set(routes)


def test_notification_topics_are_encrypted_and_tls_only(template: Template) -> None:
    topics = template.find_resources("AWS::SNS::Topic")
    names = {t["Properties"]["TopicName"].removeprefix("livedesk-dev-") for t in topics.values()}
    assert names == {"supervisors", "escalations", "managers", "alerts-yellow", "alerts-orange", "alerts-red"}
    assert all("KmsMasterKeyId" in t["Properties"] for t in topics.values())


def test_stream_consumers_filter_and_report_partial_failures(template: Template) -> None:
    streams = [m["Properties"] for m in template.find_resources("AWS::Lambda::EventSourceMapping").values() if "StreamArn" in json.dumps(m)]
    assert len(streams) == 5  # outbox and analytics on conversations; followups, analytics and quality on the history
    for mapping in streams:
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and mapping["MaximumRetryAttempts"] == 3
        assert mapping["FilterCriteria"]["Filters"] and mapping["DestinationConfig"]["OnFailure"]["Destination"]


def test_nothing_runs_or_bills_while_idle(template: Template) -> None:
    for resource_type in (
        "AWS::EC2::NatGateway",
        "AWS::EC2::VPC",
        "AWS::OpenSearchService::Domain",
        "AWS::OpenSearchServerless::Collection",
    ):
        template.resource_count_is(resource_type, 0)
    for alias in template.find_resources("AWS::Lambda::Alias").values():
        assert "ProvisionedConcurrencyConfig" not in alias["Properties"]


def test_search_and_ingest_use_the_index_artifact_by_default(template: Template) -> None:
    for function in template.find_resources("AWS::Lambda::Function", OWN_FUNCTION).values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert variables.get("SEARCH_BACKEND", "artifact") == "artifact" and "OPENSEARCH_ENDPOINT" not in variables


def test_roles_are_least_privilege(template: Template) -> None:
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(action == "*" or action.endswith(":*") for action in actions), statement
    deployer = _bucket_deployment_role(template)
    for logical_id, role in template.find_resources("AWS::IAM::Role").items():
        managed = json.dumps(role["Properties"].get("ManagedPolicyArns", []))
        # The canary deployments' role has AWS's limited CodeDeploy-for-Lambda policy, nothing else.
        assert managed == "[]" or logical_id == deployer or managed.endswith('service-role/AWSCodeDeployRoleForLambdaLimited"]]}]'), managed


def test_names_flow_to_functions_as_environment(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": "livedesk-dev-routing",
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "CONVERSATIONS_TABLE": {"Ref": Match.string_like_regexp("StorageConversations")},
                        "SLA_STATE_MACHINE_ARN": {"Ref": Match.string_like_regexp("WorkflowsSlaStateMachine")},
                        "SEARCH_FUNCTION_NAME": _alias_name("Search"),
                        "IDEMPOTENCY_TABLE": {"Ref": Match.string_like_regexp("StorageIdempotency")},
                    }
                )
            },
        },
    )


def test_knowledge_uploads_reach_ingestion_through_eventbridge_and_a_queue_with_a_dlq(template: Template) -> None:
    (bucket,) = template.find_resources("AWS::S3::Bucket", KNOWLEDGE_BUCKET).values()
    assert bucket["Properties"]["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    assert not template.find_resources("Custom::S3BucketNotifications"), "no custom-resource Lambda for notifications"
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like(
                {"source": ["aws.s3"], "detail": Match.object_like({"object": {"key": [{"prefix": "knowledge/"}]}})}
            )
        },
    )
    template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "cron(0 19 ? * SUN *)"})
    template.has_resource_properties(
        "AWS::SQS::Queue", {"QueueName": "livedesk-dev-knowledge-events", "RedrivePolicy": Match.object_like({"maxReceiveCount": 3})}
    )
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"FunctionName": Match.any_value(), "FunctionResponseTypes": ["ReportBatchItemFailures"], "BatchSize": 10},
    )


def test_ingest_may_replace_and_prune_index_builds_but_search_only_reads_them(template: Template) -> None:
    policies = template.find_resources("AWS::IAM::Policy")
    ingest = next(p for logical_id, p in policies.items() if "Ingest" in logical_id)
    search = next(p for logical_id, p in policies.items() if "Search" in logical_id)

    def actions(policy: dict) -> set[str]:
        found: set[str] = set()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            found |= set(statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
        return found

    assert {"s3:PutObject", "s3:DeleteObject*"} <= actions(ingest)
    assert not {a for a in actions(search) if a.startswith(("s3:Put", "s3:Delete"))}


def test_operations_have_a_dashboard_red_alarms_and_schedules(template: Template) -> None:
    (dashboard,) = template.find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for widget in (
        "Bot containment",
        "Queue depths",
        "Dead-letter queues",
        "Function errors",
        "Function throttles",
        "Workflow executions failed",
    ):
        assert widget in body, widget
    alarms = template.find_resources("AWS::CloudWatch::Alarm", {"Properties": {"AlarmName": Match.string_like_regexp("-red-")}})
    red = [lid for lid, r in template.find_resources("AWS::SNS::Topic").items() if r["Properties"]["TopicName"].endswith("alerts-red")]
    assert alarms and all(red[0] in json.dumps(a["Properties"]["AlarmActions"]) for a in alarms.values()), "every alarm pages red"
    names = {a["Properties"]["AlarmName"].removeprefix("livedesk-dev-red-") for a in alarms.values()}
    assert {"DlqInboundDlq", "DlqAnalyticsDlq", "P1Breach", "FailedSla", "FailedAfterSales"} <= names and any(
        n.startswith("Errors") for n in names
    )
    schedules = {r["Properties"].get("ScheduleExpression") for r in template.find_resources("AWS::Events::Rule").values()}
    assert {"rate(5 minutes)", "rate(1 hour)"} <= schedules
    template.has_resource_properties("AWS::Lambda::Function", {"FunctionName": "livedesk-dev-forecast", "PackageType": "Image"})
    routes = {r["Properties"]["RouteKey"] for r in template.find_resources("AWS::ApiGatewayV2::Route").values()}
    assert {"GET /v1/kpis", "GET /v1/kpis/report", "GET /v1/voc", "GET /v1/alerts", "GET /v1/forecast", "GET /v1/knowledge/gaps"} <= routes


def test_the_data_key_rotates_and_encrypts_every_queue(template: Template) -> None:
    (data_key,) = template.find_resources("AWS::KMS::Key", {"Properties": {"EnableKeyRotation": True}})
    queues = template.find_resources("AWS::SQS::Queue")
    assert queues and all(q["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [data_key, "Arn"]} for q in queues.values())
    assert all("RedrivePolicy" in q["Properties"] for q in queues.values() if not q["Properties"]["QueueName"].endswith("-dlq"))


def test_each_channel_has_its_own_signing_secret_read_only_by_the_functions_that_sign_or_verify(template: Template) -> None:
    secrets = template.find_resources("AWS::SecretsManager::Secret")
    names = {s["Properties"]["Name"] for s in secrets.values()}
    assert names == {f"livedesk-dev-channel-keys/{c}" for c in ("live_comment", "app_chat", "dm", "email", "phone_transcript")}
    readers = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "secretsmanager:GetSecretValue" in _actions(statement):
                readers |= {role["Ref"] for role in policy["Properties"]["Roles"]}
    functions = template.find_resources("AWS::Lambda::Function", OWN_FUNCTION)
    reading = {f["Properties"]["FunctionName"] for f in functions.values() if f["Properties"]["Role"]["Fn::GetAtt"][0] in readers}
    # The channel routes verify requests with the keys; the outbox signs the webhooks it sends with them.
    assert reading == {"livedesk-dev-intake", "livedesk-dev-tickets", "livedesk-dev-sentiment", "livedesk-dev-outbox"}


def test_routes_have_their_own_throttles_under_the_stage_limit(template: Template) -> None:
    (stage,) = template.find_resources("AWS::ApiGatewayV2::Stage").values()
    default = stage["Properties"]["DefaultRouteSettings"]
    routes = {r["Properties"]["RouteKey"] for r in template.find_resources("AWS::ApiGatewayV2::Route").values()}
    settings = stage["Properties"]["RouteSettings"]
    assert {"POST /v1/messages", "DELETE /v1/customers/{customer_id}/data"} <= set(settings) <= routes
    assert all(0 < s["ThrottlingRateLimit"] <= default["ThrottlingRateLimit"] for s in settings.values())
    assert (
        settings["POST /v1/admin/dead-letters/{name}/redrive"]["ThrottlingRateLimit"] < settings["POST /v1/messages"]["ThrottlingRateLimit"]
    )


def test_retention_is_configured_and_swept_daily(template: Template) -> None:
    for function, variable, days in (("intake", "MESSAGE_RETENTION_DAYS", "180"), ("admin", "TICKET_RETENTION_DAYS", "365")):
        template.has_resource_properties(
            "AWS::Lambda::Function",
            {"FunctionName": f"livedesk-dev-{function}", "Environment": {"Variables": Match.object_like({variable: days})}},
        )
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "cron(30 18 * * ? *)",
            "Targets": [Match.object_like({"Input": json.dumps({"retention": "sweep"}, separators=(",", ":"))})],
        },
    )


def _actions(statement: dict[str, object]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)  # type: ignore[arg-type]


def _grants_of(template: Template, function_logical_prefix: str, table_name: str) -> set[str]:
    """The actions a function's role may take on a table (its policies' statements naming the table)."""
    tables = {t["Properties"]["TableName"]: lid for lid, t in template.find_resources("AWS::DynamoDB::Table").items()}
    table_id = tables[table_name]
    granted: set[str] = set()
    for logical_id, policy in template.find_resources("AWS::IAM::Policy").items():
        if not logical_id.startswith(function_logical_prefix):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if table_id in json.dumps(statement.get("Resource")):
                granted |= set(_actions(statement))
    return granted


def test_the_outbox_may_read_the_message_it_delivers_and_stamp_it(template: Template) -> None:
    """The outbox reads the stored reply (GetItem, consistent) before delivering and stamps it after (UpdateItem)."""
    assert {"dynamodb:GetItem", "dynamodb:UpdateItem"} <= _grants_of(template, "FunctionsOutboxRole", "livedesk-dev-conversations")


def test_quality_inspection_reads_the_conversation_and_ticket_and_writes_only_its_own_records(template: Template) -> None:
    assert _grants_of(template, "FunctionsQualityRole", "livedesk-dev-conversations") == {"dynamodb:GetItem", "dynamodb:Query"}
    assert _grants_of(template, "FunctionsQualityRole", "livedesk-dev-tickets") == {"dynamodb:GetItem"}
    assert _grants_of(template, "FunctionsQualityRole", "livedesk-dev-analytics") == {
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:GetItem",
    }
    mappings = [m["Properties"] for m in template.find_resources("AWS::Lambda::EventSourceMapping").values()]
    (inspecting,) = [m for m in mappings if "Quality" in json.dumps(m["FunctionName"])]
    assert json.loads(inspecting["FilterCriteria"]["Filters"][0]["Pattern"])["dynamodb"]["NewImage"] == {"action": {"S": ["resolve"]}}
    assert "QualityDeadLetterQueue" in json.dumps(inspecting["DestinationConfig"])


def _bucket_deployment_role(template: Template) -> str:
    (deployer,) = [
        f["Properties"]["Role"]["Fn::GetAtt"][0]
        for f in template.find_resources("AWS::Lambda::Function").values()
        if "FunctionName" not in f["Properties"]
    ]
    return str(deployer)


def test_the_console_is_private_s3_behind_cloudfront_with_https_and_a_strict_csp(template: Template) -> None:
    (distribution,) = template.find_resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https" and behavior["Compress"] is True
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin and origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    (policy,) = template.find_resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000 and headers["FrameOptions"]["FrameOption"] == "DENY"
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }
        },
    )


def test_the_console_gets_its_config_and_the_api_allows_its_origin(template: Template) -> None:
    (deployment,) = template.find_resources("Custom::CDKBucketDeployment").values()
    assert "DistributionId" in deployment["Properties"]  # a new build invalidates index.html and config.json
    (api,) = template.find_resources("AWS::ApiGatewayV2::Api").values()
    cors = api["Properties"]["CorsConfiguration"]
    assert "ConsoleDistribution" in json.dumps(cors["AllowOrigins"]) and cors["AllowHeaders"] == ["authorization", "content-type"]
    template.has_output("ConsoleUrl", {"Value": Match.any_value()})


def test_escalation_may_answer_only_the_takeover_workflows_waits(template: Template) -> None:
    """An offer made after the supervisor took over answers its own wait; nothing else may it answer."""
    answering = [
        statement
        for logical_id, policy in template.find_resources("AWS::IAM::Policy").items()
        if logical_id.startswith("FunctionsEscalationRole")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(action.startswith("states:") for action in _actions(statement))
    ]
    assert [_actions(s) for s in answering] == [["states:SendTaskSuccess"]]
    assert json.dumps(answering[0]["Resource"]).endswith(':stateMachine:livedesk-dev-takeover"]]}')


def test_every_function_deploys_through_its_live_alias_with_a_canary_that_its_errors_roll_back(template: Template) -> None:
    resources = template.to_json()["Resources"]
    functions = template.find_resources("AWS::Lambda::Function", OWN_FUNCTION)
    aliases = template.find_resources("AWS::Lambda::Alias")
    assert sorted(alias["Properties"]["FunctionName"]["Ref"] for alias in aliases.values()) == sorted(functions)
    for alias in aliases.values():
        function = alias["Properties"]["FunctionName"]["Ref"]
        version = resources[alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]]
        assert alias["Properties"]["Name"] == "live" and version["Properties"]["FunctionName"] == {"Ref": function}
        update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        group = resources[update["DeploymentGroupName"]["Ref"]]["Properties"]
        assert group["DeploymentConfigName"] == CANARY
        assert group["AutoRollbackConfiguration"] == {"Enabled": True, "Events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
        assert group["AlarmConfiguration"]["Enabled"] is True
        (alarm,) = group["AlarmConfiguration"]["Alarms"]
        errors = resources[alarm["Name"]["Ref"]]["Properties"]
        assert (errors["MetricName"], errors["Period"], errors["EvaluationPeriods"], errors["Threshold"]) == ("Errors", 60, 1, 1)
        dimensions = {d["Name"]: d["Value"] for d in errors["Dimensions"]}
        assert dimensions == {"FunctionName": {"Ref": function}, "Resource": {"Fn::Join": ["", [{"Ref": function}, ":live"]]}}
    template.resource_count_is("AWS::CodeDeploy::Application", 1)


def test_every_caller_invokes_a_live_alias(template: Template, machines: dict[str, dict]) -> None:
    aliases = set(template.find_resources("AWS::Lambda::Alias"))
    alias_refs = [{"Ref": alias} for alias in aliases]
    for mapping in template.find_resources("AWS::Lambda::EventSourceMapping").values():
        name = mapping["Properties"]["FunctionName"]["Fn::Join"][1]
        assert name[0]["Fn::Select"][1]["Fn::Split"][1] in alias_refs and name[1] == ":live"
    for integration in template.find_resources("AWS::ApiGatewayV2::Integration").values():
        assert integration["Properties"]["IntegrationUri"] in alias_refs
    for rule in template.find_resources("AWS::Events::Rule", {"Properties": {"ScheduleExpression": Match.any_value()}}).values():
        assert [target["Arn"] for target in rule["Properties"]["Targets"]] in ([ref] for ref in alias_refs)
    for permission in template.find_resources("AWS::Lambda::Permission").values():
        assert permission["Properties"]["FunctionName"] in alias_refs
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "lambda:InvokeFunction" in statement["Action"]:
                resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                assert all(resource in alias_refs for resource in resources), statement
    for machine in machines.values():
        parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
        invoked = [parts[i + 1] for i, part in enumerate(parts) if isinstance(part, str) and part.endswith('"FunctionName":"')]
        assert invoked and all(ref in alias_refs for ref in invoked), machine["Properties"]["StateMachineName"]


def test_the_canary_can_be_turned_off_for_quick_developer_deploys(tmp_path: Path) -> None:
    assembly = build_app({"canary": "false"}, outdir=str(tmp_path)).synth()
    quick = Template.from_json(json.loads(Path(assembly.directory, "LiveDesk.template.json").read_text()))
    assert quick.find_resources("AWS::Lambda::Alias") and not quick.find_resources("AWS::CodeDeploy::DeploymentGroup")
    assert not quick.find_resources("AWS::CloudWatch::Alarm", {"Properties": {"AlarmName": Match.string_like_regexp("-canary-")}})
