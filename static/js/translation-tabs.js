/* Tabs for the languages of a translated field in the admin (title, summary, name…).
 *
 * Progressive enhancement: without this script every language's field shows, one row each, under
 * the field's place in the form. With it, a field's rows become one row with a tab per language;
 * choosing a language shows that language in every translated field of the page at once. A tab whose
 * field holds text is marked, and a field with an error opens on its language.
 *
 * The site's own script rather than modeltranslation's tabs: those need jQuery UI from a third-party
 * server, which the Content-Security-Policy forbids. No inline script or style, for the same reason.
 */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const pattern = /(?:^|\s)mt-field-(\S+)-([a-z]{2,3}(?:_[a-z]+)?)(?:\s|$)/;
  const groups = new Map();
  document.querySelectorAll(".mt").forEach(function (widget) {
    const match = pattern.exec(widget.className);
    const row = widget.closest(".form-row");
    if (!match || !row || widget.closest(".inline-related")) {
      return;
    }
    const key = match[1];
    if (!groups.has(key)) {
      groups.set(key, []);
    }
    groups.get(key).push({ language: match[2], row: row, widget: widget });
  });
  const tabLists = [];

  function show(language) {
    tabLists.forEach(function (entry) {
      entry.members.forEach(function (member) {
        const selected = member.language === language;
        member.row.hidden = !selected;
        member.tab.setAttribute("aria-selected", selected ? "true" : "false");
        member.tab.tabIndex = selected ? 0 : -1;
      });
    });
  }

  // A mark in the text itself: the admin's style sheets know nothing of these tabs.
  function markFilled(member) {
    const filled = member.widget.value.trim() !== "";
    member.tab.classList.toggle("translation-tab-filled", filled);
    member.tab.textContent = member.language.replace("_", "-") + (filled ? " \u2713" : "");
  }

  groups.forEach(function (members, key) {
    if (members.length < 2) {
      return;
    }
    const list = document.createElement("div");
    list.className = "translation-tabs";
    list.setAttribute("role", "tablist");
    members.forEach(function (member, index) {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.className = "button translation-tab";
      tab.setAttribute("role", "tab");
      tab.id = "translation-tab-" + key + "-" + member.language;
      if (!member.row.id) {
        member.row.id = "translation-panel-" + key + "-" + member.language;
      }
      tab.setAttribute("aria-controls", member.row.id);
      member.tab = tab;
      member.row.setAttribute("role", "tabpanel");
      member.row.setAttribute("aria-labelledby", tab.id);
      tab.addEventListener("click", function () {
        show(member.language);
      });
      tab.addEventListener("keydown", function (event) {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (step) {
          const next = members[(index + step + members.length) % members.length];
          show(next.language);
          next.tab.focus();
          event.preventDefault();
        }
      });
      member.widget.addEventListener("input", function () {
        markFilled(member);
      });
      markFilled(member);
      list.appendChild(tab);
    });
    members[0].row.parentNode.insertBefore(list, members[0].row);
    tabLists.push({ list: list, members: members });
  });
  if (!tabLists.length) {
    return;
  }
  // Open on the language of the first field with an error, else the default (English) language.
  let first = null;
  tabLists.forEach(function (entry) {
    entry.members.forEach(function (member) {
      if (!first && member.row.classList.contains("errors")) {
        first = member.language;
      }
    });
  });
  if (!first) {
    const fallback = tabLists[0].members.find(function (member) {
      return member.widget.classList.contains("mt-default");
    });
    first = (fallback || tabLists[0].members[0]).language;
  }
  show(first);
});
