/* zonemap map state in the address: the view, the layers switched on and the side panel's
 * filters live in the URL fragment (#map=zoom/lat/lon&layers=a,b&province=01…), rewritten as
 * they change, so a copied link opens the same map. Needs zonemap-app.js. */
(function (global) {
  "use strict";

  var zm = global.zonemap;
  var FILTERS = ["province", "kind", "flag", "severity", "sort", "page"];

  function parse(hash) {
    var params = new URLSearchParams((hash || "").replace(/^#/, ""));
    var state = { view: null, layers: null, filters: {} };
    var view = (params.get("map") || "").split("/").map(Number);
    if (view.length === 3 && view.every(isFinite)) {
      state.view = { zoom: view[0], center: [view[1], view[2]] };
    }
    if (params.has("layers")) {
      state.layers = params.get("layers").split(",").filter(Boolean);
    }
    FILTERS.forEach(function (name) {
      if (params.get(name)) { state.filters[name] = params.get(name); }
    });
    return state;
  }

  function write(app) {
    var map = app.map, centre = map.getCenter(), params = new URLSearchParams();
    params.set("map", [map.getZoom(), centre.lat.toFixed(5), centre.lng.toFixed(5)].join("/"));
    params.set("layers", Object.keys(app.layers).filter(function (id) {
      return map.hasLayer(app.layers[id].layer);
    }).join(","));
    var filters = app.filters || {};
    FILTERS.forEach(function (name) { if (filters[name]) { params.set(name, filters[name]); } });
    var hash = "#" + params.toString().replace(/%2F/g, "/").replace(/%2C/g, ",");
    if (global.location.hash !== hash) {
      global.history.replaceState(null, "", global.location.pathname + global.location.search +
                                  hash);
    }
  }

  zm.urlState = {
    read: function (cfg) {
      var state = parse(global.location.hash);
      if (state.layers) {
        // a link naming no base layer (or an unknown one) keeps the page's default base
        var bases = cfg.layers.filter(function (s) { return s.base; });
        var named = bases.filter(function (s) { return state.layers.indexOf(s.id) >= 0; });
        if (!named.length) {
          bases.forEach(function (s) { if (s.show) { state.layers.push(s.id); } });
        }
      }
      zm.urlState.initial = state;
      return state;
    },
    initial: { view: null, layers: null, filters: {} },
    write: write,
    follow: function (app) {
      app.filters = Object.assign({}, zm.urlState.initial.filters);
      var update = function () { write(app); };
      app.map.on("moveend overlayadd overlayremove baselayerchange", update);
      update();
    }
  };
})(window);
