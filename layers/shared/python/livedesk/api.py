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

from livedesk.models import IDENTIFIER

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


def create_resolver() -> APIGatewayHttpResolver:
    # Chinese stays readable in responses (UTF-8 JSON) instead of \uXXXX escapes.
    app = APIGatewayHttpResolver(
        enable_validation=True, serializer=partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder)
    )

    @app.not_found
    def _route_not_found(_: Exception) -> Response:
        return json_error(404, "No such route")

    return app


def json_error(status: int, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=ErrorBody(statusCode=status, message=message).model_dump_json(),
    )
