// Small enhancement only: every page works without it.
// Submitting the search form drops empty fields so that URLs stay short and shareable.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("search")) return;
  Array.prototype.forEach.call(form.elements, function (el) {
    if (el.name && !el.value) el.disabled = true;
  });
});
