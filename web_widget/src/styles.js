// The widget's stylesheet, inside its shadow root: nothing leaks in or out. Stores theme it
// with CSS variables on the host (`#aisle-widget { --aisle-accent: #0a7d4f }`) or with the
// `accent` and `colors` options. Default colours meet WCAG AA contrast. The host's own
// declarations are !important: in a shadow root's styles those outrank even the page's
// !important rules on the host element, so nothing the page says is inherited inside.
export const CSS = `
:host { --aisle-accent: #2f5bea; --aisle-accent-fg: #fff; --aisle-bg: #fff; --aisle-fg: #1d2330;
  --aisle-muted: #545b69; --aisle-bot-bg: #f1f3f7; --aisle-user-bg: var(--aisle-accent);
  --aisle-user-fg: var(--aisle-accent-fg); --aisle-notice-bg: #fff6db; --aisle-border: #d5d9e1;
  --aisle-danger: #b91c1c; --aisle-radius: 14px; --aisle-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  all: initial !important; position: fixed !important; right: 20px !important; bottom: 20px !important;
  z-index: 2147483000 !important; display: block !important; visibility: visible !important;
  font: 14px/1.45 var(--aisle-font) !important; color: var(--aisle-fg) !important; }
:host([data-position="left"]) { right: auto !important; left: 20px !important; }
* { box-sizing: border-box; }
button { font: inherit; }
.launcher { width: 58px; height: 58px; border-radius: 50%; border: 0; cursor: pointer; float: right;
  background: var(--aisle-accent); color: var(--aisle-accent-fg); box-shadow: 0 4px 14px rgba(0,0,0,.25);
  position: relative; display: grid; place-items: center; }
:host([data-position="left"]) .launcher { float: left; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.launcher img { width: 100%; height: 100%; border-radius: 50%; object-fit: cover; }
:focus-visible { outline: 3px solid #0b1f66; outline-offset: 2px; }
.header :focus-visible { outline-color: var(--aisle-accent-fg); }
.aisle-badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px;
  background: #c8102e; color: #fff; font-size: 12px; line-height: 20px; padding: 0 5px; text-align: center; }
.panel { position: absolute; right: 0; bottom: 70px; width: min(380px, calc(100vw - 40px));
  height: min(580px, calc(100vh - 110px)); background: var(--aisle-bg); border: 1px solid var(--aisle-border);
  border-radius: var(--aisle-radius); box-shadow: 0 10px 40px rgba(0,0,0,.2); display: flex; flex-direction: column; overflow: hidden; }
:host([data-position="left"]) .panel { right: auto; left: 0; }
[hidden] { display: none !important; }
.header { background: var(--aisle-accent); color: var(--aisle-accent-fg); padding: 10px 12px 10px 14px;
  display: flex; align-items: center; gap: 10px; }
.avatar { width: 32px; height: 32px; border-radius: 50%; object-fit: cover; background: var(--aisle-accent-fg); }
.heading { flex: 1; min-width: 0; }
.aisle-title { font-weight: 600; margin: 0; font-size: 15px; color: inherit; }
.conn { display: block; font-size: 12px; min-height: 0; }
.close { background: none; border: 0; color: inherit; font-size: 24px; cursor: pointer; line-height: 1;
  width: 36px; height: 36px; border-radius: 8px; }
.aisle-banner { background: var(--aisle-notice-bg); padding: 8px 14px; font-size: 13px; border-bottom: 1px solid var(--aisle-border); }
.aisle-log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.aisle-msg { display: flex; flex-direction: column; gap: 6px; align-items: flex-start; max-width: 100%; }
.aisle-msg.aisle-user { align-items: flex-end; }
.aisle-msg.aisle-system, .aisle-msg.aisle-notice { align-items: center; }
.aisle-empty { display: none; }
.bubble { max-width: 84%; padding: 8px 11px; border-radius: 12px; overflow-wrap: anywhere; }
.bubble p { margin: 0; } .bubble p + p, .bubble ul, .bubble ol { margin: 6px 0 0; }
.bubble ul, .bubble ol { padding-left: 20px; }
.bubble code { font-family: ui-monospace, monospace; font-size: 12.5px; background: rgba(0,0,0,.06); padding: 0 3px; border-radius: 4px; }
.bubble a { color: inherit; }
.aisle-bot .bubble, .aisle-agent .bubble { background: var(--aisle-bot-bg); border-bottom-left-radius: 4px; }
.aisle-user .bubble { background: var(--aisle-user-bg); color: var(--aisle-user-fg); white-space: pre-wrap; border-bottom-right-radius: 4px; }
.aisle-local .bubble { opacity: .7; }
.aisle-system .bubble, .aisle-notice .bubble { max-width: 92%; font-size: 13px; text-align: center;
  background: var(--aisle-notice-bg); color: var(--aisle-fg); border-radius: 8px; padding: 6px 10px; }
.aisle-draft .bubble { border: 1px dashed var(--aisle-border); }
.who { font-size: 11.5px; font-weight: 600; color: var(--aisle-muted); }
.bubble img, .card-art img { display: block; max-width: 100%; border-radius: 8px; }
.aisle-failed { font-size: 12px; color: var(--aisle-danger); align-self: flex-end; }
.aisle-failed button, .link-button { color: inherit; text-decoration: underline; background: none; border: 0; cursor: pointer; padding: 0; }
.aisle-replies { display: flex; flex-wrap: wrap; gap: 6px; }
.aisle-reply { border: 1px solid var(--aisle-accent); color: var(--aisle-accent); background: var(--aisle-bg);
  border-radius: 16px; padding: 5px 12px; cursor: pointer; }
.aisle-reply:disabled { border-color: var(--aisle-border); color: var(--aisle-muted); cursor: default; }
.aisle-carousel { position: relative; width: 100%; }
.aisle-cards { display: flex; gap: 10px; overflow-x: auto; scroll-snap-type: x mandatory; padding: 2px 2px 8px;
  margin: 0; list-style: none; scroll-behavior: smooth; }
.aisle-card { flex: 0 0 200px; scroll-snap-align: start; border: 1px solid var(--aisle-border); border-radius: 12px;
  background: var(--aisle-bg); display: flex; flex-direction: column; overflow: hidden; }
.card-art { height: 84px; display: grid; place-items: center; font-size: 30px; font-weight: 700; color: #fff;
  background: linear-gradient(135deg, var(--aisle-accent), #0b1f66); }
.card-art img { width: 100%; height: 100%; object-fit: cover; border-radius: 0; }
.card-body { padding: 8px 10px 10px; display: flex; flex-direction: column; gap: 3px; flex: 1; }
.aisle-card-name { font-weight: 600; margin: 0; font-size: 14px; }
.card-options, .card-reason, .card-stock { font-size: 12.5px; color: var(--aisle-muted); margin: 0; }
.card-stock.out { color: var(--aisle-danger); }
.aisle-card-price { font-weight: 600; margin: 0; }
.card-buttons { display: flex; flex-wrap: wrap; gap: 5px; margin-top: auto; padding-top: 6px; }
.card-buttons button { border: 1px solid var(--aisle-accent); background: var(--aisle-bg); color: var(--aisle-accent);
  border-radius: 8px; padding: 3px 8px; font-size: 12.5px; cursor: pointer; }
.card-buttons button.primary { background: var(--aisle-accent); color: var(--aisle-accent-fg); }
.carousel-nav { display: flex; justify-content: space-between; align-items: center; font-size: 12px; color: var(--aisle-muted); }
.carousel-nav button { border: 1px solid var(--aisle-border); background: var(--aisle-bg); color: var(--aisle-fg);
  border-radius: 50%; width: 28px; height: 28px; cursor: pointer; }
.aisle-order, .aisle-compare { border: 1px solid var(--aisle-border); border-radius: 12px; padding: 10px 12px;
  width: 92%; background: var(--aisle-bg); }
.aisle-order h3 { margin: 0 0 4px; font-size: 14px; }
.aisle-order dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 6px 0 0; font-size: 13px; }
.aisle-order dt { color: var(--aisle-muted); } .aisle-order dd { margin: 0; }
.aisle-order ul { margin: 4px 0 0; padding-left: 18px; font-size: 13px; }
.aisle-compare { overflow-x: auto; padding: 6px; }
.aisle-compare table { border-collapse: collapse; font-size: 12.5px; width: 100%; }
.aisle-compare th, .aisle-compare td { border-bottom: 1px solid var(--aisle-border); padding: 4px 6px; text-align: left; vertical-align: top; }
.aisle-compare tr.differs td { font-weight: 600; }
.aisle-sources { font-size: 12.5px; margin: 0; padding: 0 0 0 4px; list-style: none; max-width: 92%; }
.aisle-sources a { color: var(--aisle-accent); }
.aisle-rating { align-self: center; text-align: center; border: 1px solid var(--aisle-border); border-radius: 12px; padding: 8px 12px; }
.aisle-rating p { margin: 0 0 4px; font-size: 13px; }
.aisle-rating button { background: none; border: 0; font-size: 24px; line-height: 1; cursor: pointer; color: #8a6d00; padding: 2px 3px; }
.aisle-rating button:hover, .aisle-rating button:focus-visible { color: #5c4a00; }
.aisle-typing { padding: 0 14px 6px; color: var(--aisle-muted); font-size: 12px; }
.aisle-typing span { display: inline-block; width: 6px; height: 6px; margin-right: 3px; border-radius: 50%;
  background: var(--aisle-muted); animation: aisle-blink 1.2s infinite; }
.aisle-typing span:nth-child(2) { animation-delay: .2s; } .aisle-typing span:nth-child(3) { animation-delay: .4s; }
@keyframes aisle-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
.form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid var(--aisle-border); }
.input { flex: 1; border: 1px solid #8b93a3; border-radius: 8px; padding: 8px 10px; font: inherit;
  color: var(--aisle-fg); background: var(--aisle-bg); min-width: 0; }
.send { border: 0; border-radius: 8px; padding: 0 14px; background: var(--aisle-accent);
  color: var(--aisle-accent-fg); font-weight: 600; cursor: pointer; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 520px) {
  :host([data-open]) { inset: 0 !important; }
  :host([data-open]) .panel { position: fixed; inset: 0; width: 100vw; height: 100vh; height: 100dvh;
    border-radius: 0; border: 0; }
  :host([data-open]) .launcher { display: none; }
}
@media (prefers-reduced-motion: reduce) { .aisle-typing span { animation: none; } .aisle-cards { scroll-behavior: auto; } }`;
