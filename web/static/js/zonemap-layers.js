/* zonemap layers: GeoJSON re-fetched as the zoom changes (the API simplifies it to the zoom),
 * Mapbox vector tiles (Leaflet.VectorGrid) and the heat map (leaflet.heat); then the layer
 * switcher. Needs zonemap-app.js first. */
(function (global) {
  "use strict";

  var zm = global.zonemap;
  var U = zm.appUtil;
  var MAX_FETCH_ZOOM = 17;

  function withParams(url, params) {
    if (!params.length) { return url; }
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + params.join("&");
  }

  function clampBbox(bounds) {
    var w = Math.max(-180, bounds.getWest()), s = Math.max(-90, bounds.getSouth());
    var e = Math.min(180, bounds.getEast()), n = Math.min(90, bounds.getNorth());
    return [w, s, e, n].map(function (v) { return v.toFixed(4); }).join(",");
  }

  function featureTooltip(props) {
    return props.name ? U.el("span", null, props.name) : null;
  }

  function geoJsonLayer(app, spec) {
    var cfg = app.cfg, style = U.styles[spec.style];
    var state = { url: null, bounds: null, zoom: null };
    var layer = L.geoJSON(null, {
      pane: app.pane(spec.style),
      style: function (feature) { return style(cfg, feature.properties || {}); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, Object.assign({ radius: 5 }, style(cfg, feature.properties || {})));
      },
      onEachFeature: function (feature, item) {
        var props = feature.properties || {};
        var tooltip = featureTooltip(props);
        if (tooltip) { item.bindTooltip(tooltip, { sticky: true }); }
        if (spec.popup && props.code) {
          item.on("click", function (event) {
            L.DomEvent.stop(event);
            item.closeTooltip();
            app.openZonePopup(props.code, event.latlng);
          });
        }
      }
    });

    function wantedUrl() {
      var zoom = Math.round(app.map.getZoom()), params = [], bounds = null;
      if (spec.min_zoom && zoom < spec.min_zoom) { return { url: null }; }
      if (spec.zoomed) {
        params.push("zoom=" + Math.min(zoom, MAX_FETCH_ZOOM));
        if (spec.bbox_zoom !== null && zoom >= spec.bbox_zoom) {
          var view = app.map.getBounds();
          if (state.bounds && state.zoom === zoom && state.bounds.contains(view)) {
            return { url: state.url, bounds: state.bounds, zoom: zoom };
          }
          bounds = view.pad(0.5);
          params.push("bbox=" + clampBbox(bounds));
        }
      }
      return { url: withParams(spec.url, params), bounds: bounds, zoom: zoom };
    }

    function refresh() {
      if (!app.map.hasLayer(layer)) { return; }
      var wanted = wantedUrl();
      if (wanted.url === state.url) { return; }
      state = wanted;
      if (wanted.url === null) { layer.clearLayers(); return; }
      app.fetchJson(wanted.url).then(function (data) {
        if (state.url !== wanted.url) { return; }  // a newer request replaced this one
        layer.clearLayers();
        layer.addData(data);
        layer.fire("zm:loaded", { count: data.features.length });
      }).catch(function (err) {
        console.error("zonemap: could not load " + wanted.url, err);
        app.notice(cfg.loadError + ": " + spec.name);
      });
    }

    layer.on("add", refresh);
    layer.on("remove", function () { state = { url: null, bounds: null, zoom: null }; });
    return { spec: spec, layer: layer, refresh: refresh };
  }

  // The control switches a layer group; the vector grid joins it only from spec.min_zoom on
  // (a grid's own minZoom option would become the whole map's minimum zoom).
  function tileLayer(app, spec) {
    var cfg = app.cfg, style = U.styles[spec.style], styles = {}, loading = false;
    styles[spec.tile_layer] = function (props) {
      if (spec.kind && props.kind !== spec.kind) { return []; }
      return style(cfg, props);
    };
    var grid = L.vectorGrid.protobuf(spec.url, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: spec.popup,
      getFeatureId: function (f) { return f.properties.code || f.properties.zone_code; },
      pane: app.pane(spec.style),
      maxNativeZoom: 16
    });
    var group = L.layerGroup();
    function done() { if (loading) { loading = false; app.busy(-1); } }
    grid.on("loading", function () { if (!loading) { loading = true; app.busy(1); } });
    grid.on("load remove", done);
    if (spec.popup) {
      grid.on("click", function (event) {
        var props = event.layer.properties || {};
        app.openZonePopup(props.code || props.zone_code, event.latlng);
      });
    }
    function refresh() {
      if (!app.map.hasLayer(group)) { return; }
      var visible = !spec.min_zoom || app.map.getZoom() >= spec.min_zoom;
      if (visible && !group.hasLayer(grid)) { group.addLayer(grid); }
      if (!visible && group.hasLayer(grid)) { group.removeLayer(grid); }
    }
    group.on("add", refresh);
    return { spec: spec, layer: group, grid: grid, refresh: refresh };
  }

  function heatLayer(app, spec) {
    var state = { url: null };
    var layer = L.heatLayer([], { radius: 18, blur: 16, minOpacity: 0.35, maxZoom: 12 });
    function refresh() {
      if (!app.map.hasLayer(layer)) { return; }
      var url = withParams(spec.url, ["zoom=" + Math.min(Math.round(app.map.getZoom()), 14)]);
      if (url === state.url) { return; }
      state.url = url;
      app.fetchJson(url).then(function (data) {
        if (state.url !== url) { return; }
        var max = 1;
        var points = data.points.map(function (p) { max = Math.max(max, p[2]); return [p[0], p[1], p[2]]; });
        layer.setOptions({ max: Math.max(1, max / 2) });
        layer.setLatLngs(points);
      }).catch(function (err) { console.error("zonemap: heat map", err); });
    }
    layer.on("add", refresh);
    layer.on("remove", function () { state.url = null; });
    return { spec: spec, layer: layer, refresh: refresh };
  }

  var BUILDERS = { geojson: geoJsonLayer, tiles: tileLayer, heat: heatLayer };

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  zm.App.prototype.refreshAll = function () {
    var app = this;
    Object.keys(app.layers).forEach(function (id) {
      if (app.layers[id].refresh) { app.layers[id].refresh(); }
    });
    app.updateNotice();
  };

  zm.App.prototype.showZone = function (code, lon, lat) {
    var latlng = L.latLng(lat, lon);
    this.map.setView(latlng, Math.max(this.map.getZoom(), 13), { animate: false });
    return this.openZonePopup(code, latlng);
  };

  zm.App.prototype.addOverlay = function (spec) {
    var entry = BUILDERS[spec.source](this, spec);
    this.layers[spec.id] = entry;
    this.control.addOverlay(entry.layer, spec.name);
    if (spec.show) { entry.layer.addTo(this.map); }
    return entry;
  };

  zm.app = {
    start: function (map, cfg) {
      var app = new zm.App(map, cfg), bases = {}, overlays = {};
      app.started = false;
      if (cfg.tilesUrl) {
        overlays[cfg.basemapName] = L.tileLayer(cfg.tilesUrl, { maxZoom: 19 }).addTo(map);
      }
      cfg.layers.forEach(function (spec) {
        var entry = BUILDERS[spec.source](app, spec);
        app.layers[spec.id] = entry;
        (spec.base ? bases : overlays)[spec.name] = entry.layer;
        if (spec.show) { entry.layer.addTo(map); }
      });
      app.control = L.control.layers(bases, overlays, { collapsed: false }).addTo(map);
      map.on("zoomend moveend", debounce(function () { app.refreshAll(); }, 120));
      map.on("overlayadd overlayremove", function () { app.updateNotice(); });
      app.started = true;
      app.busy(0);
      app.updateNotice();
      return app;
    }
  };
})(window);
