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
  var moving = null; // {booking, minutes, offset, from}: a booking being moved (by pointer, touch or keyboard)

  function ownCells(td) {
    var id = td.getAttribute("data-booking");
    return cellsOf(td.closest("tr")).filter(function (cell) { return cell.getAttribute("data-booking") === id; });
  }

  function movingFrom(td) {
    // What is moved when `td` (a cell of an own booking) is taken hold of.
    var own = ownCells(td);
    return { booking: td.getAttribute("data-booking"), from: own[0], offset: own.indexOf(td),
             minutes: minutesOf(own[own.length - 1].getAttribute("data-end")) - minutesOf(own[0].getAttribute("data-start")) };
  }

  function movableCell(td) {
    var grid = gridOf(td);
    return !!(grid && td.classList.contains("cell-own") && td.getAttribute("data-booking") && grid.hasAttribute("data-movable"));
  }

  function clearDrop() {
    Array.prototype.forEach.call(document.querySelectorAll("td.is-drop, td.is-refused"), function (td) {
      td.classList.remove("is-drop"); td.classList.remove("is-refused");
    });
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

  // Where a drag goes (mouse, or a finger after a long press) and where it ends.
  function dragOver(td) {
    if (moving) {
      clearDrop();
      if (td) { dropTargets(td).forEach(function (cell) { cell.classList.add("is-drop"); }); }
    } else if (dragging && selection && td && td.closest("tr") === selection.row) {
      select(selection.row, selection.anchor, cellsOf(selection.row).indexOf(td));
    }
  }

  function dragEnd(td, openOnClick) {
    if (moving) {
      var moved = td ? submitMove(td) : false;
      clearDrop();
      if (!moved && openOnClick && td && td.querySelector("a") && td.getAttribute("data-booking") === moving.booking) {
        window.location.assign(td.querySelector("a").href); // a plain click opens the booking
      }
      moving = null;
    } else if (dragging) {
      dragging = false;
      book();
    }
    rereadIfStale();
  }

  // A cell's link must not start the browser's own drag of a link: dropped, it would open the booking instead of moving it.
  document.addEventListener("dragstart", function (event) {
    if (cellOf(event.target)) { event.preventDefault(); }
  });

  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "touch" || event.button !== 0) { return; }
    var td = cellOf(event.target);
    if (!movableCell(td)) { return; }
    event.preventDefault();
    moving = movingFrom(td);
  });

  // --- Pointer: press on a free cell, drag along the row, release to book.
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
    if (event.pointerType !== "touch") { dragOver(cellOf(event.target)); }
  });
  document.addEventListener("pointerup", function (event) {
    if (event.pointerType !== "touch") { dragEnd(cellOf(event.target), true); }
  });
  document.addEventListener("click", function (event) {
    // A mouse press on a free cell has already booked it (pointerup); the link is for touch and no-JS.
    var td = cellOf(event.target);
    if (td && td.getAttribute("data-bookable") === "true" && event.detail > 0 && selection) { event.preventDefault(); }
    if (movableCell(td) && event.detail > 0 && lastPointer !== "touch") {
      event.preventDefault(); // a mouse press on one's booking is handled on pointerup; a tap follows the link
    }
    if (held) { event.preventDefault(); held = false; } // the end of a long press is no tap
  });

  // --- Touch: a swipe scrolls the hours; holding a cell still for a moment starts the same drag as the mouse's
  // (a free cell: choose the time; an own booking: move it). A tap follows the cell's link.
  var HOLD_MS = 400, SLOP_PX = 10;
  var press = null; // {id, x, y, td, timer, active}
  var held = false; // a long press just ended: swallow the click that may follow
  var lastPointer = "";
  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType;
    if (keyMove) { endKeyMove(gridOf(keyMove.target), true); } // a press elsewhere lets go of a booking held by keyboard
  }, true);

  function cancelPress() {
    if (press) { window.clearTimeout(press.timer); }
    press = null;
    rereadIfStale();
  }

  function hold() {
    var td = press.td;
    if (!td.isConnected) { cancelPress(); return; } // the grid was re-read under the finger
    press.active = true;
    if (movableCell(td)) {
      moving = movingFrom(td);
      dragOver(td);
    } else {
      var row = td.closest("tr");
      dragging = true;
      select(row, cellsOf(row).indexOf(td), cellsOf(row).indexOf(td));
    }
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "touch" || !event.isPrimary) { return; }
    cancelPress();
    var td = cellOf(event.target);
    if (!td || !(movableCell(td) || (td.getAttribute("data-bookable") === "true" && signedIn(td)))) { return; }
    press = { id: event.pointerId, x: event.clientX, y: event.clientY, td: td, active: false,
              timer: window.setTimeout(hold, HOLD_MS) };
  });
  document.addEventListener("pointermove", function (event) {
    if (!press || event.pointerId !== press.id) { return; }
    if (!press.active) {
      if (Math.abs(event.clientX - press.x) > SLOP_PX || Math.abs(event.clientY - press.y) > SLOP_PX) { cancelPress(); }
      return;
    }
    // The finger's target stays the cell first touched: look under the finger instead.
    dragOver(cellOf(document.elementFromPoint(event.clientX, event.clientY)));
  });
  document.addEventListener("pointerup", function (event) {
    if (!press || event.pointerId !== press.id) { return; }
    var active = press.active;
    cancelPress();
    if (active) {
      held = true;
      window.setTimeout(function () { held = false; }, 600);
      dragEnd(cellOf(document.elementFromPoint(event.clientX, event.clientY)), false);
    }
  });
  document.addEventListener("pointercancel", function (event) {
    // The browser took the gesture (a scroll): nothing is chosen.
    if (!press || event.pointerId !== press.id) { return; }
    var active = press.active;
    cancelPress();
    if (active) { dragging = false; moving = null; clearSelection(); clearDrop(); }
    rereadIfStale();
  });
  // Once the hold has started, the finger drags the choice instead of scrolling the hours.
  document.addEventListener("touchmove", function (event) {
    if (press && press.active && event.cancelable) { event.preventDefault(); }
  }, { passive: false });
  document.addEventListener("contextmenu", function (event) {
    if (press || held) { event.preventDefault(); }
  });

  // --- Moving by keyboard: on an own booking, M takes hold of it; arrows choose where it goes (the cells it
  // would cover are shown, and a taken or closed one says so), Enter moves it there, Escape leaves it.
  var keyMove = null; // {target: the proposed first cell, refused: why not there, or ""}

  function say(grid, name, params) {
    var status = grid && grid.querySelector("[data-grid-status]");
    if (!status) { return; }
    var text = grid.getAttribute("data-say-" + name) || "";
    Object.keys(params || {}).forEach(function (key) { text = text.replace("%(" + key + ")s", params[key]); });
    status.textContent = text;
  }

  function showStatus(grid, shown) {
    var status = grid && grid.querySelector("[data-grid-status]");
    if (!status) { return; }
    status.classList.toggle("visually-hidden", !shown);
    status.classList.toggle("grid-move-status", shown);
  }

  function stateName(grid, td) {
    // Why a cell cannot take the booking: its state in words, or the row's reason (training needed).
    var reason = td.closest("tr").querySelector(".row-reason .visually-hidden");
    if (reason && (td.classList.contains("cell-free") || td.classList.contains("cell-partial"))) { return reason.textContent; }
    var states = ["full", "own", "blackout", "closed", "past"];
    for (var i = 0; i < states.length; i++) {
      if (td.classList.contains("cell-" + states[i])) { return grid.getAttribute("data-say-state-" + states[i]) || states[i]; }
    }
    return "";
  }

  function refusal(grid, covered) {
    // "" when the moved booking fits on `covered`, else why not.
    if (!covered.length) { return grid.getAttribute("data-say-day-ends"); }
    for (var i = 0; i < covered.length; i++) {
      var td = covered[i];
      if (td.getAttribute("data-bookable") !== "true" && td.getAttribute("data-booking") !== moving.booking) { return stateName(grid, td); }
    }
    var end = minutesOf(covered[0].getAttribute("data-start")) + moving.minutes;
    if (minutesOf(covered[covered.length - 1].getAttribute("data-end")) < end) { return grid.getAttribute("data-say-day-ends"); }
    return "";
  }

  function spanText(td) {
    var row = td.closest("tr"), start = td.getAttribute("data-start");
    return { facility: row.getAttribute("data-name"), day: row.getAttribute("data-day-text"), start: start.slice(11),
             end: textOf(minutesOf(start) + moving.minutes).slice(11) };
  }

  function propose(td) {
    var grid = gridOf(td);
    keyMove.target = td;
    clearDrop();
    var covered = dropTargets(td);
    keyMove.refused = refusal(grid, covered);
    var mark = keyMove.refused ? "is-refused" : "is-drop";
    (covered.length ? covered : [td]).forEach(function (cell) { cell.classList.add(mark); });
    var params = spanText(td);
    if (keyMove.refused) {
      params.reason = keyMove.refused;
      say(grid, "move-refused", params);
    } else {
      say(grid, td === moving.from ? "moving" : "move-to", params);
    }
    moveTo(td);
  }

  function startKeyMove(td) {
    clearSelection();
    moving = movingFrom(td);
    moving.offset = 0;
    keyMove = { target: moving.from, refused: "" };
    showStatus(gridOf(td), true);
    propose(moving.from);
  }

  function endKeyMove(grid, cancelled) {
    var from = moving && moving.from;
    clearDrop();
    moving = null;
    keyMove = null;
    if (cancelled && grid) {
      say(grid, "move-cancelled");
      if (from) { moveTo(from); }
    }
  }

  function keyMoveKey(event, td) {
    // The keys while a booking is held by keyboard; true when the key was used.
    var grid = gridOf(td), target = keyMove.target, cells = cellsOf(target.closest("tr")), index = cells.indexOf(target);
    var next = null;
    switch (event.key) {
      case "ArrowRight": next = cells[index + 1]; break;
      case "ArrowLeft": next = cells[index - 1]; break;
      case "ArrowDown": next = verticalNeighbour(target, 1); break;
      case "ArrowUp": next = verticalNeighbour(target, -1); break;
      case "Home": next = cells[0]; break;
      case "End": next = cells[cells.length - 1]; break;
      case "Escape": endKeyMove(grid, true); return true;
      case "Tab": endKeyMove(grid, true); return false;
      case "Enter":
      case " ":
        if (keyMove.refused) { propose(target); return true; } // says again why not
        if (target === moving.from) { endKeyMove(grid, true); return true; }
        if (!submitMove(target)) { endKeyMove(grid, true); }
        return true;
      default: return event.key.length === 1; // no typing into the grid meanwhile
    }
    if (next) { propose(next); }
    return true;
  }

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
    if (keyMove) {
      if (keyMoveKey(event, td)) { event.preventDefault(); }
      return;
    }
    showStatus(gridOf(td), false); // a move's last word stays until the next key
    if ((event.key === "m" || event.key === "M") && !event.ctrlKey && !event.metaKey && !event.altKey && movableCell(td)) {
      event.preventDefault();
      startKeyMove(td);
      return;
    }
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

  // --- Live updates swap the grid (#live-grid, hx-get of the page itself): keep the scroll position, the focus and a held booking.
  var kept = 0;
  var heldOver = null; // a booking held by keyboard when the grid was replaced
  var focusedAt = null; // the cell a keyboard user was on when the grid was replaced
  // A change heard while a mouse or finger holds cells waits until it lets go: the cells under it stay the same.
  var stale = false;
  function gesturing() { return dragging || (moving && !keyMove) || !!press; }
  function rereadIfStale() {
    if (!stale || gesturing()) { return; }
    stale = false;
    var source = document.getElementById("live-source");
    if (source && window.htmx) { window.htmx.trigger(source, "sse:bookings-changed"); }
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "live-grid" && gesturing()) {
      event.detail.shouldSwap = false;
      stale = true;
      return;
    }
    if (keyMove) { // the held booking's cells are about to be replaced: take hold again in the new grid
      var row = keyMove.target.closest("tr");
      heldOver = { booking: moving.booking, facility: row.getAttribute("data-facility"), day: row.getAttribute("data-day"),
                   start: keyMove.target.getAttribute("data-start") };
      endKeyMove(null, false);
    }
    var scroller = document.querySelector("#live-grid .grid-scroll");
    kept = scroller ? scroller.scrollLeft : 0;
    // A keyboard user's place: the same time of the same row keeps the focus after the re-read.
    var focused = cellOf(document.activeElement);
    focusedAt = null;
    if (!heldOver && focused && focused.closest("#live-grid")) {
      var focusedRow = focused.closest("tr");
      focusedAt = { facility: focusedRow.getAttribute("data-facility"), day: focusedRow.getAttribute("data-day"),
                    start: focused.getAttribute("data-start") };
    }
  });
  // afterSwap, not afterSettle: it runs in the same task as the swap, so no key press lands between the two.
  document.addEventListener("htmx:afterSwap", function () {
    var grid = document.getElementById("live-grid");
    if (!grid) { return; }
    grid.setAttribute("data-scrolled", "true");
    initialise(grid);
    var scroller = grid.querySelector(".grid-scroll");
    if (scroller) { scroller.scrollLeft = kept; }
    if (focusedAt) {
      var at = focusedAt, sameRow = grid.querySelector('tr[data-facility="' + at.facility + '"][data-day="' + at.day + '"]');
      focusedAt = null;
      var covering = sameRow && cellsOf(sameRow).filter(function (td) {
        return td.getAttribute("data-start") <= at.start && at.start < td.getAttribute("data-end");
      })[0];
      if (covering) { moveTo(covering); }
    }
    if (heldOver) {
      var again = heldOver, own = grid.querySelector('td[data-booking="' + again.booking + '"]');
      heldOver = null;
      if (!own) { say(grid, "move-cancelled"); return; } // moved or cancelled meanwhile
      startKeyMove(own);
      var target = grid.querySelector('tr[data-facility="' + again.facility + '"][data-day="' + again.day + '"] td[data-start="' + again.start + '"]');
      if (target) { propose(target); }
    }
  });

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () { Array.prototype.forEach.call(document.querySelectorAll(".booking-grid"), initialise); });
})();
