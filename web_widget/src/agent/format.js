// Times as an agent reads them: "3 min" waits that tick in the browser, clock times of messages.
// The server's clock is the reference: `syncClock(now)` keeps the skew from the inbox's `now`.

let skewMs = 0;

export function syncClock(serverNow) {
  const parsed = Date.parse(serverNow);
  if (Number.isFinite(parsed)) skewMs = parsed - Date.now();
}

export function serverNow() {
  return Date.now() + skewMs;
}

// How long the shopper has waited: live while nobody has claimed the hand-off, else the
// server's figure (requested → claimed).
export function waitedSeconds(item) {
  if (item.status === "requested" && item.requested_at) {
    const since = Date.parse(item.requested_at);
    if (Number.isFinite(since)) return Math.max(0, Math.floor((serverNow() - since) / 1000));
  }
  return Math.max(0, Number(item.waited_s) || 0);
}

// Past the first-response target: the server's flag, or the live wait past the target it
// gave with the inbox (`sla_first_response_s`).
export function slaBreached(item, slaSeconds) {
  if (item.sla_breached) return true;
  return item.status === "requested" && slaSeconds > 0 && waitedSeconds(item) > slaSeconds;
}

export function duration(seconds, t) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return t.seconds(s);
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return t.minutes(minutes);
  return t.hours(Math.floor(minutes / 60), minutes % 60);
}

export function clock(iso, lang) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const sameDay = new Date().toDateString() === date.toDateString();
  const opts = sameDay ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  try { return new Intl.DateTimeFormat(lang, opts).format(date); } catch { return date.toISOString(); }
}
