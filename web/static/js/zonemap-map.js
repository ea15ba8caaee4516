/* zonemap map helpers: load GeoJSON layers from the API, style them from a JSON config, build
 * popups safely (text only, never innerHTML from data). Configs are written by web/styles.py. */
(function (global) {
  "use strict";

  function firstValue(props, names) {
    for (var i = 0; i < names.length; i++) {
      var value = props[names[i]];
      if (value !== undefined && value !== null && value !== "") {
        return value;
      }
    }
    return null;
  }

  function formatValue(value, field, locale) {
    if (field.values && Object.prototype.hasOwnProperty.call(field.values, value)) {
      return field.values[value];
    }
    var text = typeof value === "number"
      ? value.toLocaleString(locale, { maximumFractionDigits: field.decimals })
      : String(value);
    return field.unit ? text + " " + field.unit : text;
  }

  function popupContent(props, config) {
    var table = document.createElement("table");
    table.className = "zm-popup";
    config.fields.forEach(function (field) {
      var value = firstValue(props || {}, field.props);
      if (value === null) {
        return;
      }
      var row = table.insertRow();
      var th = document.createElement("th");
      th.textContent = field.label;
      row.appendChild(th);
      row.insertCell().textContent = formatValue(value, field, config.locale);
    });
    return table;
  }

  function styleFunction(config) {
    return function (feature) {
      var style = Object.assign({}, config.base);
      if (config.colour_by) {
        var key = feature.properties ? feature.properties[config.colour_by] : null;
        var colour = config.colours[key] || config.fallback;
        style.color = colour;
        style.fillColor = colour;
      }
      return style;
    };
  }

  function bindFeature(geoJsonLayer, feature, layer, config) {
    var props = feature.properties || {};
    if (config.tooltip) {
      var name = firstValue(props, config.tooltip);
      if (name !== null) {
        var label = document.createElement("span");
        label.textContent = String(name);  // a string would be parsed as HTML
        layer.bindTooltip(label, { sticky: true });
      }
    }
    if (config.popup) {
      layer.bindPopup(function () { return popupContent(props, config.popup); });
      layer.on("popupopen", function () { layer.closeTooltip(); });
    }
    if (config.highlight) {
      layer.on("mouseover", function () { layer.setStyle(config.highlight); });
      layer.on("mouseout", function () { geoJsonLayer.resetStyle(layer); });
    }
  }

  // Layer panes live inside Leaflet's overlay pane, so they stay below popups and tooltips and
  // their order does not depend on which layer's data arrives first.
  function ensurePane(map, name, zIndex) {
    if (!map.getPane(name)) {
      map.createPane(name, map.getPane("overlayPane")).style.zIndex = String(zIndex);
    }
  }

  function notify(map, text) {
    var box = map.getContainer().querySelector(".zm-map-notice");
    if (!box) {
      box = L.DomUtil.create("div", "zm-map-notice", map.getContainer());
      box.setAttribute("role", "alert");
    }
    var line = document.createElement("div");
    line.textContent = text;
    box.appendChild(line);
  }

  function loadGeoJson(map, layer, url, errorText) {
    return fetch(url, {
      headers: { Accept: "application/geo+json, application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) { layer.addData(data); })
      .catch(function (err) {
        console.error("zonemap: could not load " + url, err);
        notify(map, errorText);
      });
  }

  function addLegend(map, elementId, position) {
    var element = document.getElementById(elementId);
    var control = L.control({ position: position });
    control.onAdd = function () {
      element.hidden = false;
      L.DomEvent.disableClickPropagation(element);
      return element;
    };
    control.addTo(map);
    return control;
  }

  global.zonemap = {
    addLegend: addLegend,
    bindFeature: bindFeature,
    ensurePane: ensurePane,
    loadGeoJson: loadGeoJson,
    popupContent: popupContent,
    styleFunction: styleFunction
  };
})(window);
