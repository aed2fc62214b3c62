// Helpers shared by the views: the app context, polling, shortcuts and formatting.
import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";

export const AppContext = createContext(null);
export const useApp = () => useContext(AppContext);

// Calls load() now and every intervalMs while the view is shown; a failed poll keeps the last data.
export function usePoll(load, intervalMs, deps = []) {
  const [state, setState] = useState({ data: null, error: null });
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    let timer;
    const tick = async () => {
      try {
        const data = await load();
        if (alive.current) setState({ data, error: null });
      } catch (error) {
        if (alive.current) setState((old) => ({ data: old.data, error }));
      }
      if (alive.current && intervalMs) timer = setTimeout(tick, intervalMs);
    };
    tick();
    return () => {
      alive.current = false;
      clearTimeout(timer);
    };
  }, deps);
  return [state.data, state.error, () => load().then((data) => setState({ data, error: null }))];
}

export function useNow(intervalMs = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const typing = (target) => target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

// Single-key shortcuts, ignored while the user types in a field (Escape always works). The listener
// reads the latest render's map, so a key pressed right after a change never acts on stale state.
export function useShortcuts(map) {
  const latest = useRef(map);
  latest.current = map;
  useEffect(() => {
    const onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event.target) && event.key !== "Escape") return;
      const action = latest.current[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

export function countdown(dueIso, now, t) {
  const seconds = Math.round((Date.parse(dueIso) - now) / 1000);
  const abs = Math.abs(seconds);
  const text = abs >= 3600 ? `${Math.floor(abs / 3600)}h ${Math.floor((abs % 3600) / 60)}m` : abs >= 60 ? `${Math.floor(abs / 60)}m ${abs % 60}s` : `${abs}s`;
  return { overdue: seconds < 0, urgent: seconds >= 0 && seconds <= 60, text: seconds < 0 ? `${t("overdue by")} ${text}` : `${t("due in")} ${text}` };
}

export const time = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { hour12: false }) : "—");
export const percent = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`);
export const seconds = (value) => (value === null || value === undefined ? "—" : value >= 60 ? `${(value / 60).toFixed(1)} min` : `${Math.round(value)} s`);

export function ErrorLine({ error }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.status ? `${error.status}: ` : ""}
      {error.message}
    </p>
  );
}
