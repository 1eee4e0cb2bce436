// The secrets page: each value stays masked until its Reveal button fetches that one value from
// the JSON API (?reveal=1); Hide masks it again. Values go in through textContent only.
"use strict";

async function toggleValue(button) {
  const output = document.getElementById(button.dataset.target);
  const status = document.getElementById("action-status");
  const name = button.dataset.name;
  if (button.getAttribute("aria-pressed") === "true") {
    output.textContent = output.dataset.masked;
    output.classList.remove("revealed");
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Reveal";
    button.setAttribute("aria-label", `Reveal the value of ${name}`);
    return;
  }
  button.disabled = true;
  try {
    const response = await fetch(button.dataset.url, { cache: "no-store" });
    const answer = await response.json();
    if (!response.ok) {
      status.textContent = `${name} could not be revealed: ${answer.error ? answer.error.message : response.status}`;
      return;
    }
    const entry = answer[button.dataset.kind][0];
    output.dataset.masked = output.textContent;
    output.textContent = entry.value;
    output.classList.add("revealed");
    button.setAttribute("aria-pressed", "true");
    button.textContent = "Hide";
    button.setAttribute("aria-label", `Hide the value of ${name}`);
    status.textContent = entry.encoding === "base64" ? `${name}: a binary value, shown as base64.` : "";
  } catch (error) {
    status.textContent = `${name} could not be revealed: ${error}`;
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.reveal")) {
    button.addEventListener("click", () => toggleValue(button));
  }
});
