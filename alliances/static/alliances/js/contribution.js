// The resource form: Enter in the organisation search runs the search (htmx listens for
// the "search" event) instead of submitting the whole form with its default button.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key === "Enter" && field instanceof HTMLInputElement && field.id === "org-q") {
    event.preventDefault();
    field.dispatchEvent(new Event("search", { bubbles: true }));
  }
});
