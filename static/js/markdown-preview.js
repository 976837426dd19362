/* Live preview of a meeting's Markdown description in the admin, in whichever language is typed.
 *
 * Progressive enhancement: without this script the preview shows the saved description. Each
 * language has its own description field (description_en, description_sq…): the preview follows
 * the one last typed in.
 * The HTML comes from the server's own renderer (sanitised there), so the preview is exactly
 * what the public will see. No inline script: the site's Content-Security-Policy forbids it.
 */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const textareas = document.querySelectorAll('textarea[id^="id_description"]');
  const preview = document.querySelector(".markdown-preview[data-preview-url]");
  const form = textareas.length ? textareas[0].form : null;
  if (!preview || !form) {
    return;
  }
  preview.setAttribute("aria-live", "polite");
  let timer = null;
  let latest = 0;
  function refresh(textarea) {
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
  textareas.forEach(function (textarea) {
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        refresh(textarea);
      }, 400);
    });
  });
});
