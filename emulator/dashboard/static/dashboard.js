// The emulator's dashboard: the live request list (Server-Sent Events), Replay, Copy as curl.
// Plain JavaScript, no build step. Text goes in through textContent only (never as HTML).
"use strict";

function liveList(table) {
  const body = table.tBodies[0];
  const status = document.getElementById("live-status");
  const empty = document.getElementById("empty");
  const wanted = table.dataset;
  const limit = Number(wanted.limit) || 100;

  function matches(row) {
    if (wanted.status && (row.status === null || `${Math.floor(row.status / 100)}xx` !== wanted.status)) return false;
    if (wanted.path && !row.path.includes(wanted.path)) return false;
    if (wanted.function && row.function !== wanted.function) return false;
    return true;
  }

  function cell(tr, text, className) {
    const td = tr.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function addRow(row) {
    if (!matches(row) || body.querySelector(`tr[data-request-id="${CSS.escape(row.requestId)}"]`)) return;
    const tr = body.insertRow(0);
    tr.dataset.requestId = row.requestId;
    tr.className = "new";
    const time = document.createElement("time");
    time.dateTime = row.time;
    time.textContent = row.time.slice(11, 23);
    tr.insertCell().append(time);
    cell(tr, row.method);
    const link = document.createElement("a");
    link.href = wanted.detail.replace("REQUEST_ID", encodeURIComponent(row.requestId));
    link.textContent = row.path;
    tr.insertCell().append(link);
    cell(tr, row.route || "–");
    cell(tr, row.status ?? "", `status s${Math.floor((row.status || 0) / 100)}`);
    cell(tr, `${row.durationMs.toFixed(1)} ms`);
    cell(tr, row.function || "–");
    cell(tr, row.cold === null ? "–" : row.cold ? "cold" : "warm");
    cell(tr, row.authorizer || "–");
    while (body.rows.length > limit) body.deleteRow(body.rows.length - 1);
    if (empty) empty.hidden = true;
  }

  const events = new EventSource(wanted.events);
  events.addEventListener("request", (message) => addRow(JSON.parse(message.data)));
  events.addEventListener("open", () => { table.dataset.live = "on"; });
  events.addEventListener("error", () => {
    if (events.readyState === EventSource.CLOSED) status.textContent = "Live updates stopped: reload the page.";
  });
}

async function replay(button) {
  const status = document.getElementById("action-status");
  button.disabled = true;
  status.textContent = "Replaying…";
  try {
    const response = await fetch(button.dataset.url, { method: "POST" });
    const answer = await response.json();
    if (!response.ok) {
      status.textContent = `Replay failed: ${answer.error ? answer.error.message : response.status}`;
      return;
    }
    status.textContent = "";
    const link = document.createElement("a");
    link.id = "replayed";
    link.href = button.dataset.detail.replace("REQUEST_ID", encodeURIComponent(answer.requestId));
    link.textContent = `Replayed: ${answer.status}, request ${answer.requestId}`;
    status.append(link);
    link.focus();
  } catch (error) {
    status.textContent = `Replay failed: ${error}`;
  } finally {
    button.disabled = false;
  }
}

async function copyText(button) {
  const status = document.getElementById("action-status");
  const text = document.getElementById(button.dataset.target).textContent;
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied.";
  } catch (error) {
    const shown = document.getElementById(button.dataset.target);
    const folded = shown.closest("details");
    if (folded) folded.open = true;
    status.textContent = "Copying was refused: select the text instead.";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("requests");
  if (table) liveList(table);
  const replayButton = document.getElementById("replay");
  if (replayButton) replayButton.addEventListener("click", () => replay(replayButton));
  for (const button of document.querySelectorAll("button[data-target]")) {
    button.addEventListener("click", () => copyText(button));
  }
});
