// Optional shortcut for the previous / next links of a filtered list (the links work without it):
// Alt+Shift+Left / Alt+Shift+Right, never while typing in a field.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
  if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
  const target = event.target;
  if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) return;
  const rel = event.key === "ArrowLeft" ? "prev" : "next";
  const link = document.querySelector(`a[data-list-nav][rel="${rel}"]`);
  if (link) {
    event.preventDefault();
    window.location.assign(link.href);
  }
});
