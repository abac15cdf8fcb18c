/*
 * Lesson video player: resume where the learner stopped and save their place as they watch.
 *
 * Markup (rendered by the lesson template; without JavaScript the "mark as done" form still works):
 *   <video data-progress-url="/…/progress/" data-csrf-token="…" data-lesson-id="7"
 *          data-start-position="123.4" data-saved-text="Your place is saved.">
 *   <span data-progress-status aria-live="polite"></span>   (optional, anywhere near the video)
 *
 * Saving is best effort: a failed request is ignored and the next save tries again. A refusal the
 * server explains (a 4xx answer {"error": "…"}) is shown in the status; a 403 (processing
 * restricted, access ended) holds for the rest of the page, so saving stops. At most one
 * request per video is in flight; a periodic save that finds one in flight is skipped, an event
 * (pause, seek, end, page hidden) is sent right after it. Every request uses keepalive, so the
 * last one survives the page being closed. CSP-clean: no eval, no inline handlers, no styles.
 */
(function () {
  "use strict";

  var SAVE_EVERY_SECONDS = 5; // of playback, measured on the video's own clock
  var SEEK_SETTLE_MS = 1000; // a drag along the timeline fires many "seeked"; save once at the end

  // The JSON body for the progress endpoint; position in seconds, one decimal.
  function payloadFor(video, completed) {
    var payload = {
      lesson: Number(video.dataset.lessonId),
      position_seconds: Math.round((video.currentTime || 0) * 10) / 10,
    };
    if (completed) payload.completed = true;
    return payload;
  }

  // The saved place from the markup, in seconds (0 if absent or unreadable).
  function savedPositionOf(video) {
    var start = parseFloat(String(video.dataset.startPosition || "").replace(",", "."));
    return start > 0 ? start : 0;
  }

  // Where to resume, or null: only inside the video and not in its last second.
  function startPositionFor(video) {
    var start = savedPositionOf(video);
    return start > 0 && start < video.duration - 1 ? start : null;
  }

  // The nearest [data-progress-status] around the video, searching outwards.
  function statusFor(video) {
    for (var el = video.parentElement; el; el = el.parentElement) {
      var found = el.querySelector("[data-progress-status]");
      if (found) return found;
    }
    return null;
  }

  // Show the server's explanation of a refusal; after a 403 nothing more is sent from this page.
  function showRefusal(video, state, response) {
    if (response.status === 403) state.stopped = true;
    return response.json().then(function (answer) {
      var status = statusFor(video);
      if (status && answer && typeof answer.error === "string") status.textContent = answer.error;
    }, function () {});
  }

  function save(video, state, options) {
    if (state.stopped) return;
    var completed = Boolean(options && options.completed);
    if (state.inFlight) {
      if (!(options && options.tick)) {
        state.pending = true;
        state.pendingCompleted = state.pendingCompleted || completed;
      }
      return;
    }
    var payload = payloadFor(video, completed);
    if (!completed && payload.position_seconds === state.lastSaved) return; // nothing new
    state.inFlight = true;
    fetch(video.dataset.progressUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "error", // a sign-in redirect is a failure, not a save
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": video.dataset.csrfToken || "" },
      body: JSON.stringify(payload),
    })
      .then(function (response) {
        if (response.status >= 400 && response.status < 500) {
          return showRefusal(video, state, response);
        }
        if (response.status !== 204) return; // only "204 No Content" means it was saved
        state.lastSaved = payload.position_seconds;
        var status = statusFor(video);
        if (status && video.dataset.savedText) status.textContent = video.dataset.savedText;
      })
      .catch(function () {}) // offline or refused: the next save tries again
      .then(function () {
        state.inFlight = false;
        if (!state.pending) return;
        var pendingCompleted = state.pendingCompleted;
        state.pending = state.pendingCompleted = false;
        save(video, state, { completed: pendingCompleted });
      });
  }

  function attach(video) {
    var start = savedPositionOf(video);
    var state = { inFlight: false, pending: false, pendingCompleted: false, seekTimer: null,
                  stopped: false,
                  lastSaved: Math.round(start * 10) / 10, lastTick: start };

    function resume() {
      var position = startPositionFor(video);
      if (position !== null) video.currentTime = position; // its "seeked" saves nothing new
    }
    if (video.readyState >= 1) resume(); // metadata arrived before this script ran
    else video.addEventListener("loadedmetadata", resume, { once: true });

    video.addEventListener("timeupdate", function () {
      if (video.paused || Math.abs(video.currentTime - state.lastTick) < SAVE_EVERY_SECONDS) return;
      state.lastTick = video.currentTime;
      save(video, state, { tick: true });
    });
    video.addEventListener("pause", function () {
      if (!video.ended) save(video, state); // at the end, "ended" follows and saves
    });
    video.addEventListener("seeked", function () {
      state.lastTick = video.currentTime; // the 5-second count starts again from here
      clearTimeout(state.seekTimer);
      state.seekTimer = setTimeout(function () { save(video, state); }, SEEK_SETTLE_MS);
    });
    video.addEventListener("ended", function () {
      save(video, state, { completed: true });
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(video, state);
    });
    window.addEventListener("pagehide", function () { save(video, state); });
  }

  // Node runs the unit tests (coursekeeper/web/tests/test_player_js.py); browsers skip this.
  if (typeof module === "object" && module.exports) {
    module.exports = { payloadFor: payloadFor, startPositionFor: startPositionFor, attach: attach };
  }
  if (typeof document !== "undefined") {
    Array.prototype.forEach.call(document.querySelectorAll("video[data-progress-url]"), attach);
  }
})();
