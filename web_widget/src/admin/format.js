// Numbers, rates, durations and dates as an admin reads them, in the console's language.

export function when(iso, lang) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(date);
  } catch {
    return date.toISOString();
  }
}

export function day(iso, lang) {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(date);
  } catch {
    return iso;
  }
}

export function number(value, lang, digits = 0) {
  const n = Number(value);
  if (!Number.isFinite(n)) return "—";
  try {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);
  } catch {
    return String(n);
  }
}

export function score(value, lang) {
  if (value == null) return "—";
  const n = Number(value);
  if (!Number.isFinite(n)) return "—";
  try {
    return new Intl.NumberFormat(lang, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(n);
  } catch {
    return n.toFixed(3);
  }
}

// A rate ({value, numerator, denominator}) as "43 %"; "—" when it is over nothing.
export function percent(rate, lang) {
  if (!rate || !rate.denominator) return "—";
  try {
    return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 }).format(rate.value);
  } catch {
    return `${Math.round(rate.value * 1000) / 10}%`;
  }
}

export function duration(seconds, t) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return t.seconds(s);
  const minutes = Math.floor(s / 60);
  if (minutes < 10 && s % 60) return t.minutesSeconds(minutes, s % 60);
  if (minutes < 60) return t.minutes(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t.hours(hours, minutes % 60);
  return t.days(Math.floor(hours / 24), hours % 24);
}

// YYYY-MM-DD of a Date, in UTC (the report's days are UTC days).
export function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

export function daysBack(n, today = new Date()) {
  const end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const start = new Date(end.getTime() - (n - 1) * 86400000);
  return { since: isoDay(start), until: isoDay(end) };
}
