"""Canary: the local stack depends on one private moto method. If a moto upgrade
moves or changes it, this fails first and says what to fix."""

import contextlib
import copy
import inspect
import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import boto3
import moto
import pytest
from moto import mock_aws
from moto.awslambda.models import LambdaFunction

from infrastructure.local.moto_patches import undo_transactions_item_by_item
from infrastructure.local.runtime import FunctionCode, InProcessRuntime

PINNED_MOTO = "5.2.5"


def test_moto_is_the_pinned_version() -> None:
    assert moto.__version__ == PINNED_MOTO, "moto changed: re-check LambdaFunction._invoke_lambda, then update the pin"


def test_invoke_lambda_keeps_its_signature() -> None:
    method = getattr(LambdaFunction, "_invoke_lambda", None)
    assert method is not None, "moto.awslambda.models.LambdaFunction._invoke_lambda is gone"
    assert list(inspect.signature(method).parameters) == ["self", "event"]


def test_invocations_run_the_real_handler_in_process(tmp_path: Path) -> None:
    package = tmp_path / "canary"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text(
        "import os\n"
        "def handler(event, context):\n"
        "    if event.get('fail'):\n"
        "        raise ValueError('asked to fail')\n"
        "    return {'echo': event['value'], 'env': os.environ['CANARY'], 'name': context.function_name}\n"
    )
    runtime = InProcessRuntime({})
    runtime.register("canary-fn", FunctionCode("canary.handler.handler", [tmp_path]))
    runtime.install()
    try:
        with mock_aws():
            client = boto3.client("lambda", region_name="us-east-1")
            role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w") as zipped:
                zipped.writestr("x", "x")
            client.create_function(
                FunctionName="canary-fn",
                Runtime="python3.11",
                Role=role,
                Handler="canary.handler.handler",
                Code={"ZipFile": archive.getvalue()},
                Environment={"Variables": {"CANARY": "yes"}},
            )
            ok = client.invoke(FunctionName="canary-fn", Payload=json.dumps({"value": 42}))
            assert json.loads(ok["Payload"].read()) == {"echo": 42, "env": "yes", "name": "canary-fn"}
            failed = client.invoke(FunctionName="canary-fn", Payload=json.dumps({"fail": True}))
            assert "FunctionError" in failed
            assert json.loads(failed["Payload"].read())["errorType"] == "ValueError"
    finally:
        runtime.uninstall()
    assert LambdaFunction._invoke_lambda.__name__ == "_invoke_lambda"


def test_a_cancelled_transaction_leaves_stream_readers_on_the_live_shard() -> None:
    """moto restores deep copies of the tables on a cancelled transaction; the local stack undoes
    it item by item instead (infrastructure/local/moto_patches.py), on the live shard."""
    undo_transactions_item_by_item()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        arn = dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )["TableDescription"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        put = {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(pk)"}}
        dynamodb.transact_write_items(TransactItems=[put])
        with contextlib.suppress(dynamodb.exceptions.TransactionCanceledException):
            dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {"pk": {"S": "b"}}}}, put])
        dynamodb.put_item(TableName="t", Item={"pk": {"S": "c"}})
        records = streams.get_records(ShardIterator=iterator)["Records"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["a", "c"], "the undone write of b is not in the stream"


def test_a_cancelled_transaction_is_undone_item_by_item_without_copying_the_table() -> None:
    """Every write the transaction made before its failing condition is undone: an update, a delete
    and a put over an item and a new one; the table object stays and nothing else changes."""
    from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
    from moto.dynamodb.models.table import Table

    undo_transactions_item_by_item()
    assert list(inspect.signature(DynamoDBBackend.transact_write_items).parameters) == ["backend", "transact_items"]
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="tickets",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        items = [{"pk": {"S": "lumi"}, "sk": {"S": sk}, "n": {"N": "1"}} for sk in ("updated", "deleted", "replaced", "untouched")]
        for item in items:
            dynamodb.put_item(TableName="tickets", Item=item)
        table = dynamodb_backends["123456789012"]["us-east-1"].tables["tickets"]
        key = {"pk": {"S": "lumi"}}
        writes = [
            {
                "Update": {
                    "TableName": "tickets",
                    "Key": {**key, "sk": {"S": "updated"}},
                    "UpdateExpression": "SET n = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}},
                }
            },
            {"Delete": {"TableName": "tickets", "Key": {**key, "sk": {"S": "deleted"}}}},
            {"Put": {"TableName": "tickets", "Item": {**key, "sk": {"S": "replaced"}, "n": {"N": "3"}}}},
            {"Put": {"TableName": "tickets", "Item": {**key, "sk": {"S": "new"}}}},
            {
                "ConditionCheck": {
                    "TableName": "tickets",
                    "Key": {**key, "sk": {"S": "untouched"}},
                    "ConditionExpression": "n = :zero",
                    "ExpressionAttributeValues": {":zero": {"N": "0"}},
                }
            },
        ]
        with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
            dynamodb.transact_write_items(TransactItems=writes)
        assert dynamodb_backends["123456789012"]["us-east-1"].tables["tickets"] is table, "the table was not replaced by a copy"
        after = dynamodb.query(TableName="tickets", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": key["pk"]})
        assert sorted(after["Items"], key=lambda i: i["sk"]["S"]) == sorted(items, key=lambda i: i["sk"]["S"])
        dynamodb.transact_write_items(TransactItems=writes[:4])  # without the failing check, all of it is written
        assert dynamodb.get_item(TableName="tickets", Key={**key, "sk": {"S": "updated"}})["Item"]["n"] == {"N": "2"}
        assert "Item" not in dynamodb.get_item(TableName="tickets", Key={**key, "sk": {"S": "deleted"}})
        assert copy.deepcopy(table) is not table and isinstance(copy.deepcopy(table), Table), "other copies are real copies"


def test_each_record_a_stream_shard_appends_is_counted_for_its_tables_poller() -> None:
    """The local stream pollers wait for their table's writes, counted by a wrapper of moto's
    StreamShard.add (infrastructure/local/event_sources.py)."""
    from moto.dynamodb.models.table import StreamShard

    from infrastructure.local.event_sources import count_stream_writes

    writes = count_stream_writes()
    count_stream_writes()  # installing twice wraps once
    assert list(inspect.signature(StreamShard.add).parameters) == ["self", "old", "new"], "moto's method"
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        for name, stream in (("streamed", {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}), ("plain", {"StreamEnabled": False})):
            dynamodb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification=stream,
            )
        before = writes.count("streamed")
        dynamodb.put_item(TableName="streamed", Item={"pk": {"S": "a"}})
        dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": "streamed", "Item": {"pk": {"S": "b"}}}}])
        dynamodb.put_item(TableName="plain", Item={"pk": {"S": "a"}})
        assert (writes.count("streamed") - before, writes.count("plain")) == (2, 0)


def test_a_task_states_runtime_error_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """moto's interpreter keeps only str(ex) of an exception inside a Task; the local stack logs the
    traceback too (infrastructure/local/moto_patches.py), so a rare failure can be traced."""
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState

    from infrastructure.local.moto_patches import log_task_runtime_errors

    assert list(inspect.signature(ExecutionState._from_error).parameters) == ["self", "env", "ex"]
    log_task_runtime_errors()
    log_task_runtime_errors()  # installing twice wraps once
    env = SimpleNamespace(next_state_name="Offer", event_history_context=SimpleNamespace(source_event_id=7))
    try:
        raise KeyError("AWS_LAMBDA_FUNCTION_NAME")
    except KeyError as error:
        failure = ExecutionState._from_error(cast(Any, None), env, error)
    assert failure.event_details["taskFailedEventDetails"]["error"] == "States.Runtime"
    logged = [record for record in caplog.records if record.name == "livedesk.local"]
    assert len(logged) == 1 and "AWS_LAMBDA_FUNCTION_NAME" in logged[0].getMessage()
    # The traceback, as it is or (once a handler's personal-data filter has seen the record) masked into exc_text.
    assert logged[0].exc_info is not None or "Traceback" in (logged[0].exc_text or "")
