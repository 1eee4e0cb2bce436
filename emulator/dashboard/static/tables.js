// The tables browser: edit an item (a JSON editor in a <dialog>), add one, delete one after a
// confirmation. Plain JavaScript, no build step; text goes in through textContent/value only.
"use strict";

const FLASH = "emulator.tables.flash";

function itemTemplate(keys, format) {
  const item = {};
  for (const key of keys) {
    if (format === "plain") item[key.name] = key.type === "N" ? 0 : "";
    else item[key.name] = { [key.type]: key.type === "N" ? "0" : "" };
  }
  return JSON.stringify(item, null, 2);
}

function tablesBrowser(table) {
  const api = table.dataset.api;
  const keys = JSON.parse(table.dataset.keys);
  const editor = document.getElementById("editor");
  const form = document.getElementById("editor-form");
  const text = document.getElementById("item-json");
  const editorError = document.getElementById("editor-error");
  const title = document.getElementById("editor-title");
  const confirm = document.getElementById("confirm-delete");
  const deleteError = document.getElementById("delete-error");
  let editedKey = null; // the key of the item edited (DynamoDB JSON text); null: a new item
  let loaded = ""; // the text as loaded: a format change reloads it only if unchanged

  const format = () => form.querySelector('input[name="format"]:checked').value;
  const itemUrl = (params) => `${api}?${new URLSearchParams(params)}`;

  function problem(message) {
    editorError.textContent = message;
    text.setAttribute("aria-invalid", message ? "true" : "false");
  }

  async function answerError(response) {
    try {
      const answer = await response.json();
      return answer.error ? answer.error.message : `HTTP ${response.status}`;
    } catch (error) {
      return `HTTP ${response.status}`;
    }
  }

  async function load() {
    problem("");
    if (editedKey === null) {
      text.value = loaded = itemTemplate(keys, format());
      return;
    }
    const response = await fetch(itemUrl({ key: editedKey, key_format: "dynamodb", format: format(), reveal: "1" }));
    if (!response.ok) {
      problem(`Could not load the item: ${await answerError(response)}`);
      return;
    }
    text.value = loaded = JSON.stringify((await response.json()).item, null, 2);
  }

  async function open(key) {
    editedKey = key;
    title.textContent = key === null ? "Add item" : "Edit item";
    text.value = "";
    editor.showModal();
    text.focus();
    await load();
  }

  async function save(event) {
    event.preventDefault();
    let item;
    try {
      item = JSON.parse(text.value);
    } catch (error) {
      problem(`Not JSON: ${error.message}`);
      return;
    }
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      problem("The item must be a JSON object of attributes.");
      return;
    }
    const params = { format: format() };
    if (editedKey !== null) Object.assign(params, { key: editedKey, key_format: "dynamodb" });
    const response = await fetch(itemUrl(params), {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: text.value,
    });
    if (!response.ok) {
      problem(`Not saved: ${await answerError(response)}`);
      return;
    }
    const saved = (await response.json()).key;
    sessionStorage.setItem(FLASH, `Saved the item ${JSON.stringify(saved)}.`);
    location.reload();
  }

  async function remove() {
    const response = await fetch(itemUrl({ key: confirm.dataset.key, format: "dynamodb" }), { method: "DELETE" });
    if (!response.ok) {
      deleteError.textContent = `Not deleted: ${await answerError(response)}`;
      return;
    }
    sessionStorage.setItem(FLASH, `Deleted the item ${confirm.dataset.key}.`);
    location.reload();
  }

  form.addEventListener("submit", save);
  for (const radio of form.querySelectorAll('input[name="format"]')) {
    radio.addEventListener("change", () => {
      if (text.value === loaded) load();
      else problem(`The text is read as ${format() === "plain" ? "plain JSON" : "DynamoDB JSON"} when saved.`);
    });
  }
  document.getElementById("editor-cancel").addEventListener("click", () => editor.close());
  document.getElementById("add-item").addEventListener("click", () => open(null));
  document.getElementById("delete-cancel").addEventListener("click", () => confirm.close());
  document.getElementById("delete-confirm").addEventListener("click", remove);
  for (const row of table.tBodies[0].rows) {
    row.querySelector("button.edit").addEventListener("click", () => open(row.dataset.key));
    row.querySelector("button.delete").addEventListener("click", () => {
      confirm.dataset.key = row.dataset.key;
      document.getElementById("delete-key").textContent = row.dataset.key;
      deleteError.textContent = "";
      confirm.showModal();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const flash = sessionStorage.getItem(FLASH);
  if (flash) {
    sessionStorage.removeItem(FLASH);
    document.getElementById("action-status").textContent = flash;
  }
  const table = document.getElementById("items");
  if (table) tablesBrowser(table);
});
