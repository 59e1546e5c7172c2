// avroll: small progressive touches; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Filters apply as soon as a choice is made.
  document.querySelectorAll("select.auto-submit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A print button where a page offers one (hidden when scripts do not run).
  document.querySelectorAll("button.print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // A chart drawn from the days already kept fills itself in with the rest.
  document.querySelectorAll("[data-fill]").forEach(function (box) {
    fetch(box.dataset.fill, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) { if (html) { box.outerHTML = html; } })
      .catch(function () {});  // the link in the box still shows the whole chart
  });
});
