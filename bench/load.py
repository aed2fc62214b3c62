"""A live-stream burst against the local stack, driven by locust, and a check that nothing was lost.

Run: .venv/bin/python bench/load.py [--viewers 60] [--ramp 20] [--hold 40]
Viewers ramp up to --viewers over --ramp seconds and hold for --hold seconds; each posts live
comments (three in four) and app-chat messages, signed with the brand's channel keys. Reports
requests/s, p50/p99 latency and error rate of POST /v1/messages, time from accepted to routed
(received_at → routed_at on each stored message), and after the queues drain: accepted ==
stored + dead-lettered, nothing missing, nothing twice.
The stack (`python -m infrastructure.local serve`) runs in its own process; figures are for moto
and in-process handlers on this machine, not AWS.
"""

from __future__ import annotations

import gevent.monkey

gevent.monkey.patch_all()  # locust's requirement, before anything imports ssl or sockets

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
import requests  # noqa: E402
from locust import HttpUser, LoadTestShape, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "shared" / "python")]

from livedesk.channels import signed_headers  # noqa: E402

BRAND = f"load-{int(time.time())}"
SESSION = "live-load-1"
COMMENTS = ["这个色号还有吗", "主播说的赠品什么时候发", "敏感肌能用吗？", "链接在哪里", "多少钱", "how long is shipping?"]
CHATS = ["快递三天了还没到", "收到的口红断了，我要退款", "Where is my order?", "可以开发票吗"]
KEYS: dict[str, str] = {}
ACCEPTED: dict[str, float] = {}  # message id -> when the 202 arrived


class Viewer(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.viewer = f"viewer-{random.getrandbits(48):012x}"
        self.sent = 0

    def _post(self, channel: str, text: str, live: bool) -> None:
        self.sent += 1
        body: dict[str, Any] = {
            "channel": channel,
            "channel_message_id": f"{self.viewer}-{self.sent}",
            "customer_id": self.viewer,
            "text": text,
            "sent_at": datetime.now(UTC).isoformat(),
        }
        if live:
            body["live_session_id"] = SESSION
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = {"content-type": "application/json", **signed_headers(KEYS[channel], BRAND, channel, "POST", "/v1/messages", raw)}
        with self.client.post("/v1/messages", data=raw, headers=headers, name=f"POST /v1/messages ({channel})", catch_response=True) as r:
            if r.status_code == 202:
                ACCEPTED[r.json()["message_id"]] = time.time()
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:120]}")

    @task(3)
    def live_comment(self) -> None:
        self._post("live_comment", random.choice(COMMENTS), live=True)

    @task(1)
    def app_chat(self) -> None:
        self._post("app_chat", random.choice(CHATS), live=False)


class Burst(LoadTestShape):
    """Ramp to the audience, hold, stop."""

    viewers, ramp_s, hold_s = 60, 20, 40

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed > self.ramp_s + self.hold_s:
            return None
        return (max(1, round(self.viewers * min(1.0, elapsed / self.ramp_s))), max(1.0, self.viewers / self.ramp_s))


def start_stack(port: int) -> tuple[subprocess.Popen[bytes], str, str]:
    """The local stack in its own process; its log goes to .build/load-stack.log (read for its address)."""
    log = ROOT / ".build" / "load-stack.log"
    log.parent.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "infrastructure.local", "serve", "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, env=os.environ.copy())
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        text = log.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"HTTP API (\S+)\s+\(embedded AWS at (\S+)\)", text)
        if found and "Try it" in text:
            return process, found.group(1), found.group(2)
        time.sleep(1)
    process.terminate()
    raise RuntimeError(f"the local stack did not start; see {log}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def drained(sqs: Any, queue_url: str, timeout_s: float = 900) -> float:
    started, quiet = time.monotonic(), 0
    while time.monotonic() - started < timeout_s:
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        quiet = quiet + 1 if not any(int(v) for v in attributes.values()) else 0
        if quiet >= 5:
            return time.monotonic() - started
        time.sleep(1)
    raise TimeoutError("the inbound queue did not drain")


def stored_messages(dynamodb: Any, table: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "begins_with(pk, :brand) AND begins_with(sk, :msg) AND author = :customer",
        "ExpressionAttributeValues": {":brand": {"S": f"BRAND#{BRAND}#"}, ":msg": {"S": "MSG#"}, ":customer": {"S": "customer"}},
    }
    while True:
        page = dynamodb.scan(**request)
        for item in page["Items"]:
            found.setdefault(item["message_id"]["S"], item)
            found[item["message_id"]["S"]]["copies"] = {"N": str(int(found[item["message_id"]["S"]].get("copies", {"N": "0"})["N"]) + 1)}
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def dead_lettered(sqs: Any, queue_url: str) -> set[str]:
    ids: set[str] = set()
    for _ in range(50):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", [])
        if not messages:
            break
        ids |= {json.loads(m["Body"]).get("message_id", "") for m in messages if json.loads(m["Body"]).get("brand_id") == BRAND}
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--viewers", type=int, default=60)
    parser.add_argument("--ramp", type=int, default=20)
    parser.add_argument("--hold", type=int, default=40)
    parser.add_argument("--port", type=int, default=8797)
    args = parser.parse_args()
    Burst.viewers, Burst.ramp_s, Burst.hold_s = args.viewers, args.ramp, args.hold
    process, url, endpoint = start_stack(args.port)
    try:
        for channel in ("live_comment", "app_chat"):
            key = requests.post(f"{url}/local/channel-key", json={"brand_id": BRAND, "channel": channel}, timeout=30)
            KEYS[channel] = key.json()["key"]
        environment = Environment(user_classes=[Viewer], shape_class=Burst(), host=url)
        runner = environment.create_local_runner()
        started = time.monotonic()
        runner.start_shape()
        assert runner.shape_greenlet is not None
        runner.shape_greenlet.join()  # the shape ends the run
        runner.quit()
        duration = time.monotonic() - started
        total = environment.stats.total
        aws = {"endpoint_url": endpoint, "region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}
        sqs, dynamodb = boto3.client("sqs", **aws), boto3.client("dynamodb", **aws)
        prefix = "livedesk-dev"
        inbound = sqs.get_queue_url(QueueName=f"{prefix}-inbound")["QueueUrl"]
        drain_s = drained(sqs, inbound)
        stored = stored_messages(dynamodb, f"{prefix}-conversations")
        dlq = dead_lettered(sqs, sqs.get_queue_url(QueueName=f"{prefix}-inbound-dlq")["QueueUrl"])
        accepted = set(ACCEPTED)
        missing = accepted - set(stored) - dlq
        twice = [m for m, item in stored.items() if int(item["copies"]["N"]) > 1]
        route_s = [
            (datetime.fromisoformat(item["routed_at"]["S"]) - datetime.fromisoformat(item["received_at"]["S"])).total_seconds()
            for item in stored.values()
            if "routed_at" in item and "received_at" in item
        ]
        print(f"Live-stream burst: {args.viewers} viewers, ramp {args.ramp} s, hold {args.hold} s ({duration:.0f} s run)")
        print(f"  POST /v1/messages: {total.num_requests} requests, {total.num_requests / duration:.1f} req/s")
        print(
            f"  latency p50 {total.get_response_time_percentile(0.5):.0f} ms, p99 {total.get_response_time_percentile(0.99):.0f} ms;"
            f" errors {total.num_failures} ({total.fail_ratio:.2%})"
        )
        print(
            f"  accepted -> routed: p50 {statistics.median(route_s):.2f} s, p99 {percentile(route_s, 0.99):.2f} s"
            f" (queue drained {drain_s:.0f} s after the run)"
        )
        kept, lost = len(accepted & set(stored)), len(accepted & dlq)
        print(f"  accepted {len(accepted)} = stored {kept} + dead-lettered {lost}; missing {len(missing)}, stored twice {len(twice)}")
        return 0 if not missing and not twice and len(accepted) == kept + lost else 1
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workflows still waiting: nothing left to keep
            process.kill()
            process.wait()


if __name__ == "__main__":
    raise SystemExit(main())
