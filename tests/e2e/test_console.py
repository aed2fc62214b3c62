"""The agent console in a real browser (Debian's chromium driven by Playwright) against the local
stack: sign-in through the user pool, an agent's ticket from claim to reply, a supervisor's takeover
and cockpit, skills and masking, accessibility, size and speed, and the static KPI report."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, expect, sync_playwright

from infrastructure.local.agents import PASSWORD
from livedesk.supply.dynamo import DynamoSupplyChain
from livedesk.supply.ports import Order, OrderLine
from tests.e2e.conftest import Client

ROOT = Path(__file__).resolve().parents[2]
# Screenshots go to .build/ on every run (the tree stays clean); `make screenshots` refreshes docs/console/.
SCREENSHOTS = ROOT / os.environ.get("CONSOLE_SCREENSHOTS", ".build/console-screenshots")
FIGURES = ROOT / ".build" / "console-figures.json"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BRAND = "lumi-beauty"
expect.set_options(timeout=30_000)  # a generous bound for what the desk does behind a click (two busy workers)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(executable).exists(), "Debian's chromium is missing: `make test` installs it (apt-get install chromium fonts-noto-cjk)"
    launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


def _record(**figures: Any) -> None:
    FIGURES.parent.mkdir(exist_ok=True)
    known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    FIGURES.write_text(json.dumps({**known, **figures}, indent=2))


def _person(api: Client, username: str, role: str = "agent", skills: tuple[str, ...] = ()) -> str:
    api.stack.agent_token(BRAND, username, role, skills)  # creates the pool user with the local password
    return username


def _sign_in(page: Page, api: Client, username: str) -> None:
    page.goto(f"{api.stack.url}/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _message(api: Client, customer: str, text: str, brand: str = BRAND) -> None:
    body = {"channel": "app_chat", "channel_message_id": f"{customer}-{time.time_ns()}", "customer_id": customer, "text": text}
    assert api.post("/v1/messages", {**body, "sent_at": datetime.now(UTC).isoformat()}, brand=brand).status_code == 202


def _ticket_of(api: Client, customer: str, brand: str = BRAND) -> dict[str, Any]:
    api.settle()
    (conversation,) = api.get(f"/v1/customers/{customer}/conversations", brand=brand).json()["conversations"]
    message = api.get(f"/v1/conversations/{conversation['conversation_id']}", brand=brand).json()["messages"][0]
    assert message.get("ticket_id"), message["routing"]["reasons"]
    return dict(api.get(f"/v1/tickets/{message['ticket_id']}", brand=brand).json())


def test_an_agent_claims_a_ticket_inserts_the_suggestion_and_the_reply_joins_the_conversation(
    page: Page, api: Client, unique: Callable[[str], str]
) -> None:
    customer = unique("console-c")
    order_id = _delivered_lipstick(api, customer)
    _message(api, customer, "收到的口红断了，我要退款")
    ticket = _ticket_of(api, customer)
    assert ticket["knowledge"], "routing attached knowledge for the agent"
    agent = _person(api, unique("amy"), skills=(ticket["skill"],))
    _sign_in(page, api, agent)
    row = page.locator(f"tr[data-ticket='{ticket['ticket_id']}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text("First response")  # the SLA countdown
    page.screenshot(path=str(SCREENSHOTS / "queue.png"))
    row.click()
    expect(page.locator("#ticket-title")).to_be_visible()
    page.get_by_role("button", name="Claim (c)").click()
    expect(page.locator(".status")).to_contain_text(agent)
    suggestion = ticket["knowledge"][0]
    page.get_by_role("button", name=f"Insert {suggestion['doc_id']}").click()
    reply = page.get_by_label("Reply")
    expect(reply).to_have_value(suggestion["content"])
    page.locator(".message .routing summary").first.click()  # why it came here, in plain words
    card = page.locator(".card", has_text=order_id)  # the order, its parcel and the SKU's stock beside the conversation
    expect(card).to_contain_text("SF1234567890")
    expect(card).to_contain_text(re.compile(r"Stock: \d+ available"))
    page.screenshot(path=str(SCREENSHOTS / "workspace.png"), full_page=True)
    reply.press("Control+Enter")
    expect(page.locator(".message.agent .text")).to_have_text(suggestion["content"])
    assert api.get(f"/v1/tickets/{ticket['ticket_id']}").json()["first_responded_at"], "the reply went out"
    page.get_by_role("button", name="Start a return").click()
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_enabled()  # the order lines are loaded
    expect(page.locator("select[name=line] option")).to_have_count(1)
    page.get_by_label("Reason").select_option("damaged")
    page.get_by_role("button", name="Start", exact=True).click()
    started = page.get_by_role("status")
    expect(started).to_contain_text(re.compile(r"Return \S+ · \w+"))
    return_id = re.search(r"Return (\S+) ·", started.inner_text()).group(1)  # type: ignore[union-attr]
    request = api.get(f"/v1/returns/{return_id}").json()
    assert (request["ticket_id"], request["order_id"], request["reason"]) == (ticket["ticket_id"], order_id, "damaged")


def _delivered_lipstick(api: Client, customer: str) -> str:
    supply = DynamoSupplyChain(boto3.resource("dynamodb", endpoint_url=api.stack.endpoint).Table(api.stack.table_name("Supply")))
    order_id = f"DD{time.time_ns() % 10**11:011d}"
    now = datetime.now(UTC)
    line = OrderLine(sku="LB-LIPST-01", name="丝绒雾面唇膏 3.5g", quantity=1, unit_price=99)
    order = Order(
        order_id=order_id,
        customer_id=customer,
        status="delivered",
        lines=[line],
        amount=99,
        paid_at=now - timedelta(days=3),
        delivered_at=now - timedelta(days=1),
        tracking_number="SF1234567890",
    )
    supply.put_order(BRAND, order)
    return order_id


def test_signing_out_and_an_expired_session_both_return_to_sign_in_and_no_token_is_stored(
    page: Page, api: Client, unique: Callable[[str], str]
) -> None:
    agent = _person(api, unique("eve"), skills=("pre_sale",))
    _sign_in(page, api, agent)
    stored = page.evaluate("() => [JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.cookie]")
    assert stored == ["{}", "{}", ""], "tokens live in memory only"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # The API refuses the token from the first queue load on (routed before signing in: a load already
    # in flight would be answered by the stack, and the next poll comes only after it).
    page.route(re.compile(r".*/v1/agents/me/queue.*"), lambda route: route.fulfill(status=401, body='{"message":"Unauthorized"}'))
    page.get_by_label("Username").fill(agent)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_have_text("Your session ended. Please sign in again.", timeout=15_000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_keyboard_shortcuts_work_the_queue_and_the_ticket(page: Page, api: Client, unique: Callable[[str], str]) -> None:
    customer = unique("console-k")
    _message(api, customer, "快递显示签收了但我没收到，帮我查一下")
    ticket = _ticket_of(api, customer)
    agent = _person(api, unique("kim"), skills=(ticket["skill"],))
    _sign_in(page, api, agent)
    expect(page.locator(f"tr[data-ticket='{ticket['ticket_id']}']")).to_be_visible()
    index = page.locator("table.queue tbody tr").evaluate_all(
        f"(rows) => rows.findIndex((row) => row.dataset.ticket === '{ticket['ticket_id']}')"
    )
    for _ in range(index):
        page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-title")).to_be_visible()
    page.keyboard.press("c")
    expect(page.locator(".status")).to_contain_text(agent)
    page.keyboard.press("n")
    page.get_by_label("Note").fill("查过了：快递柜代收")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".notice")).to_contain_text("notes")
    page.keyboard.press("Escape")
    expect(page.get_by_role("heading", name=re.compile("^Queue"))).to_be_visible()


def test_an_agent_without_the_skill_cannot_open_the_ticket(page: Page, api: Client, unique: Callable[[str], str]) -> None:
    customer = unique("console-s")
    _message(api, customer, "收到的口红断了，我要退款")
    ticket = _ticket_of(api, customer)
    other = "pre_sale" if ticket["skill"] != "pre_sale" else "logistics"
    _sign_in(page, api, _person(api, unique("ben"), skills=(other,)))
    expect(page.locator(f"tr[data-ticket='{ticket['ticket_id']}']")).to_have_count(0)
    page.goto(f"{api.stack.url}/console/#/ticket/{ticket['ticket_id']}")
    expect(page.get_by_role("alert")).to_contain_text("403")
    expect(page.locator("#ticket-title")).to_have_count(0)


def test_a_supervisor_accepts_a_takeover_offer_from_the_cockpit(page: Page, api: Client, unique: Callable[[str], str]) -> None:
    supervisor = _person(api, unique("sue"), role="supervisor")
    _sign_in(page, api, supervisor)
    page.get_by_role("link", name="Cockpit").click()
    expect(page.get_by_role("heading", name="Takeover offers")).to_be_visible()
    customer = unique("console-angry")
    _message(api, customer, "三天了没人管，再不解决就投诉12315！")
    ticket = _ticket_of(api, customer)
    offer = page.locator(f"li[data-offer='{ticket['ticket_id']}']")
    expect(offer).to_be_visible(timeout=20_000)  # offered while the workflow waits on a supervisor
    page.screenshot(path=str(SCREENSHOTS / "cockpit.png"), full_page=True)
    offer.get_by_role("button", name="Take over").click()
    expect(page.locator("#ticket-title")).to_be_visible()
    expect(page.locator(".status")).to_contain_text(supervisor)
    assert api.get(f"/v1/tickets/{ticket['ticket_id']}").json()["assignee"] == supervisor


def test_personal_data_stays_masked_until_a_supervisor_reveals_it_and_the_reveal_is_audited(
    page: Page, api: Client, unique: Callable[[str], str]
) -> None:
    customer = unique("console-p")
    _message(api, customer, "地址写错了，手机号13912345678，订单还没发货能改吗")
    ticket = _ticket_of(api, customer)
    supervisor = _person(api, unique("sam"), role="supervisor")
    _sign_in(page, api, supervisor)
    page.goto(f"{api.stack.url}/console/#/ticket/{ticket['ticket_id']}")
    text = page.locator(".message.customer .text").first
    expect(text).to_contain_text("139****5678")
    page.get_by_role("button", name="Reveal personal data").click()
    expect(page.locator(".context")).to_contain_text("Revealed (audited)")
    expect(text).to_contain_text("13912345678")
    since = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0).isoformat().replace("+00:00", "Z")
    admin = api.token(BRAND, "e2e-admin", "admin")
    audit = api.get(f"/v1/audit?from={since}&actor={supervisor}", token=admin).json()
    revealed = [entry for entry in audit["entries"] if "reveal" in json.dumps(entry)]
    assert any(ticket["ticket_id"] in json.dumps(entry) for entry in revealed), audit


def test_the_cockpit_shows_a_red_alert_after_a_burst(page: Page, api: Client, unique: Callable[[str], str]) -> None:
    brand = unique("console-burst")
    api.stack.agent_token(brand, "burst-sue", "supervisor", ())
    for n in range(8):  # a burst the brand's bot cannot answer
        _message(api, unique("c"), f"这个什么时候能到货 {n}", brand=brand)
    victim = unique("c")
    with api.stack.fast_forward():  # a P1 that nobody answers in time
        _message(api, victim, "用了面霜脸上过敏起红疹", brand=brand)
        api.stack.finish(_ticket_of(api, victim, brand)["escalation_execution"])
    api.settle()
    page.goto(f"{api.stack.url}/console/")
    page.get_by_label("Username").fill("burst-sue")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Cockpit").click()
    red = page.locator(".alert-list.red .alert")
    expect(red.first).to_be_visible()
    expect(red.first).to_contain_text("Red")
    expect(page.locator(".tile")).to_have_count(12)


def test_the_main_screens_have_no_serious_accessibility_findings(browser: Browser, api: Client, unique: Callable[[str], str]) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", bypass_csp=True)  # axe is injected
    page = context.new_page()
    customer = unique("console-a11y")
    _message(api, customer, "收到的口红断了，我要退款")
    ticket = _ticket_of(api, customer)
    page.goto(f"{api.stack.url}/console/")
    findings = {"sign-in": _axe(page)}
    _sign_in_zh(page, _person(api, unique("ada"), role="supervisor"))
    expect(page.locator("table.queue")).to_be_visible()
    findings["queue"] = _axe(page)
    page.goto(f"{api.stack.url}/console/#/ticket/{ticket['ticket_id']}")
    expect(page.locator("#ticket-title")).to_be_visible()
    findings["workspace"] = _axe(page)
    page.screenshot(path=str(SCREENSHOTS / "workspace-zh.png"), full_page=True)
    page.goto(f"{api.stack.url}/console/#/cockpit")
    expect(page.locator(".tile").first).to_be_visible()
    findings["cockpit"] = _axe(page)
    context.close()
    _record(axe_serious_or_critical={screen: len(found) for screen, found in findings.items()})
    assert findings == {"sign-in": [], "queue": [], "workspace": [], "cockpit": []}


def _sign_in_zh(page: Page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _axe(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']}: {v['help']}" for v in result if v["impact"] in ("serious", "critical")]


def test_the_first_load_is_small_and_a_queue_of_500_renders_quickly(page: Page, api: Client, unique: Callable[[str], str]) -> None:
    scripts: list[bytes] = []
    page.on("response", lambda r: scripts.append(r.body()) if r.request.resource_type == "script" else None)
    customer = unique("console-q")
    _message(api, customer, "收到的口红断了，我要退款")
    ticket = _ticket_of(api, customer)
    agent = _person(api, unique("quinn"), skills=(ticket["skill"],))
    real = api.get("/v1/agents/me/queue", token=api.stack.agent_token(BRAND, agent, "agent", (ticket["skill"],))).json()
    template = real["tickets"][0]
    many = [{**template, "ticket": {**template["ticket"], "ticket_id": f"tkt_load_{n:04d}"}} for n in range(500)]

    def serve_500(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"agent_id": agent, "tickets": many}))

    page.route(re.compile(r".*/v1/agents/me/queue.*"), serve_500)
    _sign_in(page, api, agent)
    expect(page.locator("table.queue tbody tr")).to_have_count(500)
    render_ms = page.evaluate("() => performance.getEntriesByName('queue-render').map((m) => m.duration)")
    compressed = sum(len(gzip.compress(body, 9)) for body in scripts)
    _record(queue_500_render_ms=[round(ms, 1) for ms in render_ms], first_load_javascript_gzip_kb=round(compressed / 1024, 1))
    assert render_ms, "the queue measured its render"
    assert compressed <= 300 * 1024, f"{compressed / 1024:.0f} KB of compressed JavaScript"


def test_the_static_kpi_report_declares_its_charset_and_its_hour_labels_do_not_overlap(
    browser: Browser, api: Client, tmp_path: Path
) -> None:
    report = api.get("/v1/kpis/report")  # the last 24 hours of this run's tickets
    assert report.status_code == 200
    path = tmp_path / "report.html"
    path.write_bytes(report.content)
    page = browser.new_page()
    page.goto(path.as_uri())  # opened from disk, as `make demo` leaves it
    assert page.evaluate("() => document.characterSet") == "UTF-8"
    body = page.inner_text("body")
    assert "â€" not in body and "â‰" not in body, "no mojibake"
    charts = page.locator("svg").evaluate_all(
        "(svgs) => svgs.map((svg) => [...svg.querySelectorAll('text.axis-label')]"
        ".map((l) => { const b = l.getBBox(); return [b.x, b.x + b.width]; }))"
    )
    assert any(len(labels) > 1 for labels in charts), "the charts label their axes"
    for labels in charts:
        shown = sorted(labels)
        assert all(left[1] <= right[0] for left, right in itertools.pairwise(shown)), shown
    page.close()
