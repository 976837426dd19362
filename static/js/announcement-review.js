// Progressive enhancement of the announcement review: editing a meeting highlights the words it
// was read from, and scrolls the first of them into view. Without it, every phrase stays marked.
document.addEventListener("DOMContentLoaded", () => {
  const marks = document.querySelectorAll(".announcement-source mark[data-draft]");
  document.querySelectorAll(".announcement-draft[data-draft]").forEach((fieldset) => {
    fieldset.addEventListener("focusin", () => {
      const draft = fieldset.dataset.draft;
      document.querySelectorAll(".announcement-draft.current").forEach((other) => other.classList.remove("current"));
      fieldset.classList.add("current");
      let first = null;
      marks.forEach((mark) => {
        const mine = mark.dataset.draft === draft;
        mark.classList.toggle("current", mine);
        if (mine && !first) first = mark;
      });
      if (first) first.scrollIntoView({ block: "nearest" });
    });
  });
});
