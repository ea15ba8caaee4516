/* zonemap interactive map: builds the layers described by the page's JSON config (written by
 * web/map_app.py), keeps GeoJSON layers simplified to the zoom, draws vector tiles and the heat
 * map, and opens zone popups with facts, metrics and flags fetched from /api/zones/{code}.
 * Text from data is always set with textContent, never parsed as HTML. */
(function (global) {
  "use strict";

  var SEVERITY_COLOURS = {
    critical: "#d7191c", warning: "#fdae61", info: "#ffffbf", none: "#abd9e9"
  };
  var PANES = { provinces: 350, heat: 380, zones: 420, planning: 430, footprints: 440,
                clusters: 445, encroachments: 450, preview: 460 };

  function label(cfg, key, vars) {
    var text = cfg.labels[key] !== undefined ? cfg.labels[key] : key;
    Object.keys(vars || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(vars[name]));
    });
    return text;
  }

  function number(cfg, value, digits, unit) {
    if (value === null || value === undefined || !isFinite(value)) { return "–"; }
    var text = Number(value).toLocaleString(cfg.locale, { maximumFractionDigits: digits });
    return unit ? text + " " + unit : text;
  }

  function share(cfg, value) {
    return value === null || value === undefined ? "–" : number(cfg, value * 100, 1, "%");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* ---- styles ---------------------------------------------------------------------------- */

  var SEVERITY_STROKES = { critical: "#a50f15", warning: "#d95f02", info: "#a68a00" };

  // Flagged zones take their worst flag's colour; the others their kind's (quieter) colour.
  function zoneStyle(cfg, props) {
    var worst = props.worst || props.worst_flag;
    if (worst && SEVERITY_STROKES[worst]) {
      return { color: SEVERITY_STROKES[worst], weight: 1.8, opacity: 1, fill: true,
               fillColor: SEVERITY_COLOURS[worst], fillOpacity: 0.85 };
    }
    var colour = cfg.kindColours[props.kind] || "#777";
    return { color: colour, weight: 1, opacity: 0.9, fill: true, fillColor: colour,
             fillOpacity: 0.3 };
  }

  // One look per layer, from colour-blind-safe palettes (Okabe–Ito; ColorBrewer RdYlBu for
  // severities): zones by worst flag or kind, black planning lines (dashed when superseded),
  // reddish-purple footprints (dotted when older), vermillion encroachments with a black edge,
  // olive cluster hulls. The legend draws its swatches from these same functions.
  var STYLES = {
    zones: zoneStyle,
    provinces: function (cfg) {
      return cfg.tilesUrl
        ? { color: "#6b6b6b", weight: 1, fill: true, fillOpacity: 0 }
        : { color: "#8a8a8a", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 };
    },
    planning: function (cfg, props) {
      return props.is_current === false
        ? { color: "#000000", weight: 1.5, dashArray: "6 4", fill: false }
        : { color: "#000000", weight: 2, fill: false };
    },
    footprints: function (cfg, props) {
      var older = props.is_latest === false;
      return { color: "#CC79A7", weight: older ? 2 : 2.5, fillColor: "#CC79A7", fill: !older,
               fillOpacity: older ? 0 : 0.2, dashArray: older ? "1 5" : null,
               lineCap: "round" };
    },
    encroachments: function () {
      return { color: "#000000", weight: 1, fillColor: "#D55E00", fill: true, fillOpacity: 0.75 };
    },
    clusters: function () {
      return { color: "#999933", weight: 3, fillColor: "#999933", fill: true,
               fillOpacity: 0.1 };
    },
    preview: function (cfg, props) {
      if (props.problem === true) {
        return { color: "#d7191c", weight: 3, dashArray: "4 3", fillColor: "#d7191c",
                 fillOpacity: 0.25 };
      }
      var repaired = props.repaired === true || props.checked === true;
      return { color: repaired ? "#e66101" : "#0b5394", weight: repaired ? 3 : 2,
               fillColor: repaired ? "#fdb863" : "#0b5394", fillOpacity: 0.3 };
    }
  };
  // Layers drawn for context only: clicks go through them to the zones below.
  var PASSIVE = { clusters: true };

  /* ---- popups ---------------------------------------------------------------------------- */

  function factRow(table, name, value) {
    if (value === null || value === undefined || value === "–") { return; }
    var row = table.insertRow();
    row.appendChild(el("th", null, name));
    row.insertCell().textContent = value;
  }

  function flagValue(cfg, flag) {
    if (flag.value === null || flag.value === undefined || flag.unit === "year") { return null; }
    var fmt = function (v) {
      if (flag.unit === "fraction") { return share(cfg, v); }
      if (flag.unit === "ha") { return number(cfg, v, 1, label(cfg, "unit.ha")); }
      if (flag.unit === "m") { return number(cfg, v, 0, label(cfg, "unit.m")); }
      return number(cfg, v, 2, flag.unit && flag.unit !== "ratio" ? flag.unit : "");
    };
    var text = label(cfg, "field.value") + ": " + fmt(flag.value);
    if (flag.threshold !== null && flag.threshold !== undefined) {
      text += " · " + label(cfg, "field.threshold") + ": " + fmt(flag.threshold);
    }
    return text;
  }

  function flagList(cfg, flags) {
    var list = el("ul", "zm-flag-list");
    flags.forEach(function (flag) {
      var item = el("li", "zm-flag zm-sev-" + flag.severity);
      item.appendChild(el("span", "zm-badge zm-sev-" + flag.severity,
                          label(cfg, "severity." + flag.severity)));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("strong", null, label(cfg, "flag." + flag.code)));
      var message = cfg.lang === "en" ? (flag.message_en || flag.message_vi)
                                      : (flag.message_vi || flag.message_en);
      item.appendChild(el("p", null, message));
      var value = flagValue(cfg, flag);
      if (value) { item.appendChild(el("p", "zm-flag-value", value)); }
      list.appendChild(item);
    });
    return list;
  }

  function zonePopup(cfg, data) {
    var zone = data.zone, ha = label(cfg, "unit.ha");
    var box = el("div", "zm-zone-popup");
    box.dataset.code = zone.code;
    box.appendChild(el("h3", null, zone.name));
    var province = cfg.lang === "en" ? zone.province_name_en : zone.province_name_vi;
    box.appendChild(el("p", "zm-sub", [zone.code, label(cfg, "kind." + zone.kind),
      label(cfg, "status." + zone.status), province || zone.province_code].join(" · ")));
    var facts = el("table", "zm-popup");
    factRow(facts, label(cfg, "field.planned_area"), number(cfg, zone.planned_area_ha, 1, ha));
    factRow(facts, label(cfg, "field.industrial_land"),
            number(cfg, zone.industrial_land_ha, 1, ha));
    factRow(facts, label(cfg, "field.leased_land"), number(cfg, zone.leased_land_ha, 1, ha));
    factRow(facts, label(cfg, "field.occupancy"), share(cfg, zone.occupancy));
    var m = data.metrics;
    if (m) {
      factRow(facts, label(cfg, "field.actual_area"), number(cfg, m.actual_ha, 1, ha));
      factRow(facts, label(cfg, "field.iou"), number(cfg, m.iou, 2));
      if (m.encroachment_ha !== null && m.encroachment_ha !== undefined) {
        factRow(facts, label(cfg, "field.encroachment"), number(cfg, m.encroachment_ha, 1, ha) +
                " (" + share(cfg, m.encroachment_share) + ")");
      }
      factRow(facts, label(cfg, "field.hausdorff"),
              number(cfg, m.hausdorff_m, 0, label(cfg, "unit.m")));
    }
    box.appendChild(facts);
    box.appendChild(el("h4", null, label(cfg, "popup.flags") + " (" + data.flags.length + ")"));
    box.appendChild(data.flags.length ? flagList(cfg, data.flags)
                                      : el("p", null, label(cfg, "popup.no_flags")));
    var link = el("a", "zm-popup-link", label(cfg, "popup.open_zone"));
    link.href = cfg.zonePage.replace("{code}", encodeURIComponent(zone.code));
    box.appendChild(link);
    return box;
  }

  /* ---- the app --------------------------------------------------------------------------- */

  function App(map, cfg) {
    this.map = map;
    this.cfg = cfg;
    this.layers = {};
    this.pending = 0;
    this.started = false;
    this.control = null;
  }

  App.prototype.busy = function (delta) {
    this.pending += delta;
    var idle = this.started && this.pending <= 0;
    document.documentElement.dataset.zmIdle = idle ? "true" : "false";
    if (idle) { document.dispatchEvent(new CustomEvent("zonemap:idle")); }
  };

  App.prototype.pane = function (style) {
    var name = "zm-" + style;
    if (!this.map.getPane(name)) {
      this.map.createPane(name, this.map.getPane("overlayPane")).style.zIndex =
        String(PANES[style] || 400);
    }
    return name;
  };

  App.prototype.fetchJson = function (url) {
    var app = this;
    app.busy(1);
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status + " " + url); }
        return response.json();
      })
      .finally(function () { app.busy(-1); });
  };

  App.prototype.openZonePopup = function (code, latlng) {
    var app = this, cfg = this.cfg;
    var popup = L.popup({ maxWidth: 380, minWidth: 280, autoPanPadding: [20, 20] })
      .setLatLng(latlng).setContent(el("p", null, label(cfg, "popup.loading")))
      .openOn(app.map);
    return app.fetchJson(cfg.zoneUrl.replace("{code}", encodeURIComponent(code)))
      .then(function (data) { popup.setContent(zonePopup(cfg, data)); popup.update(); })
      .catch(function (err) {
        console.warn("zonemap: zone popup", err);
        popup.setContent(el("p", "zm-error", label(cfg, "popup.load_error")));
      });
  };

  App.prototype.notice = function (text) {
    var box = this.map.getContainer().querySelector(".zm-map-notice");
    if (!box) {
      box = L.DomUtil.create("div", "zm-map-notice", this.map.getContainer());
      box.setAttribute("role", "status");
    }
    box.textContent = text;
    box.hidden = !text;
  };

  App.prototype.updateNotice = function () {
    var app = this, zoom = app.map.getZoom(), hidden = [];
    Object.keys(app.layers).forEach(function (id) {
      var entry = app.layers[id];
      if (entry.spec.min_zoom && zoom < entry.spec.min_zoom && app.map.hasLayer(entry.layer)) {
        hidden.push(entry.spec.name);
      }
    });
    app.notice(hidden.length ? label(app.cfg, "panel.zoom_in", { name: hidden.join(", ") }) : "");
  };

  global.zonemap = global.zonemap || {};
  global.zonemap.App = App;
  global.zonemap.appUtil = { label: label, number: number, share: share, el: el,
                             styles: STYLES, passive: PASSIVE,
                             zonePopup: zonePopup };
})(window);
