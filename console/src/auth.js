// Sign-in with the Cognito user pool's SRP flow (amazon-cognito-identity-js). Tokens live in memory
// only: a page reload signs the user out, and nothing is left in localStorage for another script.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  removeItem(key) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

export function decodeClaims(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const json = decodeURIComponent(
    atob(payload)
      .split("")
      .map((c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0"))
      .join(""),
  );
  return JSON.parse(json);
}

export function sessionOf(token) {
  const claims = decodeClaims(token);
  const groups = claims["cognito:groups"] || [];
  const roles = ["operator", "admin", "supervisor", "agent"];
  return {
    token,
    username: claims["cognito:username"] || claims.sub,
    brand: claims["custom:brand_id"],
    skills: (claims["custom:skills"] || "").split(" ").filter(Boolean),
    role: roles.find((role) => groups.includes(role)) || "agent",
    expiresAt: claims.exp * 1000,
  };
}

export class Auth {
  constructor(config) {
    this.storage = new MemoryStorage();
    this.pool = new CognitoUserPool({
      UserPoolId: config.userPoolId,
      ClientId: config.clientId,
      Storage: this.storage,
      ...(config.cognitoEndpoint ? { endpoint: new URL(config.cognitoEndpoint, window.location.href).href } : {}),
    });
    this.pending = null;
  }

  // Resolves to {session} when signed in, or {challenge: "new_password" | "totp"} to answer next.
  signIn(username, password) {
    const user = new CognitoUser({ Username: username, Pool: this.pool, Storage: this.storage });
    user.setAuthenticationFlowType("USER_SRP_AUTH");
    this.pending = user;
    return new Promise((resolve, reject) => {
      user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), this.callbacks(resolve, reject));
    });
  }

  answer(challenge, value) {
    const user = this.pending;
    return new Promise((resolve, reject) => {
      const callbacks = this.callbacks(resolve, reject);
      if (challenge === "new_password") user.completeNewPasswordChallenge(value, {}, callbacks);
      else user.sendMFACode(value, callbacks, "SOFTWARE_TOKEN_MFA");
    });
  }

  callbacks(resolve, reject) {
    return {
      onSuccess: (result) => resolve({ session: sessionOf(result.getIdToken().getJwtToken()) }),
      onFailure: (error) => reject(error),
      newPasswordRequired: () => resolve({ challenge: "new_password" }),
      totpRequired: () => resolve({ challenge: "totp" }),
      mfaRequired: () => resolve({ challenge: "totp" }),
    };
  }

  signOut() {
    if (this.pending) this.pending.signOut();
    this.pending = null;
    this.storage.clear();
  }
}
