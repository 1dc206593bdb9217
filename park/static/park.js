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

  // A form may ask before it does something hard to undo: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
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
})();
