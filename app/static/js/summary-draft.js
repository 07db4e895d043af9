/* The suggested public summary on the helpdesk's triage and closing forms
   (templates/cases/_summary_field.html): show the "Use the suggested text" button and
   let it put the suggestion into the box. Without this script the suggestion is still
   shown, to copy by hand. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-draft-for]").forEach(function (button) {
    if (button.dataset.ready) {
      return; // the script is included once per form; set each button up once
    }
    button.dataset.ready = "1";
    var box = document.getElementById(button.dataset.draftFor);
    var text = button.parentElement.querySelector("[data-draft-text]");
    if (!box || !text) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      box.value = text.textContent;
      box.focus();
    });
  });
})();
