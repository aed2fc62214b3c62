"""The opt-in OpenSearch backends (-c opensearch=serverless|domain), each synthesized once for this
module with cdk-nag AwsSolutions on: synthesis raises on any unacknowledged finding."""

import json
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from app import build_app, opensearch_mode
from tests.infrastructure import OWN_FUNCTION


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    found = {}
    for mode in ("serverless", "domain"):
        assembly = build_app({"opensearch": mode}, outdir=str(tmp_path_factory.mktemp(mode))).synth()  # raises on a nag finding
        found[mode] = Template.from_json(json.loads(Path(assembly.directory, "LiveDesk.template.json").read_text()))
    return found


def _backend(template: Template, function: str) -> tuple[object, ...]:
    (found,) = (
        f for f in template.find_resources("AWS::Lambda::Function", OWN_FUNCTION).values() if f["Properties"]["FunctionName"] == function
    )
    environment = found["Properties"]["Environment"]["Variables"]
    return tuple(environment.get(name) for name in ("SEARCH_BACKEND", "OPENSEARCH_ENDPOINT", "OPENSEARCH_SERVICE", "OPENSEARCH_INDEX"))


def test_the_context_flag_names_the_mode_and_true_still_means_serverless() -> None:
    assert [opensearch_mode(value) for value in (None, False, "false", "true", True, "serverless", "Domain")] == [
        None,
        None,
        None,
        "serverless",
        "serverless",
        "serverless",
        "domain",
    ]
    with pytest.raises(ValueError, match="serverless, domain or false"):
        opensearch_mode("vpc")


def test_serverless_is_a_vector_collection_that_search_reads_and_ingest_writes(templates: dict[str, Template]) -> None:
    template = templates["serverless"]
    template.has_resource_properties("AWS::OpenSearchServerless::Collection", {"Type": "VECTORSEARCH", "StandbyReplicas": "DISABLED"})
    template.resource_count_is("AWS::OpenSearchService::Domain", 0)
    (access,) = template.find_resources("AWS::OpenSearchServerless::AccessPolicy").values()
    policy = json.dumps(access["Properties"]["Policy"])
    assert "FunctionsSearchRole" in policy and "FunctionsIngestRole" in policy
    assert "aoss:ReadDocument" in policy and "aoss:WriteDocument" in policy and "aoss:CreateIndex" in policy
    for role in ("Search", "Ingest"):
        template.has_resource_properties(
            "AWS::IAM::Policy",
            {
                "Roles": [{"Ref": Match.string_like_regexp(f"Functions{role}Role")}],
                "PolicyDocument": {"Statement": Match.array_with([Match.object_like({"Action": "aoss:APIAccessAll"})])},
            },
        )
    (collection,) = template.find_resources("AWS::OpenSearchServerless::Collection")
    endpoint = {"Fn::GetAtt": [collection, "CollectionEndpoint"]}
    for function in ("livedesk-dev-search", "livedesk-dev-ingest"):
        assert _backend(template, function) == ("opensearch", endpoint, "aoss", "livedesk-knowledge")


def test_domain_is_one_encrypted_https_only_node_open_to_the_two_roles(templates: dict[str, Template]) -> None:
    template = templates["domain"]
    template.resource_count_is("AWS::OpenSearchServerless::Collection", 0)
    template.resource_count_is("AWS::EC2::VPC", 0)
    ((domain_id, domain),) = template.find_resources("AWS::OpenSearchService::Domain").items()
    properties = domain["Properties"]
    assert properties["EncryptionAtRestOptions"] == {"Enabled": True}
    assert properties["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert properties["DomainEndpointOptions"] == {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}
    assert properties["ClusterConfig"]["InstanceCount"] == 1 and properties["EngineVersion"].startswith("OpenSearch_2.")
    assert {"SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS", "ES_APPLICATION_LOGS"} <= set(properties["LogPublishingOptions"])
    principals = [json.dumps(statement["Principal"]) for statement in properties["AccessPolicies"]["Statement"]]
    assert len(principals) == 2 and "FunctionsSearchRole" in principals[0] and "FunctionsIngestRole" in principals[1]
    custom = {r["Type"] for r in template.to_json()["Resources"].values() if r["Type"].startswith("Custom::")}
    assert custom == {"Custom::CDKBucketDeployment"}  # the domain adds no custom-resource Lambda (the console's upload is one)
    for log_group in template.find_resources("AWS::Logs::LogGroup").values():
        assert log_group["Properties"]["RetentionInDays"] == 30
    endpoint = {"Fn::GetAtt": [domain_id, "DomainEndpoint"]}
    for function in ("livedesk-dev-search", "livedesk-dev-ingest"):
        assert _backend(template, function) == ("opensearch", endpoint, "es", "livedesk-knowledge")
