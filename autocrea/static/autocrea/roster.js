// Progressive enhancement: a Print button (the page prints with the browser's own command without it).
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
