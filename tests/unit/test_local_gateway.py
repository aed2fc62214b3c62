import base64
import json

from infrastructure.local.gateway import Route, _to_http, build_event


def test_route_keys_become_patterns_with_path_parameters() -> None:
    route = Route.parse("GET /v1/customers/{customer_id}/conversations", "fn")
    match = route.pattern.match("/v1/customers/cust-1/conversations")
    assert match and match.groupdict() == {"customer_id": "cust-1"}
    assert route.pattern.match("/v1/customers/a/b/conversations") is None
    greedy = Route.parse("ANY /files/{proxy+}", "fn")
    assert greedy.pattern.match("/files/a/b.txt").groupdict() == {"proxy": "a/b.txt"}  # type: ignore[union-attr]


def test_requests_become_payload_2_0_events() -> None:
    route = Route.parse("POST /v1/messages", "fn")
    event = build_event(
        route,
        "POST",
        "/v1/messages",
        "a=1&a=2&b=",
        {"x-livedesk-brand": "lumi", "cookie": "s=1; t=2"},
        b"{}",
        {},
        "127.0.0.1",
        "local",
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v1/messages"
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["isBase64Encoded"] is False and event["body"] == "{}"


def test_binary_bodies_are_base64_encoded_as_api_gateway_does() -> None:
    event = build_event(Route.parse("POST /x", "fn"), "POST", "/x", "", {}, b"\xff\xfe", {}, "127.0.0.1", "local")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe"


def test_responses_follow_the_payload_2_0_rules() -> None:
    assert _to_http({"statusCode": 202, "headers": {"Content-Type": "application/json"}, "body": "{}"}) == (
        202,
        {"content-type": "application/json"},
        b"{}",
    )
    status, _, body = _to_http({"hello": "world"})  # no statusCode: API Gateway returns it as JSON with 200
    assert status == 200 and json.loads(body) == {"hello": "world"}


def _signed(claims: dict[str, object]) -> str:
    import gzip
    import json as json_
    from pathlib import Path

    import jwt
    import moto.cognitoidp

    private = json_.loads(gzip.decompress((Path(moto.cognitoidp.__file__).with_name("resources") / "jwks-private.json.gz").read_bytes()))
    key = jwt.PyJWK.from_dict(private["keys"][0] if "keys" in private else private)
    return jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": "dummy"})


def test_the_jwt_authorizer_checks_signature_issuer_audience_and_expiry_as_api_gateway_does() -> None:
    import time as time_

    from infrastructure.local.agents import moto_cognito_keys
    from infrastructure.local.gateway import JwtAuthorizer

    authorizer = JwtAuthorizer(issuer="https://idp/pool", audience=("client",), keys=moto_cognito_keys())
    good = {"iss": "https://idp/pool", "aud": "client", "exp": int(time_.time()) + 60, "cognito:groups": ["agent", "x"], "n": 3}
    claims = authorizer.claims({"authorization": f"Bearer {_signed(good)}"})
    assert claims is not None and claims["cognito:groups"] == "[agent x]" and claims["n"] == "3", (
        "every claim a string, as API Gateway passes them"
    )
    for bad in ({**good, "aud": "other"}, {**good, "iss": "https://evil"}, {**good, "exp": int(time_.time()) - 5}):
        assert authorizer.claims({"authorization": f"Bearer {_signed(bad)}"}) is None
    assert authorizer.claims({}) is None and authorizer.claims({"authorization": "Basic abc"}) is None
