"""Provision the synthesized template on an embedded moto server and serve it."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import socket
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config
from moto.server import ThreadedMotoServer

from infrastructure.console_policy import CONSOLE_DIST, CONSOLE_PREFIX
from infrastructure.local import faults
from infrastructure.local.agents import AgentTokens, moto_cognito_keys
from infrastructure.local.channel_keys import ChannelKeyring
from infrastructure.local.console import COGNITO_PROXY, CognitoProxy, ConsoleSite
from infrastructure.local.event_sources import (
    SqsMapping,
    SqsPoller,
    StreamMapping,
    StreamPoller,
    count_stream_writes,
)
from infrastructure.local.gateway import JwtAuthorizer, LocalGateway, Route
from infrastructure.local.iam import RolePolicies
from infrastructure.local.moto_patches import cache_moto_module_listing, log_task_runtime_errors, undo_transactions_item_by_item
from infrastructure.local.runtime import FunctionCode, InProcessRuntime
from infrastructure.local.template import ACCOUNT, CREDENTIALS, REGION, Template, handler_of

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = ROOT / "cdk.out" / "LiveDesk.template.json"


def local_session() -> requests.Session:
    """HTTP to the local stack's own endpoints. No proxy applies, so it never reads the process
    environment, which a handler's turn on another thread may be changing (urllib's proxy lookup
    iterates os.environ and fails on a variable removed meanwhile)."""
    session = requests.Session()
    session.trust_env = False
    return session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", "Code runs in-process from the synthesized asset folders.")
    return buffer.getvalue()


@dataclass
class LocalStack:
    template_path: Path = DEFAULT_TEMPLATE
    moto_port: int = 0
    gateway_port: int = 0
    retry_delay_s: int = 1
    wait_scale: float | None = None  # None: Wait states wait; 0: skip them; 0.01: 100x faster
    # Timing settings to change in every function that declares them, e.g. {"KNOWLEDGE_REFRESH_SECONDS": "0"}.
    timing_overrides: dict[str, str] = field(default_factory=dict)
    template: Template = field(init=False)
    pollers: list[SqsPoller | StreamPoller] = field(default_factory=list, init=False)
    functions: dict[str, str] = field(default_factory=dict, init=False)
    console_config: dict[str, Any] = field(default_factory=dict, init=False)

    def start(self) -> LocalStack:
        self.moto_port = self.moto_port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.moto_port}"
        self.template = Template.load(self.template_path)
        # The ASL interpreter and the functions reach moto through these; stop() restores the rest.
        self._saved_environment = dict(os.environ)
        os.environ.update(
            {"MOTO_PORT": str(self.moto_port), "AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION}
            | CREDENTIALS
        )
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._server.start()
        self.http = local_session()
        self.http.post(
            f"{self.endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}}, timeout=10
        ).raise_for_status()
        self.runtime = InProcessRuntime(
            on_error=self._count_error,
            base_environment={
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
                "HF_HUB_OFFLINE": "1",
                **CREDENTIALS,
            },
        )
        self.runtime.install()
        faults.install()  # inert until a test injects a fault (infrastructure/local/faults.py)
        undo_transactions_item_by_item()
        cache_moto_module_listing()
        log_task_runtime_errors()
        if self.wait_scale is not None:
            _scale_wait_states(self.wait_scale)
        self._provision()
        self.agents = AgentTokens.of(self.template, self.client("cognito-idp"))
        self.channel_keys = ChannelKeyring.of(self.template, self.client("secretsmanager"))
        self.console_config = {
            "apiUrl": "/",
            "region": REGION,
            "userPoolId": self.agents.pool_id,
            "clientId": self.agents.client_id,
            "cognitoEndpoint": COGNITO_PROXY,
            "liveSessions": [],
        }
        self.gateway = LocalGateway(
            self._routes(),
            self.client("lambda"),
            port=self.gateway_port,
            local_routes={"/local/agent-token": self.agents.from_request, "/local/channel-key": self.channel_keys.from_request},
            prefixes={CONSOLE_PREFIX: ConsoleSite(CONSOLE_DIST, self.console_config), COGNITO_PROXY: CognitoProxy(self.endpoint)},
        )
        threading.Thread(target=self.gateway.serve_forever, name="local-gateway", daemon=True).start()
        for poller in self.pollers:
            poller.start()
        return self

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        self.gateway.shutdown()
        self._stop_running_executions()
        self.runtime.uninstall()
        _scale_wait_states(None)
        self._server.stop()
        self.runtime.close()
        os.environ.clear()
        os.environ.update(self._saved_environment)

    @property
    def url(self) -> str:
        return self.gateway.url

    def _stop_running_executions(self) -> None:
        """A workflow still running (an SLA timer, an open takeover offer) would go on calling moto after
        the server stops, and fail with a connection error; stop it first, as deleting a stack would."""
        stepfunctions = self.client("stepfunctions")
        executions = stepfunctions.get_paginator("list_executions")
        for machine in stepfunctions.list_state_machines()["stateMachines"]:
            for page in executions.paginate(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING"):
                for execution in page["executions"]:
                    stepfunctions.stop_execution(executionArn=execution["executionArn"], cause="the local stack stopped")

    def _count_error(self, function_name: str) -> None:
        """Lambda's own Errors metric, which the red alert level watches."""
        self.client("cloudwatch").put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {"MetricName": "Errors", "Dimensions": [{"Name": "FunctionName", "Value": function_name}], "Value": 1, "Unit": "Count"}
            ],
        )

    @contextmanager
    def fast_forward(self) -> Iterator[None]:
        """Step Functions Wait states pass at once while inside (SLA timers, the 24-hour follow-up)."""
        _scale_wait_states(0)
        try:
            yield
        finally:
            _scale_wait_states(self.wait_scale)

    def agent_token(self, brand_id: str, username: str, role: str = "agent", skills: tuple[str, ...] = ()) -> str:
        """A Cognito ID token for an agent of the brand (created on first use), as the agent console gets one."""
        return self.agents.token(brand_id, username, role, skills)

    def channel_headers(self, brand_id: str, channel: str, method: str, path: str, body: bytes, query: str = "") -> dict[str, str]:
        """What the brand's channel integration sends: brand, channel, time and signature."""
        return self.channel_keys.headers(brand_id, channel, method, path, body, query)

    def post_as_channel(self, brand_id: str, path: str, body: dict[str, Any], channel: str | None = None) -> requests.Response:
        """POST ``body`` as the brand's channel integration would: JSON, signed with its key."""
        raw = json.dumps(body, ensure_ascii=False).encode()
        channel = channel or str(body.get("channel", "app_chat"))
        headers = {"content-type": "application/json", **self.channel_headers(brand_id, channel, "POST", path, raw)}
        return self.http.post(f"{self.url}{path}", data=raw, headers=headers, timeout=60)

    def finish(self, execution_arn: str, timeout_s: float = 120.0) -> dict[str, Any]:
        """Wait for a Step Functions execution to end; returns its description."""
        sfn = self.client("stepfunctions")
        deadline = time.monotonic() + timeout_s
        while True:
            described = sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return dict(described)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{execution_arn} still running")
            time.sleep(0.05)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            config=Config(retries={"max_attempts": 2}, read_timeout=300),
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def function_name(self, folder: str) -> str:
        """Physical name of the function built from functions/<folder>."""
        return str(self.template.refs[function_logical_id(self.template, folder)])

    def drain(self, timeout_s: float = 120.0) -> None:
        """Wait until every polled queue is empty, no batch is in flight, and each stream has been
        read since its table's last write (a handler may write to a stream just as its queue empties)."""
        sqs = self.client("sqs")
        deadline = time.monotonic() + timeout_s
        quiet = 0
        streams = [poller for poller in self.pollers if isinstance(poller, StreamPoller)]
        reads_before_quiet: list[int] = []
        while time.monotonic() < deadline:
            busy = False
            for poller in self.pollers:
                if isinstance(poller, StreamPoller):
                    busy |= not poller.idle
                    continue
                attributes = sqs.get_queue_attributes(
                    QueueUrl=poller.mapping.queue_url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                busy |= any(int(value) for value in attributes.values())
            quiet = 0 if busy else quiet + 1
            if quiet == 1:
                reads_before_quiet = [poller.reads for poller in streams]
            # Each stream caught up with its table's writes, or (not told of them) read twice more:
            # at least one of those reads started after the quiet began.
            if quiet >= 3 and all(
                poller.caught_up or poller.reads >= before + 2 for poller, before in zip(streams, reads_before_quiet, strict=True)
            ):
                return
            time.sleep(0.1)
        raise TimeoutError("queues and streams did not drain")

    def table_name(self, construct_id: str) -> str:
        return storage_ref(self.template, "AWS::DynamoDB::Table", construct_id)

    def bucket_name(self, construct_id: str) -> str:
        return storage_ref(self.template, "AWS::S3::Bucket", construct_id)

    def queue_url(self, construct_id: str) -> str:
        return storage_ref(self.template, "AWS::SQS::Queue", construct_id)

    # -- provisioning, in dependency order -------------------------------------------------

    def _provision(self) -> None:
        provision_resources(self.template, self.client)
        for logical_id, resource in self.template.functions():
            self._function(logical_id, resource)
        self._aliases()
        self.runtime.enforce(RolePolicies.of(self.template))  # a missing grant fails here as in AWS
        for _, resource in self.template.resources("AWS::Lambda::EventSourceMapping"):
            self._event_source(resource["Properties"])

    def _function(self, logical_id: str, resource: dict[str, Any]) -> None:
        properties = resource["Properties"]
        name = properties["FunctionName"]
        handler = handler_of(properties)
        environment = self.template.resolve(properties.get("Environment", {}).get("Variables", {}))
        environment |= {key: value for key, value in self.timing_overrides.items() if key in environment}
        self.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=self.template.resolve(properties["Role"]),
            Handler=handler,
            Code={"ZipFile": _empty_zip()},
            Timeout=int(properties.get("Timeout", 3)),
            MemorySize=int(properties.get("MemorySize", 128)),
            Environment={"Variables": environment},
        )
        self.runtime.register(
            name,
            FunctionCode(
                handler, self.template.code_paths(resource), int(properties.get("MemorySize", 128)), int(properties.get("Timeout", 3))
            ),
        )
        self.functions[logical_id] = name

    def _aliases(self) -> None:
        """Each function's published version and the alias callers invoke; Lambda resolves a qualified
        name or ARN (``name:live``) to the version behind the alias."""
        lambda_client = self.client("lambda")
        for logical_id, resource in self.template.resources("AWS::Lambda::Version"):
            published = lambda_client.publish_version(FunctionName=self.template.resolve(resource["Properties"]["FunctionName"]))
            self.template.provide(logical_id, published["FunctionArn"], Version=published["Version"])
        for _, resource in self.template.resources("AWS::Lambda::Alias"):
            properties = resource["Properties"]
            lambda_client.create_alias(
                FunctionName=self.template.resolve(properties["FunctionName"]),
                Name=properties["Name"],
                FunctionVersion=self.template.resolve(properties["FunctionVersion"]),
            )

    def _event_source(self, properties: dict[str, Any]) -> None:
        source = properties["EventSourceArn"]
        if isinstance(source, dict) and "Fn::GetAtt" in source and source["Fn::GetAtt"][1] == "StreamArn":
            failure = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            stream = StreamMapping(
                function_name=self.template.resolve(properties["FunctionName"]),
                stream_arn=self.template.resolve(source),
                batch_size=int(properties.get("BatchSize", 100)),
                max_retries=int(properties.get("MaximumRetryAttempts", 3)),
                report_batch_item_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
                filters=[json.loads(f["Pattern"]) for f in properties.get("FilterCriteria", {}).get("Filters", [])],
                on_failure_queue_url=self.template.refs[self.template.logical_id_of(failure)] if failure else None,
                bisect_on_error=bool(properties.get("BisectBatchOnFunctionError", False)),
            )
            poller = StreamPoller(stream, self.client("dynamodbstreams"), self.client("lambda"), self.client("sqs"), count_stream_writes())
            self.pollers.append(poller)
            return
        queue_logical_id = self.template.logical_id_of(properties["EventSourceArn"])
        mapping = SqsMapping(
            function_name=self.template.resolve(properties["FunctionName"]),
            queue_url=self.template.refs[queue_logical_id],
            queue_arn=self.template.resolve(properties["EventSourceArn"]),
            batch_size=int(properties.get("BatchSize", 10)),
            batching_window_s=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
            report_batch_item_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
        )
        self.pollers.append(SqsPoller(mapping, self.client("sqs"), self.client("lambda"), self.retry_delay_s))

    def _routes(self) -> list[Route]:
        for logical_id, _ in self.template.resources("AWS::ApiGatewayV2::Integration"):
            self.template.provide(logical_id, logical_id)
        integrations = {
            logical_id: self.template.resolve(resource["Properties"]["IntegrationUri"])
            for logical_id, resource in self.template.resources("AWS::ApiGatewayV2::Integration")
        }
        authorizers = {
            logical_id: JwtAuthorizer(
                issuer=self.template.resolve(resource["Properties"]["JwtConfiguration"]["Issuer"]),
                audience=tuple(self.template.resolve(resource["Properties"]["JwtConfiguration"]["Audience"])),
                keys=moto_cognito_keys(),
            )
            for logical_id, resource in self.template.resources("AWS::ApiGatewayV2::Authorizer")
        }
        routes = []
        for _, resource in self.template.resources("AWS::ApiGatewayV2::Route"):
            properties = resource["Properties"]
            integration_id = self.template.resolve(properties["Target"]).split("/", 1)[1]
            function_arn = integrations[integration_id]
            authorizer = authorizers[self.template.logical_id_of(properties["AuthorizerId"])] if "AuthorizerId" in properties else None
            routes.append(Route.parse(properties["RouteKey"], function_arn, authorizer))
        # Literal segments win over parameters, as in API Gateway.
        return sorted(routes, key=lambda route: route.route_key.count("{"))


def storage_ref(template: Template, resource_type: str, construct_id: str) -> str:
    """Physical name (or URL) of what the Storage construct calls ``construct_id``."""
    return str(next(template.refs[lid] for lid, _ in template.resources(resource_type) if lid.startswith(f"Storage{construct_id}")))


def provision_tables(template: Template, dynamodb: Any) -> None:
    for logical_id, resource in template.resources("AWS::DynamoDB::Table"):
        properties = resource["Properties"]
        spec = {
            key: properties[key]
            for key in ("TableName", "KeySchema", "AttributeDefinitions", "BillingMode", "GlobalSecondaryIndexes")
            if key in properties
        }
        sse = properties.get("SSESpecification")
        if sse and sse.get("SSEEnabled"):
            spec["SSESpecification"] = {"Enabled": True, "SSEType": sse.get("SSEType", "KMS")}
            if "KMSMasterKeyId" in sse:
                spec["SSESpecification"]["KMSMasterKeyId"] = template.resolve(sse["KMSMasterKeyId"])
        stream = properties.get("StreamSpecification")
        if stream:
            spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        table = dynamodb.create_table(**spec)["TableDescription"]
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=spec["TableName"], TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
            )
        template.provide(logical_id, spec["TableName"], Arn=table["TableArn"], StreamArn=table.get("LatestStreamArn"))


def provision_keys(template: Template, kms: Any) -> None:
    for logical_id, resource in template.resources("AWS::KMS::Key"):
        key = kms.create_key(Description=resource["Properties"].get("Description", logical_id))["KeyMetadata"]
        template.provide(logical_id, key["KeyId"], Arn=key["Arn"])


def provision_secrets(template: Template, secretsmanager: Any) -> None:
    """Secrets as CloudFormation creates them: a generated one is its template with a random value
    under the generated key."""
    for logical_id, resource in template.resources("AWS::SecretsManager::Secret"):
        properties = resource["Properties"]
        generate = properties.get("GenerateSecretString")
        if generate:
            value = json.loads(generate.get("SecretStringTemplate") or "{}")
            value[generate["GenerateStringKey"]] = secrets.token_urlsafe(24)
            secret_string = json.dumps(value)
        else:
            secret_string = str(template.resolve(properties.get("SecretString", "")))
        created = secretsmanager.create_secret(Name=properties["Name"], SecretString=secret_string)
        template.provide(logical_id, created["ARN"])


def provision_buckets(template: Template, s3: Any) -> None:
    """CloudFormation names buckets at deploy time; locally the logical id (lower-cased) is the name."""
    for logical_id, resource in template.resources("AWS::S3::Bucket"):
        name = resource["Properties"].get("BucketName") or f"livedesk-local-{logical_id.lower()}"
        s3.create_bucket(Bucket=name)
        if resource["Properties"].get("NotificationConfiguration", {}).get("EventBridgeConfiguration", {}).get("EventBridgeEnabled"):
            s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}})
        template.provide(logical_id, name, Arn=f"arn:aws:s3:::{name}")


def provision_event_rules(template: Template, events: Any) -> None:
    """Rules that match events (S3 uploads to SQS, for instance). moto runs no schedules: scheduled
    rules are left out, and their work is started by hand (``make invoke``)."""
    for logical_id, resource in template.resources("AWS::Events::Rule"):
        properties = resource["Properties"]
        if "EventPattern" not in properties:
            continue
        events.put_rule(Name=logical_id, EventPattern=json.dumps(template.resolve(properties["EventPattern"])), State="ENABLED")
        targets = [{"Id": t["Id"], "Arn": template.resolve(t["Arn"])} for t in properties.get("Targets", [])]
        events.put_targets(Rule=logical_id, Targets=targets)


def provision_topics(template: Template, sns: Any) -> None:
    for logical_id, resource in template.resources("AWS::SNS::Topic"):
        name = resource["Properties"]["TopicName"]
        arn = sns.create_topic(Name=name)["TopicArn"]
        template.provide(logical_id, arn, TopicArn=arn, TopicName=name)


def provision_user_pools(template: Template, cognito: Any) -> None:
    """Agents' user pools, groups and clients. moto's Cognito issues the same ID tokens (custom
    attributes, groups), signed with moto's published key."""
    for logical_id, resource in template.resources("AWS::Cognito::UserPool"):
        properties = resource["Properties"]
        schema = [
            {key: value for key, value in attribute.items() if key in ("Name", "AttributeDataType", "Mutable")}
            for attribute in properties.get("Schema", [])
        ]
        pool = cognito.create_user_pool(PoolName=properties["UserPoolName"], Schema=schema)["UserPool"]
        template.provide(logical_id, pool["Id"], Arn=pool["Arn"], ProviderName=f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}")
    for logical_id, resource in template.resources("AWS::Cognito::UserPoolGroup"):
        properties = resource["Properties"]
        cognito.create_group(UserPoolId=template.resolve(properties["UserPoolId"]), GroupName=properties["GroupName"])
        template.provide(logical_id, properties["GroupName"])
    for logical_id, resource in template.resources("AWS::Cognito::UserPoolClient"):
        properties = resource["Properties"]
        client = cognito.create_user_pool_client(
            UserPoolId=template.resolve(properties["UserPoolId"]),
            ClientName=properties["ClientName"],
            ExplicitAuthFlows=properties.get("ExplicitAuthFlows", []),
        )["UserPoolClient"]
        template.provide(logical_id, client["ClientId"])


def provision_queues(template: Template, sqs: Any) -> None:
    """Dead-letter queues first: a redrive policy refers to its DLQ's ARN."""
    queues = sorted(template.resources("AWS::SQS::Queue"), key=lambda item: "RedrivePolicy" in item[1]["Properties"])
    for logical_id, resource in queues:
        properties = resource["Properties"]
        attributes = {
            "VisibilityTimeout": str(properties.get("VisibilityTimeout", 30)),
            "MessageRetentionPeriod": str(properties.get("MessageRetentionPeriod", 345600)),
        }
        if "RedrivePolicy" in properties:
            attributes["RedrivePolicy"] = json.dumps(template.resolve(properties["RedrivePolicy"]))
        url = sqs.create_queue(QueueName=properties["QueueName"], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        template.provide(logical_id, url, Arn=arn, QueueName=properties["QueueName"], QueueUrl=url)


def provide_function_names(template: Template) -> None:
    """Function names and ARNs, and their aliases' ARNs (``…:function:NAME:live``), are known before any
    function exists: environments and state machines refer to them."""
    for logical_id, resource in template.functions():
        name = resource["Properties"]["FunctionName"]
        template.provide(logical_id, name, Arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
    for logical_id, resource in template.resources("AWS::Lambda::Alias"):
        properties = resource["Properties"]
        function_arn = template.resolve({"Fn::GetAtt": [template.function_of(properties["FunctionName"]), "Arn"]})
        template.provide(logical_id, f"{function_arn}:{properties['Name']}")


def provision_state_machines(template: Template, stepfunctions: Any) -> None:
    """The ASL exactly as CDK wrote it, with its ARNs and table names resolved."""
    for logical_id, resource in template.resources("AWS::StepFunctions::StateMachine"):
        properties = resource["Properties"]
        arn = stepfunctions.create_state_machine(
            name=properties["StateMachineName"],
            definition=template.resolve(properties["DefinitionString"]),
            roleArn=template.resolve(properties["RoleArn"]),
            type=properties.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        template.provide(logical_id, arn, Arn=arn, Name=properties["StateMachineName"])


def function_logical_id(template: Template, folder: str) -> str:
    """The function built from functions/<folder>."""
    for logical_id, resource in template.functions():
        if handler_of(resource["Properties"]).split(".")[0] == folder:
            return logical_id
    raise KeyError(f"no function is built from functions/{folder}")


def function_environment(template: Template, folder: str) -> dict[str, str]:
    """The environment the template gives the function built from functions/<folder>, resolved."""
    properties = template.body["Resources"][function_logical_id(template, folder)]["Properties"]
    return {key: str(value) for key, value in template.resolve(properties.get("Environment", {}).get("Variables", {})).items()}


def provision_resources(template: Template, client: Callable[[str], Any]) -> None:
    """Everything but the functions, in dependency order."""
    for logical_id, resource in template.resources("AWS::IAM::Role"):
        policy = json.dumps(resource["Properties"]["AssumeRolePolicyDocument"])
        arn = client("iam").create_role(RoleName=logical_id[:64], AssumeRolePolicyDocument=policy)["Role"]["Arn"]
        template.provide(logical_id, logical_id[:64], Arn=arn)
    provision_keys(template, client("kms"))
    provision_secrets(template, client("secretsmanager"))
    provision_tables(template, client("dynamodb"))
    provision_buckets(template, client("s3"))
    provision_queues(template, client("sqs"))
    provision_topics(template, client("sns"))
    provision_user_pools(template, client("cognito-idp"))
    provision_event_rules(template, client("events"))
    for logical_id, _ in template.resources("AWS::Lambda::LayerVersion"):
        template.provide(logical_id, f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{logical_id}:1")
    provide_function_names(template)
    provision_state_machines(template, client("stepfunctions"))


def _scale_wait_states(scale: float | None) -> None:
    """Fast-forward Step Functions Wait states (moto 5.2.5's interpreter); None restores real waits."""
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    original = WaitFunction.__dict__.get("_livedesk_original", WaitFunction._wait_interval)
    WaitFunction._livedesk_original = original  # type: ignore[attr-defined]
    if scale is None:
        WaitFunction._wait_interval = original  # type: ignore[method-assign]
        return

    def scaled(self: Any, env: Any, wait_seconds: int) -> None:
        if scale > 0 and wait_seconds > 0:
            original(self, env, max(1, int(wait_seconds * scale)))

    WaitFunction._wait_interval = scaled  # type: ignore[method-assign]
