"""IAM on the local stack: every AWS call a function makes is checked against its execution role.

moto's own IAM checks ignore the resource of most services (a DynamoDB grant on one table would
allow every table), so the local runtime enforces the roles itself: the statements of each
function's role come from the synthesized template (its inline and attached policies, ARNs
resolved as the stack provisioned them), and a botocore ``before-call`` hook refuses any call the
running function's role does not allow, with the ``AccessDeniedException`` AWS would answer.

Calls the local stack makes for itself (pollers, the gateway, seeding, tests) and the state
machines' own calls are not a function's and are not checked. Statements with a ``Condition`` are
taken as allowing (their conditions are not evaluated); an explicit ``Deny`` always wins.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from infrastructure.local.template import ACCOUNT, REGION, Template, Unresolvable

LOG = logging.getLogger("livedesk.local")
# IAM actions whose name is not the API operation's.
ACTION_OF_OPERATION = {
    "lambda:Invoke": "lambda:InvokeFunction",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
}
# IAM's prefix where it is not the service's signing name.
IAM_PREFIX = {"monitoring": "cloudwatch"}
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


@dataclass(frozen=True)
class Statement:
    allow: bool
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditional: bool

    def covers(self, action: str, resource: str | None) -> bool:
        if not any(_matches(pattern, action, case_sensitive=False) for pattern in self.actions):
            return False
        return resource is None or any(_matches(pattern, resource) for pattern in self.resources)


def _matches(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    return _pattern(pattern, case_sensitive).fullmatch(value) is not None


@cache
def _pattern(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), 0 if case_sensitive else re.IGNORECASE)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class RolePolicies:
    """Each function's statements, by function name."""

    def __init__(self, statements: dict[str, list[Statement]]) -> None:
        self._statements = statements

    @classmethod
    def of(cls, template: Template) -> RolePolicies:
        by_role: dict[str, list[Statement]] = {}
        for _, policy in template.resources("AWS::IAM::Policy"):
            statements = [_statement(template, s) for s in _listed(policy["Properties"]["PolicyDocument"]["Statement"])]
            for role in policy["Properties"].get("Roles", []):
                by_role.setdefault(template.logical_id_of(role), []).extend(statements)
        for logical_id, role in template.resources("AWS::IAM::Role"):
            for inline in role["Properties"].get("Policies", []):
                by_role.setdefault(logical_id, []).extend(_statement(template, s) for s in _listed(inline["PolicyDocument"]["Statement"]))
        functions: dict[str, list[Statement]] = {}
        for _, function in template.functions():
            properties = function["Properties"]
            functions[properties["FunctionName"]] = by_role.get(template.logical_id_of(properties["Role"]), [])
        return cls(functions)

    def allows(self, function_name: str, action: str, resource: str | None) -> bool:
        statements = [s for s in self._statements.get(function_name, []) if s.covers(action, resource)]
        return any(s.allow for s in statements) and not any(not s.allow and not s.conditional for s in statements)


def _statement(template: Template, statement: dict[str, Any]) -> Statement:
    resources = []
    for resource in _listed(statement.get("Resource", "*")):
        try:
            resources.append(str(template.resolve(resource)))
        except Unresolvable:  # a resource the local stack does not create (log groups): nothing local calls it
            continue
    return Statement(
        allow=statement["Effect"] == "Allow",
        actions=tuple(_listed(statement["Action"])),
        resources=tuple(resources),
        conditional="Condition" in statement,
    )


def requested(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The IAM actions a call needs and the resource of each (None: not known from the call)."""
    if service == "dynamodb" and operation in ("TransactWriteItems", "TransactGetItems"):
        needed = []
        for item in params.get("TransactItems", []):
            for kind, request in item.items():
                needed.append((f"dynamodb:{TRANSACT_ACTIONS[kind]}", _table_arn(request.get("TableName"))))
        return needed
    if service == "s3" and operation == "DeleteObjects":
        objects = params.get("Delete", {}).get("Objects", [])
        return [("s3:DeleteObject", f"arn:aws:s3:::{params.get('Bucket')}/{item.get('Key')}") for item in objects]
    if service == "dynamodb" and operation in ("BatchWriteItem", "BatchGetItem"):
        return [(f"dynamodb:{operation}", _table_arn(table)) for table in params.get("RequestItems", {})]
    action = f"{service}:{operation}"
    return [(ACTION_OF_OPERATION.get(action, action), _resource(service, operation, params))]


def _table_arn(table: str | None, index: str | None = None) -> str | None:
    if not table:
        return None
    arn = table if table.startswith("arn:") else f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def _resource(service: str, operation: str, params: dict[str, Any]) -> str | None:
    if service == "dynamodb":
        return params.get("StreamArn") or _table_arn(params.get("TableName"), params.get("IndexName"))
    if service == "sqs" and params.get("QueueUrl"):
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{str(params['QueueUrl']).rstrip('/').rsplit('/', 1)[-1]}"
    if service == "sns":
        return params.get("TopicArn")
    if service == "states":
        return params.get("stateMachineArn") or params.get("executionArn")
    if service == "secretsmanager":
        secret = str(params.get("SecretId", ""))
        return secret if secret.startswith("arn:") else None
    if service == "lambda" and params.get("FunctionName"):
        name = str(params["FunctionName"])
        return name if name.startswith("arn:") else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    if service == "s3" and params.get("Bucket"):
        key = params.get("Key")  # object operations; listing a bucket names the bucket
        return f"arn:aws:s3:::{params['Bucket']}/{key}" if key else f"arn:aws:s3:::{params['Bucket']}"
    if service == "cognito-idp" and params.get("UserPoolId"):
        return f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{params['UserPoolId']}"
    return None


class RoleEnforcer:
    """The botocore ``before-parameter-build`` hook (it sees the call's parameters as the caller gave
    them): refuses a call the running function's role does not allow.
    ``running()`` names the function whose handler runs on this thread (None: not a function's call)."""

    def __init__(self, policies: RolePolicies, running: Callable[[], str | None]) -> None:
        self._policies = policies
        self._running = running
        self.refused: list[tuple[str, str, str | None]] = []  # (function, action, resource), for tests and logs

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        function = self._running()
        if function is None:
            return
        signing = model.service_model.signing_name
        service = IAM_PREFIX.get(signing, signing)
        for action, resource in requested(service, model.name, params):
            if not self._policies.allows(function, action, resource):
                self.refused.append((function, action, resource))
                LOG.warning("IAM: %s may not %s on %s", function, action, resource or "*")
                message = f"{function}'s role is not authorized to perform {action} on {resource or 'this resource'}"
                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}}, model.name)
