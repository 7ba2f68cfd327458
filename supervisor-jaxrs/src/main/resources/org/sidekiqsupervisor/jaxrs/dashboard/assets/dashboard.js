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

  // The header checkbox of a Sidekiq set's table ticks every row of the page, as in Sidekiq's Web UI.
  function selectAll(root) {
    root.querySelectorAll("input.select-all").forEach(function (all) {
      all.addEventListener("change", function () {
        all.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach(function (box) { box.checked = all.checked; });
      });
    });
  }

  // A refresh replaces the page's content: skip it while the user is in the middle of something there (a ticked row,
  // a field with the focus), so that live pages with forms never lose a selection or half-typed text.
  function busy(main) {
    var active = document.activeElement;
    return main.querySelector("input[type=checkbox]:checked") !== null
      || (active && main.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
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
      if (busy(main)) {
        return;
      }
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
          if (fresh) {
            main.replaceChildren.apply(main, Array.from(fresh.childNodes));
            localTimes(main);
            autosubmit(main);
            selectAll(main);
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
    selectAll(document);
    live();
  });
})();
