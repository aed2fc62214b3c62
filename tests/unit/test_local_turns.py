"""The local runtime's turns set a handler's own environment and put back only that: what other
threads write to os.environ meanwhile (pytest's current-test variable) is never lost."""

from __future__ import annotations

import os

from infrastructure.local.runtime import Turns


def test_a_turn_sets_and_puts_back_only_the_handlers_variables() -> None:
    turns = Turns()
    os.environ["TURN_PROBE_SHARED"] = "outside"
    try:
        with turns.turn({"TURN_PROBE_WHO": "routing", "TURN_PROBE_SHARED": "inside"}):
            assert (os.environ["TURN_PROBE_WHO"], os.environ["TURN_PROBE_SHARED"]) == ("routing", "inside")
            os.environ["TURN_PROBE_MEANWHILE"] = "another thread's"  # e.g. PYTEST_CURRENT_TEST
            with turns.turn({"TURN_PROBE_WHO": "search"}):  # a nested call served on this thread
                assert os.environ["TURN_PROBE_WHO"] == "search" and os.environ["TURN_PROBE_SHARED"] == "outside"
            assert os.environ["TURN_PROBE_WHO"] == "routing" and os.environ["TURN_PROBE_SHARED"] == "inside"
        assert "TURN_PROBE_WHO" not in os.environ and os.environ["TURN_PROBE_SHARED"] == "outside"
        assert os.environ["TURN_PROBE_MEANWHILE"] == "another thread's"
    finally:
        for key in ("TURN_PROBE_SHARED", "TURN_PROBE_MEANWHILE"):
            os.environ.pop(key, None)
