"""X-Ray tracing where it pays: a subsegment for every AWS call a function makes (botocore) and every
HTTP call it sends to a brand's own systems (httplib, under urllib3), and nothing else. Tracer's
default patches every library X-Ray knows that is installed (requests, sqlite3 and more), importing
each one on every cold start for calls these functions never make."""

from __future__ import annotations

from aws_lambda_powertools import Tracer

TRACED_MODULES = ("botocore", "httplib")


def service_tracer() -> Tracer:
    return Tracer(patch_modules=TRACED_MODULES)
