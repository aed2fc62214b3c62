"""Where inspection reads its rules and the brand's facts: both S3 objects in the knowledge bucket,
cached for a minute through Powertools Parameters, so a new rule file or a rebuilt knowledge index
is used without a deploy."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.parameters.base import BaseProvider

from livedesk.quality.model import BrandKnowledge
from livedesk.quality.rules import PACKAGED, RuleSet

CACHE_SECONDS = 60


class S3Provider(BaseProvider):
    """Powertools Parameters over S3 objects: ``get(key)`` is the object's text, or ``default``
    when there is none."""

    def __init__(self, s3: Any, bucket: str, default: str = "") -> None:
        # Not ``client=s3``: Powertools would tag the client's user agent, building a lazy client at import.
        super().__init__()
        self._s3 = s3
        self._bucket = bucket
        self._default = default

    def _get(self, name: str, **sdk_options: Any) -> str:
        try:
            return str(self._s3.get_object(Bucket=self._bucket, Key=name)["Body"].read().decode("utf-8"))
        except self._s3.exceptions.NoSuchKey:
            return self._default

    def _get_multiple(self, path: str, **sdk_options: Any) -> dict[str, str]:
        raise NotImplementedError


class S3Rules:
    """A brand's rule file at ``config/quality/<brand>.json``; the packaged rules when it has none."""

    def __init__(self, s3: Any, bucket: str, prefix: str = "config/quality/") -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix
        self._provider = S3Provider(s3, bucket, default=PACKAGED.read_text(encoding="utf-8"))

    def _key(self, brand_id: str) -> str:
        return f"{self._prefix}{brand_id}.json"

    def rules_for(self, brand_id: str) -> RuleSet:
        return _rules(str(self._provider.get(self._key(brand_id), max_age=CACHE_SECONDS)))

    def save(self, brand_id: str, rules: RuleSet) -> None:
        body = rules.model_dump_json(indent=2, exclude_none=True)
        self._s3.put_object(Bucket=self._bucket, Key=self._key(brand_id), Body=body.encode("utf-8"), ContentType="application/json")
        self._provider.clear_cache()  # this instance uses it at once; others within a minute


class S3Knowledge:
    """The brand's policies and live-session promises from the published knowledge index."""

    def __init__(self, s3: Any, bucket: str, index_prefix: str) -> None:
        self._prefix = index_prefix.rstrip("/") + "/"
        self._provider = S3Provider(s3, bucket, default="")

    def for_brand(self, brand_id: str) -> BrandKnowledge:
        build = str(self._provider.get(f"{self._prefix}CURRENT", max_age=CACHE_SECONDS)).strip()
        if not build:
            return BrandKnowledge()
        text = str(self._provider.get(f"{self._prefix}{build}/{brand_id}/passages.json", max_age=CACHE_SECONDS))
        return _knowledge(text) if text else BrandKnowledge()


# The provider hands back the same text until the object changes: parse and validate it once per text,
# not once per inspection (a rule file compiles dozens of patterns; passages.json has hundreds of records).
@lru_cache(maxsize=32)
def _rules(text: str) -> RuleSet:
    return RuleSet.model_validate_json(text)


@lru_cache(maxsize=8)
def _knowledge(text: str) -> BrandKnowledge:
    return BrandKnowledge.from_records(json.loads(text))
