// The print page's "Print this plan" button: shown only when JavaScript can print.
for (const button of document.querySelectorAll("[data-rt-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
