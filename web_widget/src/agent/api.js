// The console's HTTP calls: same-origin JSON, the staff cookie sent by the browser, and the
// CSRF token on every POST. Errors come back as `ApiError` with the server's code and details.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export function createApi({ onUnauthorized }) {
  let csrf = null;

  async function request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (err) {
      throw new ApiError(0, "network", String(err && err.message || err));
    }
    if (response.status === 204) return null;
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    if (response.ok) return data;
    const error = (data && data.error) || {};
    const failure = new ApiError(response.status, error.code || `http_${response.status}`, error.message, error.details);
    // A session that ended (expired, signed out elsewhere) sends the agent back to sign in.
    if (response.status === 401 && !path.startsWith("/api/auth/")) onUnauthorized();
    throw failure;
  }

  return {
    setCsrf(token) { csrf = token || null; },
    get: (path) => request("GET", path),
    post: (path, body = {}) => request("POST", path, body),
    conv: (id, what) => `/api/agent/conversations/${encodeURIComponent(id)}/${what}`,
  };
}
