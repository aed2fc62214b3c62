from pathlib import Path

import pytest

from infrastructure.local.template import Template, Unresolvable


def _template() -> Template:
    template = Template(path=Path("t.json"), body={"Resources": {}})
    template.provide("Table", "livedesk-dev-tickets", Arn="arn:aws:dynamodb:us-east-1:123456789012:table/livedesk-dev-tickets")
    return template


def test_intrinsics_resolve_against_provisioned_resources() -> None:
    template = _template()
    value = {
        "name": {"Ref": "Table"},
        "arn": {"Fn::GetAtt": ["Table", "Arn"]},
        "joined": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":x"]]},
        "sub": {"Fn::Sub": "${Table}/${Table.Arn}/${AWS::Region}"},
        "select": {"Fn::Select": [1, {"Fn::Split": ["/", "a/b/c"]}]},
    }
    assert template.resolve(value) == {
        "name": "livedesk-dev-tickets",
        "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/livedesk-dev-tickets",
        "joined": "arn:aws:x",
        "sub": "livedesk-dev-tickets/arn:aws:dynamodb:us-east-1:123456789012:table/livedesk-dev-tickets/us-east-1",
        "select": "b",
    }


def test_a_reference_to_something_not_provisioned_is_an_error() -> None:
    with pytest.raises(Unresolvable):
        _template().resolve({"Ref": "Missing"})


def test_an_alias_or_a_version_invokes_the_function_behind_it() -> None:
    function = {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "livedesk-dev-search"}}
    version = {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Search"}}}
    alias = {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Search"}, "Name": "live"}}
    template = Template(path=Path("t.json"), body={"Resources": {"Search": function, "SearchVersion": version, "SearchLive": alias}})
    assert [template.function_of({"Ref": name}) for name in ("Search", "SearchVersion", "SearchLive")] == ["Search"] * 3
    assert template.function_of({"Fn::GetAtt": ["SearchLive", "AliasArn"]}) == "Search"
