"""HTTP API helpers shared by the API functions."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel

from livedesk.auth import NotSignedIn, actor_from_claims
from livedesk.errors import InvalidRequest, NotFound
from livedesk.models import IDENTIFIER
from livedesk.tickets.lifecycle import Actor, Forbidden, InvalidTransition
from livedesk.tickets.repository import VersionConflict

# Domain errors as HTTP statuses, with their message as the body.
ERROR_STATUS: dict[type[Exception], int] = {
    NotSignedIn: 401,
    Forbidden: 403,
    NotFound: 404,
    InvalidTransition: 409,
    VersionConflict: 409,
    InvalidRequest: 422,
}

BRAND_HEADER = "x-livedesk-brand"

# The caller's brand. Channels and agents are bound to one brand; the trust issue
# derives it from the channel signature or the agent's token instead of a header.
BrandId = Annotated[
    str,
    Header(
        alias=BRAND_HEADER,
        pattern=IDENTIFIER,
        max_length=64,
        description="Brand (tenant) the caller acts for. No request reads or writes another brand's data.",
    ),
]


class ErrorBody(BaseModel):
    statusCode: int
    message: str


def error_response(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


NOT_FOUND: dict[int, OpenAPIResponse] = {404: error_response("Not found for this brand")}
AGENT: dict[int, OpenAPIResponse] = {
    401: error_response("No valid agent token"),
    403: error_response("Not allowed for this role or skill"),
    404: error_response("Not found for this brand"),
}
CHANGE: dict[int, OpenAPIResponse] = {
    **AGENT,
    409: error_response("The ticket changed meanwhile (reload it), or the action does not fit its state"),
}


def create_resolver() -> APIGatewayHttpResolver:
    # Chinese stays readable in responses (UTF-8 JSON) instead of \uXXXX escapes.
    app = APIGatewayHttpResolver(
        enable_validation=True, serializer=partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder)
    )

    @app.not_found
    def _route_not_found(_: Exception) -> Response:
        return json_error(404, "No such route")

    for errors, status in ERROR_STATUS.items():
        app.exception_handler(errors)(lambda error, status=status: json_error(status, str(error)))
    return app


def current_actor(app: APIGatewayHttpResolver) -> Actor:
    """The signed-in agent, from the claims API Gateway's JWT authorizer verified."""
    return actor_from_claims(app.current_event.request_context.authorizer.jwt_claim)


def json_error(status: int, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=ErrorBody(statusCode=status, message=message).model_dump_json(),
    )
