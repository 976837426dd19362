/* A copy button beside each address field marked data-copy-label (the subscription address).
 *
 * Progressive enhancement: without this script the address sits in a read-only field the visitor
 * selects and copies. With it, a button copies the address (the Clipboard API; where that is missing
 * or refused, the field's text is selected for the visitor to copy) and a status region says
 * "Copied" for screen readers and eyes alike. The labels come translated in the field's data
 * attributes. No inline script or style: the Content-Security-Policy forbids both.
 */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-copy-label]").forEach(function (field) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = field.dataset.copyLabel;
    button.setAttribute("aria-describedby", field.id);
    const status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    field.after(button, status);

    function announce(text) {
      // Emptied first, so a second copy is announced again.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }

    function selectField() {
      field.focus();
      field.select();
      field.setSelectionRange(0, field.value.length);
    }

    function fallback() {
      selectField();
      let copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      if (copied) {
        announce(field.dataset.copiedLabel);
      }
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          announce(field.dataset.copiedLabel);
        }, fallback);
      } else {
        fallback();
      }
    });
  });
});
