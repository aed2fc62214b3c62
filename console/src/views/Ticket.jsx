// One ticket: the conversation across channels with the routing reasons, the actions, knowledge
// suggestions, and the customer's orders, parcels and stock beside it.
import { useEffect, useRef, useState } from "preact/hooks";
import { countdown, ErrorLine, time, useApp, useNow, useShortcuts } from "../common.jsx";

const SKILLS = ["pre_sale", "logistics", "after_sale", "technical", "supply_chain", "general", "supervisor", "safety"];
const REASONS = ["no_reason", "quality", "damaged", "wrong_item"];

export function TicketView({ ticketId }) {
  const { api, t, oversees } = useApp();
  const [ticket, setTicket] = useState(null);
  const [conversation, setConversation] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const [panel, setPanel] = useState(null); // "transfer" | "resolve" | "merge" | "return" | "note"
  const [revealed, setRevealed] = useState(false);
  const reply = useRef(null);
  const now = useNow(1000);

  const load = async (reveal = revealed) => {
    try {
      const loaded = await api.get(`/v1/tickets/${ticketId}${reveal ? "?reveal=true" : ""}`);
      setTicket(loaded);
      setConversation(await api.get(`/v1/conversations/${loaded.conversation_id}${reveal ? "?reveal=true" : ""}`));
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    load();
    const timer = setInterval(() => load(), 10000);
    return () => clearInterval(timer);
  }, [ticketId, revealed]);

  const act = async (kind, body) => {
    try {
      const answer = await api.post(`/v1/tickets/${ticketId}/${kind}`, { version: ticket.version, ...body });
      setDone(kind === "returns" ? `${t("Return")} ${answer.return_id} · ${answer.status}` : kind);
      setPanel(null);
      await load();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    }
  };
  const sendReply = async () => {
    const text = reply.current.value.trim();
    if (text && (await act("replies", { text }))) reply.current.value = "";
  };
  useShortcuts({
    c: () => act("claim"),
    r: () => reply.current && reply.current.focus(),
    n: () => setPanel("note"),
    t: () => setPanel("transfer"),
    e: () => setPanel("resolve"),
    m: () => setPanel("merge"),
    w: () => act("wait", { on: "customer" }),
    Escape: () => (panel ? setPanel(null) : (window.location.hash = "#/queue")),
  });

  if (!ticket) {
    return (
      <section>
        <a href="#/queue">← {t("Back to queue")}</a>
        {error ? <ErrorLine error={error} /> : <p>{t("Loading…")}</p>}
      </section>
    );
  }
  const sla = countdown(ticket.first_responded_at ? ticket.resolution_due : ticket.first_response_due, now, t);
  const insert = (text) => {
    const box = reply.current;
    box.value = box.value ? `${box.value}\n${text}` : text;
    box.focus();
  };
  return (
    <div class="workspace">
      <section class="conversation" aria-labelledby="ticket-title">
        <a href="#/queue">← {t("Back to queue")}</a>
        <h1 id="ticket-title">
          <span class={`priority p${ticket.priority}`}>P{ticket.priority}</span> {t(`intent.${ticket.intent}`)}
          {ticket.value_lane === "vip" && <span class="badge vip">VIP</span>}
          <span class="status">{t(ticket.status)}{ticket.assignee ? ` · ${ticket.assignee}` : ""}</span>
        </h1>
        <p class={sla.overdue ? "overdue" : sla.urgent ? "urgent" : undefined}>
          {ticket.first_responded_at ? t("Resolution") : t("First response")} {sla.text} · {t(`skill.${ticket.skill}`)} · {ticket.channel}
        </p>
        <ErrorLine error={error} />
        {done && <p class="notice" role="status">{t("Done")}: {done}</p>}
        <Actions ticket={ticket} act={act} setPanel={setPanel} oversees={oversees} />
        {panel && <Panel kind={panel} ticket={ticket} act={act} close={() => setPanel(null)} />}
        <h2>{t("Conversation")}</h2>
        <Messages conversation={conversation} />
        <label class="reply">
          {t("Reply")}
          <textarea
            ref={reply}
            rows="4"
            onKeyDown={(event) => {
              if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                sendReply();
              }
            }}
          />
        </label>
        <button type="button" class="primary" onClick={sendReply}>{t("Send reply")} (Ctrl+Enter)</button>
        <History ticket={ticket} />
      </section>
      <aside class="context" aria-label="context">
        <Suggestions ticket={ticket} insert={insert} />
        <Customer ticket={ticket} />
        {oversees && (
          <p>
            {revealed ? (
              <span class="badge warn">{t("Revealed (audited)")}</span>
            ) : (
              <button type="button" onClick={() => setRevealed(true)}>{t("Reveal personal data")}</button>
            )}
          </p>
        )}
      </aside>
    </div>
  );
}

function Actions({ ticket, act, setPanel, oversees }) {
  const { t } = useApp();
  const active = !["resolved", "closed"].includes(ticket.status);
  return (
    <div class="actions" role="toolbar" aria-label="ticket actions">
      {active && <button type="button" onClick={() => act("claim")}>{t("Claim")} (c)</button>}
      {active && <button type="button" onClick={() => setPanel("note")}>{t("Note")} (n)</button>}
      {active && <button type="button" onClick={() => act("wait", { on: "customer" })}>{t("Wait on customer")} (w)</button>}
      {active && <button type="button" onClick={() => setPanel("transfer")}>{t("Transfer")} (t)</button>}
      {active && <button type="button" onClick={() => setPanel("merge")}>{t("Merge")} (m)</button>}
      {active && <button type="button" onClick={() => setPanel("return")}>{t("Start a return")}</button>}
      {active && <button type="button" class="primary" onClick={() => setPanel("resolve")}>{t("Resolve")} (e)</button>}
      {oversees && active && <button type="button" onClick={() => act("takeover")}>{t("Take over")}</button>}
    </div>
  );
}

function Panel({ kind, ticket, act, close }) {
  const { t, api } = useApp();
  const [orders, setOrders] = useState(null);
  useEffect(() => {
    if (kind === "return") api.get(`/v1/customers/${ticket.customer_id}/orders`).then((data) => setOrders(data.orders), () => setOrders([]));
  }, [kind]);
  const waiting = kind === "return" && orders === null; // the order lines are not loaded yet
  const submit = (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget));
    if (kind === "note") act("notes", { text: form.text });
    if (kind === "transfer") act("transfer", { skill: form.skill, note: form.note });
    if (kind === "resolve") act("resolve", { resolution: form.resolution });
    if (kind === "merge") act("merge", { into: form.into.trim() });
    if (kind === "return") {
      const [order_id, sku] = form.line.split("|");
      act("returns", { order_id, sku, kind: form.kind, reason: form.reason, note: form.note || undefined });
    }
  };
  return (
    <form class="panel" onSubmit={submit}>
      {kind === "note" && <label>{t("Note")}<textarea name="text" required autofocus /></label>}
      {kind === "transfer" && (
        <>
          <label>
            {t("Transfer to")}
            <select name="skill" required>
              {SKILLS.map((skill) => (
                <option value={skill} selected={skill === "supply_chain"}>{t(`skill.${skill}`)}</option>
              ))}
            </select>
          </label>
          <label>{t("Note")}<textarea name="note" required /></label>
        </>
      )}
      {kind === "resolve" && <label>{t("Resolution summary")}<textarea name="resolution" required autofocus /></label>}
      {kind === "merge" && <label>{t("Merge into")}<input name="into" required pattern="[A-Za-z0-9_\-]+" autofocus /></label>}
      {kind === "return" && (
        <>
          <label>
            {t("Orders")}
            <select name="line" required>
              {(orders || []).flatMap((order) => order.lines.map((line) => <option value={`${order.order_id}|${line.sku}`}>{order.order_id} · {line.name}</option>))}
            </select>
          </label>
          <label>
            {t("Start a return")}
            <select name="kind">
              <option value="return">{t("Return")}</option>
              <option value="exchange">{t("Exchange")}</option>
            </select>
          </label>
          <label>
            {t("Reason")}
            <select name="reason">{REASONS.map((reason) => <option value={reason}>{t(`reason.${reason}`)}</option>)}</select>
          </label>
          <label>{t("Note")}<input name="note" /></label>
        </>
      )}
      <button type="submit" class="primary" disabled={waiting}>{t(kind === "return" ? "Start" : kind === "note" ? "Add note" : kind === "resolve" ? "Resolve" : kind === "merge" ? "Merge" : "Transfer")}</button>
      <button type="button" onClick={close}>Esc</button>
    </form>
  );
}

function Messages({ conversation }) {
  const { t } = useApp();
  if (!conversation) return <p>{t("Loading…")}</p>;
  return (
    <ol class="messages">
      {conversation.messages.map((message) => (
        <li key={message.message_id} class={`message ${message.author}`}>
          <div class="meta">
            {t(message.author)}{message.author_id ? ` ${message.author_id}` : ""} · {message.channel} · {time(message.sent_at)}
          </div>
          <p class="text">{message.text}</p>
          {message.routing && <Routing routing={message.routing} />}
        </li>
      ))}
    </ol>
  );
}

// Why the message came here, in plain words: intent, customer value and emotion.
function Routing({ routing }) {
  const { t } = useApp();
  const emotion = routing.emotion;
  return (
    <details class="routing">
      <summary>
        {t("Why it came here")}: {t(`intent.${routing.intent}`)} ({Math.round(routing.intent_confidence * 100)}%) · {t(`lane.${routing.value_tier}`)} ·{" "}
        {t(`emotion.${emotion.category}`)}{emotion.threat ? " ⚠" : ""}
      </summary>
      <ul>{routing.reasons.map((reason) => <li>{reason}</li>)}</ul>
      {routing.answer && <p>{t("bot")}: {routing.answer} ({routing.answer_source})</p>}
    </details>
  );
}

function History({ ticket }) {
  const { t } = useApp();
  return (
    <details class="history">
      <summary>{t("History")} ({ticket.history.length})</summary>
      <ol>{ticket.history.map((event) => <li>{time(event.at)} · {event.actor} · {event.action}</li>)}</ol>
    </details>
  );
}

function Suggestions({ ticket, insert }) {
  const { t, api } = useApp();
  const [hits, setHits] = useState(null);
  const search = async (event) => {
    event.preventDefault();
    const query = new FormData(event.currentTarget).get("query");
    const found = await api.post("/v1/search", { query, k: 5 });
    setHits(found.hits);
  };
  const shown = hits || ticket.knowledge;
  return (
    <section aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">{t("Knowledge suggestions")}</h2>
      <ul class="suggestions">
        {shown.map((hit) => (
          <li key={hit.doc_id}>
            <p>{hit.content}</p>
            <small>{hit.doc_id} · {hit.source} · {hit.similarity.toFixed(2)}</small>{" "}
            <button type="button" onClick={() => insert(hit.content)} aria-label={`${t("Insert")} ${hit.doc_id}`}>{t("Insert")}</button>
          </li>
        ))}
      </ul>
      <form onSubmit={search} class="inline">
        <label>{t("Search knowledge")}<input name="query" required /></label>
        <button type="submit">{t("Search knowledge")}</button>
      </form>
    </section>
  );
}

function Customer({ ticket }) {
  const { t, api } = useApp();
  const [orders, setOrders] = useState(null);
  const [others, setOthers] = useState([]);
  useEffect(() => {
    api.get(`/v1/customers/${ticket.customer_id}/orders`).then((data) => setOrders(data.orders), () => setOrders([]));
    api.get(`/v1/customers/${ticket.customer_id}/conversations?limit=10`).then((data) => setOthers(data.conversations), () => setOthers([]));
  }, [ticket.customer_id]);
  return (
    <section aria-labelledby="orders-title">
      <h2 id="orders-title">{t("Orders")}</h2>
      {orders === null ? <p>{t("Loading…")}</p> : orders.length === 0 ? <p>{t("No orders in the last 90 days.")}</p> : orders.map((order) => <OrderCard order={order} />)}
      <h2>{t("Other conversations")}</h2>
      <ul>
        {others.filter((c) => c.conversation_id !== ticket.conversation_id).map((c) => (
          <li>{time(c.last_message_at)} · {c.channels.join(", ")} · {c.message_count}</li>
        ))}
      </ul>
    </section>
  );
}

function OrderCard({ order }) {
  const { t, api } = useApp();
  const [parcel, setParcel] = useState(null);
  const [stock, setStock] = useState({});
  useEffect(() => {
    if (order.tracking_number) api.get(`/v1/shipments/${order.tracking_number}`).then(setParcel, () => setParcel(null));
    order.lines.forEach((line) =>
      api.get(`/v1/inventory/${line.sku}`).then((found) => setStock((old) => ({ ...old, [line.sku]: found })), () => {}),
    );
  }, [order.order_id]);
  const latest = parcel && parcel.events.length ? parcel.events[parcel.events.length - 1] : null;
  return (
    <div class="card">
      <strong>{order.order_id}</strong> · {t(order.status)} · {order.amount} {order.currency}
      <ul>
        {order.lines.map((line) => {
          const levels = stock[line.sku] ? stock[line.sku].levels : [];
          const available = levels.reduce((sum, level) => sum + level.available, 0);
          return (
            <li>
              {line.name} ×{line.quantity} · {t("Stock")}: {stock[line.sku] ? `${available} ${t("available")}` : "…"}
              {levels.some((level) => level.variant) && (
                <small> ({levels.filter((l) => l.variant).map((l) => `${l.variant} ${l.available}`).join(", ")})</small>
              )}
            </li>
          );
        })}
      </ul>
      {parcel && (
        <p class="parcel">
          {t("Parcel")} {parcel.carrier} {parcel.tracking_number}: {parcel.status}
          {latest ? ` · ${time(latest.at)} ${latest.location} ${latest.description}` : ""}
          {parcel.eta ? ` · ETA ${time(parcel.eta)}` : ""}
        </p>
      )}
    </div>
  );
}
