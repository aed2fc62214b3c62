"""Last in the end-to-end run (files run in name order): nothing any test made the desk log, from
the first request to this one, carries the personal data customers sent, unmasked (routing logs the
opening words of each message, so the masking is what keeps it out)."""

from infrastructure.local.seed import PERSONAL_DATA
from tests.e2e.conftest import CAPTURED_LOGS, PII_PROBE_BRAND, Client
from tests.e2e.test_trust import ADDRESS, EMAIL, PHONE


def test_no_log_line_of_the_run_carries_personal_data(api: Client) -> None:
    api.settle()
    logged = "\n".join(CAPTURED_LOGS)
    assert PII_PROBE_BRAND in logged and "message routed" in logged, "the run's logs were captured"
    assert "139****5678" in logged and "****5678" in logged, "the customers' words were logged, masked"
    for secret in (*PERSONAL_DATA.values(), PHONE, EMAIL, ADDRESS):
        assert secret not in logged, f"{secret[:3]}… reached a log line"
