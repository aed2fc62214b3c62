"""Changes to moto's server that the local stack needs: speed-ups that change no behaviour."""

from __future__ import annotations

from functools import cache


def cache_moto_module_listing() -> None:
    """moto's server finds the backend of every request by listing its package folder (a stat per
    service, on every call); the folder does not change while it runs."""
    from moto import backends

    listing = backends.list_of_moto_modules
    if not hasattr(listing, "cache_info"):
        backends.list_of_moto_modules = cache(lambda: tuple(listing()))  # type: ignore[assignment]
