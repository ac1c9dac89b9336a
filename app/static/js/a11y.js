/* Issue 19: names for the controls that Flask-AppBuilder's and select2's scripts build without
   one (axe "label"). The words come from the page, in the user's language:
   - a list's search filters (ab_filters.js): each row's value field is named by the row's column
     ("Estado"), its operator drop-down by "<column>: <data-operator>";
   - select2's search box inside a multiple choice is named by the field's <label>.
   Rows and boxes appear after the page loads (the user adds a filter, select2 starts), so a
   MutationObserver names them as they come. */
(function () {
  "use strict";
  var script = document.currentScript;
  var operatorWord = (script && script.getAttribute("data-operator")) || "";

  function setName(field, name) {
    if (field && name && !field.hasAttribute("aria-label") && !field.hasAttribute("aria-labelledby")) {
      field.setAttribute("aria-label", name);
    }
  }

  function columnOf(row) {
    var link = row.querySelector(".remove-filter");
    return link ? link.textContent.replace("\u00d7", "").trim() : "";
  }

  function nameFilterRows() {
    document.querySelectorAll("#filter_form .filters tr").forEach(function (row) {
      var column = columnOf(row);
      row.querySelectorAll(".filter_val").forEach(function (field) { setName(field, column); });
      row.querySelectorAll("select.filter-op").forEach(function (field) {
        setName(field, operatorWord ? column + ": " + operatorWord : column);
      });
    });
  }

  function labelOf(select) {
    if (!select) { return ""; }
    if (select.getAttribute("aria-label")) { return select.getAttribute("aria-label"); }
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.trim() : "";
  }

  function nameSelect2Boxes() {
    document.querySelectorAll(".select2-container .select2-search__field").forEach(function (field) {
      var container = field.closest(".select2-container");
      var select = container && container.previousElementSibling;
      if (select && select.tagName === "SELECT") { setName(field, labelOf(select)); }
    });
  }

  function nameAll() {
    nameFilterRows();
    nameSelect2Boxes();
  }

  var pending = false;
  function later() {
    if (pending) { return; }
    pending = true;
    window.setTimeout(function () { pending = false; nameAll(); }, 0);
  }

  function start() {
    nameAll();
    if (window.MutationObserver) {
      new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
    }
    // select2's drop-down search box (a single choice, while open) is named by its field too
    if (window.jQuery) {
      window.jQuery(document).on("select2:open", function (event) {
        var field = document.querySelector(".select2-container--open .select2-search--dropdown .select2-search__field");
        setName(field, labelOf(event.target));
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
