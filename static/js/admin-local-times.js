// A meeting's days and times are the venue's local time, not the editor's nor the server's. Django's date
// and time shortcuts compare the browser's clock with the server's and add "Note: You are 1 hour behind
// server time" under every date field, which would make editors shift times that are right. Only "publish
// at" is an instant on the server's clock, so its note stays. Loaded after the shortcuts, so this runs
// after they have added their notes (both on "load").
"use strict";
window.addEventListener("load", function () {
  document.querySelectorAll(".timezonewarning").forEach(function (note) {
    if (!note.closest(".field-publish_at")) {
      note.remove();
    }
  });
});
