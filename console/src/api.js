// The LiveDesk HTTP API with the signed-in user's ID token. A 401 means the token expired or was
// refused: the app sends the user back to sign in.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function createApi(baseUrl, getToken, onUnauthorized) {
  async function call(method, path, body) {
    const response = await fetch(baseUrl.replace(/\/$/, "") + path, {
      method,
      headers: { authorization: `Bearer ${getToken()}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) {
      onUnauthorized();
      throw new ApiError(401, "signed out");
    }
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const detail = data && (data.message || data.detail);
      throw new ApiError(response.status, typeof detail === "string" ? detail : JSON.stringify(detail || response.statusText));
    }
    return data;
  }
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body || {}),
  };
}
