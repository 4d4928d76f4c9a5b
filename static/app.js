// smtpdoctor: the little JavaScript there is. Every page works without it;
// this only adds live progress, provider presets and a copy button.
(function () {
  "use strict";

  // Provider presets: the links work without JS (?preset=key reloads the
  // form prefilled); with JS they fill the fields in place and keep
  // whatever else was typed, the password included.
  document.querySelectorAll("a[data-preset-host]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      var form = document.getElementById("probe-form");
      if (!form) return;
      ev.preventDefault();
      form.elements.host.value = a.dataset.presetHost;
      form.elements.port.value = a.dataset.presetPort;
      form.elements.security.value = a.dataset.presetSecurity;
      if (a.dataset.presetMech) form.elements.mech.value = a.dataset.presetMech;
      var note = document.getElementById("preset-note");
      if (note) note.textContent = "Filled in the settings for " + a.textContent.trim() + ".";
      form.elements.user.focus();
    });
  });

  // A port typed in the host field ("smtp.example.com:465") wins over the
  // port field (the server reads it the same way); show that by copying it
  // there. Security on Auto follows the port; the hint says what Auto will
  // do, until the person picks a mode themselves.
  var pf = document.getElementById("probe-form");
  if (pf && pf.elements.host && pf.elements.port && pf.elements.security) {
    var hint = document.getElementById("security-hint");
    var portNote = function () {
      var sec = pf.elements.security.value, p = pf.elements.port.value.trim();
      if (!hint || sec !== "auto") return;
      hint.textContent = p === "465" ? "Auto: SSL/TLS from the first byte on port 465." :
        "Auto: STARTTLS on port " + (p || "587") + " (SSL/TLS only on 465).";
    };
    pf.elements.host.addEventListener("input", function () {
      var m = /^(?:\[[^\]]+\]|[^:\[\]]+):(\d{1,5})$/.exec(pf.elements.host.value.trim());
      if (m && pf.elements.port.value !== m[1]) {
        pf.elements.port.value = m[1];
        if (hint) hint.dataset.fromHost = "1";
      }
      portNote();
    });
    pf.elements.port.addEventListener("input", portNote);
    pf.elements.security.addEventListener("change", portNote);
    portNote();
  }

  // Copy buttons. data-copy holds the text itself (the permalink, also
  // shown next to it); data-copy-from names the element whose text is
  // copied (a snippet's <code>, the ticket's <textarea>). The buttons
  // start hidden, so a page without JS shows none that cannot work.
  function copyText(b, text) {
    var done = function () {
      b.textContent = "Copied";
      b.dataset.copied = "true";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var t = document.createElement("textarea");
      t.value = text;
      document.body.appendChild(t);
      t.select();
      try { document.execCommand("copy"); done(); } catch (e) {}
      t.remove();
    }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { copyText(b, b.dataset.copy); });
  });
  document.querySelectorAll("button[data-copy-from]").forEach(function (b) {
    var from = document.getElementById(b.dataset.copyFrom);
    if (!from) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      copyText(b, from.tagName === "TEXTAREA" ? from.value : from.textContent);
    });
  });

  // Wide tables whose newest column is on the right (the breakdown) start
  // scrolled to it on a narrow screen.
  document.querySelectorAll(".table-wrap.scroll-end").forEach(function (w) {
    w.scrollLeft = w.scrollWidth;
  });

  // Delete asks first.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm(f.dataset.confirm)) ev.preventDefault();
    });
  });

  // Live progress: the server renders the same fragment it puts in the
  // page (a test's steps, a try-all's matrix) and sends it as a
  // server-sent event; we swap it in. When it is done, reload for the full
  // report.
  var live = document.querySelector("[data-events]");
  // Each wait of a running step counts on each second from the elapsed
  // time the server rendered ("waiting for the greeting, 4 s of 10 s");
  // the browser's clock is only used to measure time since that render.
  // A try-all has one per row still running.
  var tick = null;
  var countOn = function () {
    if (tick) { clearInterval(tick); tick = null; }
    var waits = Array.prototype.slice.call(document.querySelectorAll("[data-elapsed-ms]"));
    if (!waits.length) return;
    var t0 = Date.now();
    tick = setInterval(function () {
      waits.forEach(function (w) {
        var el = w.querySelector(".elapsed");
        if (!el) return;
        var ms = Math.min(Number(w.dataset.elapsedMs) + Date.now() - t0, Number(w.dataset.limitMs));
        el.textContent = Math.floor(ms / 1000) + " s";
      });
    }, 1000);
  };
  countOn();
  if (live && window.EventSource) {
    var es = new EventSource(live.dataset.events);
    es.addEventListener("progress", function (ev) {
      live.innerHTML = ev.data;
      countOn();
    });
    es.addEventListener("done", function () {
      es.close();
      window.location.reload();
    });
  }
})();
