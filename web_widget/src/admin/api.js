// The admin console's HTTP calls, as the agent console makes them: same-origin JSON, the staff
// cookie sent by the browser and the CSRF token on every POST, PUT and DELETE. Errors come
// back as `ApiError` with the server's code, message and details.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export function createApi({ onUnauthorized, onForbidden }) {
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
      throw new ApiError(0, "network", String((err && err.message) || err));
    }
    if (response.status === 204) return null;
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    if (response.ok) return data;
    const error = (data && data.error) || {};
    const failure = new ApiError(response.status, error.code || `http_${response.status}`, error.message, error.details);
    if (!path.startsWith("/api/auth/")) {
      // A session that ended sends the admin back to sign in; an account that lost its admin
      // role is shown the way to the agent console.
      if (response.status === 401) onUnauthorized();
      else if (response.status === 403 && failure.code === "role_required") onForbidden();
    }
    throw failure;
  }

  const doc = (id, what = "") => `/api/admin/kb/documents/${encodeURIComponent(id)}${what ? `/${what}` : ""}`;

  return {
    setCsrf(token) { csrf = token || null; },
    get: (path) => request("GET", path),
    post: (path, body = {}) => request("POST", path, body),
    put: (path, body = {}) => request("PUT", path, body),
    del: (path) => request("DELETE", path),
    doc,
  };
}

// "/path?since=…&until=…" from the entries with a value.
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value != null && value !== "") query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
