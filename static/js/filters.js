// The filter form, improved where scripts run; without them it works the same, and the server
// redirects an address with empty fields to one without them.
(function () {
  "use strict";

  function fold(text) {
    // "Ž" finds "Z", "Š" finds "S": case and accents aside, as a visitor types a name.
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  // An empty field is not sent: the address says only what was chosen.
  function dropEmptyFields(form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && !field.disabled && field.type !== "checkbox" && field.type !== "radio" && field.value.trim() === "") {
          field.disabled = true;
        }
      });
    });
    // Coming back to the page (the back button keeps it in memory): every field usable again.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name) {
          field.disabled = false;
        }
      });
    });
  }

  // A box that finds an option by name in a long list, opening its "Show all" part while it finds.
  function addOptionSearch(fieldset) {
    var options = fieldset.querySelectorAll(".option");
    var more = fieldset.querySelector(".more-options");
    var wasOpen = more ? more.open : false;
    var label = document.createElement("label");
    var input = document.createElement("input");
    label.className = "option-search";
    label.textContent = fieldset.getAttribute("data-option-search");
    input.type = "search";
    input.id = fieldset.id + "_search";
    input.autocomplete = "off";
    label.htmlFor = input.id;
    label.appendChild(input);
    var list = fieldset.querySelector(".options");
    list.parentNode.insertBefore(label, list);

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // finding an option is not applying the filters
      }
    });
    input.addEventListener("input", function () {
      var wanted = fold(input.value);
      Array.prototype.forEach.call(options, function (option) {
        var name = option.querySelector("label").firstChild.textContent; // the name, not its count
        option.hidden = wanted !== "" && fold(name).indexOf(wanted) === -1;
      });
      if (more) {
        more.open = wanted !== "" || wasOpen;
      }
    });
  }

  document.querySelectorAll("form[data-filters]").forEach(function (form) {
    dropEmptyFields(form);
    form.querySelectorAll("fieldset[data-option-search]").forEach(addOptionSearch);
  });
})();
