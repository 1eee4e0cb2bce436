// The functions page: its figures refreshed in place every few seconds while the page is visible.
// It fetches the page itself and moves the new cells' nodes in (one rendering, the server's), so
// the rows, and the focus on a link in them, stay. No text goes in as an HTML string.
"use strict";

function refreshFunctions(table) {
  const every = Number(table.dataset.refreshMs) || 1000;
  const status = document.getElementById("functions-status");
  let failed = false;

  async function refresh() {
    if (document.visibilityState !== "visible") return;
    try {
      const response = await fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const row of table.querySelectorAll("tbody tr[data-function]")) {
        const name = CSS.escape(row.dataset.function);
        for (const cell of row.querySelectorAll("td[data-field]")) {
          const newer = fresh.querySelector(`tr[data-function="${name}"] td[data-field="${cell.dataset.field}"]`);
          if (newer && newer.innerHTML !== cell.innerHTML) {
            cell.replaceChildren(...newer.childNodes);
            cell.className = newer.className;
          }
        }
      }
      table.dataset.refreshed = String(Number(table.dataset.refreshed || 0) + 1);
      if (failed) status.textContent = "Live again.";
      failed = false;
    } catch (error) {
      if (!failed) status.textContent = `The figures could not be refreshed (${error.message}); retrying.`;
      failed = true;
    }
  }

  setInterval(refresh, every);
}

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("functions");
  if (table) refreshFunctions(table);
});
