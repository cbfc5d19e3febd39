// The Analytics page: a period (two days, or the last 7, 30 or 90), the headline figures as
// cards, charts of intents, flows and where they were abandoned, conversion, ratings and
// customer segments, each with its definition (docs/analytics.md) and its numbers as a table,
// and the report as a CSV download. The API answers `AnalyticsReport.as_dict()`.
import { button, el } from "../rich.js";
import { withQuery } from "./api.js";
import { COLORS, barChart } from "./charts.js";
import { day, daysBack, duration, number, percent } from "./format.js";
import { loadState, pageHead, table } from "./ui.js";

const PRESETS = [7, 30, 90];

export function createAnalyticsPage(ctx) {
  const { t, lang, api, state, announce } = ctx;
  const node = el("div", "ad-page ad-analytics");
  node.appendChild(pageHead(t, t.analyticsTitle, t.analyticsIntro));
  const period = state.analytics || daysBack(30);
  let charts = [];

  // --- the period ------------------------------------------------------------------------------
  const form = el("form", "ad-period");
  form.noValidate = true;
  form.setAttribute("aria-label", t.period);
  const dateField = (id, label, testid, value) => {
    const box = el("div", "ad-date");
    const l = el("label", "ad-label", label);
    l.htmlFor = id;
    const input = el("input", "ac-input");
    input.type = "date";
    input.id = id;
    input.value = value;
    input.required = true;
    input.dataset.testid = testid;
    box.append(l, input);
    return { box, input };
  };
  const since = dateField("ad-since", t.since, "analytics-since", period.since);
  const until = dateField("ad-until", t.until, "analytics-until", period.until);
  const apply = el("button", "ac-btn ac-btn-primary", t.apply);
  apply.type = "submit";
  apply.dataset.testid = "analytics-apply";
  const presets = el("div", "ad-presets");
  presets.setAttribute("role", "group");
  presets.setAttribute("aria-label", t.presets);
  const presetButtons = PRESETS.map((n) => {
    const b = button(t.lastDays(n), "ac-btn ad-btn-small ad-preset", () => {
      const range = daysBack(n);
      since.input.value = range.since;
      until.input.value = range.until;
      load();
    });
    b.dataset.testid = `analytics-preset-${n}`;
    b.setAttribute("aria-pressed", "false");
    presets.appendChild(b);
    return { n, b };
  });
  const csv = el("a", "ac-btn ad-link-btn ad-csv", t.downloadCsv);
  csv.dataset.testid = "analytics-csv";
  const error = el("p", "ac-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  const fields = el("div", "ad-period-fields");
  fields.append(since.box, until.box, apply);
  form.append(fields, presets, csv);
  node.append(form, error);

  const shown = el("p", "ad-period-shown");
  shown.dataset.testid = "analytics-period";
  const loader = loadState(t);
  const body = el("div", "ad-analytics-body");
  node.append(shown, loader.node, body);

  function markPresets() {
    for (const { n, b } of presetButtons) {
      const range = daysBack(n);
      b.setAttribute("aria-pressed", String(range.since === since.input.value && range.until === until.input.value));
    }
  }

  function setCsv(range) {
    csv.href = withQuery("/api/admin/analytics.csv", range);
    csv.setAttribute("download", `aisle-analytics-${range.since}-to-${range.until}.csv`);
  }

  // --- the headline cards ----------------------------------------------------------------------
  function card(name, title, value, lines, definition) {
    const section = el("section", "ad-figure");
    section.dataset.testid = `figure-${name}`;
    const id = `ad-figure-${name}`;
    section.setAttribute("aria-labelledby", id);
    const h2 = el("h2", "ad-figure-title", title);
    h2.id = id;
    const big = el("p", "ad-figure-value", value);
    big.dataset.testid = `figure-${name}-value`;
    section.append(h2, big);
    for (const line of lines.filter(Boolean)) section.appendChild(el("p", "ad-figure-sub", line));
    section.appendChild(el("p", "ad-figure-def", definition));
    return section;
  }

  function cards(r) {
    const f = t.figures;
    const d = t.definitions;
    const conv = r.conversations || {};
    const hand = r.handoff || {};
    const first = hand.first_agent_reply || {};
    const csat = r.csat || {};
    const rated = csat.rated || {};
    const grid = el("div", "ad-figures");
    grid.append(
      card("conversations", f.conversations, number(conv.with_messages, lang), [t.opened(number(conv.opened, lang), number(conv.silent, lang))], d.conversations),
      card("containment", f.containment, percent(r.containment, lang), [t.ofN(r.containment?.numerator ?? 0, r.containment?.denominator ?? 0)], d.containment),
      card("handoff-rate", f.handoffRate, percent(hand, lang), [t.ofN(hand.numerator ?? 0, hand.denominator ?? 0), t.handoffsCount(hand.handoffs ?? 0)], d.handoffRate),
      card("first-reply", f.firstReply, first.replied ? `${duration(first.median_seconds, t)}` : "—",
        [first.replied ? `${t.median} · ${t.p90(duration(first.p90_seconds, t))}` : t.noReplies, t.unansweredCount(first.unanswered ?? 0)], d.firstReply),
      card("csat", f.csat, percent(csat, lang),
        [t.ofN(csat.numerator ?? 0, csat.denominator ?? 0), t.rated(rated.numerator ?? 0, rated.denominator ?? 0, number(csat.mean, lang, 1))], d.csat),
    );
    return grid;
  }

  // --- the charts ------------------------------------------------------------------------------
  // A chart's section: heading, the canvas (role img, with a summary), its definition and a
  // table of its numbers. `draw(canvas)` runs once the section is in the page.
  const pending = [];
  // `stats`: figures this chart belongs with ({name, label, value, sub, definition}), shown
  // above it (`figure-<name>`) and defined under it.
  function statsNode(stats) {
    const box = el("div", "ad-stats");
    for (const stat of stats) {
      const item = el("p", "ad-stat");
      item.dataset.testid = `figure-${stat.name}`;
      const value = el("span", "ad-stat-value", stat.value);
      value.dataset.testid = `figure-${stat.name}-value`;
      item.append(el("span", "ad-stat-label", stat.label), value);
      if (stat.sub) item.appendChild(el("span", "ad-stat-sub", stat.sub));
      box.appendChild(item);
    }
    return box;
  }

  function captions(caption, stats) {
    const out = [el("p", "ad-chart-def", caption)];
    for (const stat of stats) {
      const p = el("p", "ad-chart-def");
      p.append(el("strong", null, `${stat.label}: `), stat.definition);
      out.push(p);
    }
    return out;
  }

  function chartSection(name, title, caption, { height, summary, columns, rows, draw, empty, stats = [] }) {
    const section = el("section", "ad-chart");
    section.dataset.testid = `chart-${name}`;
    const id = `ad-chart-${name}`;
    section.setAttribute("aria-labelledby", id);
    const h2 = el("h2", "ad-chart-title", title);
    h2.id = id;
    section.appendChild(h2);
    if (stats.length) section.appendChild(statsNode(stats));
    const captionNodes = captions(caption, stats);
    if (!rows.length) {
      section.append(el("p", "ad-muted ad-chart-empty", empty || t.charts.noData), ...captionNodes);
      return section;
    }
    const box = el("div", "ad-canvas");
    box.style.height = `${height}px`;
    const canvas = el("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", t.charts.chartLabel(title, summary));
    canvas.textContent = summary;
    box.appendChild(canvas);
    const details = el("details", "ad-numbers");
    details.appendChild(el("summary", null, t.charts.showNumbers));
    const grid = table(title, columns, { captionHidden: true });
    for (const cells of rows) {
      const tr = el("tr");
      cells.forEach((value, i) => {
        const c = el(i === 0 ? "th" : "td", i === 0 ? null : "ad-num", String(value));
        if (i === 0) c.scope = "row";
        tr.appendChild(c);
      });
      grid.body.appendChild(tr);
    }
    details.appendChild(grid.node);
    section.append(box, ...captionNodes, details);
    pending.push(() => charts.push(draw(canvas)));
    return section;
  }

  const pct = (rate) => (rate && rate.denominator ? Math.round(rate.value * 1000) / 10 : 0);
  const rateText = (rate) => `${percent(rate, lang)} (${t.ofN(rate?.numerator ?? 0, rate?.denominator ?? 0)})`;

  function chartsFor(r) {
    const c = t.charts;
    const out = el("div", "ad-charts");
    const intents = (r.intents && r.intents.top) || [];
    out.appendChild(chartSection("intents", c.intents, c.intentsCaption(number(r.intents?.read ?? 0, lang)), {
      height: 40 + intents.length * 28,
      summary: intents.map((i) => `${i.name} ${i.count}`).join(", "),
      columns: [c.name, { label: c.count, cls: "ad-num" }],
      rows: intents.map((i) => [i.name, i.count]),
      draw: (canvas) => barChart(canvas, {
        lang, horizontal: true, labels: intents.map((i) => i.name),
        datasets: [{ label: c.count, data: intents.map((i) => i.count), color: COLORS.blue }],
      }),
    }));

    const flows = (r.flows && r.flows.top) || [];
    const abandoned = r.flows && r.flows.abandoned;
    out.appendChild(chartSection("flows", c.flows, c.flowsCaption, {
      stats: [{ name: "abandonment", label: t.figures.abandonment, value: percent(abandoned, lang),
        sub: t.ofN(abandoned?.numerator ?? 0, abandoned?.denominator ?? 0), definition: t.definitions.abandonment }],
      height: 70 + flows.length * 28,
      summary: flows.map((f) => `${f.name}: ${c.completed} ${f.completed}, ${c.handedOff} ${f.handed_off}, ${c.abandoned} ${f.abandoned}`).join("; "),
      columns: [c.flow, { label: c.started, cls: "ad-num" }, { label: c.completed, cls: "ad-num" }, { label: c.handedOff, cls: "ad-num" }, { label: c.abandoned, cls: "ad-num" }],
      rows: flows.map((f) => [f.name, f.started, f.completed, f.handed_off, f.abandoned]),
      draw: (canvas) => barChart(canvas, {
        lang, horizontal: true, stacked: true, labels: flows.map((f) => f.name),
        datasets: [
          { label: c.completed, data: flows.map((f) => f.completed), color: COLORS.blue },
          { label: c.handedOff, data: flows.map((f) => f.handed_off), color: COLORS.violet },
          { label: c.abandoned, data: flows.map((f) => f.abandoned), color: COLORS.orange },
        ],
      }),
    }));

    const steps = [];
    for (const f of flows) for (const a of f.abandoned_at || []) steps.push({ flow: f.name, step: a.step, count: a.count });
    steps.sort((a, b) => b.count - a.count || a.flow.localeCompare(b.flow));
    out.appendChild(chartSection("abandoned-at", c.abandonedAt, c.abandonedAtCaption, {
      height: 40 + steps.length * 28,
      summary: steps.map((s) => `${s.flow} · ${s.step} ${s.count}`).join(", "),
      columns: [c.flow, c.step, { label: c.count, cls: "ad-num" }],
      rows: steps.map((s) => [s.flow, s.step, s.count]),
      empty: c.noAbandoned,
      draw: (canvas) => barChart(canvas, {
        lang, horizontal: true, labels: steps.map((s) => `${s.flow} · ${s.step}`),
        datasets: [{ label: c.abandoned, data: steps.map((s) => s.count), color: COLORS.orange }],
      }),
    }));

    const conversions = [
      { label: t.figures.searchToCart, rate: r.search_to_cart },
      { label: t.figures.chatToPurchase, rate: r.chat_to_purchase },
    ];
    const hours = number(r.period?.window_hours ?? 24, lang, 1);
    const buy = r.chat_to_purchase || {};
    out.appendChild(chartSection("conversion", c.conversion, c.conversionCaption(hours), {
      stats: [
        { name: "search-to-cart", label: t.figures.searchToCart, value: percent(r.search_to_cart, lang),
          sub: t.ofN(r.search_to_cart?.numerator ?? 0, r.search_to_cart?.denominator ?? 0), definition: t.definitions.searchToCart },
        { name: "chat-to-purchase", label: t.figures.chatToPurchase, value: percent(buy, lang),
          sub: `${t.ofN(buy.numerator ?? 0, buy.denominator ?? 0)} · ${t.anonymous(buy.anonymous ?? 0)}`, definition: t.definitions.chatToPurchase },
      ],
      height: 130,
      summary: conversions.map((x) => `${x.label} ${rateText(x.rate)}`).join(", "),
      columns: [c.name, { label: c.rate, cls: "ad-num" }, { label: c.numerator, cls: "ad-num" }, { label: c.denominator, cls: "ad-num" }],
      rows: conversions.map((x) => [x.label, percent(x.rate, lang), x.rate?.numerator ?? 0, x.rate?.denominator ?? 0]),
      draw: (canvas) => barChart(canvas, {
        lang, horizontal: true, percent: true, legend: false, labels: conversions.map((x) => x.label),
        datasets: [{ label: c.rate, data: conversions.map((x) => pct(x.rate)), color: COLORS.green }],
        tooltip: (_, i) => rateText(conversions[i].rate),
      }),
    }));

    const ratings = (r.csat && r.csat.ratings) || {};
    const scores = ["1", "2", "3", "4", "5"];
    const rated = scores.reduce((sum, s) => sum + (Number(ratings[s]) || 0), 0);
    out.appendChild(chartSection("ratings", c.ratings, c.ratingsCaption, {
      height: 200,
      summary: scores.map((s) => `${s}★ ${ratings[s] ?? 0}`).join(", "),
      columns: [c.score, { label: c.count, cls: "ad-num" }],
      rows: rated ? scores.map((s) => [`${s} ★`, ratings[s] ?? 0]) : [],
      draw: (canvas) => barChart(canvas, {
        lang, labels: scores.map((s) => `${s} ★`),
        datasets: [{ label: c.count, data: scores.map((s) => Number(ratings[s]) || 0), color: COLORS.blue }],
      }),
    }));

    const segments = (r.segments && r.segments.rows) || [];
    const segName = (s) => t.segmentNames[s.name] || s.name;
    out.appendChild(chartSection("segments", c.segments, c.segmentsCaption(number(r.segments?.customers ?? 0, lang)), {
      height: 230,
      summary: segments.map((s) => `${segName(s)}: ${c.customers} ${s.customers}, ${c.chatted} ${percent(s.chatted, lang)}, ${c.handoff} ${percent(s.handoff, lang)}`).join("; "),
      columns: [c.segment, { label: c.customers, cls: "ad-num" }, { label: c.chatted, cls: "ad-num" }, { label: c.chatConversations, cls: "ad-num" }, { label: c.handoff, cls: "ad-num" }],
      rows: segments.some((s) => s.customers) ? segments.map((s) => [segName(s), s.customers, rateText(s.chatted), s.conversations, rateText(s.handoff)]) : [],
      draw: (canvas) => barChart(canvas, {
        lang, percent: true, labels: segments.map(segName),
        datasets: [
          { label: c.chatted, data: segments.map((s) => pct(s.chatted)), color: COLORS.blue },
          { label: c.handoff, data: segments.map((s) => pct(s.handoff)), color: COLORS.violet },
        ],
        tooltip: (set, i) => `${set === 0 ? c.chatted : c.handoff}: ${rateText(set === 0 ? segments[i].chatted : segments[i].handoff)}`,
      }),
    }));
    return out;
  }

  function destroyCharts() {
    for (const chart of charts) chart.destroy();
    charts = [];
    pending.length = 0;
  }

  // --- loading ---------------------------------------------------------------------------------
  async function load() {
    error.hidden = true;
    since.input.removeAttribute("aria-invalid");
    until.input.removeAttribute("aria-invalid");
    const range = { since: since.input.value, until: until.input.value };
    if (!range.since || !range.until || range.until < range.since) {
      error.textContent = t.invalidPeriod;
      error.hidden = false;
      (range.since ? until.input : since.input).setAttribute("aria-invalid", "true");
      return;
    }
    markPresets();
    state.analytics = range;
    setCsv(range);
    loader.loading();
    apply.disabled = true;
    try {
      const report = await api.get(withQuery("/api/admin/analytics", range));
      loader.done();
      destroyCharts();
      const start = report.period?.start?.slice(0, 10) || range.since;
      const endIso = report.period?.end ? new Date(Date.parse(report.period.end) - 86400000).toISOString().slice(0, 10) : range.until;
      shown.textContent = `${t.periodShown(day(start, lang), day(endIso, lang))} · ${t.windowHours(number(report.period?.window_hours ?? 24, lang, 1))}`;
      body.replaceChildren(cards(report), chartsFor(report));
      for (const draw of pending.splice(0)) draw();
      announce(shown.textContent);
    } catch (err) {
      if (err.status === 401 || err.code === "role_required") return;
      if (err.status === 400) {
        error.textContent = err.message || t.invalidPeriod;
        error.hidden = false;
        loader.done();
      } else {
        loader.failed(err, load);
      }
    } finally {
      apply.disabled = false;
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  for (const input of [since.input, until.input]) input.addEventListener("change", markPresets);

  return {
    node,
    title: t.analyticsTitle,
    start() {
      const today = daysBack(1).until;
      since.input.max = today;
      until.input.max = today;
      load();
    },
    stop: destroyCharts,
  };
}
