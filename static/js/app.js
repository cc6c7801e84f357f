// Small behaviours shared by every page. No inline script: the content security policy forbids it.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.requestSubmit();
  }
});

// A 429 from a participant look-up carries a message; show it where the results would go
// (htmx leaves error responses unswapped by default).
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
