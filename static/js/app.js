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

// The A4 preview of an act: sheets are 210 (landscape 297) mm wide, more than a phone's or a
// side column's width; scale them down to the frame instead of cutting them. Without script
// the frame scrolls inside itself.
function fitPreviews() {
  document.querySelectorAll(".document-preview-frame").forEach(function (frame) {
    var sheets = frame.querySelectorAll(".doc-sheet");
    sheets.forEach(function (sheet) { sheet.style.zoom = ""; });
    var available = frame.clientWidth;
    sheets.forEach(function (sheet) {
      var width = sheet.offsetWidth;
      if (width > available) { sheet.style.zoom = String(Math.floor(available / width * 1000) / 1000); }
    });
  });
}
document.addEventListener("DOMContentLoaded", fitPreviews);
window.addEventListener("resize", fitPreviews);
