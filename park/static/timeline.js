/* Park: the booking grid (day timeline, a facility's week). Drag or click free cells to book; arrow keys move.
   Without this file every free cell is a link to the "how long?" step, so nothing depends on it. */
(function () {
  "use strict";

  var selection = null; // {row, first, last}: indexes into the row's cells
  var dragging = false;

  function cellsOf(row) { return Array.prototype.slice.call(row.querySelectorAll("td.cell")); }
  function focusOf(td) { return td.classList.contains("cell-focus") ? td : td.querySelector(".cell-focus"); }
  function cellOf(element) { return element && element.closest ? element.closest("td.cell") : null; }
  function gridOf(element) { return element && element.closest ? element.closest(".booking-grid") : null; }
  function signedIn(element) { var grid = gridOf(element); return grid && grid.getAttribute("data-signed-in") === "true"; }

  // Wall-clock arithmetic on "YYYY-MM-DDTHH:MM" (the park's local time as the forms use it).
  function minutesOf(text) { var d = new Date(text + ":00Z"); return d.getTime() / 60000; }
  function textOf(minutes) { return new Date(minutes * 60000).toISOString().slice(0, 16); }

  function clearSelection() {
    Array.prototype.forEach.call(document.querySelectorAll("td.is-selected"), function (td) { td.classList.remove("is-selected"); });
    selection = null;
  }

  function bookableRun(cells, from, to) {
    // The cells from..to, stopped at the first one that is not free or does not touch the one before it.
    var step = from <= to ? 1 : -1;
    var last = from;
    for (var i = from + step; step > 0 ? i <= to : i >= to; i += step) {
      var prev = cells[i - step], here = cells[i];
      if (here.getAttribute("data-bookable") !== "true") { break; }
      var touches = step > 0 ? prev.getAttribute("data-end") === here.getAttribute("data-start")
                             : here.getAttribute("data-end") === prev.getAttribute("data-start");
      if (!touches) { break; }
      last = i;
    }
    return last;
  }

  function select(row, anchor, to) {
    var cells = cellsOf(row);
    var reach = bookableRun(cells, anchor, to);
    clearSelection();
    selection = { row: row, first: Math.min(anchor, reach), last: Math.max(anchor, reach), anchor: anchor };
    for (var i = selection.first; i <= selection.last; i++) { cells[i].classList.add("is-selected"); }
    announce(row);
  }

  function announce(row) {
    var grid = gridOf(row);
    var status = grid && grid.querySelector("[data-grid-status]");
    if (!status || !selection) { return; }
    var cells = cellsOf(row);
    var template = grid.getAttribute("data-say-selected") || "%(start)s–%(end)s";
    status.textContent = template
      .replace("%(facility)s", row.getAttribute("data-name"))
      .replace("%(start)s", cells[selection.first].getAttribute("data-start").slice(11))
      .replace("%(end)s", cells[selection.last].getAttribute("data-end").slice(11));
  }

  function book() {
    if (!selection) { return; }
    var row = selection.row, cells = cellsOf(row);
    var minimum = Number(row.getAttribute("data-min")), maximum = Number(row.getAttribute("data-max"));
    var slot = Number(row.getAttribute("data-slot"));
    var last = selection.last;
    var start = cells[selection.first].getAttribute("data-start");
    var length = function () { return minutesOf(cells[last].getAttribute("data-end")) - minutesOf(start); };
    if (length() < minimum) {
      // Too short for the facility: widen over the free cells that follow, else let the "how long?" step explain.
      var reach = bookableRun(cells, last, cells.length - 1);
      while (last < reach && length() < minimum) { last += 1; }
      if (length() < minimum) {
        var link = cells[selection.first].querySelector("a");
        if (link) { window.location.assign(link.href); }
        return;
      }
    }
    var end = cells[last].getAttribute("data-end");
    if (length() > maximum) { end = textOf(minutesOf(start) + Math.floor(maximum / slot) * slot); }
    var facility = row.getAttribute("data-facility");
    window.location.assign("/facilities/" + facility + "/book?start=" + encodeURIComponent(start) + "&end=" + encodeURIComponent(end));
  }

  // --- Moving: press on one of your bookings, drop it on another time or row; the move form does the rest
  // (the same rules and locks as a new booking; a refusal shows the free alternatives on the booking page).
  var moving = null; // {booking, minutes, offset, from}

  function ownCells(td) {
    var id = td.getAttribute("data-booking");
    return cellsOf(td.closest("tr")).filter(function (cell) { return cell.getAttribute("data-booking") === id; });
  }

  function clearDrop() {
    Array.prototype.forEach.call(document.querySelectorAll("td.is-drop"), function (td) { td.classList.remove("is-drop"); });
  }

  function dropTargets(td) {
    // The cells the moved booking would cover if it started at the cell that lines up with where it was held.
    var cells = cellsOf(td.closest("tr"));
    var index = cells.indexOf(td) - moving.offset;
    if (index < 0) { return []; }
    var start = minutesOf(cells[index].getAttribute("data-start")), end = start + moving.minutes, covered = [];
    for (var i = index; i < cells.length && minutesOf(cells[i].getAttribute("data-start")) < end; i++) { covered.push(cells[i]); }
    return covered;
  }

  function submitMove(td) {
    var covered = dropTargets(td);
    if (!covered.length) { return false; }
    var start = covered[0].getAttribute("data-start");
    if (covered[0] === moving.from) { return false; }
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/bookings/" + moving.booking + "/move";
    var meta = document.querySelector('meta[name="csrf-token"]');
    var fields = { starts_at: start, ends_at: textOf(minutesOf(start) + moving.minutes),
                   facility_id: td.closest("tr").getAttribute("data-facility"), _csrf_token: meta ? meta.content : "" };
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    return true;
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "touch" || event.button !== 0) { return; }
    var td = cellOf(event.target);
    if (!td || !td.classList.contains("cell-own") || !td.getAttribute("data-booking") || !gridOf(td).hasAttribute("data-movable")) { return; }
    var own = ownCells(td);
    event.preventDefault();
    moving = { booking: td.getAttribute("data-booking"), from: own[0], offset: own.indexOf(td),
               minutes: minutesOf(own[own.length - 1].getAttribute("data-end")) - minutesOf(own[0].getAttribute("data-start")) };
  });
  document.addEventListener("pointerover", function (event) {
    if (!moving) { return; }
    var td = cellOf(event.target);
    clearDrop();
    if (td) { dropTargets(td).forEach(function (cell) { cell.classList.add("is-drop"); }); }
  });
  document.addEventListener("pointerup", function (event) {
    if (!moving) { return; }
    var td = cellOf(event.target);
    var moved = td ? submitMove(td) : false;
    clearDrop();
    if (!moved && td && td.querySelector("a") && td.getAttribute("data-booking") === moving.booking) {
      window.location.assign(td.querySelector("a").href); // a plain click opens the booking
    }
    moving = null;
  });

  // --- Pointer: press on a free cell, drag along the row, release to book. Touch scrolls the hours instead.
  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "touch" || event.button !== 0) { return; }
    var td = cellOf(event.target);
    if (!td || td.getAttribute("data-bookable") !== "true" || !signedIn(td)) { return; }
    event.preventDefault();
    var row = td.closest("tr");
    dragging = true;
    select(row, cellsOf(row).indexOf(td), cellsOf(row).indexOf(td));
  });
  document.addEventListener("pointerover", function (event) {
    if (!dragging || !selection) { return; }
    var td = cellOf(event.target);
    if (!td || td.closest("tr") !== selection.row) { return; }
    select(selection.row, selection.anchor, cellsOf(selection.row).indexOf(td));
  });
  document.addEventListener("pointerup", function () {
    if (!dragging) { return; }
    dragging = false;
    book();
  });
  document.addEventListener("click", function (event) {
    // A mouse press on a free cell has already booked it (pointerup); the link is for touch and no-JS.
    var td = cellOf(event.target);
    if (td && td.getAttribute("data-bookable") === "true" && event.detail > 0 && selection) { event.preventDefault(); }
    if (td && td.classList.contains("cell-own") && event.detail > 0 && gridOf(td).hasAttribute("data-movable")) { event.preventDefault(); }
  });

  // --- Keyboard: one tab stop per grid; arrows move, Shift+arrow widens the choice, Enter or Space books.
  function setTabStop(grid, target) {
    Array.prototype.forEach.call(grid.querySelectorAll(".cell-focus"), function (element) { element.setAttribute("tabindex", "-1"); });
    if (target) { target.setAttribute("tabindex", "0"); }
  }

  function initialise(grid) {
    var start = grid.querySelector("td[data-bookable]") || grid.querySelector("td.now") || grid.querySelector("td.cell");
    if (!start) { return; }
    setTabStop(grid, focusOf(start));
    // Open at the current time (or the first free cell), an hour before it.
    var scroller = grid.querySelector(".grid-scroll");
    var head = grid.querySelector(".grid-row-head");
    if (scroller && head && scroller.scrollWidth > scroller.clientWidth && grid.getAttribute("data-scrolled") !== "true") {
      var hour = grid.querySelector(".grid-hour");
      scroller.scrollLeft = Math.max(0, start.offsetLeft - head.offsetWidth - (hour ? hour.offsetWidth : 0));
    }
  }

  function moveTo(td) {
    var target = focusOf(td);
    if (!target) { return; }
    setTabStop(gridOf(td), target);
    target.focus();
  }

  function verticalNeighbour(td, direction) {
    var rows = Array.prototype.slice.call(td.closest("table").querySelectorAll("tr.grid-row"));
    var index = rows.indexOf(td.closest("tr")) + direction;
    if (index < 0 || index >= rows.length) { return null; }
    var column = Number(td.getAttribute("data-col"));
    var cells = cellsOf(rows[index]);
    for (var i = 0; i < cells.length; i++) {
      var from = Number(cells[i].getAttribute("data-col"));
      if (from <= column && column < from + Number(cells[i].getAttribute("colspan") || 1)) { return cells[i]; }
    }
    return cells[cells.length - 1] || null;
  }

  document.addEventListener("keydown", function (event) {
    var td = cellOf(event.target);
    if (!td || !td.closest(".slot-grid")) { return; }
    var row = td.closest("tr"), cells = cellsOf(row), index = cells.indexOf(td), next = null;
    switch (event.key) {
      case "ArrowRight": next = cells[index + 1]; break;
      case "ArrowLeft": next = cells[index - 1]; break;
      case "ArrowDown": next = verticalNeighbour(td, 1); break;
      case "ArrowUp": next = verticalNeighbour(td, -1); break;
      case "Home": next = cells[0]; break;
      case "End": next = cells[cells.length - 1]; break;
      case "Escape": clearSelection(); return;
      case "Enter":
      case " ":
        if (td.getAttribute("data-bookable") === "true" && signedIn(td)) {
          event.preventDefault();
          if (!selection || selection.row !== row || index < selection.first || index > selection.last) { select(row, index, index); }
          book();
        } else if (event.key === " " && td.querySelector("a")) {
          event.preventDefault();
          td.querySelector("a").click();
        }
        return;
      default: return;
    }
    event.preventDefault();
    if (!next) { return; }
    if (event.shiftKey && (event.key === "ArrowRight" || event.key === "ArrowLeft") && td.getAttribute("data-bookable") === "true") {
      var anchor = selection && selection.row === row ? selection.anchor : index;
      select(row, anchor, cells.indexOf(next));
    } else if (!event.shiftKey) {
      clearSelection();
    }
    moveTo(next);
  });

  // --- Live updates swap the grid (#live-grid, hx-get of the page itself): keep the scroll position and the tab stop.
  var kept = 0;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var scroller = document.querySelector("#live-grid .grid-scroll");
    kept = scroller ? scroller.scrollLeft : 0;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var grid = document.getElementById("live-grid");
    if (!grid) { return; }
    grid.setAttribute("data-scrolled", "true");
    initialise(grid);
    var scroller = grid.querySelector(".grid-scroll");
    if (scroller) { scroller.scrollLeft = kept; }
  });

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () { Array.prototype.forEach.call(document.querySelectorAll(".booking-grid"), initialise); });
})();
