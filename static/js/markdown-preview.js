/* Live preview of a meeting's Markdown description in the admin.
 *
 * Progressive enhancement: without this script the preview shows the saved description.
 * The HTML comes from the server's own renderer (sanitised there), so the preview is exactly
 * what the public will see. No inline script: the site's Content-Security-Policy forbids it.
 */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const textarea = document.getElementById("id_description");
  const preview = document.querySelector(".markdown-preview[data-preview-url]");
  const form = textarea && textarea.form;
  if (!textarea || !preview || !form) {
    return;
  }
  preview.setAttribute("aria-live", "polite");
  let timer = null;
  let latest = 0;
  function refresh() {
    const request = ++latest;
    const body = new FormData();
    body.append("text", textarea.value);
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fetch(preview.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && request === latest) {
          preview.innerHTML = html;
        }
      })
      .catch(function () {
        /* The preview is a convenience: on a network error the last one stays. */
      });
  }
  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
});
