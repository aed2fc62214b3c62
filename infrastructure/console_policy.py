"""The agent console's security headers: one definition for CloudFront (infrastructure/console.py)
and the local stack (infrastructure/local/console.py), so the browser tests run under the same CSP."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

CONSOLE_PREFIX = "/console/"
CONSOLE_DIST = Path(__file__).resolve().parents[1] / "console" / "dist"  # what `make console` builds


def content_security_policy(connect_sources: Iterable[str]) -> str:
    """Scripts and styles from the console's own origin only: no inline script, no eval."""
    connect = " ".join(["'self'", *connect_sources])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


def security_headers(connect_sources: Iterable[str]) -> dict[str, str]:
    return {
        "content-security-policy": content_security_policy(connect_sources),
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "strict-origin-when-cross-origin",
        "strict-transport-security": "max-age=63072000; includeSubDomains",
    }
