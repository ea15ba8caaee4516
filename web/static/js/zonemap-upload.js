/* zonemap upload page: send the file for a dry-run preview (POST /api/uploads), show what was
 * detected and draw the staged features, let the user adjust the field mapping, commit once,
 * and roll back from the history list. Needs zonemap-app.js and a started app. */
(function (global) {
  "use strict";

  var U = global.zonemap.appUtil;

  function $(id) { return document.getElementById(id); }

  /* The server's CSRF token (cookie zonemap_csrf, readable by this page only): every post
   * sends it back in X-CSRF-Token, which a third-party site cannot do. */
  function csrfToken() {
    var found = document.cookie.split(";").map(function (c) { return c.trim(); })
      .filter(function (c) { return c.indexOf("zonemap_csrf=") === 0; })[0];
    return found ? decodeURIComponent(found.slice("zonemap_csrf=".length)) : "";
  }

  function postForm(url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      });
  }

  function Upload(app) {
    this.app = app;
    this.cfg = app.cfg;
    this.opts = app.cfg.upload;
    this.current = null;      // the previewed upload document
    this.committing = false;
    this.preview = L.geoJSON(null, {
      pane: app.pane("preview"),
      style: function (f) { return U.styles.preview(app.cfg, f.properties || {}); },
      onEachFeature: function (f, layer) {
        var p = f.properties || {};
        if (p.name || p.code) { layer.bindTooltip(U.el("span", null, (p.code || "") + " " + (p.name || ""))); }
      }
    }).addTo(app.map);
    app.control.addOverlay(this.preview, U.label(this.cfg, "layer.upload_preview"));
  }

  Upload.prototype.message = function (kind, title, detail, items) {
    var box = $("zm-upload-message");
    box.replaceChildren();
    box.className = "zm-message zm-message-" + kind;
    box.appendChild(U.el("strong", null, title));
    if (detail) { box.appendChild(U.el("pre", "zm-error-detail", detail)); }
    if (items && items.length) {
      var list = U.el("ul");
      items.forEach(function (text) { list.appendChild(U.el("li", null, text)); });
      box.appendChild(list);
    }
  };

  Upload.prototype.error = function (response) {
    var body = response.data || {}, cfg = this.cfg;
    var key = "error." + body.code;
    var title = cfg.labels[key] !== undefined ? cfg.labels[key] : U.label(cfg, "error.generic");
    var items = Array.isArray(body.details)
      ? body.details.map(function (d) { return d.message || String(d); }) : [];
    this.message("error", title + (body.code ? " (" + body.code + ")" : ""), body.detail, items);
  };

  Upload.prototype.send = function (mapping) {
    var self = this, cfg = this.cfg, form = $("zm-upload-form");
    var data = new FormData(form);
    if (!form.file.files.length) { self.message("error", U.label(cfg, "upload.choose_file")); return; }
    ["crs", "encoding", "source", "observed_on"].forEach(function (name) { if (!data.get(name)) { data.delete(name); } });
    if (mapping) { data.set("mapping", mapping); }
    self.busy(true);
    $("zm-upload-result").hidden = true;
    self.preview.clearLayers();
    self.current = null;
    return postForm(self.opts.url, data).then(function (response) {
      if (!response.ok) { self.error(response); return; }
      self.show(response.data);
    }).catch(function (err) {
      self.message("error", U.label(cfg, "error.generic"), String(err));
    }).finally(function () { self.busy(false); });
  };

  Upload.prototype.busy = function (on) {
    ["zm-upload-preview", "zm-upload-remap"].forEach(function (id) { $(id).disabled = on; });
    if (on) { this.message("info", U.label(this.cfg, "upload.working")); }
  };

  Upload.prototype.show = function (doc) {
    var cfg = this.cfg, ha = U.label(cfg, "unit.ha");
    this.current = doc;
    this.committing = false;
    $("zm-upload-commit").disabled = false;
    var table = $("zm-upload-detected");
    table.replaceChildren();
    [["upload.detected_crs", doc.crs], ["upload.detected_encoding", doc.encoding],
     ["upload.layer", doc.layer], ["upload.features", U.number(cfg, doc.features, 0)],
     ["upload.area", U.number(cfg, doc.area_ha, 1, ha)],
     ["upload.repaired", U.number(cfg, doc.repaired, 0)]].forEach(function (row) {
      if (row[1] === null || row[1] === undefined) { return; }
      var tr = table.insertRow();
      tr.appendChild(U.el("th", null, U.label(cfg, row[0])));
      tr.insertCell().textContent = row[1];
    });
    var would = doc.kind === "buildings"
      ? U.label(cfg, "upload.would_do_buildings", { inserted: doc.inserted, zones: doc.zones_affected })
      : U.label(cfg, "upload.would_do",
                { inserted: doc.inserted, updated: doc.updated, unchanged: doc.unchanged });
    $("zm-upload-would").textContent = would;
    this.showMapping(doc.mapping || {});
    this.showList("zm-upload-repairs", "upload.repairs", (doc.repairs || []).map(function (r) {
      return U.label(cfg, "upload.feature") + " " + r.feature + ": " + r.reason + " (" +
        U.label(cfg, "upload.area_change") + " " + U.number(cfg, r.area_change_pct, 2, "%") + ")";
    }));
    var notes = (doc.warnings || []).concat((doc.encoding_samples || []).map(function (s) {
      return U.label(cfg, "upload.encoding_samples") + " – " + s.field + ": " + s.after;
    }));
    this.showList("zm-upload-warnings", "upload.warnings", notes);
    this.message("ok", would);
    this.drawPreview(doc);
    $("zm-upload-result").hidden = false;
  };

  Upload.prototype.showMapping = function (mapping) {
    var body = $("zm-upload-mapping").querySelector("tbody");
    body.replaceChildren();
    Object.keys(mapping).forEach(function (field) {
      var row = body.insertRow();
      row.insertCell().textContent = field;
      var input = U.el("input");
      input.type = "text";
      input.name = field;
      input.value = mapping[field];
      row.insertCell().appendChild(input);
    });
    var extra = body.insertRow();
    var field = U.el("input"), column = U.el("input");
    field.className = "zm-map-new-field";
    column.className = "zm-map-new-column";
    extra.insertCell().appendChild(field);
    extra.insertCell().appendChild(column);
  };

  Upload.prototype.mappingText = function () {
    var parts = [];
    $("zm-upload-mapping").querySelectorAll("tbody input[name]").forEach(function (input) {
      if (input.value.trim()) { parts.push(input.name + "=" + input.value.trim()); }
    });
    var field = document.querySelector(".zm-map-new-field").value.trim();
    var column = document.querySelector(".zm-map-new-column").value.trim();
    if (field && column) { parts.push(field + "=" + column); }
    return parts.join(",");
  };

  Upload.prototype.showList = function (id, titleKey, items) {
    var box = $(id);
    box.replaceChildren();
    if (!items.length) { return; }
    box.appendChild(U.el("h3", null, U.label(this.cfg, titleKey)));
    var list = U.el("ul", "zm-highlight-list");
    items.forEach(function (text) { list.appendChild(U.el("li", null, text)); });
    box.appendChild(list);
  };

  Upload.prototype.drawPreview = function (doc) {
    var repaired = {};
    (doc.repairs || []).forEach(function (r) { repaired[r.feature] = true; });
    var features = ((doc.preview || {}).features || []).map(function (f, i) {
      f.properties = Object.assign({}, f.properties, { repaired: repaired[i] === true });
      return f;
    });
    this.preview.addData({ type: "FeatureCollection", features: features });
    var bounds = this.preview.getBounds();
    if (bounds.isValid()) { this.app.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 }); }
  };

  Upload.prototype.commit = function () {
    var self = this, cfg = this.cfg, doc = this.current;
    if (!doc || self.committing) { return; }  // a second click while committing does nothing
    self.committing = true;
    $("zm-upload-commit").disabled = true;
    self.message("info", U.label(cfg, "upload.working"));
    return postForm(self.opts.url + "/" + doc.upload_id + "/commit", null).then(function (response) {
      if (response.status === 409) {
        self.message("info", U.label(cfg, "upload.already_committed"));
        return;
      }
      if (!response.ok) { self.error(response); self.committing = false; $("zm-upload-commit").disabled = false; return; }
      var r = response.data;
      self.message("ok", U.label(cfg, "upload.committed",
        { id: r.upload_id, inserted: r.inserted, updated: r.updated }));
      self.linkToZone(doc);
      self.loadHistory();
    }).catch(function (err) {
      self.committing = false;
      $("zm-upload-commit").disabled = false;
      self.message("error", U.label(cfg, "error.generic"), String(err));
    });
  };

  Upload.prototype.linkToZone = function (doc) {
    var features = (doc.preview || {}).features || [];
    var code = features.length && (features[0].properties || {}).code;
    if (!code) { return; }
    var link = U.el("a", "zm-button zm-button-secondary", U.label(this.cfg, "upload.view_map"));
    link.href = this.cfg.zonePage.replace("{code}", encodeURIComponent(code));
    link.id = "zm-upload-zone-link";
    $("zm-upload-message").appendChild(U.el("p")).appendChild(link);
  };

  Upload.prototype.loadHistory = function () {
    var self = this, cfg = this.cfg;
    return self.app.fetchJson(self.opts.historyUrl).then(function (data) {
      var body = $("zm-upload-history").querySelector("tbody");
      body.replaceChildren();
      data.uploads.forEach(function (u) {
        var row = body.insertRow();
        row.dataset.uploadId = u.id;
        row.dataset.status = u.status;
        [u.id, u.filename, U.label(cfg, "upload.kind." + u.kind),
         U.label(cfg, "upload.status." + u.status),
         (u.committed_at || u.created_at || "").slice(0, 16).replace("T", " ")
        ].forEach(function (text) { row.insertCell().textContent = text; });
        var cell = row.insertCell();
        if (u.status === "committed") {
          var button = U.el("button", "zm-button zm-button-small", U.label(cfg, "upload.rollback"));
          button.type = "button";
          button.addEventListener("click", function () { self.rollback(u.id, button); });
          cell.appendChild(button);
        }
      });
    }).catch(function (err) { console.error("zonemap: upload history", err); });
  };

  Upload.prototype.rollback = function (id, button) {
    var self = this, cfg = this.cfg;
    if (!global.confirm(U.label(cfg, "upload.confirm_rollback", { id: id }))) { return; }
    button.disabled = true;
    return postForm(self.opts.url + "/" + id + "/rollback", null).then(function (response) {
      if (!response.ok) { self.error(response); button.disabled = false; return; }
      self.message("ok", U.label(cfg, "upload.rolled_back", { id: id }));
      self.loadHistory();
    });
  };

  global.zonemap.upload = {
    start: function (app) {
      var upload = new Upload(app);
      $("zm-upload-form").addEventListener("submit", function (event) {
        event.preventDefault();
        upload.send(null);
      });
      $("zm-upload-remap").addEventListener("click", function () { upload.send(upload.mappingText()); });
      $("zm-upload-commit").addEventListener("click", function () { upload.commit(); });
      upload.loadHistory();
      global.zonemapUpload = upload;
      return upload;
    }
  };
})(window);
