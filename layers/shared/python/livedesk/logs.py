"""Logging that never writes personal data: every Powertools log line is masked as a whole after
serialisation (messages, extra keys, exceptions and their tracebacks alike), and the root
logger's handlers mask what other libraries log."""

from __future__ import annotations

import json
import logging
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.shared.json_encoder import Encoder

from livedesk.pii import mask


class _Encoder(Encoder):
    """Powertools' encoder, and text for anything else: a logged exception's stack trace carries the
    exception object itself, which would otherwise make the whole line unwritable."""

    def default(self, obj: Any) -> Any:
        try:
            return super().default(obj)
        except TypeError:
            return str(obj)


def masked_json(record: Any) -> str:
    """The log record as JSON (Chinese kept readable, so it can be found), personal data masked."""
    return mask(json.dumps(record, cls=_Encoder, ensure_ascii=False, separators=(",", ":")))


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def service_logger(**options: Any) -> Logger:
    """The function's Powertools logger, masking; also masks the root logger's handlers."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
    return Logger(json_serializer=masked_json, **options)
