"""Optional OpenSearch for knowledge search (cdk context ``opensearch``): ``serverless`` (or ``true``)
creates an OpenSearch Serverless vector collection, ``domain`` a small managed domain.

Off by default: either bills while it exists, and LiveDesk scales to zero unless a deployer opts
in. No VPC in either mode (the project runs without VPC or NAT): requests are HTTPS and signed
with SigV4, and only the search function (reads) and the ingest function (writes) are let in.
"""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchserverless as aoss
from aws_cdk import aws_opensearchservice as opensearch
from constructs import Construct

from infrastructure.naming import Naming

INDEX = "livedesk-knowledge"


def _connect(aliases: list[lambda_.Alias], endpoint: str, service: str) -> None:
    """Point search and ingest at OpenSearch (``livedesk.settings.KnowledgeSettings``)."""
    environment = {
        "SEARCH_BACKEND": "opensearch",
        "OPENSEARCH_ENDPOINT": endpoint,
        "OPENSEARCH_SERVICE": service,
        "OPENSEARCH_INDEX": INDEX,
    }
    for alias in aliases:
        function = alias.version.lambda_  # the environment is the function's, whichever version runs
        assert isinstance(function, lambda_.Function)
        for name, value in environment.items():
            function.add_environment(name, value)


def _role_arn(function: lambda_.IFunction) -> str:
    assert function.role is not None  # every function has a role of its own (FunctionFactory)
    return function.role.role_arn


class VectorCollection(Construct):
    """An OpenSearch Serverless VECTORSEARCH collection (``-c opensearch=serverless``)."""

    def __init__(self, scope: Construct, construct_id: str, *, naming: Naming, reader: lambda_.Alias, writer: lambda_.Alias) -> None:
        super().__init__(scope, construct_id)
        name = naming("knowledge")[:32]
        encryption = aoss.CfnSecurityPolicy(
            self,
            "Encryption",
            name=f"{name}-enc"[:32],
            type="encryption",
            policy=json.dumps({"Rules": [{"ResourceType": "collection", "Resource": [f"collection/{name}"]}], "AWSOwnedKey": True}),
        )
        network = aoss.CfnSecurityPolicy(
            self,
            "Network",
            name=f"{name}-net"[:32],
            type="network",
            policy=json.dumps([{"Rules": [{"ResourceType": "collection", "Resource": [f"collection/{name}"]}], "AllowFromPublic": True}]),
        )
        self.collection = aoss.CfnCollection(self, "Collection", name=name, type="VECTORSEARCH", standby_replicas="DISABLED")
        self.collection.add_dependency(encryption)
        self.collection.add_dependency(network)
        indexes = [f"index/{name}/*"]
        aoss.CfnAccessPolicy(
            self,
            "Access",
            name=f"{name}-data"[:32],
            type="data",
            policy=json.dumps(
                [
                    {
                        "Rules": [
                            {"ResourceType": "index", "Resource": indexes, "Permission": ["aoss:ReadDocument", "aoss:DescribeIndex"]}
                        ],
                        "Principal": [_role_arn(reader)],
                    },
                    {
                        "Rules": [
                            {
                                "ResourceType": "index",
                                "Resource": indexes,
                                "Permission": [
                                    "aoss:CreateIndex",
                                    "aoss:UpdateIndex",
                                    "aoss:DescribeIndex",
                                    "aoss:ReadDocument",
                                    "aoss:WriteDocument",
                                ],
                            },
                            {  # collection-level items: the hybrid search pipeline
                                "ResourceType": "collection",
                                "Resource": [f"collection/{name}"],
                                "Permission": ["aoss:CreateCollectionItems", "aoss:UpdateCollectionItems", "aoss:DescribeCollectionItems"],
                            },
                        ],
                        "Principal": [_role_arn(writer)],
                    },
                ]
            ),
        )
        for function in (reader, writer):
            function.add_to_role_policy(iam.PolicyStatement(actions=["aoss:APIAccessAll"], resources=[self.collection.attr_arn]))
        _connect([reader, writer], self.collection.attr_collection_endpoint, "aoss")


class SearchDomain(Construct):
    """A single-node managed OpenSearch domain (``-c opensearch=domain``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        naming: Naming,
        reader: lambda_.Alias,
        writer: lambda_.Alias,
        removal: RemovalPolicy,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        slow_search, slow_index, app = (
            logs.LogGroup(self, f"{kind}Logs", retention=log_retention, removal_policy=removal)
            for kind in ("SlowSearch", "SlowIndex", "App")
        )
        # A plain CloudFormation resource policy lets the domain write its logs (instead of CDK's custom-resource Lambda).
        delivery = logs.ResourcePolicy(
            self,
            "LogDelivery",
            policy_statements=[
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("es.amazonaws.com")],
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[group.log_group_arn for group in (slow_search, slow_index, app)],
                    conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
                )
            ],
        )
        name = naming("knowledge")[:28]
        self.domain = opensearch.Domain(
            self,
            "Domain",
            domain_name=name,
            version=opensearch.EngineVersion.OPENSEARCH_2_19,
            capacity=opensearch.CapacityConfig(
                data_nodes=1, data_node_instance_type="t3.small.search", multi_az_with_standby_enabled=False
            ),
            ebs=opensearch.EbsOptions(volume_size=10, volume_type=ec2.EbsDeviceVolumeType.GP3),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2,
            logging=opensearch.LoggingOptions(
                slow_search_log_enabled=True,
                slow_search_log_group=slow_search,
                slow_index_log_enabled=True,
                slow_index_log_group=slow_index,
                app_log_enabled=True,
                app_log_group=app,
            ),
            suppress_logs_resource_policy=True,
            removal_policy=removal,
        )
        self.domain.node.add_dependency(delivery)
        # The access policy goes on the domain resource itself: Domain(access_policies=...) would apply
        # it through a custom-resource Lambda, needed only when the policy must name a generated domain.
        arn = Stack.of(self).format_arn(service="es", resource="domain", resource_name=name)
        access = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(  # searches of the knowledge index only
                    principals=[iam.ArnPrincipal(_role_arn(reader))],
                    actions=["es:ESHttpGet", "es:ESHttpPost"],
                    resources=[f"{arn}/{INDEX}/_search", f"{arn}/{INDEX}/_msearch"],
                ),
                iam.PolicyStatement(  # the search pipeline, the index and its documents
                    principals=[iam.ArnPrincipal(_role_arn(writer))],
                    actions=["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"],
                    resources=[f"{arn}/*"],
                ),
            ]
        )
        cfn_domain = self.domain.node.default_child
        assert isinstance(cfn_domain, opensearch.CfnDomain)
        cfn_domain.access_policies = access.to_json()
        _connect([reader, writer], self.domain.domain_endpoint, "es")
