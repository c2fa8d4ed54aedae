// The Rotor console: plain JavaScript, no build step, no library. Every value from the API is
// put on the page as text (textContent, never innerHTML), and every call carries the signed-in
// user's own token, which lives only in this tab's session storage.
"use strict";

const TOKEN_KEY = "rotor-console-token";
const STAGES = [
  "load_intended_configuration",
  "perform_configuration_diff",
  "apply_configuration",
  "perform_backup",
];
const TERMINAL = ["Succeeded", "Failed", "Halted", "Cancelled"];

// ---------------------------------------------------------------------------------------------
// Small helpers.

/** An element with attributes and children (strings become text nodes). */

// An operation's kind, marked when it is a plan (a dry run: nothing written or applied).
function kindText(op) {
  return (op.kind || "") + (op.plan ? " (plan)" : "");
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** How a status word looks: a class (colour) and a symbol, with the word always written. */
function tone(word) {
  switch (word) {
    case "Succeeded":
    case "InSync":
    case "Enabled":
      return ["ok", "\u2713"];
    case "Failed":
    case "OutOfSync":
    case "Halted":
    case "Cancelled":
    case "Quarantined":
      return ["bad", "\u2717"];
    case "InProgress":
    case "Accepted":
    case "Started":
    case "Synchronizing":
    case "UnderMaintenance":
      return ["busy", "\u25D4"];
    case "Skipped":
      return ["idle", "\u2013"];
    case "Unverified":
      return ["idle", "?"];
    default:
      return ["idle", "\u2022"];
  }
}

function badge(word) {
  // A proto enum's zero value ("OPERATION_STATE_UNSPECIFIED") means nothing happened yet.
  const text = !word || word.endsWith("_UNSPECIFIED") ? "None" : word;
  const [cls, symbol] = tone(text);
  return el("span", { class: `badge ${cls}`, "data-status": text }, `${symbol} ${text}`);
}

function code(error) {
  if (!error || !error.code) return "";
  return el("span", { class: "code", "data-code": error.code }, error.code);
}

/** A time: local on the page, UTC on hover. */
function when(iso) {
  if (!iso) return el("span", { class: "muted" }, "never");
  const date = new Date(iso);
  if (isNaN(date)) return iso;
  const utc = date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return el("time", { datetime: iso, title: utc }, date.toLocaleString());
}

function link(href, text) {
  return el("a", { href }, text);
}

function fabricHref(fabric) {
  return `#/fabrics/${encodeURIComponent(fabric)}`;
}

function deviceHref(fabric, device) {
  return `${fabricHref(fabric)}/devices/${encodeURIComponent(device)}`;
}

function operationHref(operation) {
  return `#/operations/${encodeURIComponent(operation)}`;
}

function progressBar(percent, large) {
  const value = Math.max(0, Math.min(100, percent || 0));
  return el(
    "div",
    { class: large ? "progress large" : "progress" },
    el("progress", { max: 100, value, "aria-label": "progress" }),
    el("span", { class: "pct", "data-test": "percent" }, `${value} %`),
  );
}

function table(headers, rows) {
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows),
  );
}

function alertBox(error) {
  return el(
    "div",
    { class: "alert", role: "alert", "data-test": "refusal" },
    el("span", { class: "code" }, error.code || "Error"),
    error.message || "",
  );
}

// ---------------------------------------------------------------------------------------------
// The API.

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || `HTTP${status}`;
  }
}

async function api(path, options) {
  const init = Object.assign({ method: "GET" }, options || {});
  init.headers = Object.assign({}, init.headers, { Authorization: `Bearer ${token()}` });
  if (init.json !== undefined) {
    init.body = JSON.stringify(init.json);
    init.headers["Content-Type"] = "application/json";
    delete init.json;
  }
  const response = await fetch(path, init);
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, body);
    if (response.status === 401) showSignIn(error.message);
    throw error;
  }
  return body || {};
}

/** Stage events as they happen (`/api/watch`, Server-Sent Events read with fetch, so the token
 *  travels in a header). Calls `onEvent(event)` for each until `signal` aborts. */
async function watch(params, onEvent, signal) {
  const response = await fetch(`/api/watch?${new URLSearchParams(params)}`, {
    headers: { Authorization: `Bearer ${token()}` },
    signal,
  });
  if (!response.ok || !response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let kind = "message";
      let data = "";
      for (const line of chunk.split("\n")) {
        if (line.startsWith("event:")) kind = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data && kind === "message") onEvent(JSON.parse(data));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pages. Each route gets a fresh `page` (its timers and streams end when the route changes).

let page = { timers: [], abort: new AbortController() };

function newPage() {
  for (const timer of page.timers) clearInterval(timer);
  page.abort.abort();
  page = { timers: [], abort: new AbortController() };
  return page;
}

function every(ms, task) {
  const mine = page;
  const timer = setInterval(() => {
    if (mine === page) task();
  }, ms);
  mine.timers.push(timer);
}

const main = () => document.getElementById("main");

function render(...children) {
  append(clear(main()), children);
}

function showError(error) {
  render(el("h1", {}, "Something went wrong"), alertBox(error));
}

function subjectOf(jwt) {
  try {
    const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).sub || "";
  } catch (_) {
    return "";
  }
}

function showWho() {
  const who = clear(document.getElementById("who"));
  if (!token()) return;
  append(who, [
    el("span", { "data-test": "subject" }, `signed in as ${subjectOf(token()) || "?"}`),
    el(
      "button",
      {
        onclick: () => {
          sessionStorage.removeItem(TOKEN_KEY);
          showSignIn("");
        },
      },
      "Sign out",
    ),
  ]);
}

function showSignIn(reason) {
  newPage();
  showWho();
  const input = el("textarea", {
    id: "token",
    placeholder: "eyJ...",
    autocomplete: "off",
    spellcheck: "false",
  });
  const form = el(
    "form",
    {
      class: "panel signin",
      onsubmit: (event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (!value) return;
        sessionStorage.setItem(TOKEN_KEY, value);
        location.hash = "#/fabrics";
        route();
      },
    },
    el("h2", {}, "Sign in"),
    el(
      "p",
      { class: "muted" },
      "Paste your Rotor API token (from `rotor auth token`, or the sign-in link `rotor up` writes to .rotor/console-link). It stays in this browser tab and is sent only to this console, which passes it to the Rotor API: you see and do what your roles allow.",
    ),
    input,
    el("div", { class: "buttons" }, el("button", { class: "primary", type: "submit" }, "Sign in")),
  );
  render(el("h1", {}, "Rotor console"), reason ? alertBox({ code: "Unauthenticated", message: reason }) : "", form);
}

// --- Fabrics ---------------------------------------------------------------------------------

async function fabricsPage() {
  render(el("h1", {}, "Fabrics"), el("p", { class: "muted" }, "Loading\u2026"));
  const body = el("tbody", {});
  const draw = async () => {
    const { fabrics = [] } = await api("/api/fabrics");
    const rows = [];
    for (const fabric of fabrics) {
      const busy = fabric.state === "InProgress" || fabric.state === "Accepted";
      let operation = fabric.lastOperationId
        ? link(operationHref(fabric.lastOperationId), fabric.lastOperationId)
        : el("span", { class: "muted" }, "none");
      if (busy && fabric.lastOperationId) {
        try {
          const op = await api(`/api/operations/${encodeURIComponent(fabric.lastOperationId)}`);
          operation = el("div", {}, link(operationHref(op.id), `${kindText(op)} in progress`), progressBar(op.percentComplete));
        } catch (_) {
          /* shown as a link */
        }
      }
      const failed = (fabric.failedDeviceIds || []).length;
      const succeeded = (fabric.succeededDeviceIds || []).length;
      rows.push(
        el(
          "tr",
          { "data-fabric": fabric.fabricId, class: failed ? "failed" : "" },
          el("td", {}, link(fabricHref(fabric.fabricId), fabric.fabricId)),
          el("td", {}, badge(fabric.state)),
          el("td", {}, when(fabric.lastRotationTime)),
          el("td", { class: "num" }, String(fabric.totalDevices || 0)),
          el("td", { class: "num" }, String(succeeded)),
          el("td", { class: "num" }, failed ? el("span", { class: "code" }, `\u2717 ${failed}`) : "0"),
          el("td", { class: "num", "data-test": "unique-password-set-count" }, String(fabric.uniquePasswordSetCount || 0)),
          el("td", {}, operation),
        ),
      );
    }
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 8, class: "muted" }, "No fabric you may view has been imported.")));
    append(clear(body), rows);
  };
  await draw();
  render(
    el("h1", {}, "Fabrics"),
    el(
      "table",
      { id: "fabrics" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Fabric", "State", "Last rotation", "Devices", "Succeeded", "Failed", "uniquePasswordSetCount", "Operation"].map((h) =>
            el("th", { class: h === "uniquePasswordSetCount" ? "name" : "" }, h),
          ),
        ),
      ),
      body,
    ),
  );
  every(2000, () => draw().catch(() => {}));
}

// --- A fabric ----------------------------------------------------------------------------------

function secretsText(secrets) {
  return (secrets || []).map((s) => {
    const version = s.secretArchiveReference ? `v${s.secretArchiveReference.version || 0}` : "";
    return el("div", {}, `${s.username || s.secretType}: `, badge(s.synchronizationStatus), ` ${version}`);
  });
}

async function fabricPage(fabricId) {
  const [fabric, { devices = [] }, { operations = [] }] = await Promise.all([
    api(`/api/fabrics/${encodeURIComponent(fabricId)}`),
    api(`/api/fabrics/${encodeURIComponent(fabricId)}/devices`),
    api(`/api/operations?fabric=${encodeURIComponent(fabricId)}&limit=10`),
  ]);
  const rows = devices.map((d) => {
    const s = d.status || {};
    return {
      id: s.deviceId,
      platform: s.platform || "",
      role: d.role || "",
      admin: s.administrativeState || "",
      sync: (s.secrets || []).map((x) => `${x.synchronizationStatus} v${(x.secretArchiveReference || {}).version || 0}`).join(" "),
      result: s.lastResult || "",
      error: (s.lastError || {}).code || "",
      failed: s.lastResult === "Failed",
      status: s,
    };
  });
  const state = { sort: "id", direction: 1, filter: "", failedFirst: false };
  const body = el("tbody", {});
  const headers = [
    ["id", "Device"],
    ["platform", "Platform"],
    ["role", "Role"],
    ["admin", "Administrative state"],
    ["sync", "Secrets (synchronization, version)"],
    ["result", "Last result"],
    ["error", "Error code"],
  ];
  const ths = headers.map(([key, label]) =>
    el(
      "th",
      {
        class: "sortable",
        "data-sort": key,
        onclick: () => {
          state.direction = state.sort === key ? -state.direction : 1;
          state.sort = key;
          draw();
        },
      },
      label,
    ),
  );
  const draw = () => {
    const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = rows
      .filter((r) => {
        const text = [r.id, r.platform, r.role, r.admin, r.sync, r.result, r.error].join(" ").toLowerCase();
        return words.every((w) => text.includes(w));
      })
      .sort((a, b) => {
        if (state.failedFirst && a.failed !== b.failed) return a.failed ? -1 : 1;
        return String(a[state.sort]).localeCompare(String(b[state.sort]), undefined, { numeric: true }) * state.direction;
      });
    for (const th of ths) {
      th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.direction > 0 ? "ascending" : "descending") : "none");
    }
    append(
      clear(body),
      shown.map((r) =>
        el(
          "tr",
          { "data-device": r.id, class: r.failed ? "failed" : "" },
          el("td", {}, link(deviceHref(fabricId, r.id), r.id)),
          el("td", {}, r.platform),
          el("td", {}, r.role),
          el("td", {}, badge(r.admin)),
          el("td", {}, secretsText(r.status.secrets)),
          el("td", {}, r.result ? badge(r.result) : el("span", { class: "muted" }, "none")),
          el("td", {}, code(r.status.lastError)),
        ),
      ),
    );
    if (!shown.length) append(body, [el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No device matches."))]);
  };
  const filter = el("input", {
    type: "search",
    id: "device-filter",
    placeholder: "Filter: device, platform, role, state, error code\u2026",
    oninput: (event) => {
      state.filter = event.target.value;
      draw();
    },
  });
  const failedFirst = el("input", {
    type: "checkbox",
    id: "failed-first",
    onchange: (event) => {
      state.failedFirst = event.target.checked;
      draw();
    },
  });
  draw();
  render(
    el("div", { class: "crumbs" }, link("#/fabrics", "Fabrics"), " / ", fabricId),
    el("h1", {}, `Fabric ${fabricId}`),
    el(
      "div",
      { class: "panel" },
      el(
        "dl",
        { class: "facts" },
        el("dt", {}, "State"), el("dd", {}, badge(fabric.state)),
        el("dt", {}, "Last rotation"), el("dd", {}, when(fabric.lastRotationTime)),
        el("dt", {}, "Devices"), el("dd", {}, `${fabric.totalDevices || 0} (${(fabric.succeededDeviceIds || []).length} succeeded, ${(fabric.failedDeviceIds || []).length} failed)`),
        el("dt", {}, "uniquePasswordSetCount"), el("dd", { "data-test": "unique-password-set-count" }, String(fabric.uniquePasswordSetCount || 0)),
        el("dt", {}, "Last operation"), el("dd", {}, fabric.lastOperationId ? link(operationHref(fabric.lastOperationId), fabric.lastOperationId) : "none"),
        el("dt", {}, "Next scheduled rotation"),
        el(
          "dd",
          { "data-test": "next-scheduled-rotation" },
          fabric.schedulePaused
            ? "paused (rotor schedule resume)"
            : fabric.nextScheduledRotation
              ? when(fabric.nextScheduledRotation)
              : "none scheduled",
        ),
      ),
      el("div", { class: "buttons" }, link(`#/actions?fabric=${encodeURIComponent(fabricId)}`, "Rotate or resync this fabric\u2026")),
    ),
    el(
      "div",
      { class: "toolbar" },
      filter,
      el("label", {}, failedFirst, " Failed devices first"),
      el("span", { class: "muted" }, `${rows.length} devices; click a column to sort`),
    ),
    el("table", { id: "devices" }, el("thead", {}, el("tr", {}, ths)), body),
    el("h2", { class: "spaced" }, "Recent operations"),
    el(
      "div",
      { class: "panel", id: "operations" },
      operations.length
        ? table(
            ["Operation", "Kind", "Status", "Progress", "Started", "Requested by", "Error"],
            operations.map((op) =>
              el(
                "tr",
                {},
                el("td", { class: "mono" }, link(operationHref(op.id), op.id)),
                el("td", {}, kindText(op)),
                el("td", {}, badge(op.status)),
                el("td", {}, progressBar(op.percentComplete)),
                el("td", {}, when(op.startTime)),
                el("td", {}, op.requestedBy || ""),
                el("td", {}, code(op.error)),
              ),
            ),
          )
        : el("p", { class: "muted" }, "No operation yet."),
    ),
  );
}

// --- A device ----------------------------------------------------------------------------------

function stageRow(stage) {
  return el(
    "tr",
    { "data-stage": stage.stage },
    el("td", { class: "mono" }, stage.stage),
    el("td", {}, badge(stage.status)),
    el(
      "td",
      {},
      stage.display ? el("div", { "data-test": "display" }, stage.display) : "",
      // The error's message, unless the display text already says it.
      stage.error ? el("div", {}, code(stage.error), " ", stage.error.message !== stage.display ? stage.error.message || "" : "") : "",
      (stage.offendingLines || []).length
        ? el("div", {}, el("div", { class: "muted" }, "Offending diff lines:"), el("pre", { class: "offending", "data-test": "offending-lines" }, stage.offendingLines.join("\n")))
        : "",
    ),
    el("td", {}, when(stage.time)),
    el("td", {}, stage.operationId ? link(operationHref(stage.operationId), stage.operationId) : ""),
  );
}

async function devicePage(fabricId, deviceId) {
  const base = `/api/fabrics/${encodeURIComponent(fabricId)}/devices/${encodeURIComponent(deviceId)}`;
  const [device, { backups = [] }] = await Promise.all([api(base), api(`${base}/backups`)]);
  const stages = (device.lastStages || []).slice().sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
  const download = async (name, button) => {
    button.disabled = true;
    try {
      const backup = await api(`/api/backup?name=${encodeURIComponent(name)}`);
      const blob = new Blob([backup.config || ""], { type: "text/yaml" });
      const anchor = el("a", { href: URL.createObjectURL(blob), download: `${name.replace(/\//g, "_")}.yaml` });
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
    } finally {
      button.disabled = false;
    }
  };
  render(
    el("div", { class: "crumbs" }, link("#/fabrics", "Fabrics"), " / ", link(fabricHref(fabricId), fabricId), " / ", deviceId),
    el("h1", {}, `Device ${deviceId}`),
    el(
      "div",
      { class: "grid" },
      el(
        "div",
        { class: "panel" },
        el(
          "dl",
          { class: "facts" },
          el("dt", {}, "Platform"), el("dd", {}, device.platform || ""),
          el("dt", {}, "Administrative state"), el("dd", {}, badge(device.administrativeState)),
          el("dt", {}, "Last result"), el("dd", {}, device.lastResult ? badge(device.lastResult) : "none"),
          el("dt", {}, "Error"), el("dd", { "data-test": "last-error" }, device.lastError ? [code(device.lastError), " ", device.lastError.message || ""] : "none"),
          el("dt", {}, "Quarantine"),
          el(
            "dd",
            { "data-test": "quarantine" },
            device.quarantine
              ? [badge("Quarantined"), " since ", when(device.quarantine.since), ": ", device.quarantine.reason || ""]
              : device.consecutiveFailures
                ? `no (${device.consecutiveFailures} failure(s) in a row)`
                : "no",
          ),
          el("dt", {}, "Last rotation"), el("dd", {}, when(device.lastRotationTime)),
          el("dt", {}, "Last operation"), el("dd", {}, device.lastOperationId ? link(operationHref(device.lastOperationId), device.lastOperationId) : "none"),
        ),
        el(
          "div",
          { class: "buttons" },
          link(`#/actions?fabric=${encodeURIComponent(fabricId)}&device=${encodeURIComponent(deviceId)}`, "Rotate or resync this device\u2026"),
        ),
      ),
    ),
    el("h2", {}, "Secrets"),
    el(
      "div",
      { class: "panel" },
      table(
        ["Secret type", "User", "Synchronization", "Archive reference", "Version", "Last rotation"],
        (device.secrets || []).map((s) => {
          const ref = s.secretArchiveReference || {};
          return el(
            "tr",
            { "data-secret": s.secretType },
            el("td", {}, s.secretType),
            el("td", {}, s.username || ""),
            el("td", {}, badge(s.synchronizationStatus)),
            el("td", { class: "mono" }, ref.uri || `${ref.mount || ""}/${ref.path || ""}`),
            el("td", { class: "num" }, String(ref.version || 0)),
            el("td", {}, when(s.lastRotationTime)),
          );
        }),
      ),
    ),
    el("h2", {}, "Last operation's stages"),
    el(
      "div",
      { class: "panel" },
      stages.length
        ? el("table", { id: "stages" }, el("thead", {}, el("tr", {}, ["Stage", "Status", "What happened", "Time", "Operation"].map((h) => el("th", {}, h)))), el("tbody", {}, stages.map(stageRow)))
        : el("p", { class: "muted" }, "No operation has reached this device yet."),
    ),
    el("h2", {}, "Backups"),
    el(
      "div",
      { class: "panel" },
      el("p", { class: "muted" }, "The running configuration as the device printed it, stored after each operation; password hashes are masked by the device."),
      backups.length
        ? el("div", { id: "backups" }, table(
            ["Time", "Operation", "Trigger", "Size", "SHA-256", ""],
            backups.map((b) => {
              const button = el("button", { type: "button" }, "Download");
              button.addEventListener("click", () => download(b.name, button));
              return el(
                "tr",
                {},
                el("td", {}, when(b.time)),
                el("td", {}, link(operationHref(b.operationId), b.operationId)),
                el("td", {}, b.trigger || ""),
                el("td", { class: "num" }, `${b.size || 0} B`),
                el("td", { class: "mono" }, (b.sha256 || "").slice(0, 16)),
                el("td", {}, button),
              );
            }),
          ))
        : el("p", { class: "muted" }, "No backup yet."),
    ),
  );
}

// --- An operation ------------------------------------------------------------------------------

async function operationPage(operationId) {
  const path = `/api/operations/${encodeURIComponent(operationId)}`;
  let operation = await api(path);
  const fabricId = operation.fabricId;
  const cells = new Map(); // device -> {stage -> td}
  const rowsBody = el("tbody", {});
  const header = el("div", { class: "panel" });
  const summary = el("div", { id: "summary" });

  const rowFor = (device) => {
    if (cells.has(device)) return cells.get(device);
    const row = { result: el("td", {}, badge("InProgress")) };
    const tr = el("tr", { "data-device": device }, el("td", {}, link(deviceHref(fabricId, device), device)));
    for (const stage of STAGES) {
      row[stage] = el("td", { class: "stage-cell", "data-stage": stage }, el("span", { class: "muted" }, "waiting"));
      tr.appendChild(row[stage]);
    }
    tr.appendChild(row.result);
    cells.set(device, row);
    // Keep rows in device order.
    const after = [...rowsBody.children].find((r) => r.dataset.device > device);
    rowsBody.insertBefore(tr, after || null);
    return row;
  };

  const drawHeader = () => {
    append(clear(header), [
      el(
        "dl",
        { class: "facts" },
        el("dt", {}, "Kind"), el("dd", {}, kindText(operation)),
        el("dt", {}, "Fabric"), el("dd", {}, link(fabricHref(fabricId), fabricId)),
        el("dt", {}, "Status"), el("dd", { "data-test": "operation-status" }, badge(operation.status)),
        el("dt", {}, "Requested by"), el("dd", {}, operation.requestedBy || ""),
        el("dt", {}, "Started"), el("dd", {}, when(operation.startTime)),
        el("dt", {}, "Ended"), el("dd", {}, operation.endTime ? when(operation.endTime) : "still running"),
        el("dt", {}, "Devices"), el("dd", {}, `${operation.totalDevices || 0} (${operation.succeededDevices || 0} succeeded, ${operation.failedDevices || 0} failed)`),
      ),
      el("div", { id: "operation-progress" }, progressBar(operation.percentComplete, true)),
    ]);
  };

  const drawSummary = () => {
    clear(summary);
    for (const result of operation.operations || []) {
      const row = rowFor(result.resourceId);
      clear(row.result).appendChild(badge(result.status));
      if (result.error) append(row.result, [" ", code(result.error)]);
    }
    if (!TERMINAL.includes(operation.status)) return;
    const results = operation.operations || [];
    const updated = results.filter((r) => r.status === "Succeeded");
    const notUpdated = results.filter((r) => r.status !== "Succeeded");
    append(summary, [
      el("h2", {}, "Summary"),
      el(
        "div",
        { class: "panel", "data-test": "summary" },
        operation.error
          ? el("div", { class: "alert" }, el("span", { class: "code" }, operation.error.code), operation.error.message || "")
          : el("div", { class: "notice" }, `${badge(operation.status).textContent}: every device was updated.`),
        el(
          "div",
          { class: "grid" },
          el(
            "div",
            {},
            el("h2", {}, `Updated (${updated.length})`),
            el("ul", { class: "plain", "data-test": "updated" }, updated.map((r) => el("li", {}, badge("Succeeded"), " ", link(deviceHref(fabricId, r.resourceId), r.resourceId)))),
          ),
          el(
            "div",
            {},
            el("h2", {}, `Not updated (${notUpdated.length})`),
            el(
              "ul",
              { class: "plain", "data-test": "not-updated" },
              notUpdated.concat(operation.skippedDevices || []).map((r) =>
                el("li", {}, link(deviceHref(fabricId, r.resourceId), r.resourceId), ": ", code(r.error), " ", (r.error || {}).message || ""),
              ),
            ),
          ),
        ),
      ),
    ]);
  };

  let refreshing = false;
  let again = false;
  const refresh = async () => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      do {
        again = false;
        operation = await api(path);
        drawHeader();
        drawSummary();
      } while (again);
    } catch (_) {
      /* the next event or tick tries again */
    } finally {
      refreshing = false;
    }
  };

  const onEvent = (event) => {
    const row = rowFor(event.deviceId);
    const cell = row[event.stage];
    if (!cell) return;
    append(clear(cell), [
      badge(event.status),
      event.error ? [" ", code(event.error)] : "",
      event.display ? el("span", { class: "display" }, event.display) : "",
    ]);
    refresh();
  };

  drawHeader();
  for (const result of operation.operations || []) rowFor(result.resourceId);
  drawSummary();
  render(
    el("div", { class: "crumbs" }, link("#/fabrics", "Fabrics"), " / ", link(fabricHref(fabricId), fabricId), " / operation"),
    el("h1", {}, `Operation ${operationId}`),
    header,
    el("h2", {}, "Devices, stage by stage"),
    el(
      "div",
      { class: "panel" },
      el("table", { id: "operation-devices" }, el("thead", {}, el("tr", {}, ["Device", ...STAGES, "Result"].map((h) => el("th", { class: STAGES.includes(h) ? "stage" : "" }, h)))), rowsBody),
    ),
    summary,
  );
  watch({ fabric: fabricId, operation: operationId }, onEvent, page.abort.signal).catch(() => {});
  every(2000, () => {
    if (!TERMINAL.includes(operation.status)) refresh();
  });
}

// --- Forms -------------------------------------------------------------------------------------

function option(value, text, selected) {
  return el("option", { value, selected: selected || false }, text);
}

async function submit(path, request, result) {
  clear(result);
  try {
    const reply = await api(path, { method: "POST", json: request });
    if (reply.accepted) {
      location.hash = operationHref(reply.accepted.operationId);
      return;
    }
    const error = (reply.rejected && reply.rejected.error) || { code: "Error", message: "no answer" };
    result.appendChild(alertBox(error));
  } catch (error) {
    result.appendChild(alertBox(error));
  }
}

/** A fabric-wide action: a first button shows what will happen, a second one does it. */
function confirmStep(result, describe, act) {
  return () => {
    clear(result);
    const box = el(
      "div",
      { class: "confirm", "data-test": "confirm" },
      el("p", {}, describe()),
      el(
        "div",
        { class: "buttons" },
        el("button", { type: "button", class: "danger", "data-test": "confirm-button", onclick: () => act() }, "Confirm"),
        el("button", { type: "button", onclick: () => clear(result) }, "Cancel"),
      ),
    );
    result.appendChild(box);
  };
}

async function actionsPage(query) {
  const { fabrics = [] } = await api("/api/fabrics");
  const chosenFabric = query.get("fabric") || (fabrics[0] && fabrics[0].fabricId) || "";
  const chosenDevice = query.get("device") || "";
  const byId = new Map(fabrics.map((f) => [f.fabricId, f]));
  const fabricSelect = (id) =>
    el("select", { id }, fabrics.map((f) => option(f.fabricId, `${f.fabricId} (${f.totalDevices || 0} devices)`, f.fabricId === chosenFabric)));
  const devicesOf = new Map();
  const loadDevices = async (fabric) => {
    if (!devicesOf.has(fabric)) {
      const { devices = [] } = await api(`/api/fabrics/${encodeURIComponent(fabric)}/devices`);
      devicesOf.set(fabric, devices);
    }
    return devicesOf.get(fabric);
  };

  // Rotate a fabric.
  const rotateFabric = fabricSelect("rotate-fabric-fabric");
  const rotateFabricResult = el("div", {});
  const rotateFabricForm = el(
    "form",
    { class: "panel action", id: "rotate-fabric", onsubmit: (e) => e.preventDefault() },
    el("h2", {}, "Rotate a fabric"),
    el("p", { class: "muted" }, "New passwords for every mapped user, generated in the secrets store and pushed to every device."),
    el("label", { for: rotateFabric.id }, "Fabric"),
    rotateFabric,
    el(
      "div",
      { class: "buttons" },
      el(
        "button",
        {
          type: "button",
          class: "primary",
          "data-test": "start",
          onclick: confirmStep(
            rotateFabricResult,
            () => `Rotate the passwords of all ${(byId.get(rotateFabric.value) || {}).totalDevices || 0} devices of fabric ${rotateFabric.value}?`,
            () => submit("/api/rotate", { kind: "FabricRotatePassword", fabricId: rotateFabric.value }, rotateFabricResult),
          ),
        },
        "Rotate fabric\u2026",
      ),
    ),
    rotateFabricResult,
  );

  // Rotate a device: devices of the chosen fabric, users from the device's mappings.
  const rotateDeviceFabric = fabricSelect("rotate-device-fabric");
  const rotateDevice = el("select", { id: "rotate-device-device" });
  const rotateUser = el("select", { id: "rotate-device-user" });
  const rotateDeviceResult = el("div", {});
  const fillUsers = () => {
    const device = (devicesOf.get(rotateDeviceFabric.value) || []).find((d) => (d.status || {}).deviceId === rotateDevice.value);
    append(clear(rotateUser), ((device && device.usernames) || []).map((u) => option(u, u === device.loginUser ? `${u} (login user)` : u, u === device.loginUser)));
  };
  const fillDevices = async (select, fabric, then) => {
    const devices = await loadDevices(fabric);
    append(clear(select), devices.map((d) => option(d.status.deviceId, `${d.status.deviceId} (${d.status.platform}, ${d.role})`, d.status.deviceId === chosenDevice)));
    if (then) then();
  };
  rotateDeviceFabric.addEventListener("change", () => fillDevices(rotateDevice, rotateDeviceFabric.value, fillUsers));
  rotateDevice.addEventListener("change", fillUsers);
  const rotateDeviceForm = el(
    "form",
    { class: "panel action", id: "rotate-device", onsubmit: (e) => e.preventDefault() },
    el("h2", {}, "Rotate a device"),
    el("p", { class: "muted" }, "A new password for one user of one device."),
    el("label", { for: rotateDeviceFabric.id }, "Fabric"),
    rotateDeviceFabric,
    el("label", { for: rotateDevice.id }, "Device"),
    rotateDevice,
    el("label", { for: rotateUser.id }, "User (from the device's password mappings)"),
    rotateUser,
    el(
      "div",
      { class: "buttons" },
      el(
        "button",
        {
          type: "button",
          class: "primary",
          "data-test": "start",
          onclick: () =>
            submit(
              "/api/rotate",
              { kind: "DeviceRotatePassword", fabricId: rotateDeviceFabric.value, deviceIds: [rotateDevice.value], users: rotateUser.value ? [rotateUser.value] : [] },
              rotateDeviceResult,
            ),
        },
        "Rotate device",
      ),
    ),
    rotateDeviceResult,
  );

  // Resync a fabric's failed devices.
  const resyncFabric = fabricSelect("resync-fabric-fabric");
  const resyncFabricResult = el("div", {});
  const resyncFabricForm = el(
    "form",
    { class: "panel action", id: "resync-fabric", onsubmit: (e) => e.preventDefault() },
    el("h2", {}, "Resync a fabric's failed devices"),
    el("p", { class: "muted" }, "Pushes the current passwords to every device of the fabric that does not hold them (the failed ones, and any other not InSync)."),
    el("label", { for: resyncFabric.id }, "Fabric"),
    resyncFabric,
    el(
      "div",
      { class: "buttons" },
      el(
        "button",
        {
          type: "button",
          class: "primary",
          "data-test": "start",
          onclick: confirmStep(
            resyncFabricResult,
            () => {
              const failed = (byId.get(resyncFabric.value) || {}).failedDeviceIds || [];
              return `Resync fabric ${resyncFabric.value}? Failed devices: ${failed.length ? failed.join(", ") : "none"}.`;
            },
            () => submit("/api/resync", { kind: "FabricResyncPassword", fabricId: resyncFabric.value }, resyncFabricResult),
          ),
        },
        "Resync failed devices\u2026",
      ),
    ),
    resyncFabricResult,
  );

  // Resync a device.
  const resyncDeviceFabric = fabricSelect("resync-device-fabric");
  const resyncDevice = el("select", { id: "resync-device-device" });
  const resyncDeviceResult = el("div", {});
  resyncDeviceFabric.addEventListener("change", () => fillDevices(resyncDevice, resyncDeviceFabric.value));
  const resyncDeviceForm = el(
    "form",
    { class: "panel action", id: "resync-device", onsubmit: (e) => e.preventDefault() },
    el("h2", {}, "Resync a device"),
    el("p", { class: "muted" }, "Pushes the current passwords to one device."),
    el("label", { for: resyncDeviceFabric.id }, "Fabric"),
    resyncDeviceFabric,
    el("label", { for: resyncDevice.id }, "Device"),
    resyncDevice,
    el(
      "div",
      { class: "buttons" },
      el(
        "button",
        {
          type: "button",
          class: "primary",
          "data-test": "start",
          onclick: () => submit("/api/resync", { kind: "DeviceResyncPassword", fabricId: resyncDeviceFabric.value, deviceIds: [resyncDevice.value] }, resyncDeviceResult),
        },
        "Resync device",
      ),
    ),
    resyncDeviceResult,
  );

  if (chosenFabric) {
    await Promise.all([fillDevices(rotateDevice, chosenFabric, fillUsers), fillDevices(resyncDevice, chosenFabric)]);
  }
  render(
    el("h1", {}, "Rotate & resync"),
    el("p", { class: "muted" }, "Rotor generates every password in the secrets store; the console never shows or takes one. A request the guardrails refuse says why below its form."),
    el("div", { class: "grid" }, rotateFabricForm, resyncFabricForm, rotateDeviceForm, resyncDeviceForm),
  );
}

// ---------------------------------------------------------------------------------------------
// Routing.

async function route() {
  const hash = location.hash || "#/fabrics";
  if (hash.startsWith("#token=")) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(hash.slice("#token=".length)));
    // The token leaves the address bar (and the history) at once.
    history.replaceState(null, "", "#/fabrics");
    return route();
  }
  newPage();
  showWho();
  if (!token()) return showSignIn("");
  const [path, search] = hash.slice(1).split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search || "");
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.classList.toggle("current", a.dataset.nav === (parts[0] === "actions" ? "actions" : "fabrics"));
  }
  try {
    if (parts[0] === "fabrics" && parts.length === 4 && parts[2] === "devices") await devicePage(parts[1], parts[3]);
    else if (parts[0] === "fabrics" && parts.length === 2) await fabricPage(parts[1]);
    else if (parts[0] === "operations" && parts.length === 2) await operationPage(parts[1]);
    else if (parts[0] === "actions") await actionsPage(query);
    else await fabricsPage();
  } catch (error) {
    if (error.status !== 401) showError(error);
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);
