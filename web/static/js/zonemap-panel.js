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

  var PAGE_SIZE = 100;

  // Zoom the map to a province of the panel's filter (its outline from the provinces layer).
  function zoomToProvince(app, panel, code) {
    if (!code) { return; }
    var url = panel.provinceUrl + "&zoom=7&province=" + encodeURIComponent(code);
    app.fetchJson(url).then(function (data) {
      var bounds = L.geoJSON(data).getBounds();
      if (bounds.isValid()) { app.map.fitBounds(bounds, { animate: false }); }
    }).catch(function (err) { console.error("zonemap: province extent", err); });
  }

  function startFlagged(app, panel) {
    var cfg = app.cfg;
    var form = document.getElementById("zm-flag-filters");
    var list = document.getElementById("zm-flagged-list");
    var status = document.getElementById("zm-flagged-status");
    var prev = document.getElementById("zm-page-prev"), next = document.getElementById("zm-page-next");
    if (!form || !list) { return; }
    var latest = 0, page = 1, total = 0;
    var initial = (global.zonemap.urlState && global.zonemap.urlState.initial.filters) || {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && initial[field.name]) { field.value = initial[field.name]; }
    });
    page = Math.max(1, parseInt(initial.page || "1", 10) || 1);

    function filters() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value) { params.set(key, value); } });
      if (panel.province) { params.set("province", panel.province); }
      return params;
    }

    function remember(params) {
      if (!global.zonemap.urlState) { return; }
      app.filters = {};
      params.forEach(function (value, key) { app.filters[key] = value; });
      if (page > 1) { app.filters.page = String(page); }
      global.zonemap.urlState.write(app);
    }

    function exportLinks(params) {
      document.querySelectorAll("[data-export]").forEach(function (link) {
        var query = new URLSearchParams(params);
        query.set("format", link.dataset.export);
        query.set("lang", cfg.lang);
        link.href = panel.flaggedUrl + "?" + query.toString();
      });
    }

    function load() {
      var params = filters();
      remember(params);
      exportLinks(params);
      params.set("limit", String(PAGE_SIZE));
      params.set("offset", String((page - 1) * PAGE_SIZE));
      var ticket = ++latest;
      status.textContent = U.label(cfg, "panel.loading");
      app.fetchJson(panel.flaggedUrl + "?" + params.toString()).then(function (data) {
        if (ticket !== latest) { return; }
        total = data.total;
        list.replaceChildren();
        list.start = data.offset + 1;
        data.zones.forEach(function (zone) {
          var titles = zone.flags.map(function (code) { return U.label(cfg, "flag." + code); });
          list.appendChild(zoneItem(app, zone, [titles.join(", ")]));
        });
        var first = data.zones.length ? data.offset + 1 : 0;
        status.textContent = U.label(cfg, "panel.page_status", {
          first: U.number(cfg, first, 0), last: U.number(cfg, data.offset + data.zones.length, 0),
          total: U.number(cfg, data.total, 0) });
        if (prev) { prev.disabled = page <= 1; }
        if (next) { next.disabled = data.offset + data.zones.length >= data.total; }
      }).catch(function (err) {
        console.error("zonemap: flagged zones", err);
        status.textContent = U.label(cfg, "error.generic");
      });
    }
    form.addEventListener("change", function (event) {
      page = 1;
      load();
      if (event.target.name === "province") { zoomToProvince(app, panel, event.target.value); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
    if (prev) { prev.addEventListener("click", function () { page -= 1; load(); }); }
    if (next) { next.addEventListener("click", function () { page += 1; load(); }); }
    load();
    if (initial.province && !(global.zonemap.urlState.initial.view)) {
      zoomToProvince(app, panel, initial.province);
    }
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
