// The ring of a new hand-off: a short chime made by WebAudio (no sound file: the page's CSP
// allows none from elsewhere) and a browser notification. Each is the agent's choice, kept
// in localStorage. Browsers only let sound play and ask for notifications after a gesture,
// so the audio context is opened on the first click or key press.

const PREFIX = "aisle-agent:";

export const prefs = {
  get(name, fallback) {
    try {
      const value = localStorage.getItem(PREFIX + name);
      return value == null ? fallback : value === "1";
    } catch { return fallback; }
  },
  set(name, on) {
    try { localStorage.setItem(PREFIX + name, on ? "1" : "0"); } catch { /* private mode */ }
  },
};

let audio = null;

function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!audio) {
    try { audio = new Context(); } catch { return null; }
  }
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

// Unlock audio with the first gesture, so a ring that comes later can be heard.
export function unlockAudioOnGesture() {
  const unlock = () => {
    if (prefs.get("sound", true)) audioContext();
    window.removeEventListener("pointerdown", unlock);
    window.removeEventListener("keydown", unlock);
  };
  window.addEventListener("pointerdown", unlock);
  window.addEventListener("keydown", unlock);
}

// Two short rising tones, about half a second.
export function chime() {
  const ctx = audioContext();
  if (!ctx) return;
  const start = ctx.currentTime + 0.01;
  [[660, 0], [880, 0.18]].forEach(([freq, offset]) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.26);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.3);
  });
}

export function notificationsSupported() {
  return typeof window.Notification === "function";
}

export function notificationPermission() {
  return notificationsSupported() ? Notification.permission : "denied";
}

// Asked from the toggle's click (a user gesture); true when notifications may be shown.
export async function askNotificationPermission() {
  if (!notificationsSupported()) return false;
  if (Notification.permission === "granted") return true;
  if (Notification.permission === "denied") return false;
  try { return (await Notification.requestPermission()) === "granted"; } catch { return false; }
}

export function notify(title, body, tag, onClick) {
  if (notificationPermission() !== "granted") return;
  try {
    const n = new Notification(title, { body, tag, renotify: true });
    n.onclick = () => { window.focus(); n.close(); onClick(); };
  } catch { /* some browsers only notify from a service worker */ }
}
