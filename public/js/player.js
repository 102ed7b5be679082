// Pre-load video player: reports only intervals that were actually played (no seeks) as heartbeats
// (uploads with progress are public/js/upload.js, for every multipart form).
(function () {
  'use strict';
  var MAX_GAP = 2; // seconds between timeupdates that still count as continuous playing
  var FLUSH_AT = 4; // send a heartbeat after this many seconds of continuous play

  function setupPlayer(video) {
    var url = video.getAttribute('data-heartbeat-url');
    var videoId = video.getAttribute('data-video-id');
    var status = document.querySelector('[data-watched-status]');
    var from = null;
    var last = null;

    function send(a, b) {
      if (!url || b - a < 0.2) return;
      var body = { videoId: videoId, from: Math.round(a * 1000) / 1000, to: Math.round(b * 1000) / 1000 };
      fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (state) {
          if (!state) return;
          var cell = document.querySelector('[data-watched-for="' + videoId + '"]');
          if (cell) cell.textContent = state.watchedPercent + '%';
          if (status) status.textContent = 'You have watched ' + state.watchedPercent + '% of this video; ' + state.threshold + '% counts as watched.' + (state.met ? ' Done — well done.' : '');
        })
        .catch(function () { /* offline: the next heartbeat will try again */ });
    }

    function flush() {
      if (from !== null && last !== null) send(from, last);
      from = last !== null ? last : null;
    }

    video.addEventListener('timeupdate', function () {
      var t = video.currentTime;
      if (video.seeking || video.paused) return;
      if (last === null || t < last || t - last > MAX_GAP) {
        // A jump (seek or stall): whatever was continuous so far is sent; counting restarts here.
        if (from !== null && last !== null) send(from, last);
        from = t;
        last = t;
        return;
      }
      last = t;
      if (last - from >= FLUSH_AT) {
        send(from, last);
        from = last;
      }
    });
    video.addEventListener('seeking', function () {
      if (from !== null && last !== null) send(from, last);
      from = null;
      last = null;
    });
    // The file could not be fetched (the file store down, the network gone): say so instead of a spinner.
    var unavailable = document.querySelector('[data-testid="video-unavailable"]');
    function failed() { if (unavailable) unavailable.hidden = false; }
    if (video.error) failed();
    video.addEventListener('error', failed);
    video.addEventListener('pause', flush);
    video.addEventListener('ended', flush);
    document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') flush(); });
  }

  var player = document.querySelector('video[data-heartbeat-url]');
  if (player) setupPlayer(player);
})();
