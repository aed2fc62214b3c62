// The agent's queue, in the API's order (priority, then the next due time), with live SLA countdowns.
import { useLayoutEffect, useState } from "preact/hooks";
import { countdown, ErrorLine, useApp, useNow, usePoll, useShortcuts } from "../common.jsx";

const POLL_MS = 5000;

export function Queue() {
  const { api, t } = useApp();
  const [selected, setSelected] = useState(0);
  const [queue, error] = usePoll(async () => {
    const data = await api.get("/v1/agents/me/queue?limit=100");
    performance.mark("queue-data");
    return data.tickets;
  }, POLL_MS);
  const items = queue || [];
  const open = (index) => items[index] && (window.location.hash = `#/ticket/${items[index].ticket.ticket_id}`);
  useShortcuts({
    j: () => setSelected((i) => Math.min(i + 1, items.length - 1)),
    k: () => setSelected((i) => Math.max(i - 1, 0)),
    Enter: () => open(selected),
  });
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">
        {t("Queue")} <span class="count">{items.length}</span>
      </h1>
      <ErrorLine error={error} />
      {queue === null ? <p>{t("Loading…")}</p> : <QueueTable items={items} selected={selected} onOpen={open} />}
      <p class="hint">{t("Keyboard shortcuts")}: j / k · Enter</p>
    </section>
  );
}

export function QueueTable({ items, selected, onOpen }) {
  const { t } = useApp();
  const now = useNow(1000);
  useLayoutEffect(() => {
    // How long the queue takes from data to a laid-out table (the browser test prints it).
    requestAnimationFrame(() => {
      if (performance.getEntriesByName("queue-data").length) {
        performance.measure("queue-render", "queue-data");
        performance.clearMarks("queue-data");
      }
    });
  }, [items]);
  if (!items.length) return <p>{t("No tickets waiting. Well done.")}</p>;
  return (
    <table class="queue">
      <thead>
        <tr>
          <th scope="col">P</th>
          <th scope="col">{t("Intent")}</th>
          <th scope="col">{t("Customer value")}</th>
          <th scope="col">{t("Emotion")}</th>
          <th scope="col">{t("Skill")}</th>
          <th scope="col">SLA</th>
          <th scope="col">{t("Status")}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item, index) => {
          const ticket = item.ticket;
          const sla = countdown(item.due, now, t);
          const emotion = ticket.tags.find((tag) => ["anger", "anxiety", "disappointment", "threat"].includes(tag));
          return (
            <tr
              key={ticket.ticket_id}
              class={index === selected ? "selected" : undefined}
              data-ticket={ticket.ticket_id}
              onClick={() => onOpen(index)}
            >
              <td><span class={`priority p${ticket.priority}`}>P{ticket.priority}</span></td>
              <td>
                <a href={`#/ticket/${ticket.ticket_id}`}>{t(`intent.${ticket.intent}`)}</a>
                {item.takeover_offered && <span class="badge red">{t("Take over")}</span>}
              </td>
              <td>{ticket.value_lane === "vip" ? <span class="badge vip" title={t("VIP lane (60 s)")}>VIP 60s</span> : t(`lane.${ticket.value_lane}`)}</td>
              <td>{emotion ? <span class="badge warn">{t(`emotion.${emotion}`)}</span> : ""}</td>
              <td>{t(`skill.${ticket.skill}`)}</td>
              <td class={sla.overdue ? "overdue" : sla.urgent ? "urgent" : undefined}>
                {ticket.first_responded_at ? t("Resolution") : t("First response")} {sla.text}
              </td>
              <td>{t(ticket.status)}{ticket.assignee ? ` · ${ticket.assignee}` : ""}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
