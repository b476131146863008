// Holdspace coach console: helpers both pages use. Data is always written as text
// (textContent), never as markup.
"use strict";
const hs = {
  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  },
  svg(tag, attrs) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  },
  async json(url, options) {
    const r = await fetch(url, Object.assign({ credentials: "same-origin" }, options || {}));
    let body = null;
    try { body = await r.json(); } catch (_) { body = null; }
    return { ok: r.ok, status: r.status, body };
  },
  pct(x) { return x == null ? "–" : Math.round(x * 100) + "%"; },
  when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  },
  async role() {
    const r = await hs.json("/api/whoami");
    const role = r.ok && r.body ? r.body.role : "none";
    const badge = document.getElementById("role");
    if (badge) badge.textContent = role === "coach" ? "Coach" : role === "viewer" ? "Viewer (read only)" : "";
    return role;
  },
};
