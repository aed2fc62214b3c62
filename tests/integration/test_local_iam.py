"""The local stack's IAM: each function's role, as the synthesized template grants it, decides what
its calls may do; the same hook refuses a call a handler makes outside its grants."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infrastructure.local.iam import RoleEnforcer, RolePolicies, requested
from infrastructure.local.stack import storage_ref
from infrastructure.local.template import ACCOUNT, REGION
from tests.integration.conftest import Aws


def _table(aws: Aws, construct_id: str) -> str:
    name = storage_ref(aws.template, "AWS::DynamoDB::Table", construct_id)
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def test_each_function_may_do_what_its_role_grants_and_nothing_else(aws: Aws) -> None:
    roles = RolePolicies.of(aws.template)
    conversations, tickets = _table(aws, "Conversations"), _table(aws, "Tickets")
    assert roles.allows("livedesk-dev-outbox", "dynamodb:GetItem", conversations), "the grant #13 defect 1 added"
    assert roles.allows("livedesk-dev-outbox", "dynamodb:UpdateItem", conversations)
    assert not roles.allows("livedesk-dev-outbox", "dynamodb:PutItem", conversations)
    assert not roles.allows("livedesk-dev-outbox", "dynamodb:GetItem", tickets), "another table"
    assert roles.allows("livedesk-dev-conversations", "dynamodb:Query", f"{conversations}/index/by-customer")
    assert not roles.allows("livedesk-dev-intake", "dynamodb:DeleteItem", conversations)
    inbound = f"arn:aws:sqs:{REGION}:{ACCOUNT}:livedesk-dev-inbound"
    assert roles.allows("livedesk-dev-intake", "sqs:SendMessage", inbound)
    assert not roles.allows("livedesk-dev-outbox", "sqs:SendMessage", inbound)
    assert not roles.allows("livedesk-dev-unknown", "dynamodb:GetItem", conversations), "no role, no grant"


def test_callers_invoke_the_live_alias_their_grant_names(aws: Aws) -> None:
    roles = RolePolicies.of(aws.template)
    search = aws.environment_of("routing")["SEARCH_FUNCTION_NAME"]
    assert search == "livedesk-dev-search:live"
    ((action, alias_arn),) = requested("lambda", "Invoke", {"FunctionName": search})
    assert alias_arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:livedesk-dev-search:live"
    assert roles.allows("livedesk-dev-routing", action, alias_arn) and roles.allows("livedesk-dev-aftersales", action, alias_arn)
    assert not roles.allows("livedesk-dev-routing", action, alias_arn.removesuffix(":live")), "the alias, not the function"


def test_a_call_is_read_as_iam_reads_it() -> None:
    assert requested("lambda", "Invoke", {"FunctionName": "livedesk-dev-search"}) == [
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:livedesk-dev-search")
    ]
    writes = {"TransactItems": [{"Put": {"TableName": "t"}}, {"ConditionCheck": {"TableName": "h"}}]}
    assert requested("dynamodb", "TransactWriteItems", writes) == [
        ("dynamodb:PutItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t"),
        ("dynamodb:ConditionCheckItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/h"),
    ]
    assert requested("dynamodb", "Query", {"TableName": "t", "IndexName": "by-queue"}) == [
        ("dynamodb:Query", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/index/by-queue")
    ]


def test_a_handler_calling_outside_its_grants_is_refused_as_aws_would(aws: Aws) -> None:
    """The canary: the hook, on a real client, refuses the outbox's write to the tickets table."""
    running: list[str | None] = ["livedesk-dev-outbox"]
    enforcer = RoleEnforcer(RolePolicies.of(aws.template), lambda: running[0])
    session = boto3.Session()
    session.events.register("before-parameter-build", enforcer)
    dynamodb: Any = session.client("dynamodb")
    tickets = storage_ref(aws.template, "AWS::DynamoDB::Table", "Tickets")
    conversations = storage_ref(aws.template, "AWS::DynamoDB::Table", "Conversations")
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName=tickets, Item={"pk": {"S": "BRAND#x#TICKET#t"}, "sk": {"S": "TICKET"}})
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert enforcer.refused == [("livedesk-dev-outbox", "dynamodb:PutItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{tickets}")]
    assert "Item" not in dynamodb.get_item(TableName=conversations, Key={"pk": {"S": "BRAND#x#CONV#c"}, "sk": {"S": "META"}})
    running[0] = None  # the local stack's own calls are no function's
    dynamodb.put_item(TableName=tickets, Item={"pk": {"S": "BRAND#x#TICKET#t"}, "sk": {"S": "TICKET"}})
