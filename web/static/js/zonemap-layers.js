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

  function provinceName(cfg, props) {
    return (cfg.lang === "en" && props.name_en) || props.name_vi || props.code;
  }

  // A province: highlighted under the pointer, its page on click, its name on the map.
  function bindProvince(app, spec, feature, item, labels) {
    var cfg = app.cfg, props = feature.properties || {};
    var name = provinceName(cfg, props);
    if (props.label_lat !== undefined && props.label_lat !== null) {
      labels.addLayer(L.tooltip({ permanent: true, direction: "center", interactive: false,
                                  className: "zm-province-label", pane: "zm-labels" })
        .setLatLng([props.label_lat, props.label_lon]).setContent(U.el("span", null, name)));
    }
    if (!cfg.provinceLinks) { return; }
    item.bindTooltip(U.el("span", null, name), { sticky: true });
    item.on("mouseover", function () {
      item.setStyle({ weight: 3, color: "#222222" });
      item.getElement().classList.add("zm-province-hover");
    });
    item.on("mouseout", function () {
      item.setStyle(U.styles.provinces(cfg, props));
      item.getElement().classList.remove("zm-province-hover");
    });
    item.on("click", function () {
      global.location.assign(cfg.provinceLinks.replace("{code}", encodeURIComponent(props.code))
        .replace("{version}", encodeURIComponent(props.admin_version || "")));
    });
  }

  // Zones carry their name as a label from cfg.zoneLabelZoom on, else as a hover tooltip.
  function bindZoneName(app, props, item) {
    if (!props.name) { return; }
    var zoom = app.cfg.zoneLabelZoom;
    if (zoom && app.map.getZoom() >= zoom) {
      item.bindTooltip(U.el("span", null, props.name), { permanent: true, direction: "center",
                                                         className: "zm-zone-label" });
    } else {
      item.bindTooltip(featureTooltip(props), { sticky: true });
    }
  }

  function geoJsonLayer(app, spec) {
    var cfg = app.cfg, style = U.styles[spec.style];
    var state = { url: null, bounds: null, zoom: null };
    var isProvince = spec.style === "provinces", labels = L.layerGroup();
    var layer = L.geoJSON(null, {
      pane: app.pane(spec.style),
      interactive: !U.passive[spec.style],
      style: function (feature) { return style(cfg, feature.properties || {}); },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, Object.assign({ radius: 5 }, style(cfg, feature.properties || {})));
      },
      onEachFeature: function (feature, item) {
        var props = feature.properties || {};
        if (isProvince) {
          bindProvince(app, spec, feature, item, labels);
        } else if (spec.style === "zones") {
          bindZoneName(app, props, item);
        } else if (!U.passive[spec.style] && props.name) {
          item.bindTooltip(featureTooltip(props), { sticky: true });
        }
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
        labels.clearLayers();
        layer.addData(data);
        layer.fire("zm:loaded", { count: data.features.length });
      }).catch(function (err) {
        console.error("zonemap: could not load " + wanted.url, err);
        app.notice(cfg.loadError + ": " + spec.name);
      });
    }

    layer.on("add", function () {
      if (isProvince) { app.labelPane(); labels.addTo(app.map); }
      refresh();
    });
    layer.on("remove", function () {
      state = { url: null, bounds: null, zoom: null };
      app.map.removeLayer(labels);
    });
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

  // leaflet.heat draws in the overlay pane, under every custom pane (the opaque province fill
  // among them): its canvas moves into a pane of its own, above the provinces, below the zones.
  var PanedHeat = L.HeatLayer && L.HeatLayer.extend({
    onAdd: function (map) {
      L.HeatLayer.prototype.onAdd.call(this, map);
      map.getPane(this.options.paneName).appendChild(this._canvas);
    },
    onRemove: function (map) {
      map.getPanes().overlayPane.appendChild(this._canvas);
      L.HeatLayer.prototype.onRemove.call(this, map);
    }
  });

  function heatLayer(app, spec) {
    var state = { url: null };
    var layer = new PanedHeat([], { radius: 18, blur: 16, minOpacity: 0.35, maxZoom: 12,
                                    paneName: app.pane("heat") });
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

  zm.App.prototype.labelPane = function () {
    if (!this.map.getPane("zm-labels")) {
      this.map.createPane("zm-labels").style.zIndex = "640";
      this.map.getPane("zm-labels").style.pointerEvents = "none";
    }
    return "zm-labels";
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
      var state = zm.urlState ? zm.urlState.read(cfg) : null;
      app.started = false;
      app.labelPane();
      if (cfg.tilesUrl) {
        overlays[cfg.basemapName] = L.tileLayer(cfg.tilesUrl, { maxZoom: 19 }).addTo(map);
      }
      cfg.layers.forEach(function (spec) {
        if (state && state.layers) { spec.show = state.layers.indexOf(spec.id) >= 0; }
        var entry = BUILDERS[spec.source](app, spec);
        app.layers[spec.id] = entry;
        (spec.base ? bases : overlays)[spec.name] = entry.layer;
        if (spec.show) { entry.layer.addTo(map); }
      });
      app.control = L.control.layers(bases, overlays, { collapsed: false }).addTo(map);
      if (state && state.view) { map.setView(state.view.center, state.view.zoom, { animate: false }); }
      map.on("zoomend moveend", debounce(function () { app.refreshAll(); }, 120));
      map.on("overlayadd overlayremove", function () { app.updateNotice(); });
      if (zm.legend) { zm.legend.start(app); }
      if (zm.urlState) { zm.urlState.follow(app); }
      app.started = true;
      app.busy(0);
      app.updateNotice();
      return app;
    }
  };
})(window);
