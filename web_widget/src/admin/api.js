// The admin console's HTTP calls (src/console/http.js, as the agent console makes them), and
// where a document lives.
import { ApiError, createHttp } from "../console/http.js";

export { ApiError };

export function createApi({ onUnauthorized, onForbidden }) {
  return {
    ...createHttp({ onUnauthorized, onForbidden }),
    doc: (id, what = "") => `/api/admin/kb/documents/${encodeURIComponent(id)}${what ? `/${what}` : ""}`,
  };
}

// "/path?since=…&until=…" from the entries with a value.
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value != null && value !== "") query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
