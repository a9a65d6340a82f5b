/* The archivist workspace's enhancements. Everything works without this file: pickers are plain
   selects with a "Find…" button that opens a paged look-up list, the EDTF reading is rendered by the server, split points can be typed as an empty
   line. With it: search-as-you-type pickers, a live date reading, split at the cursor, redact
   the selected words, and the segment's look following its kind. No inline script anywhere. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function getJSON(url, done) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data !== null) { done(data); } })
      .catch(function () { /* the plain select still works */ });
  }

  /* Search-as-you-type: a search box above a select; typing asks the server for matches and
     keeps the current choice, so the select stays the single source of what is posted. */
  function enhancePicker(select) {
    var url = select.getAttribute("data-lookup");
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.placeholder = "Type to find…";
    box.setAttribute("aria-label", "Find for " + (select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "this field"));
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);
    var original = Array.prototype.map.call(select.options, function (o) { return [o.value, o.text]; });
    // The plain look-up list is for browsers without this file; the search box replaces it.
    var find = document.querySelector('[data-find-for="' + select.id + '"]');
    if (find) { find.hidden = true; }

    function fill(items) {
      var current = select.value;
      var currentText = select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : "";
      while (select.options.length) { select.remove(0); }
      select.add(new Option("— none —", ""));
      var seen = { "": true };
      if (current && !items.some(function (i) { return String(i[0]) === current; })) {
        select.add(new Option(currentText, current, true, true));
        seen[current] = true;
      }
      items.forEach(function (item) {
        var value = String(item[0]);
        if (seen[value]) { return; }
        seen[value] = true;
        select.add(new Option(item[1], value, false, value === current));
      });
      status.textContent = (items.length ? items.length + " found" : "Nothing found");
    }

    box.addEventListener("input", debounce(function () {
      var q = box.value.trim();
      if (!q) { fill(original.filter(function (o) { return o[0]; })); return; }
      getJSON(url + "?q=" + encodeURIComponent(q), function (items) {
        var rows = items.map(function (i) { return [i.id, i.label]; });
        fill(rows);
        // Only an unambiguous match is chosen for the archivist; otherwise they pick.
        if (rows.length === 1 && !select.value) { select.value = String(rows[0][0]); }
      });
    }, 200));
  }

  /* A date's reading in words, asked of the server (the same parser as the save). */
  function enhanceEdtf(input) {
    var url = input.getAttribute("data-edtf");
    var output = document.getElementById(input.id + "-words");
    if (!output) { return; }
    input.addEventListener("input", debounce(function () {
      var value = input.value.trim();
      if (!value) { output.textContent = ""; output.classList.remove("is-error"); return; }
      getJSON(url + "?value=" + encodeURIComponent(value), function (data) {
        output.textContent = data.ok ? "Reads as: " + data.words : data.error;
        output.classList.toggle("is-error", !data.ok);
      });
    }, 250));
  }

  function enhanceSegment(section) {
    var text = section.querySelector("[data-segment-text]");
    var splitAt = section.querySelector("[data-split-at]");
    var kind = section.querySelector("[data-kind-select]");
    if (text && splitAt) {
      var remember = function () { splitAt.value = String(text.selectionStart || ""); };
      ["keyup", "click", "select", "input"].forEach(function (name) { text.addEventListener(name, remember); });
    }
    if (kind) {
      kind.addEventListener("change", function () {
        section.className = section.className.replace(/\bkind-\S+/, "kind-" + kind.value);
      });
    }
    var redact = section.querySelector("[data-redact-selection]");
    if (redact && text) {
      redact.hidden = false;
      redact.addEventListener("click", function () {
        var start = text.selectionStart, end = text.selectionEnd;
        if (start === end) {
          redact.setCustomValidity("Select the words to hide in the text first.");
          redact.reportValidity();
          return;
        }
        redact.setCustomValidity("");
        var rows = section.querySelectorAll("[data-redaction-row]");
        var row = Array.prototype.find.call(rows, function (r) {
          return !r.querySelector("[data-red-start]").value && !r.querySelector("[data-red-end]").value;
        }) || rows[rows.length - 1];
        row.querySelector("[data-red-start]").value = String(start);
        row.querySelector("[data-red-end]").value = String(end);
        row.querySelector("[data-red-start]").focus();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-lookup]").forEach(enhancePicker);
    document.querySelectorAll("input[data-edtf]").forEach(enhanceEdtf);
    document.querySelectorAll("[data-segment]").forEach(enhanceSegment);
  });
})();
