"""The local runtime's turns: a handler runs under its own environment, a layer of os.environ that
only its thread sees, so other threads (moto's interpreter, pytest's bookkeeping) never see it nor
see variables come and go. A handler waiting on an AWS call lends its turn to the others."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

from infrastructure.local.runtime import HOOKS, Turns


def _elsewhere(read: object) -> object:
    """What ``read()`` returns on another thread."""
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(read()))  # type: ignore[operator]
    thread.start()
    thread.join()
    return seen[0]


def test_a_handler_sees_its_own_environment_and_no_other_thread_does() -> None:
    turns = Turns()
    os.environ["TURN_PROBE_SHARED"] = "outside"
    try:
        with turns.turn({"TURN_PROBE_WHO": "routing", "TURN_PROBE_SHARED": "inside"}):
            assert (os.environ["TURN_PROBE_WHO"], os.environ["TURN_PROBE_SHARED"]) == ("routing", "inside")
            assert {"TURN_PROBE_WHO": "routing", "TURN_PROBE_SHARED": "inside"}.items() <= dict(os.environ).items()
            os.environ["TURN_PROBE_SET_BY_HANDLER"] = "routing's"
            del os.environ["TURN_PROBE_SHARED"]
            assert "TURN_PROBE_SHARED" not in os.environ and os.getenv("TURN_PROBE_SET_BY_HANDLER") == "routing's"
            assert _elsewhere(lambda: (os.getenv("TURN_PROBE_WHO"), os.getenv("TURN_PROBE_SHARED"))) == (None, "outside")
            _elsewhere(lambda: os.environ.__setitem__("TURN_PROBE_MEANWHILE", "another thread's"))  # PYTEST_CURRENT_TEST
            with turns.turn({"TURN_PROBE_WHO": "search"}):  # a nested call served on this thread
                assert os.environ["TURN_PROBE_WHO"] == "search" and os.environ["TURN_PROBE_SHARED"] == "outside"
                assert "TURN_PROBE_SET_BY_HANDLER" not in os.environ
            assert os.environ["TURN_PROBE_WHO"] == "routing" and "TURN_PROBE_SHARED" not in os.environ
        assert "TURN_PROBE_WHO" not in os.environ and "TURN_PROBE_SET_BY_HANDLER" not in os.environ
        assert os.environ["TURN_PROBE_SHARED"] == "outside" and os.environ["TURN_PROBE_MEANWHILE"] == "another thread's"
    finally:
        for key in ("TURN_PROBE_SHARED", "TURN_PROBE_MEANWHILE"):
            os.environ.pop(key, None)


def test_other_threads_read_the_environment_whole_while_handlers_come_and_go() -> None:
    """moto's interpreter builds clients (which read ``os.environ.items()``) while handlers run:
    when a turn set and deleted process-wide variables, that read once met a deleted one (KeyError)."""
    turns = Turns()
    stop, errors = threading.Event(), []

    def handlers() -> None:
        while not stop.is_set():
            with turns.turn({"AWS_LAMBDA_FUNCTION_NAME": "routing", "TURN_PROBE_WHO": "routing"}):
                pass

    def reader() -> None:
        for _ in range(3000):
            try:
                if any(key == "TURN_PROBE_WHO" for key, _ in os.environ.items()):
                    errors.append("a handler's variable leaked out")
            except KeyError as error:
                errors.append(repr(error))

    churn = threading.Thread(target=handlers)
    churn.start()
    try:
        reader()
    finally:
        stop.set()
        churn.join()
    assert errors == []


class _SlowAws(BaseHTTPRequestHandler):
    """An AWS endpoint that answers once it is told to (DynamoDB's JSON protocol: ``{}`` parses)."""

    arrived = threading.Event()
    answer = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        type(self).arrived.set()
        type(self).answer.wait(timeout=10)
        self.send_response(200)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: object) -> None:
        pass


def test_a_handler_waiting_on_an_aws_call_lets_another_handler_run() -> None:
    turns = Turns()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowAws)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{server.server_port}",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    for event, name in HOOKS:
        client.meta.events.register(event, getattr(turns, name))
    seen: dict[str, str | None] = {}

    # What runs on its thread while it waits still sees its environment (fault injection does).
    def while_it_waits(**_: object) -> None:
        seen["routing while it waits"] = os.getenv("TURN_PROBE_WHO")

    client.meta.events.register("before-send", while_it_waits)

    def routing() -> None:
        with turns.turn({"TURN_PROBE_WHO": "routing"}):
            client.list_tables()  # waits for the endpoint, which waits for the other handler below
            seen["routing after its call"] = os.environ["TURN_PROBE_WHO"]

    def tickets() -> None:
        with turns.turn({"TURN_PROBE_WHO": "tickets"}):
            seen["tickets"] = os.environ["TURN_PROBE_WHO"]

    waiting, meanwhile = threading.Thread(target=routing, daemon=True), threading.Thread(target=tickets, daemon=True)
    try:
        waiting.start()
        assert _SlowAws.arrived.wait(timeout=10)
        meanwhile.start()
        meanwhile.join(timeout=5)  # would wait for routing's call if routing kept its turn
        assert seen["tickets"] == "tickets"
        _SlowAws.answer.set()
        waiting.join(timeout=10)
    finally:
        _SlowAws.answer.set()
        server.shutdown()
    assert seen == {"routing while it waits": "routing", "tickets": "tickets", "routing after its call": "routing"}
    assert "TURN_PROBE_WHO" not in os.environ
