// The alliance form: "Ajouter un partenaire" adds a partner row, made from the formset's
// empty form (the <template>), up to the formset's maximum. Without JavaScript the form
// keeps its rows (save, then edit to add more).
(function () {
  "use strict";

  function start() {
    const fieldset = document.getElementById("partners");
    const template = document.getElementById("partner-row-template");
    const button = document.getElementById("add-partner");
    const status = document.getElementById("partner-rows-status");
    if (!fieldset || !template || !button) return;
    const total = fieldset.querySelector("input[name='partners-TOTAL_FORMS']");
    const max = parseInt(fieldset.querySelector("input[name='partners-MAX_NUM_FORMS']").value, 10);
    const rows = fieldset.querySelector(".partner-rows");

    function refresh() {
      button.disabled = parseInt(total.value, 10) >= max;
    }

    button.addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      if (index >= max) return;
      const html = template.innerHTML
        .replaceAll("__prefix__", String(index))
        .replaceAll("__number__", String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      const row = rows.lastElementChild;
      total.value = String(index + 1);
      if (window.htmx) window.htmx.process(row);  // the name suggestions
      row.querySelector("input[type=text]").focus();
      if (status) status.textContent = button.dataset.added.replace("{number}", String(index + 1));
      refresh();
    });
    button.hidden = false;
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
