// A meeting's times are the venue's local time, not the editor's nor the server's. Django's date and
// time shortcuts compare the browser's clock with the server's and add "Note: You are 1 hour behind
// server time" under every date field, which would make editors shift times that are right. They warn
// only when the page gives the server's offset, so it is taken away before they run (on "load").
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  delete document.body.dataset.adminUtcOffset;
});
