import { useState } from "preact/hooks";
import { useApp } from "../common.jsx";

export function SignIn({ auth, notice, onSignedIn, languageSwitch }) {
  const { t } = useApp();
  const [challenge, setChallenge] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const result = challenge
        ? await auth.answer(challenge, String(form.get("answer")))
        : await auth.signIn(String(form.get("username")).trim(), String(form.get("password")));
      if (result.session) onSignedIn(result.session);
      else setChallenge(result.challenge);
    } catch (failure) {
      setError(failure.message || String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">{t("LiveDesk console")}</h1>
        {notice && <p class="notice" role="status">{t(notice)}</p>}
        {challenge ? (
          <label>
            {t(challenge === "new_password" ? "New password" : "Authenticator code")}
            <input name="answer" type={challenge === "new_password" ? "password" : "text"} autocomplete="off" required autofocus />
          </label>
        ) : (
          <>
            <label>
              {t("Username")}
              <input name="username" autocomplete="username" required autofocus />
            </label>
            <label>
              {t("Password")}
              <input name="password" type="password" autocomplete="current-password" required />
            </label>
          </>
        )}
        {error && <p class="error" role="alert">{t("Sign-in failed")}: {error}</p>}
        <button type="submit" class="primary" disabled={busy}>{challenge ? t("Continue") : t("Sign in")}</button>
        <p class="aside">{languageSwitch}</p>
      </form>
    </main>
  );
}
