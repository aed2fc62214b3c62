"""End-to-end latency of one message on the local stack, and a burst's throughput.

Run: make bench  (or .venv/bin/python bench/journey.py [--messages N] [--burst N]).
Latency: POST /v1/messages until 202, and until the routed message (and its ticket,
when it needs a person) can be read back over the API. Burst: N messages posted
back to back, timed until the inbound queue has drained.
Figures are for the local stack (moto + in-process handlers) on this machine, not AWS.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "shared" / "python")]

from infrastructure.local.knowledge import seed_knowledge  # noqa: E402
from infrastructure.local.stack import LocalStack  # noqa: E402

TEXTS = [
    "这个精华敏感肌能用吗？",
    "用了面霜脸上过敏起红疹，怎么办！！",
    "Where is my order? It still says not shipped.",
    "快递三天了还没到，再不解决就投诉",
    "Do you have the floor lamp in stock?",
    "收到的口红断了，我要退款",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def post(session: requests.Session, stack: LocalStack, n: int, prefix: str) -> requests.Response:
    """One signed channel request (signing included in the timing, as a channel pays it too)."""
    body = {
        "channel": "app_chat",
        "channel_message_id": f"{prefix}-{n}",
        "customer_id": f"{prefix}-cust-{n}",
        "text": TEXTS[n % len(TEXTS)],
        "sent_at": datetime.now(UTC).isoformat(),
    }
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {"content-type": "application/json", **stack.channel_headers("lumi-beauty", "app_chat", "POST", "/v1/messages", raw)}
    response = session.post(f"{stack.url}/v1/messages", data=raw, headers=headers, timeout=60)
    response.raise_for_status()
    return response


def routed(session: requests.Session, url: str, customer: str, agent: dict[str, str]) -> bool:
    listed = session.get(f"{url}/v1/customers/{customer}/conversations", headers=agent, timeout=60).json()["conversations"]
    if not listed:
        return False
    messages = session.get(f"{url}/v1/conversations/{listed[0]['conversation_id']}", headers=agent, timeout=60).json()["messages"]
    if not messages or messages[0]["routing"] is None:
        return False
    ticket_id = messages[0].get("ticket_id")
    return ticket_id is None or session.get(f"{url}/v1/tickets/{ticket_id}", headers=agent, timeout=60).status_code == 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--burst", type=int, default=200)
    args = parser.parse_args()

    stack = LocalStack().start()
    seed_knowledge(stack.client("s3"), stack.bucket_name("KnowledgeBucket"))  # routing asks search for every message
    agent = {"authorization": f"Bearer {stack.agent_token('lumi-beauty', 'bench-supervisor', 'supervisor')}"}
    session = requests.Session()
    try:
        post(session, stack, 0, "warm")  # cold starts are not part of the steady-state figures
        stack.drain()
        accept, end_to_end = [], []
        for n in range(args.messages):
            started = time.perf_counter()
            post(session, stack, n, "lat")
            accept.append(time.perf_counter() - started)
            while not routed(session, stack.url, f"lat-cust-{n}", agent):
                time.sleep(0.005)
            end_to_end.append(time.perf_counter() - started)

        started = time.perf_counter()
        for n in range(args.burst):
            post(session, stack, n, "burst")
        posted = time.perf_counter() - started
        stack.drain(timeout_s=600)
        drained = time.perf_counter() - started
    finally:
        stack.stop()

    ms = 1000
    print(f"local stack, {args.messages} messages one at a time (ms):")
    print(f"  POST → 202            p50 {statistics.median(accept) * ms:6.1f}  p95 {percentile(accept, 0.95) * ms:6.1f}")
    print(f"  POST → routed + ticket p50 {statistics.median(end_to_end) * ms:6.1f}  p95 {percentile(end_to_end, 0.95) * ms:6.1f}")
    print(f"burst of {args.burst}: accepted in {posted:.1f} s ({args.burst / posted:.0f} msg/s),", end=" ")
    print(f"all routed in {drained:.1f} s ({args.burst / drained:.0f} msg/s)")


if __name__ == "__main__":
    main()
