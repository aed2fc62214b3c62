// The LiveDesk agent console: sign in, then the agent's queue and workspace, and the supervisor's cockpit.
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { createApi } from "./api.js";
import { Auth } from "./auth.js";
import { AppContext } from "./common.jsx";
import { translator } from "./i18n.js";
import { Cockpit } from "./views/Cockpit.jsx";
import { Queue } from "./views/Queue.jsx";
import { SignIn } from "./views/SignIn.jsx";
import { TicketView } from "./views/Ticket.jsx";

const OVERSEERS = ["supervisor", "admin", "operator"];

function useHashRoute() {
  const read = () => window.location.hash.replace(/^#\/?/, "").split("/");
  const [route, setRoute] = useState(read());
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

export const go = (path) => {
  window.location.hash = `#/${path}`;
};

function App({ config }) {
  const [lang, setLang] = useState(navigator.language && navigator.language.startsWith("zh") ? "zh" : "en");
  const [session, setSession] = useState(null);
  const [notice, setNotice] = useState(null);
  const auth = useMemo(() => new Auth(config), [config]);
  const t = useMemo(() => translator(lang), [lang]);
  const route = useHashRoute();

  const signOut = (message = null) => {
    auth.signOut();
    setSession(null);
    setNotice(message);
  };
  const api = useMemo(
    () => createApi(config.apiUrl, () => session && session.token, () => signOut("Your session ended. Please sign in again.")),
    [session],
  );
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  useEffect(() => {
    if (!session) return undefined; // an expired token sends the user back to sign in, even when idle
    const timer = setTimeout(() => signOut("Your session ended. Please sign in again."), Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [session]);

  const languageSwitch = (
    <button type="button" class="link" onClick={() => setLang(lang === "zh" ? "en" : "zh")} lang={lang === "zh" ? "en" : "zh"} title={t("Language")}>
      {lang === "zh" ? "English" : "中文"}
    </button>
  );
  if (!session) {
    return (
      <AppContext.Provider value={{ t, lang }}>
        <SignIn auth={auth} notice={notice} onSignedIn={(s) => { setSession(s); setNotice(null); }} languageSwitch={languageSwitch} />
      </AppContext.Provider>
    );
  }
  const oversees = OVERSEERS.includes(session.role);
  const [page, id] = route;
  const view =
    page === "ticket" && id ? <TicketView ticketId={id} key={id} /> : page === "cockpit" && oversees ? <Cockpit /> : <Queue />;
  return (
    <AppContext.Provider value={{ t, lang, api, session, oversees, config }}>
      <header class="topbar">
        <strong class="brand">LiveDesk</strong>
        <nav aria-label="main">
          <a href="#/queue" aria-current={page !== "cockpit" ? "page" : undefined}>{t("Queue")}</a>
          {oversees && <a href="#/cockpit" aria-current={page === "cockpit" ? "page" : undefined}>{t("Cockpit")}</a>}
        </nav>
        <span class="who">
          {session.username} · {session.brand} · {t(`role.${session.role}`)}
        </span>
        {languageSwitch}
        <button type="button" class="link" onClick={() => signOut()}>{t("Sign out")}</button>
      </header>
      <main>{view}</main>
    </AppContext.Provider>
  );
}

async function start() {
  const response = await fetch("./config.json", { cache: "no-store" });
  const config = await response.json();
  render(<App config={config} />, document.getElementById("app"));
}

start();
