// The cohort page: filters, trainees' skills over time, missed cues, escalation steps,
// sessions with their reports, and the CSV of what is shown.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  function spark(trend) {
    const svg = hs.svg("svg", { class: "spark", viewBox: "0 0 120 32", role: "img", "aria-label": "Overall score by session" });
    if (trend.length > 1) {
      const x = (i) => 2 + (i / (trend.length - 1)) * 116;
      const y = (v) => 30 - v * 28;
      const d = trend.map((p, i) => (i ? "L" : "M") + x(i).toFixed(1) + " " + y(p.overall).toFixed(1)).join(" ");
      svg.append(hs.svg("path", { d, fill: "none", stroke: "#2f6f73", "stroke-width": 2 }));
    }
    return svg;
  }

  const SKILL_COLOURS = ["#2f6f73", "#d0612d", "#7b4fb0", "#a2a83c"];

  // One trainee's sessions, oldest first: a line per skill (a gap where a session gave
  // no evidence for it).
  function skillsChart(trainee, names) {
    const svg = $("skills-chart");
    svg.replaceChildren();
    const pts = trainee.trend;
    const w = 640, h = 200, pad = 14;
    const n = Math.max(1, pts.length - 1);
    const x = (i) => pad + 30 + (i / n) * (w - 2 * pad - 30);
    const y = (v) => h - pad - v * (h - 2 * pad);
    for (const g of [0, 0.25, 0.5, 0.75, 1]) {
      svg.append(hs.svg("line", { x1: pad + 24, x2: w - pad, y1: y(g), y2: y(g), stroke: "#e4e1d8", "stroke-width": 1 }));
      if (g === 0 || g === 0.5 || g === 1) {
        const t = hs.svg("text", { x: 2, y: y(g) + 4, "font-size": 11, fill: "#5b6470" });
        t.textContent = Math.round(g * 100) + "%";
        svg.append(t);
      }
    }
    names.forEach((name, k) => {
      let d = "";
      let pen = false;
      pts.forEach((p, i) => {
        const v = p.skills ? p.skills[name] : undefined;
        if (v == null) { pen = false; return; }
        d += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
        pen = true;
        svg.append(hs.svg("circle", { cx: x(i), cy: y(v), r: 3, fill: SKILL_COLOURS[k % 4] }));
      });
      if (d) svg.append(hs.svg("path", { d, fill: "none", stroke: SKILL_COLOURS[k % 4], "stroke-width": 2.5, "data-skill": name }));
    });
    const legend = $("skills-legend");
    legend.replaceChildren();
    names.forEach((name, k) => {
      legend.append(hs.el("span", { class: "k s" + (k % 4) }), hs.el("span", { text: name + " " }));
    });
    $("skills-title").textContent = "Skills over time — " + trainee.profile + " (" + pts.length + " sessions, oldest first)";
  }

  function skills(map) {
    const box = hs.el("div", { class: "skills" });
    for (const [name, v] of Object.entries(map)) {
      box.append(hs.el("span", { text: name + " " + hs.pct(v) }));
      const bar = hs.el("span", { class: "meter" });
      const fill = hs.el("i");
      fill.style.width = v == null ? "0" : Math.round(v * 100) + "%";
      bar.append(fill);
      box.append(bar);
    }
    return box;
  }

  function rows(tbody, items, cells) {
    const body = $(tbody).querySelector("tbody");
    body.replaceChildren();
    for (const it of items) {
      const tr = hs.el("tr");
      for (const c of cells(it)) tr.append(c instanceof Node ? hs.el("td", {}, c) : hs.el("td", { text: c == null ? "" : String(c) }));
      body.append(tr);
    }
    if (!items.length) body.append(hs.el("tr", {}, hs.el("td", { colspan: "7", text: "Nothing for these filters." })));
  }

  function fillSelect(id, items, value) {
    const sel = $(id);
    const first = sel.options[0];
    sel.replaceChildren(first, ...items.map(([v, t]) => hs.el("option", { value: v, text: t })));
    sel.value = value || "";
  }

  async function load() {
    const params = new URLSearchParams(location.search);
    const r = await hs.json("/api/cohort?" + params.toString());
    if (!r.ok) { $("totals").textContent = (r.body && r.body.error) || "The cohort could not be read."; return; }
    const v = r.body;
    fillSelect("f-profile", v.profiles.map((p) => [p, p]), v.filter.profile);
    fillSelect("f-scenario", v.scenarios.map((s) => [s.id, s.title]), v.filter.scenario);
    $("f-from").value = v.filter.from;
    $("f-to").value = v.filter.to;
    $("csv").href = "/cohort.csv?" + params.toString();
    $("totals").textContent = v.totals.trainees + " trainee" + (v.totals.trainees === 1 ? "" : "s") + " · " +
      v.totals.sessions + " session" + (v.totals.sessions === 1 ? "" : "s") +
      (v.totals.sessions !== v.totals.all_sessions ? " (of " + v.totals.all_sessions + ")" : "");
    $("totals").dataset.trainees = String(v.totals.trainees);
    $("totals").dataset.sessions = String(v.totals.sessions);
    rows("trainees", v.trainees, (t) => {
      const name = hs.el("a", { href: "/cohort?profile=" + encodeURIComponent(t.profile), text: t.profile });
      const cell = hs.el("span", {}, name);
      if (t.live) cell.append(hs.el("span", { class: "live-dot", text: " ● live" }));
      return [cell, t.sessions, t.scenarios.length, t.resolved, skills(t.skills_recent), spark(t.trend)];
    });
    rows("missed", v.missed_cues, (c) => [c.scenario, c.cue, c.missed + " of " + c.shown]);
    rows("escalations", v.escalations, (s) => [s.scenario, s.step, s.escalated + " of " + s.turns + " turns"]);
    rows("sessions", v.sessions, (s) => [
      hs.when(s.started_at), s.profile, s.scenario,
      s.outcome || (s.live ? "in progress" : "cut short"), s.turns, hs.pct(s.overall),
      hs.el("a", { href: s.report, target: "_blank", rel: "noopener", text: "Report" }),
    ]);
    const one = v.filter.profile && v.trainees.length === 1;
    $("skills-card").hidden = !one;
    if (one) skillsChart(v.trainees[0], v.skills);
    const probs = $("problems");
    probs.replaceChildren(...v.problems.map((p) => hs.el("li", { text: p.profile + " / " + p.id + ": " + p.message })));
    $("problems-card").hidden = !v.problems.length;
  }

  document.addEventListener("DOMContentLoaded", async () => {
    await hs.role();
    $("filters").addEventListener("submit", (e) => {
      e.preventDefault();
      const params = new URLSearchParams();
      for (const [k, val] of new FormData($("filters"))) if (val) params.set(k, val);
      history.pushState(null, "", "/cohort" + (params.toString() ? "?" + params : ""));
      load();
    });
    window.addEventListener("popstate", load);
    load();
  });
})();
