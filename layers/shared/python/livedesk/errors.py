"""Errors every layer may raise; the HTTP API turns each into its status (livedesk/api.py)."""


class NotFound(LookupError):
    """No such record for this brand (404)."""


class InvalidRequest(ValueError):
    """The request is well formed but asks for something impossible (422)."""


class Conflict(Exception):
    """The record's state does not allow it (409): a second running experiment, say."""
