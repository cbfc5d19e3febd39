// window.Aisle, the embed API: init (once), open, close, sendMessage, identify (queued until
// the widget exists), on/off for its events, each also dispatched on window as `aisle:<event>`.
// With the script's data-* attributes it initialises itself unless data-auto-init="false".
export const VERSION = "0.2.0";

// create(opts, emit): the widget, with open, close, sendMessage and identify.
export function installApi(create, script) {
  if (window.Aisle && window.Aisle.version) return; // the script was included twice

  const listeners = new Map(); // event -> Set of handlers
  function emit(event, detail) {
    for (const fn of listeners.get(event) || []) {
      try { fn(detail); } catch (err) { console.error("Aisle listener failed", err); }
    }
    window.dispatchEvent(new CustomEvent(`aisle:${event}`, { detail }));
  }

  let widget = null;
  let starting = false;
  const queued = []; // calls made before the widget exists
  const call = (name, ...args) => { if (widget) widget[name](...args); else queued.push([name, args]); };
  const api = {
    version: VERSION,
    init(opts = {}) {
      if (widget || starting) return; // idempotent
      starting = true;
      const start = () => {
        widget = create(opts, emit);
        for (const [name, args] of queued.splice(0)) widget[name](...args);
      };
      if (document.body) start(); else document.addEventListener("DOMContentLoaded", start, { once: true });
    },
    open() { call("open"); },
    close() { call("close"); },
    sendMessage(text) { call("sendMessage", text); },
    identify(token) { call("identify", token); },
    on(event, fn) {
      if (typeof fn !== "function") throw new TypeError("Aisle.on needs a function");
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return () => api.off(event, fn);
    },
    off(event, fn) { const set = listeners.get(event); if (set) set.delete(fn); },
  };
  window.Aisle = api;

  if (script && script.dataset.autoInit !== "false") {
    const d = script.dataset;
    api.init({
      server: d.server, title: d.title, greeting: d.greeting, accent: d.accent,
      avatar: d.avatar, lang: d.lang, position: d.position,
    });
  }
}
