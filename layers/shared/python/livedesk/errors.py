"""Errors every layer may raise; the HTTP API turns each into its status (livedesk/api.py)."""


class NotFound(LookupError):
    """No such record for this brand (404)."""
