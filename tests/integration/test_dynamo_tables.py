"""``livedesk.dynamo.Tables`` on moto: the stores' tables over one low-level client.

Also the canary for the boto3 internals it borrows (``TransformationInjector``, ``copy_dynamodb_params``,
``BatchWriter``): if a boto3 upgrade changes them, these tests fail before any store does.
"""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from infrastructure.local.stack import storage_ref
from livedesk.dynamo import Tables, pages
from tests.integration.conftest import Aws


@pytest.fixture
def tables() -> Tables:
    return Tables(boto3.client("dynamodb"))


def _name(aws: Aws, construct_id: str) -> str:
    return storage_ref(aws.template, "AWS::DynamoDB::Table", construct_id)


def test_items_go_in_and_come_out_as_plain_python_values(aws: Aws, tables: Tables) -> None:
    table = tables.table(_name(aws, "Customers"))
    item = {"pk": "BRAND#lumi", "sk": "CUSTOMER#c1", "spend": Decimal("12.5"), "tags": {"vip"}, "orders": [{"id": "o1", "n": 2}]}
    table.put_item(Item=item)
    assert table.get_item(Key={"pk": "BRAND#lumi", "sk": "CUSTOMER#c1"})["Item"] == item


def test_the_callers_request_is_left_as_it_was(aws: Aws, tables: Tables) -> None:
    table = tables.table(_name(aws, "Customers"))
    item = {"pk": "BRAND#lumi", "sk": "CUSTOMER#c2", "note": "hi"}
    table.put_item(Item=item)
    assert item == {"pk": "BRAND#lumi", "sk": "CUSTOMER#c2", "note": "hi"}


def test_key_and_attribute_conditions_page_through_a_query(aws: Aws, tables: Tables) -> None:
    table = tables.table(_name(aws, "Customers"))
    with table.batch_writer() as batch:
        for n in range(30):
            batch.put_item(Item={"pk": "BRAND#oak", "sk": f"CUSTOMER#{n:02}", "n": n})
    table.put_item(Item={"pk": "BRAND#lumi", "sk": "CUSTOMER#00", "n": 0})
    found = list(
        pages(
            table.query,
            KeyConditionExpression=Key("pk").eq("BRAND#oak") & Key("sk").begins_with("CUSTOMER#"),
            FilterExpression=Attr("n").gte(10),
            Limit=7,
        )
    )
    assert [item["n"] for item in found] == list(range(10, 30))


def test_a_failed_condition_raises_the_clients_exception(aws: Aws, tables: Tables) -> None:
    table = tables.table(_name(aws, "Customers"))
    table.put_item(Item={"pk": "BRAND#lumi", "sk": "CUSTOMER#c3"})
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException):
        table.put_item(Item={"pk": "BRAND#lumi", "sk": "CUSTOMER#c3"}, ConditionExpression=Attr("pk").not_exists())


def test_calls_across_tables_take_plain_values_through_meta_client(aws: Aws, tables: Tables) -> None:
    customers, tickets = tables.table(_name(aws, "Customers")), tables.table(_name(aws, "Tickets"))
    customers.meta.client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": customers.name, "Item": {"pk": "BRAND#lumi", "sk": "CUSTOMER#c4", "n": 1}}},
            {"Put": {"TableName": tickets.name, "Item": {"pk": "BRAND#lumi#TICKET#t1", "sk": "HEAD", "n": 2}}},
        ]
    )
    assert customers.get_item(Key={"pk": "BRAND#lumi", "sk": "CUSTOMER#c4"})["Item"]["n"] == 1
    with pytest.raises(ClientError, match="TransactionCanceled"):
        customers.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": customers.name,
                        "Item": {"pk": "BRAND#lumi", "sk": "CUSTOMER#c4"},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )


def test_the_same_client_still_takes_attribute_values_from_low_level_callers(aws: Aws, tables: Tables) -> None:
    """Powertools' idempotency layer and the rate limiter send AttributeValues on the shared client."""
    name = _name(aws, "Idempotency")
    tables.client.put_item(TableName=name, Item={"id": {"S": "rate#lumi"}, "requests": {"N": "1"}})
    assert tables.client.get_item(TableName=name, Key={"id": {"S": "rate#lumi"}})["Item"] == {
        "id": {"S": "rate#lumi"},
        "requests": {"N": "1"},
    }
    assert tables.table(name).get_item(Key={"id": "rate#lumi"})["Item"] == {"id": "rate#lumi", "requests": Decimal(1)}
