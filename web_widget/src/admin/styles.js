// The admin console's stylesheet (every class `ad-`), added after the widget's and the agent
// console's (whose buttons, fields, pills and sign-in page it shares). Colours meet WCAG AA
// contrast. A laptop shows the Markdown, its preview and the revisions side by side; below
// 1200 px the revisions go under them, and below 900 px (tablets) everything is one column.
export const ADMIN_CSS = `
.ad-app { min-height: 100vh; display: flex; flex-direction: column; }
.ad-header { position: sticky; top: 0; z-index: 5; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 22px;
  padding: 8px 20px; background: #fff; border-bottom: 1px solid var(--ac-line); }
.ad-nav-list { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 0; padding: 0; }
.ad-nav-link { display: block; padding: 6px 12px; border-radius: 8px; color: var(--ac-ink); text-decoration: none; font-weight: 600; }
.ad-nav-link:hover { background: #eef1f6; }
.ad-nav-link[aria-current="page"] { background: var(--ac-accent); color: #fff; }
.ad-tools { margin-left: auto; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; }
.ad-who { margin: 0; color: var(--ac-muted); font-size: 13px; }
.ad-main { flex: 1; width: 100%; max-width: 1440px; margin: 0 auto; padding: 18px 24px 48px; box-sizing: border-box; }
.ad-main:focus, .ad-main h1:focus { outline: none; }
.ad-main h1:focus-visible { outline: 3px solid var(--ac-focus); outline-offset: 2px; }
.ad-link-btn { display: inline-block; text-decoration: none; text-align: center; }
.ad-btn-small { padding: 3px 10px; font-size: 13px; }
.ad-btn-danger { border-color: #a30f0f; color: #a30f0f; }
.ad-btn-danger:hover:not(:disabled) { background: #fdecec; }
.ad-inline-link { color: var(--ac-accent-ink); font-weight: 600; }
.ad-muted { color: var(--ac-muted); margin: 0; }
.ad-small { font-size: 13px; }
.ad-hint { margin: 4px 0 0; font-size: 12.5px; color: var(--ac-muted); }
.ad-label { font-weight: 600; }
.ad-empty { color: var(--ac-muted); background: #fff; border: 1px dashed var(--ac-line); border-radius: 12px; padding: 18px; margin: 0; list-style: none; }
.ad-count { margin: 0 0 10px; color: var(--ac-muted); }
.ad-load p { margin: 8px 0; }
.ad-load-error { display: flex; gap: 12px; align-items: center; }
.ad-notadmin { display: flex; flex-direction: column; gap: 12px; }
.ad-notadmin h1 { margin: 0; }
.ad-notadmin p { margin: 0; }
.ad-notadmin h1:focus { outline: none; }

/* a page's heading */
.ad-page-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-end; gap: 12px 24px; margin-bottom: 14px; }
.ad-page-title { min-width: 0; flex: 1 1 420px; }
.ad-page-title h1 { font-size: 22px; }
.ad-intro { margin: 4px 0 0; color: var(--ac-muted); max-width: 80ch; }
.ad-page-tools { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }

/* tables */
.ad-table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; }
.ad-table { width: 100%; border-collapse: collapse; }
.ad-table th, .ad-table td { text-align: left; padding: 9px 12px; border-bottom: 1px solid var(--ac-line); vertical-align: top; }
.ad-table thead th { font-size: 12.5px; color: var(--ac-muted); background: #f7f9fc; white-space: nowrap; }
.ad-table tbody tr:last-child > * { border-bottom: 0; }
.ad-table tbody th { font-weight: 400; }
.ad-table a { color: var(--ac-accent-ink); }
.ad-table .ad-num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ad-docs-table tbody tr { cursor: pointer; }
.ad-docs-table tbody tr:hover { background: #f4f6fa; }
.ad-doc-link { font-weight: 700; color: var(--ac-accent-ink); }
.ad-doc-id { display: block; font-size: 12px; color: var(--ac-muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.ad-doc-meta .ad-doc-id { display: inline; }
.ad-row-deleted .ad-doc-link { color: var(--ac-muted); text-decoration: line-through; }
.ad-source { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.ad-when { white-space: nowrap; font-size: 13px; }
.ad-badges { display: inline-flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.ad-badge-deleted, .ad-badge-act-deleted { background: #fde3e3; color: #8a0c0c; }
.ad-badge-edited, .ad-badge-ok, .ad-badge-closed, .ad-badge-act-restored { background: #dcf2e4; color: #0f5132; }
.ad-badge-file, .ad-badge-act-imported { background: #e9ecf1; color: #333a47; }
.ad-badge-open, .ad-badge-warn { background: #fff0c2; color: #5c4300; }
.ad-badge-info, .ad-badge-act-renamed { background: #e6e1f7; color: #402a8c; }
.ad-badge-current, .ad-badge-act-created, .ad-badge-act-edited { background: #e3eafd; color: #1c3fb8; }

/* panes, banners, messages */
.ad-pane { background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; padding: 12px 14px; min-width: 0; box-sizing: border-box; }
.ad-pane-title { display: block; font-size: 15px; font-weight: 700; margin: 0; }
.ad-banners:empty { display: none; }
.ad-banner { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; border: 1px solid; border-radius: 10px; padding: 8px 12px; margin: 8px 0; }
.ad-banner p { margin: 0; flex: 1 1 320px; }
.ad-banner-gap { background: #e8eefc; border-color: #b9c8f5; }
.ad-banner-deleted { background: #fde3e3; border-color: #f0b4b4; color: #6b0d0d; }
.ad-banner-file { background: #f7f9fc; border-color: var(--ac-line); color: var(--ac-muted); font-size: 13px; }
.ad-banner-handoff { background: #fff0c2; border-color: #e6cf80; color: #5c4300; margin: 10px 0 0; }
.ad-status-box { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 0 0 10px; }
.ad-status-box:has(.ad-status:empty) { display: none; }
.ad-status { margin: 0; border-radius: 8px; padding: 6px 10px; }
.ad-status:empty { display: none; }
.ad-status-ok { background: #dcf2e4; color: #0b3d22; font-weight: 600; }
.ad-status-error { background: #fde3e3; color: #8a0c0c; font-weight: 600; }
.ad-status-info { background: #e8eefc; color: #1d2330; }
.ad-kept-box { background: #fff7dc; border: 1px solid #e6cf80; border-radius: 10px; padding: 8px 12px; margin: 0 0 10px; }
.ad-kept-box summary { cursor: pointer; font-weight: 600; color: #5c4300; }
.ad-dismiss { margin-top: 8px; }
.ad-kept-text { display: block; width: 100%; margin-top: 8px; min-height: 140px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; box-sizing: border-box; }

/* the editor */
.ad-back { color: var(--ac-accent-ink); font-size: 13px; }
.ad-title-row { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 14px; margin-top: 2px; }
.ad-editor-h1 { font-size: 22px; }
.ad-doc-meta { margin: 0; display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; color: var(--ac-muted); font-size: 13px; }
.ad-toolbar { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-start; gap: 8px 20px;
  background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; padding: 10px 14px; margin: 10px 0; }
.ad-title-field { flex: 1 1 460px; min-width: 0; display: grid; grid-template-columns: auto minmax(0, 1fr); align-items: center; column-gap: 10px; }
.ad-title-field .ad-hint { grid-column: 2; }
.ad-title-line { display: flex; gap: 8px; }
.ad-title-input { flex: 1; min-width: 0; padding: 6px 10px; }
.ad-save-actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; min-height: 34px; }
.ad-dirty { font-size: 13px; color: var(--ac-muted); }
.ad-dirty-on { color: #7a3b00; font-weight: 700; }
.ad-dirty:empty { display: none; }
.ad-editor-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) 290px; gap: 14px; align-items: start; }
.ad-editor-grid-new { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.ad-textarea, .ad-preview { display: block; width: 100%; height: max(360px, calc(100vh - 330px)); margin-top: 8px; box-sizing: border-box; }
.ad-textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; line-height: 1.5; resize: vertical; tab-size: 2; }
.ad-textarea[readonly] { background: #f4f6f9; color: var(--ac-muted); }
.ad-preview.bubble { max-width: none; overflow: auto; padding: 10px 14px; border: 1px solid var(--ac-line); border-radius: 8px; background: #fff; }
.ad-preview.bubble p + p, .ad-preview.bubble ul, .ad-preview.bubble ol { margin: 8px 0 0; }
.ad-preview a { color: var(--ac-accent-ink); }
.ad-preview-h { margin: 14px 0 4px; line-height: 1.3; }
.ad-preview-h:first-child { margin-top: 0; }
h3.ad-preview-h { font-size: 18px; } h4.ad-preview-h { font-size: 15.5px; } h5.ad-preview-h, h6.ad-preview-h { font-size: 14px; }
.ad-revisions { max-height: calc(max(360px, calc(100vh - 330px)) + 62px); overflow-y: auto; }
.ad-revs { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.ad-revisions > .ad-muted { margin-top: 8px; font-size: 13px; }
.ad-rev { border: 1px solid var(--ac-line); border-radius: 8px; padding: 7px 9px; display: flex; flex-direction: column; gap: 6px; cursor: pointer; }
.ad-rev:hover { background: #f7f9fc; }
.ad-rev-selected, .ad-rev-selected:hover { border-color: var(--ac-accent); background: #f1f5fe; box-shadow: inset 3px 0 0 var(--ac-accent); }
.ad-rev-pick { font: inherit; color: inherit; background: none; border: 0; padding: 0; margin: 0; text-align: left; cursor: pointer;
  display: flex; flex-direction: column; gap: 2px; border-radius: 4px; }
.ad-rev-top { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.ad-rev-n { font-weight: 700; }
.ad-rev-meta { font-size: 12.5px; color: var(--ac-muted); }
.ad-restore { align-self: flex-start; }
.ad-diff-holder { margin-top: 14px; }
.ad-diff { background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; padding: 12px 14px; }
.ad-diff-title { font-size: 15px; }
.ad-diff-summary { margin: 2px 0 8px; font-size: 13px; color: var(--ac-muted); }
.ad-diff-body { max-height: 440px; overflow: auto; border: 1px solid var(--ac-line); border-radius: 8px;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; line-height: 1.55; }
.ad-hunk { margin: 0; padding: 3px 10px; background: #eef1f6; color: #3d4452; font: 600 12px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  border-top: 1px solid var(--ac-line); position: sticky; top: 0; }
.ad-hunk:first-child { border-top: 0; }
.ad-line { display: flex; text-decoration: none; white-space: pre-wrap; overflow-wrap: anywhere; padding-right: 10px; }
.ad-sign { flex: 0 0 26px; text-align: center; user-select: none; color: var(--ac-muted); }
.ad-line-text { flex: 1; min-width: 0; }
.ad-line-add { background: #e3f5e9; color: #0b3d22; }
.ad-line-add .ad-sign { color: #0f5132; font-weight: 700; }
.ad-line-del { background: #fde8e8; color: #6b0d0d; }
.ad-line-del .ad-sign { color: #8a0c0c; font-weight: 700; }
.ad-line-add .ad-change { background: #b5e6c6; border-radius: 2px; }
.ad-line-del .ad-change { background: #f7c0c0; border-radius: 2px; }

/* the test console */
.ad-ask { background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; padding: 12px 14px; margin-bottom: 14px; }
.ad-ask .ad-label { display: block; margin-bottom: 4px; }
.ad-ask-row { display: flex; gap: 8px; }
.ad-question { flex: 1; min-width: 0; font-size: 15px; }
.ad-test-grid { display: grid; grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); gap: 14px; align-items: start; margin-bottom: 14px; }
.ad-reply .ad-transcript { flex: none; height: auto; max-height: 480px; min-height: 100px; margin-top: 8px; border-radius: 10px; background: var(--ac-bg); padding: 12px; }
.ad-findings { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.ad-finding { border: 1px solid var(--ac-line); border-left: 4px solid #0f7b45; border-radius: 8px; padding: 8px 10px; display: flex; flex-direction: column; gap: 4px; }
.ad-finding p { margin: 0; }
.ad-finding-missing { border-left-color: #c2410c; }
.ad-finding-q { font-weight: 600; }
.ad-finding .ad-badges { display: flex; gap: 8px; margin: 0; }
.ad-grounding-kind { font-size: 13px; font-weight: 600; }
.ad-grounding-quoted { color: #1c3fb8; }
.ad-grounding-passed { color: #0f5132; }
.ad-grounding-rejected { color: #7a3b00; }
.ad-sources { margin: 0; padding-left: 20px; font-size: 13px; }
.ad-sources a { color: var(--ac-accent-ink); }
.ad-passages .ad-table-wrap { margin-top: 8px; }
.ad-passage { min-width: 260px; }
.ad-passage-title { font-weight: 600; color: var(--ac-accent-ink); }
span.ad-passage-title { color: var(--ac-ink); }
.ad-passage-text { margin: 3px 0 0; color: var(--ac-muted); font-size: 13px; display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.ad-score { min-width: 74px; }
.ad-score-bar { display: block; height: 4px; margin: 5px 0 0 auto; background: #2f5bea; border-radius: 2px; }
.ad-score[data-mode="lexical"] .ad-score-bar { background: #7c3aed; }
.ad-score[data-mode="vector"] .ad-score-bar { background: #0f7b45; }

/* gaps */
.ad-gap-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.ad-gap-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 10px; }
.ad-gap { background: #fff; border: 1px solid var(--ac-line); border-left: 5px solid #d8a400; border-radius: 12px; padding: 12px 16px; }
.ad-gap-closed { border-left-color: #0f7b45; }
.ad-gap-head { display: flex; justify-content: space-between; align-items: baseline; gap: 10px; }
.ad-gap-q { font-size: 16px; }
.ad-gap-facts { margin: 4px 0 8px; font-size: 13px; color: var(--ac-muted); display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.ad-gap-count { color: var(--ac-ink); }
.ad-gap-details { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 8px 24px; font-size: 13px; }
.ad-small-h { font-size: 12.5px; font-weight: 700; color: var(--ac-muted); margin: 0 0 3px; }
.ad-examples { margin: 0; padding-left: 18px; }
.ad-conv-ids { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 6px; }
.ad-conv-ids code { font-size: 12px; background: #eef1f6; padding: 1px 6px; border-radius: 4px; }
.ad-gap-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 18px; margin-top: 10px; padding-top: 10px; border-top: 1px solid var(--ac-line); }
.ad-gap-pickbox { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.ad-gap-pick { max-width: 260px; }

/* analytics */
.ad-period { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px 18px; background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; padding: 10px 14px; }
.ad-period-fields { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px; }
.ad-date { display: flex; flex-direction: column; gap: 3px; }
.ad-date .ac-input { padding: 5px 8px; }
.ad-presets { display: flex; flex-wrap: wrap; gap: 6px; }
.ad-preset[aria-pressed="true"] { background: #e3eafd; border-color: var(--ac-accent); color: var(--ac-accent-ink); font-weight: 700; }
.ad-csv { margin-left: auto; }
.ad-period + .ac-error { margin: 8px 0 0; }
.ad-period-shown { margin: 10px 0; color: var(--ac-muted); }
.ad-figures { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin-bottom: 14px; }
.ad-figure { background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; padding: 12px 14px; display: flex; flex-direction: column; gap: 2px; }
.ad-figure-title { font-size: 13px; color: var(--ac-muted); }
.ad-figure-value { margin: 2px 0; font-size: 28px; font-weight: 800; line-height: 1.15; font-variant-numeric: tabular-nums; }
.ad-figure-sub { margin: 0; font-size: 13px; }
.ad-figure-def { margin: auto 0 0; padding-top: 8px; font-size: 12px; line-height: 1.4; color: var(--ac-muted); }
.ad-figure-sub + .ad-figure-def { border-top: 1px dashed var(--ac-line); margin-top: 8px; }
.ad-charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; align-items: start; }
.ad-chart { background: #fff; border: 1px solid var(--ac-line); border-radius: 12px; padding: 12px 14px; min-width: 0; }
.ad-chart-title { font-size: 15px; margin-bottom: 8px; }
.ad-canvas { position: relative; width: 100%; }
.ad-chart-def { margin: 8px 0 4px; font-size: 12px; line-height: 1.4; color: var(--ac-muted); }
.ad-chart-empty { margin: 6px 0; }
.ad-stats { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 0 0 10px; }
.ad-stat { margin: 0; display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 8px; }
.ad-stat-label { font-size: 13px; font-weight: 700; color: var(--ac-muted); flex-basis: 100%; }
.ad-stat-value { font-size: 22px; font-weight: 800; font-variant-numeric: tabular-nums; }
.ad-stat-sub { font-size: 13px; }
.ad-numbers summary { cursor: pointer; font-size: 13px; color: var(--ac-accent-ink); font-weight: 600; }
.ad-numbers .ad-table-wrap { margin-top: 6px; }
.ad-numbers .ad-table th, .ad-numbers .ad-table td { padding: 5px 10px; font-size: 13px; }

/* audit log */
.ad-audit .ad-table td, .ad-audit .ad-table th { font-size: 13.5px; }
.ad-code-sub { display: block; font-size: 11.5px; color: var(--ac-muted); }
.ad-details { color: var(--ac-muted); overflow-wrap: anywhere; }
.ad-pager { display: flex; align-items: center; justify-content: flex-end; gap: 12px; margin-top: 10px; }
.ad-pager-range { margin: 0; color: var(--ac-muted); font-variant-numeric: tabular-nums; }

/* catalog */
.ad-catalog-note { margin: -6px 0 14px; }
.ad-import-form { display: flex; flex-direction: column; gap: 12px; padding: 14px 16px; }
.ad-import-top { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px 24px; align-items: start; }
.ad-field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.ad-field .ad-hint { margin: 0; }
.ad-file { font: inherit; max-width: 100%; padding: 4px 0; }
.ad-file::file-selector-button { font: inherit; border: 1px solid #8b93a3; background: #fff; color: var(--ac-ink); border-radius: 8px; padding: 5px 12px; margin-right: 10px; cursor: pointer; }
.ad-file:hover::file-selector-button { background: #eef1f6; }
.ad-file-note { color: var(--ac-ink); }
.ad-mapping { border: 1px solid var(--ac-line); border-radius: 10px; margin: 0; padding: 8px 14px 14px; min-width: 0; }
.ad-mapping legend { font-weight: 700; padding: 0 4px; }
.ad-mapping > .ad-hint { margin: 0; }
.ad-map-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px 18px; }
.ad-map-grid:not(:empty) { margin-top: 10px; }
.ad-map-field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.ad-map-field .ac-select { width: 100%; min-width: 0; }
.ad-map-sample { margin: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ad-required { font-weight: 400; color: var(--ac-muted); font-size: 13px; }
.ad-import-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; }
.ad-import-actions .ac-btn-primary { padding-left: 22px; padding-right: 22px; }
.ad-form-error { margin: 0; flex: 1 1 320px; }
.ad-import-actions .ac-btn[aria-disabled="true"] { opacity: .6; cursor: progress; }
.ad-import { margin-top: 14px; padding: 14px 16px; }
.ad-import-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; }
.ad-import-head h2:focus { outline: none; }
.ad-import-head h2:focus-visible { outline: 3px solid var(--ac-focus); outline-offset: 2px; }
.ad-import-meta { margin-top: 2px; }
.ad-progress { display: grid; grid-template-columns: auto minmax(0, 1fr) auto; align-items: center; gap: 6px 12px; margin: 12px 0 6px; max-width: 900px; }
.ad-progress[hidden] { display: none; }
.ad-progress progress { -webkit-appearance: none; appearance: none; width: 100%; height: 14px; border: 1px solid #8b93a3; border-radius: 7px; background: #eef1f6; overflow: hidden; }
.ad-progress progress::-webkit-progress-bar { background: #eef1f6; }
.ad-progress progress::-webkit-progress-value { background: var(--ac-accent); transition: width .3s; }
.ad-progress progress::-moz-progress-bar { background: var(--ac-accent); }
.ad-progress-text { font-variant-numeric: tabular-nums; font-weight: 600; white-space: nowrap; }
.ad-import[data-status="done"] .ad-progress progress::-webkit-progress-value { background: #0f7b45; }
.ad-import[data-status="done"] .ad-progress progress::-moz-progress-bar { background: #0f7b45; }
.ad-summary { margin: 10px 0 2px; font-size: 16px; font-weight: 700; }
.ad-import .ad-status { margin-top: 10px; display: inline-block; }
.ad-rejected-h { margin-top: 14px; font-size: 14px; color: var(--ac-ink); }
.ad-rejected .ad-hint { margin: 0 0 6px; }
.ad-rejected .ad-table-wrap { max-width: 900px; }
.ad-rejected-id code, .ad-imports-table code { font-size: 12.5px; overflow-wrap: anywhere; }
.ad-recent { margin-top: 18px; }
.ad-section-h { font-size: 17px; margin: 0 0 8px; }
.ad-imports-table .ad-col-action { width: 1%; }
.ad-imports-table td, .ad-imports-table tbody th { vertical-align: middle; }

@media (max-width: 1199px) {
  .ad-editor-grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  .ad-editor-grid .ad-revisions { grid-column: 1 / -1; max-height: none; }
  .ad-figures { grid-template-columns: repeat(3, minmax(0, 1fr)); }
}
@media (max-width: 1099px) {
  .ad-header { padding: 8px 16px; }
  .ad-nav { order: 3; flex-basis: 100%; }
  .ad-main { padding: 14px 16px 40px; }
}
/* Tablets and narrow windows: one column. */
@media (max-width: 899px) {
  .ad-figures { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .ad-editor-grid, .ad-editor-grid-new, .ad-test-grid, .ad-charts { grid-template-columns: minmax(0, 1fr); }
  .ad-textarea, .ad-preview { height: 44vh; min-height: 300px; }
  .ad-preview-pane .ad-preview { height: auto; min-height: 160px; max-height: 50vh; }
  .ad-gap-details { grid-template-columns: minmax(0, 1fr); }
  .ad-csv { margin-left: 0; }
  .ad-docs-table .ad-when { white-space: normal; }
  .ad-import-top { grid-template-columns: minmax(0, 1fr); }
  .ad-progress { grid-template-columns: minmax(0, 1fr) auto; }
  .ad-progress label { grid-column: 1 / -1; }
}
@media (max-width: 560px) { .ad-figures { grid-template-columns: minmax(0, 1fr); } .ad-ask-row { flex-direction: column; } }
`;
