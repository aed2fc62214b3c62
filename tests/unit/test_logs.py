"""No log line carries personal data: Powertools lines and other libraries' lines are masked."""

import io
import json
import logging

from botocore.exceptions import FlexibleChecksumError

from livedesk.logs import service_logger

SECRETS = ("13812345678", "zhang.san@example.com", "科技园路18号3栋502室")


def test_powertools_lines_are_masked_in_message_keys_and_exceptions() -> None:
    stream = io.StringIO()
    logger = service_logger(service="t", logger_handler=logging.StreamHandler(stream))
    logger.append_keys(customer_note="电话13812345678")
    logger.info("customer wrote 寄到深圳市南山区科技园路18号3栋502室", extra={"contact": "zhang.san@example.com"})
    try:
        raise ValueError("bad phone 13812345678")
    except ValueError:
        logger.exception("failed")
    written = stream.getvalue()
    assert "138****5678" in written and "z***@example.com" in written and "深圳市南山区****" in written
    assert not any(secret in written for secret in SECRETS)
    (failed,) = [line for line in map(json.loads, written.splitlines()) if line["message"] == "failed"]  # the line was written
    assert failed["exception_name"] == "ValueError" and "138****5678" in failed["exception"]


def test_an_exception_whatever_it_carries_is_logged_as_one_json_line() -> None:
    """A logged exception's stack trace carries the exception object (botocore's are not JSON)."""
    stream = io.StringIO()
    logger = service_logger(service="t3", logger_handler=logging.StreamHandler(stream))
    try:
        raise FlexibleChecksumError(error_msg="Expected checksum a did not match calculated checksum: b")
    except FlexibleChecksumError:
        logger.exception("knowledge rebuild failed")
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["exception_name"] == "FlexibleChecksumError" and "did not match" in line["stack_trace"]["value"]


def test_other_libraries_logging_through_the_root_logger_are_masked() -> None:
    stream = io.StringIO()
    root_handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(root_handler)
    try:
        service_logger(service="t2")
        logging.getLogger("somelib").warning("retrying for %s", "13812345678")
    finally:
        logging.getLogger().removeHandler(root_handler)
    assert "138****5678" in stream.getvalue() and "13812345678" not in stream.getvalue()
