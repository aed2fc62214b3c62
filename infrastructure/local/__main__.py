"""`python -m infrastructure.local serve`: the full local stack with seeded demo data."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from infrastructure.local.stack import LocalStack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.local", description=__doc__)
    parser.add_argument("command", choices=["serve", "invoke", "demo"])
    parser.add_argument("function", nargs="?", help="invoke: function folder, e.g. intake")
    parser.add_argument("event", nargs="?", type=Path, help="invoke: event file, e.g. events/intake/post_message.json")
    parser.add_argument("--template", type=Path, default=None, help="synthesized template (default cdk.out/LiveDesk.template.json)")
    parser.add_argument("--port", type=int, default=8787, help="HTTP API port on 127.0.0.1")
    parser.add_argument("--moto-port", type=int, default=0, help="embedded AWS port (default: a free one)")
    parser.add_argument("--no-seed", action="store_true", help="start empty")
    parser.add_argument("--wait-scale", type=float, default=None, help="speed of Step Functions Wait states: 0 skips, 0.1 is 10x faster")
    args = parser.parse_args(argv)

    from infrastructure.local.stack import DEFAULT_TEMPLATE, LocalStack

    if args.command == "demo":
        from infrastructure.local.demo import run

        return run()

    if args.command == "invoke" and not (args.function and args.event):
        parser.error("invoke needs a function folder and an event file")
    port = 0 if args.command == "invoke" else args.port
    stack = LocalStack(
        template_path=args.template or DEFAULT_TEMPLATE, gateway_port=port, moto_port=args.moto_port, wait_scale=args.wait_scale
    ).start()
    print(f"LiveDesk local stack: HTTP API {stack.url}  (embedded AWS at {stack.endpoint})", flush=True)
    if not args.no_seed:
        from infrastructure.local.knowledge import seed_knowledge
        from infrastructure.local.seed import seed_customers, seed_messages, seed_supply

        seed_knowledge(stack.client("s3"), stack.bucket_name("KnowledgeBucket"))
        dynamodb = boto3.resource("dynamodb", endpoint_url=stack.endpoint)
        seed_customers(dynamodb.Table(stack.table_name("Customers")))
        seed_supply(dynamodb.Table(stack.table_name("Supply")))
        accepted = seed_messages(stack)
        stack.drain()
        print(f"Seeded the demo knowledge index and {len(accepted)} demo messages for brands lumi-beauty and oak-home.", flush=True)
        _print_console(stack)
    if args.command == "invoke":
        event = stack.channel_keys.sign_event(json.loads(args.event.read_text(encoding="utf-8")))
        response = stack.client("lambda").invoke(FunctionName=stack.function_name(args.function), Payload=json.dumps(event).encode())
        print(json.dumps(json.loads(response["Payload"].read()), indent=2, ensure_ascii=False))
        stack.stop()
        return 1 if "FunctionError" in response else 0
    message = (
        '{"channel":"app_chat","channel_message_id":"try-1","customer_id":"cust-1002",'
        f'"text":"收到的口红断了，我要退款","sent_at":"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"}}'
    )
    agent = '{"brand_id":"lumi-beauty","username":"amy","role":"agent","skills":["after_sale"]}'
    key_request = '{"brand_id":"lumi-beauty","channel":"app_chat"}'
    print(
        "\nTry it (a channel posts a signed message; an agent signs in and works the ticket):\n"
        f"  KEY=$(curl -s -X POST {stack.url}/local/channel-key -d '{key_request}' \\\n"
        "      | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"key\"])')\n"
        f"  echo '{message}' | .venv/bin/livedesk channel post --url {stack.url} --brand lumi-beauty --channel app_chat --key=\"$KEY\"\n"
        f"  TOKEN=$(curl -s -X POST {stack.url}/local/agent-token -d '{agent}' \\\n"
        "      | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"id_token\"])')\n"
        f'  curl -s {stack.url}/v1/agents/me/queue -H "authorization: Bearer $TOKEN"\n'
        "Press Ctrl+C to stop.",
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with contextlib.suppress(KeyboardInterrupt):
        stopped.wait()
    stack.stop()
    return 0


def _print_console(stack: LocalStack) -> None:
    from infrastructure.local.agents import PASSWORD, seed_users
    from infrastructure.local.seed import MESSAGES

    stack.console_config["liveSessions"] = sorted({row[4] for row in MESSAGES if row[4]})
    people = ", ".join(
        f"{name} ({role}{': ' + ' '.join(skills) if skills else ''}; {brand})" for brand, name, role, skills in seed_users(stack.agents)
    )
    print(f"\nAgent console: {stack.url}/console/\n  Sign in as {people}\n  password {PASSWORD}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
