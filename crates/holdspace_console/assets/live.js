// The live page: follows one session through server-sent events and sends coach actions.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let role = "none";
  let current = null;
  let source = null;
  let last = null;

  function bandClass(b) { return "band " + (b || ""); }

  function renderFeed(snap) {
    const feed = $("feed");
    const atBottom = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 40;
    feed.replaceChildren();
    for (const item of snap.feed) {
      if (item.kind === "customer") {
        feed.append(hs.el("li", { class: "customer", "data-kind": "customer" },
          hs.el("span", { class: "who", text: snap.customer + (item.band ? " · " + item.band : "") + (item.cue ? " · cue" : "") }),
          hs.el("span", { text: item.text })));
      } else if (item.kind === "trainee") {
        const li = hs.el("li", { class: "trainee", "data-kind": "trainee", "data-turn": String(item.turn) },
          hs.el("span", { class: "who", text: "Trainee · turn " + item.turn + (item.misheard ? " · not heard" : "") }),
          hs.el("span", { text: item.text }));
        const heard = hs.el("div", { class: "heard" });
        for (const h of item.heard) heard.append(hs.el("span", { class: "chip", text: h }));
        const delta = item.after - item.before;
        if (Math.abs(delta) >= 0.005) {
          heard.append(hs.el("span", { class: "chip " + (delta > 0 ? "up" : "down"), text: (delta > 0 ? "▲ " : "▼ ") + Math.abs(delta).toFixed(2) }));
        }
        if (item.reply) heard.append(hs.el("span", { class: "chip", text: "as: " + item.reply }));
        li.append(heard);
        const d = item.delivery || {};
        const parts = [];
        if (d.words_per_min != null) parts.push(Math.round(d.words_per_min) + " wpm");
        if (d.loudness_db != null) parts.push(d.loudness_db.toFixed(0) + " dB");
        if (d.pause_before_s != null) parts.push(d.pause_before_s.toFixed(1) + " s pause");
        if (d.fillers) parts.push(d.fillers + " filler" + (d.fillers === 1 ? "" : "s"));
        if (d.interrupted) parts.push("interrupted");
        if (parts.length) li.append(hs.el("div", { class: "delivery", text: "Delivery: " + parts.join(" · ") }));
        const why = [].concat(item.why || [], (item.set_aside || []).map((s) => "set aside — " + s), (item.reasons || []).map((r) => r.note));
        if (why.length) {
          const det = hs.el("details", {}, hs.el("summary", { text: "Why" }));
          const ul = hs.el("ul");
          for (const w of why) ul.append(hs.el("li", { text: w }));
          det.append(ul);
          li.append(det);
        }
        feed.append(li);
      } else if (item.kind === "coach") {
        feed.append(hs.el("li", { class: "coach", "data-kind": "coach", text: item.text }));
      } else {
        feed.append(hs.el("li", { class: "event", text: item.text }));
      }
    }
    if (atBottom || !last) feed.scrollTop = feed.scrollHeight;
    const opts = $("options");
    opts.replaceChildren();
    if (snap.options && snap.options.length) {
      opts.append(hs.el("span", { text: "On offer: " + snap.options.join(" · ") }));
    }
  }

  function renderCurve(snap) {
    const svg = $("curve");
    svg.replaceChildren();
    const pts = snap.curve;
    const w = 320, h = 120, pad = 8;
    const n = Math.max(1, pts.length - 1);
    const x = (i) => pad + (i / n) * (w - 2 * pad);
    const y = (v) => h - pad - v * (h - 2 * pad);
    for (const b of [0.2, 0.4, 0.6, 0.8]) {
      svg.append(hs.svg("line", { x1: pad, x2: w - pad, y1: y(b), y2: y(b), stroke: "#e4e1d8", "stroke-width": 1 }));
    }
    const line = (key, color) => {
      const d = pts.map((p, i) => (i ? "L" : "M") + x(i).toFixed(1) + " " + y(p[key]).toFixed(1)).join(" ");
      svg.append(hs.svg("path", { d, fill: "none", stroke: color, "stroke-width": 2.5 }));
    };
    line("trust", "#2f6f73");
    line("escalation", "#d0612d");
    if (pts.length === 1) {
      svg.append(hs.svg("circle", { cx: x(0), cy: y(pts[0].escalation), r: 3.5, fill: "#d0612d" }));
      svg.append(hs.svg("circle", { cx: x(0), cy: y(pts[0].trust), r: 3.5, fill: "#2f6f73" }));
    }
    pts.forEach((p, i) => {
      if (p.coach) svg.append(hs.svg("circle", { cx: x(i), cy: y(p.escalation), r: 4.5, fill: "#7b4fb0", "data-coach": "1" }));
    });
  }

  function render(snap) {
    if (snap.problem) {
      $("status").textContent = snap.problem;
      return;
    }
    last = snap;
    $("grid").hidden = false;
    $("empty").hidden = true;
    $("title").textContent = snap.scenario + " — " + snap.profile;
    const s = snap.state;
    $("esc").textContent = s.escalation.toFixed(2);
    $("esc").dataset.value = String(s.escalation);
    $("trust").textContent = s.trust.toFixed(2);
    $("band").textContent = s.band;
    $("band").className = bandClass(s.band);
    renderFeed(snap);
    renderCurve(snap);
    const state = snap.closed ? "ended" + (snap.outcome ? ": " + snap.outcome : "") : snap.paused ? "paused by you" : "live";
    $("status").textContent = snap.turns + " turn" + (snap.turns === 1 ? "" : "s") + " · " + state;
    $("status").dataset.turns = String(snap.turns);
    $("need").textContent = snap.need.summary || "";
    $("need-state").textContent = snap.need.state;
    const cues = $("cues");
    cues.replaceChildren();
    for (const c of snap.cues) {
      if (c.shown_after_turn == null) continue;
      const noticed = c.noticed_on_turn != null;
      cues.append(hs.el("li", { class: noticed ? "noticed" : "missed", text: c.description + (noticed ? " — picked up on turn " + c.noticed_on_turn : " — not picked up yet") }));
    }
    if (!cues.children.length) cues.append(hs.el("li", { text: "No cue given yet." }));
    const canSteer = role === "coach" && snap.steerable;
    for (const b of document.querySelectorAll("#controls button")) b.disabled = !canSteer;
    $("hint").disabled = !canSteer;
    const pause = $("pause");
    pause.textContent = snap.paused ? "Resume" : "Pause";
    pause.dataset.action = snap.paused ? "resume" : "pause";
    if (!snap.steerable) {
      $("steer-msg").textContent = snap.closed ? "The session has ended." :
        role !== "coach" ? "Read only." : "This session runs in another program: watch only.";
    }
    refreshView();
  }

  let viewTimer = null;
  function refreshView() {
    if (viewTimer || !current) return;
    viewTimer = setTimeout(async () => {
      viewTimer = null;
      const r = await fetch("/api/live/" + encodeURIComponent(current) + "/view.png", { cache: "no-store" });
      if (r.ok) {
        const blob = await r.blob();
        const img = $("view");
        const old = img.src;
        img.src = URL.createObjectURL(blob);
        if (old.startsWith("blob:")) URL.revokeObjectURL(old);
        $("view-card").hidden = false;
      }
    }, 500);
  }

  function follow(id) {
    if (source) source.close();
    current = id;
    last = null;
    source = new EventSource("/api/live/" + encodeURIComponent(id) + "/events");
    source.addEventListener("snapshot", (e) => render(JSON.parse(e.data)));
    source.onerror = () => { $("status").textContent = "Connection lost — retrying…"; };
  }

  async function steer(action, text) {
    if (!current) return;
    const msg = $("steer-msg");
    msg.className = "msg";
    msg.textContent = "Sending…";
    const r = await hs.json("/api/live/" + encodeURIComponent(current) + "/coach", {
      method: "POST",
      headers: { "content-type": "application/json", "x-holdspace-coach": "1" },
      body: JSON.stringify({ action, text: text || "" }),
    });
    if (r.ok) {
      msg.textContent = r.body && r.body.queued ? "Queued: the session will apply it shortly." : "Done.";
    } else {
      msg.className = "msg bad";
      msg.textContent = (r.body && r.body.error) || "Refused (" + r.status + ").";
    }
  }

  async function sessions() {
    const r = await hs.json("/api/live");
    const list = r.ok && r.body ? r.body.sessions : [];
    const pick = $("pick");
    const wanted = new URLSearchParams(location.search).get("session");
    const ids = list.map((s) => s.id);
    if (ids.join() !== Array.from(pick.options).map((o) => o.value).join()) {
      pick.replaceChildren(...list.map((s) => hs.el("option", { value: s.id, text: s.profile + " · " + s.id })));
    }
    if (!list.length) {
      $("empty").hidden = false;
      $("status").textContent = "";
      return;
    }
    const target = current && ids.includes(current) ? current : wanted && ids.includes(wanted) ? wanted : ids[ids.length - 1];
    pick.value = target;
    if (target !== current) follow(target);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    role = await hs.role();
    for (const b of document.querySelectorAll("#controls button[data-action]")) {
      b.addEventListener("click", () => {
        const a = b.dataset.action;
        if (a === "end" && !confirm("End this session for the trainee now?")) return;
        steer(a);
      });
    }
    $("hint-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const t = $("hint").value.trim();
      if (t) { steer("hint", t); $("hint").value = ""; }
    });
    $("pick").addEventListener("change", () => follow($("pick").value));
    await sessions();
    setInterval(sessions, 3000);
  });
})();
