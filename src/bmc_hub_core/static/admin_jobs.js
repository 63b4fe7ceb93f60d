// The admin page's Jobs section: declared jobs with "Run now", the newest runs with
// "Retry" for failed ones. Loaded after admin.js, whose helpers it uses; refreshed every
// time admin.js (re)loads the modules. Every value is set with textContent.
"use strict";

(function () {
  const API = "/api/v1/jobs";
  const jobsBody = document.querySelector("#admin-jobs tbody");
  const runsBody = document.querySelector("#admin-runs tbody");
  const empty = document.getElementById("admin-jobs-empty");

  function when(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
  }

  function lastRun(run) {
    const { el, badge } = window.bmcHubAdmin;
    if (!run) return el("span", "never", "muted");
    const span = el("span");
    span.append(badge(run.state), " ", el("span", when(run.finished_at || run.started_at), "muted"));
    return span;
  }

  function button(label, className, onClick) {
    const node = window.bmcHubAdmin.el("button", label, className);
    node.type = "button";
    node.addEventListener("click", () => onClick(node));
    return node;
  }

  async function act(node, method, url, done) {
    const { call, say } = window.bmcHubAdmin;
    node.disabled = true;
    try {
      const answer = await call(method, url);
      say(done(answer));
      await load();
    } catch (err) {
      node.disabled = false;
      if (err.message !== "unauthorized") say(err.message, true);
    }
  }

  function jobRow(job) {
    const { el, badge, cell } = window.bmcHubAdmin;
    const row = document.createElement("tr");
    row.id = "job-" + job.name.replace(".", "-");
    row.dataset.job = job.name;
    const name = cell(row, el("strong", job.name));
    if (job.description) name.append(el("span", job.description, "muted"));
    cell(row, job.schedule);
    cell(row, badge(job.module_state));
    cell(row, when(job.next_run_at));
    cell(row, lastRun(job.last_run));
    cell(
      row,
      button("Run now", "", (node) =>
        act(node, "POST", API + "/" + encodeURIComponent(job.name) + "/run", (run) =>
          "Queued run " + run.id + " of " + job.name + "."),
      ),
    );
    return row;
  }

  function runRow(run) {
    const { el, badge, cell } = window.bmcHubAdmin;
    const row = document.createElement("tr");
    row.id = "run-" + run.id;
    row.dataset.state = run.state;
    cell(row, String(run.id));
    cell(row, run.name);
    cell(row, badge(run.state));
    cell(row, run.attempt + " of " + run.max_attempts);
    cell(row, run.trigger);
    cell(row, when(run.started_at));
    cell(row, run.duration_ms === null || run.duration_ms === undefined ? "—" : run.duration_ms + " ms");
    const error = cell(row, run.error || "—");
    error.classList.add("admin-error");
    if (run.state === "failed" || run.state === "skipped") {
      cell(
        row,
        button("Retry", "secondary", (node) =>
          act(node, "POST", API + "/runs/" + run.id + "/retry", (queued) =>
            "Queued run " + queued.id + ", a retry of run " + run.id + "."),
        ),
      );
    } else {
      cell(row, el("span", "—", "muted"));
    }
    return row;
  }

  async function load() {
    const { call, say } = window.bmcHubAdmin;
    try {
      const data = await call("GET", API + "?limit=20");
      jobsBody.replaceChildren(...data.jobs.map(jobRow));
      runsBody.replaceChildren(...data.runs.map(runRow));
      empty.hidden = data.jobs.length > 0;
    } catch (err) {
      if (err.message !== "unauthorized") say(err.message, true);
    }
  }

  document.addEventListener("bmc-hub:admin-loaded", load);
})();
