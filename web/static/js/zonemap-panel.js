/* zonemap side panel of the national map: flagged zones (filtered and sorted by the API) and
 * the zone search (diacritics optional). Needs zonemap-app.js and a started app. */
(function (global) {
  "use strict";

  var U = global.zonemap.appUtil;

  function zoneItem(app, zone, extra) {
    var cfg = app.cfg;
    var item = U.el("li", "zm-result" + (zone.worst ? " zm-sev-" + zone.worst : ""));
    var button = U.el("button", "zm-result-button");
    button.type = "button";
    button.dataset.code = zone.code;
    if (zone.worst) {
      button.appendChild(U.el("span", "zm-badge zm-sev-" + zone.worst,
                              U.label(cfg, "severity." + zone.worst)));
      button.appendChild(document.createTextNode(" "));
    }
    button.appendChild(U.el("span", "zm-result-name", zone.name));
    button.appendChild(U.el("span", "zm-sub", [zone.code, zone.province_name || zone.province_code]
      .concat(extra || []).join(" · ")));
    button.addEventListener("click", function () {
      if (zone.lat !== null && zone.lat !== undefined) { app.showZone(zone.code, zone.lon, zone.lat); }
    });
    item.appendChild(button);
    return item;
  }

  function startFlagged(app, panel) {
    var cfg = app.cfg;
    var form = document.getElementById("zm-flag-filters");
    var list = document.getElementById("zm-flagged-list");
    var status = document.getElementById("zm-flagged-status");
    if (!form || !list) { return; }
    var latest = 0;
    function load() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value) { params.set(key, value); } });
      if (panel.province) { params.set("province", panel.province); }
      params.set("limit", "300");
      var ticket = ++latest;
      status.textContent = U.label(cfg, "panel.loading");
      app.fetchJson(panel.flaggedUrl + "?" + params.toString()).then(function (data) {
        if (ticket !== latest) { return; }
        list.replaceChildren();
        data.zones.forEach(function (zone) {
          var titles = zone.flags.map(function (code) { return U.label(cfg, "flag." + code); });
          list.appendChild(zoneItem(app, zone, [titles.join(", ")]));
        });
        status.textContent = U.label(cfg, "panel.showing",
          { shown: U.number(cfg, data.zones.length, 0), total: U.number(cfg, data.total, 0) });
      }).catch(function (err) {
        console.error("zonemap: flagged zones", err);
        status.textContent = U.label(cfg, "error.generic");
      });
    }
    form.addEventListener("change", load);
    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
    load();
  }

  function startSearch(app, panel) {
    var cfg = app.cfg;
    var input = document.getElementById("zm-search-input");
    var results = document.getElementById("zm-search-results");
    if (!input || !results) { return; }
    var timer = null, latest = 0;
    function search(pickFirst) {
      var query = input.value.trim();
      if (!query) { results.replaceChildren(); return; }
      var ticket = ++latest;
      app.fetchJson(panel.searchUrl + "?q=" + encodeURIComponent(query)).then(function (data) {
        if (ticket !== latest) { return; }
        results.replaceChildren();
        if (!data.results.length) {
          results.appendChild(U.el("li", "zm-note", U.label(cfg, "panel.no_results")));
          return;
        }
        data.results.forEach(function (zone) {
          results.appendChild(zoneItem(app, zone, [U.label(cfg, "kind." + zone.kind)]));
        });
        if (pickFirst) { results.querySelector("button").click(); }
      }).catch(function (err) { console.error("zonemap: search", err); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(false); }, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); search(true); }
    });
  }

  global.zonemap.panel = {
    start: function (app) {
      var panel = app && app.cfg.panel;
      if (!panel) { return; }
      startFlagged(app, panel);
      startSearch(app, panel);
    }
  };
})(window);
