"""AWS clients a function builds when a route first needs them.

A client costs about 12 ms of a cold start (its service model is read and parsed). A function whose
routes use different services (admin's dead-letter routes use SQS, streams and Lambda; its erasure
uses only DynamoDB) builds each client on its first call instead of at import, once per instance.
"""

from __future__ import annotations

from typing import Any


class LazyClient:
    """Stands in for ``boto3.client(service, **options)``; the client is built on first use."""

    def __init__(self, service: str, **options: Any) -> None:
        self._service = service
        self._options = options
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:  # called only for what the proxy itself lacks
        if self._client is None:
            import boto3

            self._client = boto3.client(self._service, **self._options)
        return getattr(self._client, name)

    def __repr__(self) -> str:
        return f"LazyClient({self._service!r}, built={self._client is not None})"
