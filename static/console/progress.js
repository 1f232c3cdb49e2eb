// Live progress of running runs: polls each bar's JSON endpoint every 2 s until the run is final.
(function () {
  "use strict";
  function poll(bar) {
    fetch(bar.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.percent !== null) { bar.value = data.percent; }
        var label = bar.parentNode.querySelector(".percent");
        if (label) { label.textContent = (data.percent === null ? "?" : data.percent) + " % — " + data.status_display; }
        if (!data.final) { setTimeout(function () { poll(bar); }, 2000); }
      })
      .catch(function () { setTimeout(function () { poll(bar); }, 5000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("progress[data-progress-url]").forEach(function (bar) {
      setTimeout(function () { poll(bar); }, 2000);
    });
  });
})();
