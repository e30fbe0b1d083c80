/* The co-development round page: a ticking countdown, announcements, and htmx swaps
   that keep focus, open <details> and a note being typed.

   The server renders the countdown as minutes:seconds and, while a step runs, its
   deadline (data-deadline) and its own clock (data-now); this script only ticks it.
   Screen readers hear a step change and the moment the time box runs out, never the
   seconds (the timer role is not live). */
(function () {
  "use strict";

  var offset = 0; // server clock minus this browser's clock, in ms
  var seenTimer = null;
  var lastStep = null;
  var wasOver = null;
  var pendingFocus = null;
  var focusInClock = false;
  var draft = null;
  var openDetails = new Set();

  function announce(message) {
    var region = document.getElementById("codev-announce");
    if (!region || !message) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function format(seconds) {
    var sign = seconds < 0 ? "\u2212" : "";
    var left = Math.abs(seconds);
    var minutes = Math.floor(left / 60);
    var rest = left % 60;
    return sign + String(minutes).padStart(2, "0") + ":" + String(rest).padStart(2, "0");
  }

  function tick() {
    var timer = document.getElementById("codev-timer");
    var clock = document.getElementById("codev-clock");
    if (!timer || !clock) {
      return;
    }
    if (timer !== seenTimer) {
      seenTimer = timer;
      if (timer.dataset.now) {
        offset = Date.parse(timer.dataset.now) - Date.now();
      }
    }
    if (!timer.dataset.deadline) {
      return;
    }
    var deadline = Date.parse(timer.dataset.deadline);
    var remaining = Math.ceil((deadline - (Date.now() + offset)) / 1000);
    var over = remaining < 0;
    timer.textContent = format(remaining);
    clock.classList.toggle("codev-over", over);
    var badge = clock.querySelector(".codev-over-badge");
    if (badge) {
      badge.hidden = !over;
    }
    if (over && wasOver === false) {
      announce(timer.dataset.overMessage);
    }
    wasOver = over;
  }

  function clockChanged() {
    var clock = document.getElementById("codev-clock");
    if (!clock) {
      return;
    }
    var step = clock.dataset.step;
    if (lastStep !== null && step !== lastStep) {
      announce(clock.dataset.announce);
      wasOver = null;
    }
    lastStep = step;
    if (wasOver === null) {
      wasOver = clock.classList.contains("codev-over");
    }
    tick();
  }

  function beforeSwap(target) {
    if (!target) {
      return;
    }
    var active = document.activeElement;
    if (active && active.id && target.contains(active)) {
      pendingFocus = active.id;
      focusInClock = target.id === "codev-clock";
    }
    var text = document.getElementById("codev-note-text");
    if (target.id === "codev-stage" && text && target.contains(text)) {
      draft = text.value;
    }
  }

  function afterSwap() {
    openDetails.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) {
        details.open = true;
      }
    });
    if (draft) {
      var text = document.getElementById("codev-note-text");
      if (text && !text.value) {
        text.value = draft;
      }
    }
    draft = null;
    var element = pendingFocus && document.getElementById(pendingFocus);
    if (pendingFocus && element && element === document.activeElement) {
      // Another region was swapped first (out-of-band, or a poll): the focused control is
      // still there, so wait for the swap that replaces it.
      clockChanged();
      return;
    }
    if (pendingFocus) {
      var active = document.activeElement;
      if (!element && focusInClock) {
        // The pressed button is gone (pause became resume, the last step ended):
        // the first control takes the focus, or the step's title.
        element = document.querySelector("#codev-clock .codev-controls button") ||
          document.getElementById("codev-step-title");
      }
      if (element && (!active || active === document.body)) {
        element.focus({ preventScroll: true });
      }
      pendingFocus = null;
      focusInClock = false;
    }
    clockChanged();
  }

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.tagName === "DETAILS" && details.id) {
      if (details.open) {
        openDetails.add(details.id);
      } else {
        openDetails.delete(details.id);
      }
    }
  }, true);
  document.addEventListener("htmx:beforeSwap", function (event) {
    beforeSwap(event.detail.target);
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    beforeSwap(event.detail.target);
  });
  document.addEventListener("htmx:afterSettle", afterSwap);
  document.addEventListener("htmx:oobAfterSwap", afterSwap);

  function start() {
    clockChanged();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
