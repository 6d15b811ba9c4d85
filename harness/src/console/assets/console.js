// fedmock console: the little JavaScript the server-rendered pages use. The live feed
// (server-sent events into the exchanges table), copy buttons, and the world clock ticking.
"use strict";

(() => {
  // Copy buttons beside snippets.
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const code = button.parentElement.querySelector("pre").innerText;
      try {
        await navigator.clipboard.writeText(code);
        button.textContent = "Copied";
      } catch {
        const range = document.createRange();
        range.selectNodeContents(button.parentElement.querySelector("pre"));
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        button.textContent = "Selected: press Ctrl+C";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
  }

  // The world clock runs on the page unless it is frozen.
  const clock = document.getElementById("world-clock");
  if (clock && !document.querySelector(".badge.frozen")) {
    const start = Number(clock.dataset.epoch);
    const loaded = Date.now();
    setInterval(() => {
      const now = new Date((start + Math.floor((Date.now() - loaded) / 1000)) * 1000);
      const text = now.toISOString().replace(/\.\d{3}Z$/, "Z");
      clock.textContent = text;
      clock.setAttribute("datetime", text);
    }, 1000);
  }

  // The live feed: new exchanges arrive as rendered rows; those the filters admit go on top.
  const table = document.getElementById("exchanges");
  if (table && window.EventSource) {
    const body = table.querySelector("tbody");
    const status = document.getElementById("feed-status");
    const filters = new URLSearchParams(window.location.search);
    const admits = (row) =>
      ["verdict", "action", "pool"].every((name) => {
        const wanted = filters.get(name);
        return !wanted || row.dataset[name] === wanted;
      });
    let added = 0;
    const events = new EventSource(table.dataset.events);
    events.addEventListener("open", () => { table.dataset.live = "true"; });
    events.addEventListener("error", () => { table.dataset.live = "false"; });
    events.addEventListener("exchange", (event) => {
      const template = document.createElement("template");
      template.innerHTML = event.data.trim();
      const row = template.content.querySelector("tr");
      if (!row || !admits(row)) return;
      row.classList.add("new");
      body.prepend(row);
      while (body.rows.length > 200) body.deleteRow(body.rows.length - 1);
      document.getElementById("empty")?.remove();
      added += 1;
      if (status) status.textContent = `${added} new ${added === 1 ? "exchange" : "exchanges"} since the page opened.`;
    });
  }
})();
