// The admin page: asks for the admin token once (kept in sessionStorage, this tab only),
// lists every module from the admin API and toggles them. Every value from the server is
// set with textContent, never as HTML.
"use strict";

(function () {
  const TOKEN_KEY = "bmcHubAdminToken";
  const API = "/api/v1/modules";

  const loginForm = document.getElementById("admin-login");
  const tokenInput = document.getElementById("admin-token");
  const panel = document.getElementById("admin-panel");
  const tbody = document.querySelector("#admin-modules tbody");
  const message = document.getElementById("admin-message");
  const reasonInput = document.getElementById("admin-reason");

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function say(text, isError) {
    message.textContent = text || "";
    message.classList.toggle("error", Boolean(isError));
  }

  function showLogin(text) {
    panel.hidden = true;
    loginForm.hidden = false;
    tokenInput.value = "";
    tokenInput.focus();
    say(text, Boolean(text));
  }

  async function call(method, url, body) {
    const options = {
      method: method,
      headers: { Authorization: "Bearer " + token(), Accept: "application/json" },
      cache: "no-store",
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    let data = null;
    try {
      data = await response.json();
    } catch (_ignored) {
      data = null;
    }
    if (response.status === 401 || response.status === 403) {
      if (response.status === 401) sessionStorage.removeItem(TOKEN_KEY);
      showLogin(detailOf(data, "not signed in"));
      throw new Error("unauthorized");
    }
    if (!response.ok) {
      throw new Error(detailOf(data, response.status + " " + response.statusText));
    }
    return data;
  }

  function detailOf(data, fallback) {
    if (data && typeof data.detail === "string") return data.detail;
    return fallback;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function badge(text, kind) {
    return el("span", text, "badge " + (kind || text));
  }

  function cell(row, ...children) {
    const td = document.createElement("td");
    children.forEach((child) => td.append(child));
    row.append(td);
    return td;
  }

  function renderRow(record) {
    const row = document.createElement("tr");
    row.id = "module-" + record.name;
    row.dataset.module = record.name;
    row.dataset.state = record.state;

    cell(row, el("strong", record.name));
    const state = cell(row, badge(record.state));
    state.classList.add("module-state");
    if (record.admin && record.admin.changed_by) {
      const why = record.admin.reason ? " — " + record.admin.reason : "";
      const note = el("span", "by " + record.admin.changed_by + why, "muted");
      if (record.admin.changed_at) note.title = record.admin.changed_at;
      state.append(note);
    }
    cell(row, record.version || "—");
    cell(row, record.distribution || "—");

    const health = cell(row);
    health.classList.add("module-health");
    if (record.health) {
      health.append(badge(record.health.status));
      // An unavailable module's reason is its error, shown in the error column.
      const repeated = record.error && record.health.status === "unavailable";
      if (record.health.detail && !repeated) {
        health.append(el("span", record.health.detail, "muted"));
      }
    } else {
      health.append("—");
    }

    const switches = cell(row);
    if (record.read_only === null || record.read_only === undefined) {
      switches.append("—");
    } else {
      switches.append(
        badge(record.read_only ? "READ_ONLY" : "writable", record.read_only ? "switch-on" : "switch-off"),
        " ",
        badge(record.dry_run ? "DRY_RUN" : "commits", record.dry_run ? "switch-on" : "switch-off"),
      );
    }

    const error = cell(row);
    error.classList.add("admin-error");
    if (record.error) {
      error.append(
        el("strong", record.error.stage),
        el("span", record.error.type, "muted"),
        el("span", record.error.message),
      );
    } else {
      error.textContent = "—";
    }

    const action = cell(row);
    if (record.state === "enabled" || record.state === "disabled") {
      const enable = record.state === "disabled";
      const button = el("button", enable ? "Enable" : "Disable", enable ? "" : "secondary");
      button.type = "button";
      button.dataset.action = enable ? "enable" : "disable";
      button.addEventListener("click", () => toggle(record.name, button.dataset.action, row));
      action.append(button);
    } else {
      action.append(el("span", "—", "muted"));
    }
    return row;
  }

  async function toggle(name, action, row) {
    row.classList.add("busy");
    row.querySelectorAll("button").forEach((b) => (b.disabled = true));
    const reason = reasonInput.value.trim();
    try {
      const record = await call(
        "POST",
        API + "/" + encodeURIComponent(name) + "/" + action,
        reason ? { reason: reason } : undefined,
      );
      row.replaceWith(renderRow(record));
      say("Module '" + name + "' is now " + record.state + ".");
    } catch (err) {
      row.classList.remove("busy");
      row.querySelectorAll("button").forEach((b) => (b.disabled = false));
      if (err.message !== "unauthorized") say(err.message, true);
    }
  }

  async function load() {
    say("Loading …");
    try {
      const records = await call("GET", API);
      tbody.replaceChildren(...records.map(renderRow));
      loginForm.hidden = true;
      panel.hidden = false;
      say(records.length ? "" : "No module is installed.");
      document.dispatchEvent(new CustomEvent("bmc-hub:admin-loaded"));
    } catch (err) {
      if (err.message !== "unauthorized") say(err.message, true);
    }
  }

  // For admin_jobs.js: the same token handling, messages and safe element building.
  window.bmcHubAdmin = { call: call, el: el, badge: badge, cell: cell, say: say };

  loginForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = tokenInput.value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    tokenInput.value = "";
    load();
  });
  document.getElementById("admin-refresh").addEventListener("click", load);
  document.getElementById("admin-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    tbody.replaceChildren();
    showLogin("");
  });

  if (token()) {
    load();
  } else {
    showLogin("");
  }
})();
