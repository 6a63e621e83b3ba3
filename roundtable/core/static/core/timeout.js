// The warning before a session ends for want of activity (roundtable/core/sessions.py): asks the
// server how long is left, shows the dialog that long before the end, and either keeps the
// session going ("Stay signed in", or Escape) or, at the end, reloads the page, which the server
// answers with the sign-in page and why.
(function () {
  const dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const statusUrl = dialog.dataset.statusUrl;
  const warning = Number(dialog.dataset.warningSeconds);
  const token = dialog.querySelector("input[name=csrfmiddlewaretoken]").value;
  const stay = dialog.querySelector("[data-stay]");
  const minutes = dialog.querySelector("[data-minutes]");
  let timer;

  function end() {
    window.location.reload();
  }

  function schedule(left) {
    window.clearTimeout(timer);
    if (left <= 0) return end();
    if (left > warning) {
      if (dialog.open) dialog.close();
      timer = window.setTimeout(check, (left - warning) * 1000);
      return;
    }
    const whole = Math.max(1, Math.ceil(left / 60));
    minutes.textContent = whole === 1 ? "1 minute" : whole + " minutes";
    if (!dialog.open) {
      dialog.showModal();
      stay.focus();
    }
    timer = window.setTimeout(check, Math.min(left, 15) * 1000);
  }

  async function ask(method) {
    try {
      const headers = { Accept: "application/json" };
      if (method === "POST") headers["X-CSRFToken"] = token;
      const answer = await fetch(statusUrl, { method, headers, credentials: "same-origin" });
      if (!answer.ok) return end();
      schedule((await answer.json()).seconds_left);
    } catch (error) {
      timer = window.setTimeout(check, 15000); // offline for a moment: ask again soon
    }
  }

  function check() {
    ask("GET");
  }

  function keepGoing(event) {
    if (event) event.preventDefault();
    dialog.close();
    ask("POST");
  }

  stay.addEventListener("click", keepGoing);
  dialog.addEventListener("cancel", keepGoing);
  schedule(Number(dialog.dataset.secondsLeft));
})();
