// The consoles' HTTP calls (the agents' and the admins'): same-origin JSON, the staff cookie
// sent by the browser and the CSRF token on every POST, PUT and DELETE. Errors come back as
// `ApiError` with the server's code, message and details.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

// `onUnauthorized`: the session ended (expired, signed out elsewhere): back to sign in.
// `onForbidden`: the account lacks the console's role (`role_required`).
export function createHttp({ onUnauthorized, onForbidden = () => {} }) {
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
      if (response.status === 401) onUnauthorized();
      else if (response.status === 403 && failure.code === "role_required") onForbidden();
    }
    throw failure;
  }

  return {
    setCsrf(token) { csrf = token || null; },
    get: (path) => request("GET", path),
    post: (path, body = {}) => request("POST", path, body),
    put: (path, body = {}) => request("PUT", path, body),
    del: (path) => request("DELETE", path),
  };
}
