// The agent console's HTTP calls (src/console/http.js), and where a conversation lives.
import { ApiError, createHttp } from "../console/http.js";

export { ApiError };

export function createApi({ onUnauthorized }) {
  return {
    ...createHttp({ onUnauthorized }),
    conv: (id, what) => `/api/agent/conversations/${encodeURIComponent(id)}/${what}`,
  };
}
