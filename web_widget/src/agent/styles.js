// The console's stylesheet (every class `ac-`), added after the widget's so the transcript is
// drawn as the shopper saw it. Colours meet WCAG AA contrast. Three columns on a laptop
// (inbox, conversation, context); below 1100 px one pane at a time, with a way back.
export const CONSOLE_CSS = `
:root { --ac-ink: #1d2330; --ac-muted: #4f5665; --ac-line: #d5d9e1; --ac-bg: #f3f5f8; --ac-panel: #fff;
  --ac-accent: #2f5bea; --ac-accent-ink: #1c3fb8; --ac-focus: #0b1f66; --ac-danger: #a30f0f;
  --ac-note-bg: #fff7dc; --ac-note-line: #d8a400; --ac-note-ink: #5c4300; }
html, body { height: 100%; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ac-ink); background: var(--ac-bg); }
h1, h2, h3 { margin: 0; line-height: 1.25; }
:focus-visible { outline: 3px solid var(--ac-focus); outline-offset: 2px; }
.ac-skip { position: absolute; left: 8px; top: -40px; background: #fff; padding: 6px 10px; z-index: 10; border-radius: 6px; color: var(--ac-accent-ink); }
.ac-skip:focus { top: 8px; }
.ac-btn { font: inherit; border: 1px solid #8b93a3; background: #fff; color: var(--ac-ink); border-radius: 8px;
  padding: 6px 12px; cursor: pointer; white-space: nowrap; }
.ac-btn:hover:not(:disabled) { background: #eef1f6; }
.ac-btn:disabled { opacity: .6; cursor: default; }
.ac-btn-primary { background: var(--ac-accent); border-color: var(--ac-accent); color: #fff; font-weight: 600; }
.ac-btn-primary:hover:not(:disabled) { background: var(--ac-accent-ink); }
.ac-btn-resolve { border-color: #0f6b3a; color: #0f5132; }
.ac-btn-quiet { border-color: var(--ac-line); }
.ac-btn-note { background: var(--ac-note-line); border-color: #b58900; color: #2b1f00; font-weight: 600; }
.ac-btn-note:hover:not(:disabled) { background: #c79500; }
.ac-select, .ac-input, .ac-textarea { font: inherit; color: var(--ac-ink); background: #fff; border: 1px solid #8b93a3; border-radius: 8px; padding: 6px 8px; }
.ac-textarea { width: 100%; resize: vertical; min-height: 44px; }
.ac-textarea:disabled, .ac-select:disabled { background: #eceff3; color: var(--ac-muted); }
.ac-muted { color: var(--ac-muted); margin: 0; }
.ac-error { color: var(--ac-danger); margin: 6px 0 0; font-weight: 600; }
.ac-info { background: #e8eefc; border-radius: 8px; padding: 8px 10px; margin: 0 0 12px; }
.ac-pill { display: inline-block; border-radius: 999px; padding: 1px 8px; font-size: 12px; font-weight: 600; background: #e9ecf1; color: #333a47; }
.ac-status-requested { background: #fff0c2; color: #5c4300; }
.ac-status-active { background: #dcf2e4; color: #0f5132; }
.ac-status-offline { background: #e6e1f7; color: #402a8c; }
.ac-sla { background: #fde3e3; color: var(--ac-danger); }
.ac-new { background: var(--ac-accent); color: #fff; }

/* sign-in */
.ac-login { min-height: 100%; display: flex; flex-direction: column; }
.ac-login-top { display: flex; justify-content: space-between; align-items: center; padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--ac-line); }
.ac-login-main { flex: 1; display: grid; place-items: center; padding: 24px 16px; }
.ac-login-form { width: min(380px, 100%); background: #fff; border: 1px solid var(--ac-line); border-radius: 14px; padding: 24px; box-shadow: 0 4px 18px rgba(0,0,0,.06); }
.ac-login-form h1 { font-size: 20px; margin-bottom: 16px; }
.ac-field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 14px; }
.ac-field label { font-weight: 600; }
.ac-input { padding: 8px 10px; }
.ac-input[aria-invalid="true"] { border-color: var(--ac-danger); }
.ac-wide { width: 100%; margin-top: 12px; padding: 9px; }
.ac-brand { font-weight: 800; font-size: 18px; color: var(--ac-accent-ink); margin: 0; }
.ac-lang { display: flex; align-items: center; gap: 6px; }
.ac-lang-label { font-size: 13px; color: var(--ac-muted); }

/* the console */
.ac-app { height: 100vh; height: 100dvh; display: grid; grid-template-columns: 300px minmax(0, 1fr) 320px;
  grid-template-rows: auto minmax(0, 1fr); grid-template-areas: "head head head" "inbox conv ctx"; }
.ac-header { grid-area: head; display: flex; flex-wrap: wrap; align-items: center; gap: 6px 18px; padding: 8px 16px;
  background: #fff; border-bottom: 1px solid var(--ac-line); }
.ac-header h1 { font-size: 18px; }
.ac-presence { margin: 0; flex: 1; min-width: 200px; color: var(--ac-muted); font-size: 13px; display: flex; gap: 10px; align-items: center; }
.ac-conn::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #8b93a3; margin-right: 5px; }
.ac-conn-live::before { background: #13814a; }
.ac-conn-reconnecting::before, .ac-conn-refused::before { background: var(--ac-danger); }
.ac-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 14px; }
.ac-prefs { display: flex; gap: 12px; }
.ac-toggle { display: inline-flex; align-items: center; gap: 5px; cursor: pointer; font-size: 13px; }
.ac-toggle input { width: 16px; height: 16px; margin: 0; accent-color: var(--ac-accent); }

.ac-inbox { grid-area: inbox; background: #fff; border-right: 1px solid var(--ac-line); display: flex; flex-direction: column; min-height: 0; }
.ac-inbox-h { font-size: 15px; padding: 12px 14px 6px; }
.ac-tabs { display: flex; flex-wrap: wrap; gap: 4px 2px; padding: 0 8px 8px; border-bottom: 1px solid var(--ac-line); }
.ac-tab { font: inherit; font-size: 13px; border: 1px solid transparent; background: none; border-radius: 999px; padding: 4px 7px; cursor: pointer; color: var(--ac-ink); }
.ac-tab:hover { background: #eef1f6; }
.ac-tab[aria-selected="true"] { background: var(--ac-accent); color: #fff; font-weight: 600; }
.ac-count { display: inline-block; min-width: 18px; padding: 0 5px; border-radius: 9px; background: #e3e7ee; color: var(--ac-ink); font-size: 12px; text-align: center; }
.ac-tab[aria-selected="true"] .ac-count { background: #fff; color: var(--ac-accent-ink); }
.ac-tabpanel { flex: 1; overflow-y: auto; min-height: 0; }
.ac-rows { list-style: none; margin: 0; padding: 0; }
.ac-row { display: flex; flex-direction: column; gap: 3px; width: 100%; text-align: left; font: inherit; color: inherit; background: #fff;
  border: 0; border-bottom: 1px solid var(--ac-line); border-left: 4px solid transparent; padding: 10px 12px 10px 10px; cursor: pointer; }
.ac-row:hover { background: #f4f6fa; }
.ac-row[aria-current="true"] { background: #eaf0fe; border-left-color: var(--ac-accent); }
.ac-row:focus-visible { outline-offset: -3px; }
.ac-row-top { display: flex; justify-content: space-between; gap: 8px; }
.ac-row-name { font-weight: 700; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ac-row-wait { color: var(--ac-muted); font-size: 12.5px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.ac-row-reason { overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
.ac-row-meta { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; font-size: 12.5px; color: var(--ac-muted); }
.ac-row-email { font-size: 12.5px; color: #402a8c; overflow-wrap: anywhere; }
.ac-empty { color: var(--ac-muted); padding: 16px; margin: 0; }

.ac-main { grid-area: conv; display: flex; flex-direction: column; min-height: 0; min-width: 0; background: var(--ac-bg); }
.ac-main:focus { outline: none; }
.ac-conv { display: flex; flex-direction: column; min-height: 0; flex: 1; }
.ac-conv-head { background: #fff; border-bottom: 1px solid var(--ac-line); padding: 10px 16px; display: flex; flex-direction: column; gap: 8px; }
.ac-back { display: none; align-self: flex-start; }
.ac-title-row { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 12px; }
.ac-conv-title { font-size: 18px; }
.ac-conv-title:focus { outline: none; }
.ac-conv-title:focus-visible { outline: 3px solid var(--ac-focus); }
.ac-conv-badges { margin: 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; font-size: 13px; color: var(--ac-muted); }
.ac-wait { font-variant-numeric: tabular-nums; }
.ac-actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.ac-taken, .ac-held { margin: 0; font-weight: 600; }
.ac-taken { color: #7a3b00; }
.ac-held { color: #0f5132; }
.ac-transfer { display: flex; gap: 6px; }
.ac-status { margin: 0; font-size: 13px; color: var(--ac-muted); }
.ac-status:empty { display: none; }
.ac-holder { display: contents; }
.ac-summary { background: #f7f9fd; border: 1px solid var(--ac-line); border-left: 4px solid var(--ac-accent); border-radius: 8px; padding: 8px 12px; }
.ac-reason { margin: 0; font-size: 15px; }
.ac-summary-text { margin: 4px 0 0; color: var(--ac-muted); font-size: 13px; }
.ac-clamp { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.ac-link { font: inherit; font-size: 13px; background: none; border: 0; padding: 0; color: var(--ac-accent-ink); text-decoration: underline; cursor: pointer; }

.ac-transcript { --aisle-accent: #2f5bea; --aisle-accent-fg: #fff; --aisle-bg: #fff; --aisle-fg: #1d2330; --aisle-muted: #545b69;
  --aisle-bot-bg: #fff; --aisle-user-bg: var(--aisle-accent); --aisle-user-fg: #fff; --aisle-notice-bg: #fff6db;
  --aisle-border: #d5d9e1; --aisle-danger: #b91c1c; --aisle-radius: 14px;
  flex: 1; min-height: 0; overflow-y: auto; padding: 12px 16px; display: flex; flex-direction: column; gap: 10px; }
.ac-transcript .aisle-bot .bubble, .ac-transcript .aisle-agent .bubble { border: 1px solid var(--aisle-border); }
.ac-transcript .aisle-agent .bubble { background: #eef3ff; }
.ac-transcript .bubble { max-width: min(84%, 640px); }
.ac-transcript .aisle-order, .ac-transcript .aisle-compare { max-width: 520px; }
.ac-transcript .aisle-carousel { max-width: 100%; }
.ac-meta { font-size: 12px; color: var(--ac-muted); }
.ac-typing { margin: 0; padding: 2px 16px 6px; font-size: 13px; color: var(--ac-muted); font-style: italic; }
.ac-composer { background: #fff; border-top: 1px solid var(--ac-line); padding: 10px 16px 12px; display: flex; flex-direction: column; gap: 6px; }
.ac-composer-top { display: flex; justify-content: space-between; align-items: center; gap: 8px; flex-wrap: wrap; }
.ac-label { font-weight: 600; }
.ac-saved { max-width: 300px; }
.ac-composer-bottom { display: flex; justify-content: space-between; align-items: center; gap: 10px; }
.ac-hint { margin: 0; font-size: 13px; color: var(--ac-muted); }
.ac-composer.ac-off .ac-hint { color: #7a3b00; font-weight: 600; }

.ac-context { grid-area: ctx; background: #fff; border-left: 1px solid var(--ac-line); overflow-y: auto; min-height: 0; }
.ac-context-body { display: flex; flex-direction: column; }
.ac-card { padding: 12px 14px; border-bottom: 1px solid var(--ac-line); }
.ac-card h3 { font-size: 14px; margin-bottom: 6px; }
.ac-dl { display: grid; grid-template-columns: auto 1fr; gap: 3px 10px; margin: 0; font-size: 13px; }
.ac-dl dt { color: var(--ac-muted); } .ac-dl dd { margin: 0; overflow-wrap: anywhere; }
.ac-dl + .ac-dl, .ac-muted + .ac-dl { margin-top: 6px; }
.ac-orders { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; font-size: 13px; }
.ac-order-head { display: flex; justify-content: space-between; gap: 6px; align-items: center; }
.ac-notes { background: var(--ac-note-bg); border-top: 3px solid var(--ac-note-line); }
.ac-notes h3 { color: var(--ac-note-ink); }
.ac-note-list { list-style: none; margin: 0 0 8px; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.ac-note { background: #fff; border: 1px solid #e6cf80; border-radius: 8px; padding: 6px 8px; }
.ac-note .ac-meta { color: var(--ac-note-ink); }
.ac-note-text { margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.ac-note-form { display: flex; flex-direction: column; gap: 4px; }
.ac-note-label { font-weight: 700; color: var(--ac-note-ink); font-size: 13px; }
.ac-note-form .ac-textarea { border-color: #b58900; }
.ac-row-end { display: flex; justify-content: flex-end; }

@media (max-width: 1279px) { .ac-app { grid-template-columns: 280px minmax(0, 1fr) 300px; } }
/* Tablets and narrow windows: one pane at a time; the context follows the conversation. */
@media (max-width: 1099px) {
  .ac-app { height: auto; min-height: 100vh; grid-template-columns: minmax(0, 1fr); grid-template-rows: auto;
    grid-template-areas: none; align-content: start; }
  .ac-app > * { grid-area: auto; }
  .ac-app[data-view="inbox"] { grid-template-rows: auto 1fr; align-content: stretch; }
  .ac-app[data-view="inbox"] .ac-context { display: none; }
  /* kept for screen readers (the page's main landmark), out of sight */
  .ac-app[data-view="inbox"] .ac-main { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .ac-app[data-view="conversation"] .ac-inbox { display: none; }
  .ac-inbox { border-right: 0; }
  .ac-tabpanel { overflow: visible; }
  .ac-back { display: inline-block; }
  .ac-transcript { flex: none; height: 55vh; min-height: 320px; }
  .ac-context { border-left: 0; border-top: 1px solid var(--ac-line); overflow: visible; }
  .ac-context-body { display: grid; grid-template-columns: 1fr 1fr; }
  .ac-context-body .ac-notes, .ac-context-body [data-testid="search"] { grid-column: 1 / -1; }
}
@media (max-width: 600px) { .ac-context-body { grid-template-columns: 1fr; } }
`;
