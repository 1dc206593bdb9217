/* Park: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Phone-width screens: the navigation folds behind one button.
    var header = document.querySelector(".site-header");
    var toggle = document.querySelector(".menu-toggle");
    if (header && toggle) {
      toggle.addEventListener("click", function () {
        var open = header.classList.toggle("menu-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && header.classList.contains("menu-open")) {
          header.classList.remove("menu-open");
          toggle.setAttribute("aria-expanded", "false");
          toggle.focus();
        }
      });
    }
  });

  // Header menus are <details>: one open at a time; a click elsewhere or Escape closes them.
  ready(function () {
    var menus = document.querySelectorAll(".site-header details.menu");
    function closeAll(except) {
      Array.prototype.forEach.call(menus, function (menu) { if (menu !== except) { menu.open = false; } });
    }
    Array.prototype.forEach.call(menus, function (menu) {
      menu.addEventListener("toggle", function () { if (menu.open) { closeAll(menu); } });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest(".site-header details.menu")) { closeAll(null); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = document.querySelector(".site-header details.menu[open]");
      if (open) { open.open = false; open.querySelector("summary").focus(); }
    });
  });

  // Copy buttons: <button data-copy="input-id" hidden> shows only where it can work.
  ready(function () {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          var text = button.textContent;
          button.textContent = button.getAttribute("data-copied") || text;
          setTimeout(function () { button.textContent = text; }, 2000);
        }, function () { field.select(); });
      });
    });
  });

  // Acts hard to undo ask first: <form data-confirm> posts without `confirmed=1`, and the server answers
  // with its confirmation page (what will happen, a "Yes, ..." form, a way back). Without JavaScript
  // that page simply opens; with it, its summary opens in a <dialog> over the current page.
  var dialog = null;
  function closeDialog() {
    if (!dialog) { return; }
    var opener = dialog.opener;
    dialog.close();
    dialog.remove();
    dialog = null;
    if (opener && opener.focus) { opener.focus(); }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-confirm") || !window.fetch || !window.HTMLDialogElement) { return; }
    if (form.getAttribute("data-confirm-busy")) { event.preventDefault(); return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var opener = event.submitter || form.querySelector("[type=submit]");
    form.setAttribute("data-confirm-busy", "1");
    fetch(form.action, {
      method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    }).then(function (answer) {
      form.removeAttribute("data-confirm-busy");
      var summary = answer.ok && new DOMParser().parseFromString(answer.html, "text/html").querySelector("[data-confirm-summary]");
      if (!summary) { HTMLFormElement.prototype.submit.call(form); return; } // an error page: show it as without JavaScript
      closeDialog();
      dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-title");
      dialog.opener = opener;
      dialog.appendChild(document.importNode(summary, true));
      document.body.appendChild(dialog);
      dialog.addEventListener("cancel", function (e) { e.preventDefault(); closeDialog(); });
      dialog.addEventListener("click", function (e) {
        if (e.target.closest("[data-confirm-back]")) { e.preventDefault(); closeDialog(); }
      });
      dialog.showModal();
      // Reading starts at the question (the summary may be longer than a phone screen); Tab reaches "Yes".
      var title = dialog.querySelector("h1");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    }, function () {
      form.removeAttribute("data-confirm-busy");
      HTMLFormElement.prototype.submit.call(form);
    });
  }, true);

  // htmx requests carry the CSRF token in a header, so any element may use hx-post.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });

  // When a partial update is refused (409, 422...), send the form the ordinary way:
  // the full page then shows the error with the user's input kept, exactly as without JavaScript.
  document.addEventListener("htmx:responseError", function (event) {
    var element = event.detail.elt;
    var form = element && (element.tagName === "FORM" ? element : element.closest && element.closest("form"));
    if (form && form.getAttribute("method") && form.getAttribute("action")) {
      HTMLFormElement.prototype.submit.call(form);
    }
  });
  // The facility form's opening hours: "Add a range" and "Remove" submit the form for one row more or
  // less (so they work without this file); here they add or drop the row in place, and the pickers'
  // step follows the slot field (the server's grid: the slot when it divides a day, else a minute).
  ready(function () {
    var editor = document.querySelector("[data-hours-editor]");
    if (!editor) { return; }
    var most = Number(editor.getAttribute("data-max-ranges")) || 6;
    function rowsOf(day) { return day.querySelectorAll(".hours-ranges > [data-hours-row]"); }
    function addRow(day) {
      var used = {};
      Array.prototype.forEach.call(rowsOf(day), function (row) { used[row.querySelector("input").name.split("_")[2]] = true; });
      var index = 0;
      while (used[index]) { index += 1; }
      var html = day.querySelector("template[data-hours-new]").innerHTML
        .replace(/__index__/g, String(index)).replace(/__number__/g, String(index + 1));
      var list = day.querySelector(".hours-ranges");
      list.insertAdjacentHTML("beforeend", html);
      syncAdd(day);
      return list.lastElementChild;
    }
    function syncAdd(day) { day.querySelector(".hours-add").hidden = rowsOf(day).length >= most; }
    editor.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button.hours-add, button.hours-remove");
      if (!button) { return; }
      event.preventDefault();
      var day = button.closest("[data-hours-day]");
      if (button.classList.contains("hours-add")) {
        if (rowsOf(day).length < most) { addRow(day).querySelector("input").focus(); }
        return;
      }
      button.closest("[data-hours-row]").remove();
      if (!rowsOf(day).length) { addRow(day); }
      syncAdd(day);
      var add = day.querySelector(".hours-add");
      (add.hidden ? rowsOf(day)[0].querySelector("input") : add).focus();
    });
    var slot = document.getElementById("f-slot_minutes");
    if (slot) {
      slot.addEventListener("change", function () {
        var minutes = Number(slot.value);
        var step = minutes > 0 && 1440 % minutes === 0 ? minutes * 60 : 60;
        Array.prototype.forEach.call(editor.querySelectorAll("input[type=time]"), function (input) { input.step = step; });
        Array.prototype.forEach.call(editor.querySelectorAll("template[data-hours-new]"), function (template) {
          template.innerHTML = template.innerHTML.replace(/step="\d+"/g, 'step="' + step + '"');
        });
      });
    }
  });
})();
