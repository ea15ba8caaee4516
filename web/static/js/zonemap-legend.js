/* zonemap legend: one row per thing drawn by the layers now on the map, in drawing order, each
 * swatch drawn from the layer's own style function (colour, fill, dash pattern), so the legend
 * cannot disagree with the map. Rebuilt whenever a layer is switched. Needs zonemap-app.js. */
(function (global) {
  "use strict";

  var zm = global.zonemap;
  var U = zm.appUtil;
  var SVG = "http://www.w3.org/2000/svg";
  var HEAT_GRADIENT = ["#0000ff", "#00ffff", "#00ff00", "#ffff00", "#ff0000"];

  // What each layer style shows: [key, label key (or function), feature properties].
  var ROWS = {
    zones: function (spec, cfg) {
      var rows = ["critical", "warning", "info"].map(function (sev) {
        return ["sev-" + sev, "severity." + sev, { worst: sev }];
      });
      if (spec.kind) {
        rows.push(["kind-" + spec.kind, function () {
          return U.label(cfg, "severity.none") + " – " + U.label(cfg, "kind." + spec.kind);
        }, { kind: spec.kind }]);
      }
      return rows;
    },
    provinces: function () { return [["provinces", "legend.province_boundary", {}]]; },
    planning: function () {
      return [["planning-current", "layer.planned_current", { is_current: true }],
              ["planning-older", "legend.planned_previous", { is_current: false }]];
    },
    footprints: function () {
      return [["footprint-latest", "legend.footprint", { is_latest: true }],
              ["footprint-older", "legend.footprint_previous", { is_latest: false }]];
    },
    encroachments: function () { return [["encroachment", "legend.encroachment", {}]]; },
    clusters: function () { return [["cluster", "legend.cluster", {}]]; },
    preview: function () { return [["preview", "layer.upload_preview", {}]]; }
  };

  function node(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) { el.setAttribute(k, attrs[k]); }
    });
    return el;
  }

  function styleSwatch(style) {
    var svg = node("svg", { width: 30, height: 14, viewBox: "0 0 30 14", "aria-hidden": "true",
                            "class": "zm-legend-swatch" });
    var stroke = { stroke: style.color, "stroke-width": Math.min(style.weight || 1, 3),
                   "stroke-dasharray": style.dashArray || null,
                   "stroke-linecap": style.lineCap || null };
    if (style.fill === false) {
      svg.appendChild(node("line", Object.assign({ x1: 1, y1: 7, x2: 29, y2: 7 }, stroke)));
    } else {
      svg.appendChild(node("rect", Object.assign({
        x: 1.5, y: 1.5, width: 27, height: 11, fill: style.fillColor || style.color,
        "fill-opacity": style.fillOpacity === undefined ? 0.2 : style.fillOpacity
      }, stroke)));
    }
    return svg;
  }

  function heatSwatch() {
    var svg = node("svg", { width: 30, height: 14, viewBox: "0 0 30 14", "aria-hidden": "true",
                            "class": "zm-legend-swatch" });
    var step = 28 / HEAT_GRADIENT.length;
    HEAT_GRADIENT.forEach(function (colour, i) {
      svg.appendChild(node("rect", { x: 1 + i * step, y: 2, width: step, height: 10,
                                     fill: colour, "fill-opacity": 0.8 }));
    });
    return svg;
  }

  function rowsOf(app, spec) {
    if (spec.source === "heat") { return [["heat", "layer.heat", null]]; }
    var make = ROWS[spec.style];
    return make ? make(spec, app.cfg) : [];
  }

  function render(app, list) {
    var cfg = app.cfg, seen = {};
    list.replaceChildren();
    cfg.layers.forEach(function (spec) {
      var entry = app.layers[spec.id];
      if (!entry || !app.map.hasLayer(entry.layer)) { return; }
      rowsOf(app, spec).forEach(function (row) {
        if (seen[row[0]]) { return; }
        seen[row[0]] = true;
        var item = U.el("li");
        item.dataset.layer = spec.id;
        item.dataset.key = row[0];
        item.appendChild(row[2] === null ? heatSwatch()
                                         : styleSwatch(U.styles[spec.style](cfg, row[2])));
        var text = typeof row[1] === "function" ? row[1]() : U.label(cfg, row[1]);
        item.appendChild(U.el("span", null, text));
        list.appendChild(item);
      });
    });
  }

  zm.legend = {
    start: function (app) {
      var box = U.el("div", "zm-legend");
      box.appendChild(U.el("h2", null, U.label(app.cfg, "legend.title")));
      var list = U.el("ul");
      box.appendChild(list);
      var control = L.control({ position: "bottomright" });
      control.onAdd = function () { L.DomEvent.disableClickPropagation(box); return box; };
      control.addTo(app.map);
      var update = function () { render(app, list); };
      app.map.on("layeradd layerremove", function (event) {
        if (event.layer && Object.keys(app.layers).some(function (id) {
          return app.layers[id].layer === event.layer;
        })) { update(); }
      });
      update();
      return control;
    }
  };
})(window);
