// The supervisor's cockpit: the 12 KPIs with charts, alerts by level, takeover offers, live-session
// clusters, voice of customer, knowledge gaps and the forecast with staffing.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorLine, percent, seconds, time, useApp, usePoll } from "../common.jsx";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

const LEVELS = ["red", "orange", "yellow"];

export function Cockpit() {
  const { api, t } = useApp();
  const [kpis, kpiError] = usePoll(() => api.get("/v1/kpis"), 30000);
  const [alerts, alertError] = usePoll(() => api.get("/v1/alerts"), 10000);
  const [queue, , reloadQueue] = usePoll(() => api.get("/v1/agents/me/queue?limit=100"), 5000);
  const [voc] = usePoll(() => api.get("/v1/voc?by=sku"), 60000);
  const [gaps] = usePoll(() => api.get("/v1/knowledge/gaps"), 60000);
  const [forecast] = usePoll(() => api.get("/v1/forecast"), 300000);
  return (
    <div class="cockpit">
      <h1>{t("Cockpit")}</h1>
      <ErrorLine error={kpiError || alertError} />
      <Alerts alerts={alerts ? alerts.alerts : null} />
      <Offers items={queue ? queue.tickets.filter((item) => item.takeover_offered) : null} reload={reloadQueue} />
      {kpis && <Kpis kpis={kpis} />}
      {kpis && (
        <div class="charts">
          <figure>
            <figcaption>{t("Messages per hour")}</figcaption>
            <BarChart
              labels={kpis.volume.map((v) => v.hour.slice(11, 16))}
              series={[
                { label: t("messages"), data: kpis.volume.map((v) => v.messages), type: "bar", color: "#1f5fa8" },
                { label: t("forecast"), data: kpis.volume.map((v) => v.forecast), type: "line", color: "#b45309" },
              ]}
            />
          </figure>
          <figure>
            <figcaption>{t("First response time")}</figcaption>
            <BarChart
              labels={Object.keys(kpis.first_response_histogram)}
              series={[{ label: t("Tickets"), data: Object.values(kpis.first_response_histogram), type: "bar", color: "#0f766e" }]}
            />
          </figure>
        </div>
      )}
      <Clusters />
      <div class="columns">
        <Voc voc={voc} />
        <Gaps gaps={gaps} />
      </div>
      <Forecast forecast={forecast} />
    </div>
  );
}

function Alerts({ alerts }) {
  const { t } = useApp();
  return (
    <section aria-labelledby="alerts-title" class="alerts">
      <h2 id="alerts-title">{t("Alerts")}</h2>
      {alerts && alerts.length === 0 && <p>{t("No alerts in the last 24 hours.")}</p>}
      {alerts &&
        LEVELS.map((level) => {
          const found = alerts.filter((alert) => alert.level === level);
          return found.length ? (
            <ul class={`alert-list ${level}`} data-level={level} aria-label={t(`level.${level}`)}>
              {found.map((alert) => (
                <li key={alert.key} class={`alert ${level}`}>
                  <strong>{t(`level.${level}`)}</strong> {alert.message} <small>{time(alert.at)}</small>
                </li>
              ))}
            </ul>
          ) : null;
        })}
    </section>
  );
}

function Offers({ items, reload }) {
  const { t, api } = useApp();
  const [error, setError] = useState(null);
  const accept = async (ticket) => {
    try {
      await api.post(`/v1/tickets/${ticket.ticket_id}/takeover`, { version: ticket.version });
      window.location.hash = `#/ticket/${ticket.ticket_id}`;
    } catch (failure) {
      setError(failure);
      reload();
    }
  };
  return (
    <section aria-labelledby="offers-title">
      <h2 id="offers-title">{t("Takeover offers")}</h2>
      <ErrorLine error={error} />
      {items && items.length === 0 && <p>{t("No open offers.")}</p>}
      <ul class="offers">
        {(items || []).map(({ ticket }) => (
          <li key={ticket.ticket_id} data-offer={ticket.ticket_id}>
            <span class={`priority p${ticket.priority}`}>P{ticket.priority}</span> {t(`intent.${ticket.intent}`)} · {ticket.tags.join(", ")}{" "}
            <button type="button" class="primary" onClick={() => accept(ticket)}>{t("Take over")}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Kpis({ kpis }) {
  const { t } = useApp();
  const sla = Object.values(kpis.sla_attainment).filter((s) => s.first_response !== null);
  const slaRate = sla.length ? sla.reduce((sum, s) => sum + s.first_response * s.tickets, 0) / sla.reduce((sum, s) => sum + s.tickets, 0) : null;
  const tiles = [
    ["kpi.first_response", seconds(kpis.first_response_seconds.p50)],
    ["kpi.queue_wait", seconds(kpis.queue_wait_seconds.p50)],
    ["kpi.handle", seconds(kpis.handle_seconds.p50)],
    ["kpi.resolution_rate", percent(kpis.resolution_rate)],
    ["kpi.fcr", percent(kpis.first_contact_resolution)],
    ["kpi.repeat", percent(kpis.repeat_contact_rate_7d)],
    ["kpi.abandonment", percent(kpis.abandonment_rate)],
    ["kpi.containment", percent(kpis.bot_containment)],
    ["kpi.transfer", percent(kpis.human_transfer_rate)],
    ["kpi.sla", percent(slaRate)],
    ["kpi.csat", kpis.csat.average === null ? "—" : `${kpis.csat.average.toFixed(2)} / 5`],
    ["kpi.negative", percent(kpis.negative_emotion_share)],
  ];
  return (
    <section aria-label="KPIs">
      <dl class="tiles">
        {tiles.map(([key, value]) => (
          <div class="tile" key={key}>
            <dt>{t(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">
        {time(kpis.window_from)} – {time(kpis.window_to)} · {kpis.messages} {t("messages")} · {kpis.tickets_created} {t("Tickets")}
      </p>
    </section>
  );
}

function BarChart({ labels, series }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, {
      data: {
        labels,
        datasets: series.map((s) => ({ type: s.type, label: s.label, data: s.data, backgroundColor: s.color, borderColor: s.color })),
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } } } },
    });
    return () => chart.destroy();
  }, [JSON.stringify(labels), JSON.stringify(series)]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={series.map((s) => s.label).join(", ")} />
    </div>
  );
}

function Clusters() {
  const { t, api, config } = useApp();
  const [session, setSession] = useState((config.liveSessions || [])[0] || "");
  const [clusters, setClusters] = useState(null);
  const [error, setError] = useState(null);
  const load = async (id) => {
    if (!id) return;
    try {
      setClusters((await api.get(`/v1/live-sessions/${encodeURIComponent(id)}/clusters`)).clusters);
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    load(session);
    const timer = setInterval(() => load(session), 15000);
    return () => clearInterval(timer);
  }, [session]);
  return (
    <section aria-labelledby="clusters-title">
      <h2 id="clusters-title">{t("Live-session clusters")}</h2>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          setSession(String(new FormData(event.currentTarget).get("session")).trim());
        }}
      >
        <label>{t("Live session id")}<input name="session" value={session} list="live-sessions" /></label>
        <datalist id="live-sessions">{(config.liveSessions || []).map((id) => <option value={id} />)}</datalist>
        <button type="submit">{t("Show")}</button>
      </form>
      <ErrorLine error={error} />
      <ol class="clusters">
        {(clusters || []).map((cluster) => (
          <li key={cluster.cluster_id}>
            <strong>{cluster.representative}</strong> · {t("asked by")} {cluster.members} · {t(`intent.${cluster.intent}`)}
            {cluster.answer && <p class="answer">{t("bot")}: {cluster.answer}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Voc({ voc }) {
  const { t } = useApp();
  return (
    <section aria-labelledby="voc-title">
      <h2 id="voc-title">{t("Voice of customer")}</h2>
      <table>
        <thead><tr><th scope="col">SKU</th><th scope="col">term</th><th scope="col">#</th><th scope="col">trend</th></tr></thead>
        <tbody>
          {(voc ? voc.terms : []).map((term) => (
            <tr><td>{term.group}</td><td>{term.term} <small>{term.label_en}</small></td><td>{term.count}</td><td>{term.trend}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Gaps({ gaps }) {
  const { t } = useApp();
  return (
    <section aria-labelledby="gaps-title">
      <h2 id="gaps-title">{t("Knowledge gaps")}</h2>
      <ul>{(gaps ? gaps.topics : []).map((topic) => <li>{topic.label || topic.topic || JSON.stringify(topic).slice(0, 120)} {topic.count ? `· ${topic.count}` : ""}</li>)}</ul>
    </section>
  );
}

function Forecast({ forecast }) {
  const { t } = useApp();
  if (!forecast) return null;
  return (
    <section aria-labelledby="forecast-title">
      <h2 id="forecast-title">{t("Forecast and staffing")}</h2>
      <p class="hint">{forecast.model} · MAPE {forecast.mape === null ? "—" : percent(forecast.mape)}</p>
      <table>
        <thead><tr><th scope="col">hour</th><th scope="col">{t("expected messages")}</th><th scope="col">{t("agents needed")}</th></tr></thead>
        <tbody>
          {forecast.intervals.slice(0, 24).map((interval) => (
            <tr><td>{time(interval.hour)}{interval.live_session ? " 🔴" : ""}</td><td>{Math.round(interval.expected)}</td><td>{interval.agents_needed ?? "—"}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
