"""Optional OpenSearch Serverless vector collection (cdk context opensearch=true).

Off by default: a collection bills for capacity while it exists, and LiveDesk
scales to zero unless a deployer opts in.
"""

from __future__ import annotations

import json

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_opensearchserverless as aoss
from constructs import Construct

from infrastructure.naming import Naming


class VectorCollection(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, naming: Naming, readers: list[lambda_.Function]) -> None:
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
        principals = [reader.role.role_arn for reader in readers if reader.role is not None]
        aoss.CfnAccessPolicy(
            self,
            "Access",
            name=f"{name}-read"[:32],
            type="data",
            policy=json.dumps(
                [
                    {
                        "Rules": [
                            {
                                "ResourceType": "index",
                                "Resource": [f"index/{name}/*"],
                                "Permission": ["aoss:ReadDocument", "aoss:DescribeIndex"],
                            }
                        ],
                        "Principal": principals,
                    }
                ]
            ),
        )
        for reader in readers:
            reader.add_to_role_policy(iam.PolicyStatement(actions=["aoss:APIAccessAll"], resources=[self.collection.attr_arn]))
            reader.add_environment("OPENSEARCH_ENDPOINT", self.collection.attr_collection_endpoint)
