/* The console's only script: the live help queue (server-sent events), its alarm sound and
   the waiting-time counters. Pages work without it; it only keeps the queue current. */
(function () {
  "use strict";
  var body = document.body;
  var prefix = body.dataset.prefix || "/console";
  var alarm = { count: 0, context: null };
  window.consoleAlarm = alarm; // read by the browser tests

  function format(seconds) {
    var d = body.dataset, s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    if (h) return d.durH.replace("{h}", h).replace("{m}", m);
    if (m) return d.durM.replace("{m}", m).replace("{s}", (r < 10 ? "0" : "") + r);
    return d.durS.replace("{s}", r);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.ticker").forEach(function (el) {
      el.textContent = format((now - Date.parse(el.getAttribute("datetime"))) / 1000);
    });
    document.querySelectorAll("li.help.open[data-escalate-at]").forEach(function (el) {
      if (!el.classList.contains("escalated") && Date.parse(el.dataset.escalateAt) <= now) {
        el.classList.add("escalated");
        var state = el.querySelector(".state");
        if (state && body.dataset.escalatedWord) state.textContent = body.dataset.escalatedWord;
      }
    });
  }

  function audio() {
    if (!alarm.context) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      alarm.context = new Ctx();
    }
    return alarm.context;
  }

  function ring(times) {
    alarm.count += 1;
    var ctx = audio();
    if (!ctx) return;
    if (ctx.state === "suspended") {
      ctx.resume();
      showSoundButton(ctx);
    }
    var start = ctx.currentTime + 0.05;
    for (var i = 0; i < times; i++) {
      [880, 660].forEach(function (freq, n) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = freq;
        osc.type = "square";
        gain.gain.value = 0.25;
        osc.connect(gain).connect(ctx.destination);
        var at = start + i * 0.7 + n * 0.25;
        osc.start(at);
        osc.stop(at + 0.2);
      });
    }
  }

  function showSoundButton(ctx) {
    var button = document.getElementById("sound");
    if (!button) return;
    button.hidden = false;
    button.onclick = function () {
      ctx.resume().then(function () { button.textContent = button.dataset.on; });
    };
  }

  function ids(text) { return (text || "").split(" ").filter(Boolean); }

  function startLive() {
    var queue = document.getElementById("queue");
    var state = document.getElementById("live-state");
    var known = { open: {}, escalated: {} };
    function remember(root) {
      var q = root.querySelector(".queue");
      var fresh = { open: ids(q && q.dataset.open), escalated: ids(q && q.dataset.escalated) };
      var louder = fresh.escalated.some(function (id) { return !known.escalated[id]; });
      var newer = fresh.open.some(function (id) { return !known.open[id]; });
      known.open = {}; known.escalated = {};
      fresh.open.forEach(function (id) { known.open[id] = true; });
      fresh.escalated.forEach(function (id) { known.escalated[id] = true; });
      return louder ? 3 : (newer ? 2 : 0);
    }
    remember(queue);
    var busy = false, again = false;
    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      fetch(prefix + "/help/queue", { headers: { "X-Console-Fragment": "1" },
                                      credentials: "same-origin", cache: "no-store" })
        .then(function (answer) {
          if (answer.status === 401) { location.href = prefix + "/login"; return null; }
          return answer.ok ? answer.text() : null;
        })
        .then(function (html) {
          if (html === null || html === undefined) return;
          queue.innerHTML = html;
          var rings = remember(queue);
          tick();
          if (rings) ring(rings);
          body.dataset.refreshed = String(Date.now());
        })
        .finally(function () {
          busy = false;
          if (again) { again = false; refresh(); }
        });
    }
    var source = new EventSource(prefix + "/events");
    source.addEventListener("ready", function () {
      state.textContent = state.dataset.connected;
      body.dataset.live = "connected";
      refresh(); // anything missed while connecting
    });
    source.addEventListener("help", refresh);
    source.addEventListener("signed_out", function () {
      source.close();
      state.textContent = state.dataset.signedOut;
      location.href = prefix + "/login";
    });
    source.onerror = function () {
      state.textContent = state.dataset.lost;
      body.dataset.live = "lost";
    };
    setInterval(refresh, 60000); // a safety net should an event ever be lost
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    if (body.dataset.live === "help") {
      var ctx = audio();
      if (ctx && ctx.state === "suspended") showSoundButton(ctx);
      startLive();
    }
  });
})();
