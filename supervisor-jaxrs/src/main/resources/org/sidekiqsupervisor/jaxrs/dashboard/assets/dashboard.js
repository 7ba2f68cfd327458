// Progressive enhancement only: every page works without this script.
// - shows times in the viewer's time zone (the server writes UTC);
// - live refresh of pages that ask for it (data-live on <main>), remembered per browser, as Sidekiq's Live Poll;
// - submits filter selects on change.
(function () {
  "use strict";

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        element.title = element.getAttribute("datetime");
        element.textContent = when.toLocaleString();
      }
    });
  }

  function autosubmit(root) {
    root.querySelectorAll("select.autosubmit").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function live() {
    var main = document.getElementById("main");
    var toggle = document.getElementById("live-toggle");
    if (!main || !toggle || !main.dataset.live) {
      return;
    }
    var seconds = Math.max(2, parseInt(main.dataset.live, 10) || 5);
    var timer = null;
    function refresh() {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
          if (fresh) {
            main.replaceChildren.apply(main, Array.from(fresh.childNodes));
            localTimes(main);
            autosubmit(main);
          }
        })
        .catch(function () { /* keep the page as it is; the next tick tries again */ });
    }
    function set(on) {
      window.localStorage.setItem("supervisor.live", on ? "on" : "off");
      toggle.textContent = on ? "Live: on" : "Live: off";
      toggle.classList.toggle("primary", on);
      if (timer) { clearInterval(timer); timer = null; }
      if (on) { timer = setInterval(refresh, seconds * 1000); }
    }
    toggle.hidden = false;
    toggle.addEventListener("click", function () { set(!timer); });
    set(window.localStorage.getItem("supervisor.live") !== "off");
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    autosubmit(document);
    live();
  });
})();
