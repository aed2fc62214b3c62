"""The kinds of knowledge and of streamers' promises: what search callers filter by, without the
document models (routing imports these at cold start and never builds a document)."""

from enum import StrEnum
from typing import Literal


class Kind(StrEnum):
    FAQ = "faq"
    PRODUCT = "product"
    POLICY = "policy"
    PROCESS = "process"
    LIVE_SESSION = "live_session"


PromiseType = Literal["gift", "coupon", "price", "shipping_date"]
