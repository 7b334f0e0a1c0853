// Project behaviour. Kept tiny; everything works without JavaScript, htmx only speeds it up.
document.addEventListener("DOMContentLoaded", function () {
  // Show the top progress bar while any htmx request runs.
  document.body.setAttribute("hx-indicator", "#progress");
  // Submit filter forms as the user types or picks, without a page reload.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.requestSubmit(); });
  });
});

// Ask before destructive submits: <button data-confirm="Удалить?">. htmx forms use hx-confirm.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
