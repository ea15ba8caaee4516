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

  // Times are shown in Vietnam's time zone whatever the browser's, as the planners read them.
  /* A random token under which the server records how far this page's upload is. */
  function progressToken() {
    var bytes = new Uint8Array(16);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function localTime(cfg, iso) {
    if (!iso) { return ""; }
    return new Date(iso).toLocaleString(cfg.locale, {
      timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hour12: false });
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
    /* Quarantined features are drawn apart (red, dashed) where they have a position, and are
     * left out of the zoom to the preview. */
    this.quarantined = L.geoJSON(null, {
      pane: app.pane("preview"),
      style: function () { return { color: "#c0392b", weight: 2, dashArray: "4 4", fillOpacity: 0.1 }; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#c0392b", dashArray: "2 2", fillOpacity: 0.2 });
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(U.el("span", null, (f.properties || {}).message || ""));
      }
    }).addTo(app.map);
    app.control.addOverlay(this.quarantined, U.label(this.cfg, "upload.quarantine_layer"));
  }

  Upload.prototype.message = function (kind, title, detail, items, hint) {
    var box = $("zm-upload-message");
    box.replaceChildren();
    box.className = "zm-message zm-message-" + kind;
    box.appendChild(U.el("strong", null, title));
    if (hint) { box.appendChild(U.el("p", "zm-upload-hint", hint)); }
    if (detail) { box.appendChild(U.el("pre", "zm-error-detail", detail)); }
    if (items && items.length) {
      var list = U.el("ul");
      items.forEach(function (text) { list.appendChild(U.el("li", null, text)); });
      box.appendChild(list);
    }
  };

  // A problem in the page's language: which rows (1-based) and zones, and what to do; the
  // server's English sentence only when the page has no words for that problem.
  Upload.prototype.issueText = function (d) {
    var cfg = this.cfg, key = "upload.issue." + d.code;
    if (cfg.labels[key] === undefined || !d.rows) { return d.message || String(d); }
    return U.label(cfg, key, { rows: d.rows.join(", "), field: d.field || "",
                               codes: (d.zone_codes || []).join(", ") || "–" });
  };

  Upload.prototype.provinces = function (codes) {
    var names = this.opts.provinces || {};
    return (codes || []).map(function (c) { return names[c] || c; }).join(", ");
  };

  Upload.prototype.error = function (response) {
    var body = response.data || {}, cfg = this.cfg, self = this;
    var key = "error." + body.code;
    var title = cfg.labels[key] !== undefined ? cfg.labels[key] : U.label(cfg, "error.generic");
    var details = body.details || {};
    // Problems by row (issue_details): drawn and listed in the page's language; otherwise the
    // errors of the diagnosis as the server wrote them.
    var issues = Array.isArray(details) ? details : (details.issues || null);
    var items, detail = body.detail;
    if (issues && issues.length) {
      items = issues.map(function (d) { return self.issueText(d); });
      detail = null;  // the list says it all, once
    } else {
      items = (details.errors || []).map(function (d) { return d.message || String(d); });
    }
    if (body.code === "outside_province_scope" && details.outside) {
      detail = U.label(cfg, "upload.scope_refused", {
        outside: self.provinces(details.outside),
        allowed: self.provinces(details.allowed) || "–" });
    }
    var hint = cfg.labels["upload.hint." + body.code];
    this.message("error", title + (body.code ? " (" + body.code + ")" : ""), detail, items, hint);
    this.drawProblems(issues || []);
    this.offerFix(body.code, details);
  };

  /* What the page offers for an error it can fix: a button to swap the axes, or a picker with
   * a decoded sample per candidate encoding. */
  Upload.prototype.offerFix = function (code, details) {
    var swap = $("zm-upload-swap-axes"), picker = $("zm-upload-encoding-picker");
    swap.hidden = code !== "swapped_axes";
    picker.hidden = !(code === "encoding_ambiguous" && Array.isArray(details.choices));
    $("zm-upload-fix").hidden = swap.hidden && picker.hidden;
    if (picker.hidden) { return; }
    var box = picker.querySelector(".zm-encoding-choices");
    box.replaceChildren();
    details.choices.forEach(function (choice, i) {
      var label = U.el("label", "zm-encoding-choice");
      var radio = U.el("input");
      radio.type = "radio";
      radio.name = "zm-encoding-choice";
      radio.value = choice.encoding;
      radio.checked = i === 0;
      label.appendChild(radio);
      label.appendChild(U.el("strong", null, " " + choice.encoding + " "));
      (choice.samples || []).forEach(function (s) {
        label.appendChild(U.el("span", "zm-encoding-sample", "«" + s.text + "» "));
      });
      box.appendChild(label);
    });
  };

  // The features a refused upload was refused for, drawn where they are (even far away).
  Upload.prototype.drawProblems = function (details) {
    var self = this;
    self.preview.clearLayers();
    details.forEach(function (d) { if (d.features) { self.preview.addData(d.features); } });
    var bounds = self.preview.getBounds();
    if (bounds.isValid()) { self.app.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 }); }
  };

  Upload.prototype.send = function (mapping) {
    var self = this, cfg = this.cfg, form = $("zm-upload-form");
    var data = new FormData(form);
    if (!form.file.files.length) { self.message("error", U.label(cfg, "upload.choose_file")); return; }
    ["crs", "encoding", "constants", "code_prefix", "swap_axes", "source", "observed_on"].forEach(function (name) {
      if (!data.get(name)) { data.delete(name); }
    });
    if (mapping) { data.set("mapping", mapping); }
    self.busy(true);
    $("zm-upload-result").hidden = true;
    $("zm-upload-fix").hidden = true;
    self.preview.clearLayers();
    self.quarantined.clearLayers();
    self.current = null;
    var token = progressToken(), stop = self.watch(token);
    data.set("progress_token", token);
    return postForm(self.opts.url, data).then(function (response) {
      if (!response.ok) { self.error(response); return; }
      self.show(response.data);
    }).catch(function (err) {
      self.message("error", U.label(cfg, "error.generic"), String(err));
    }).finally(function () { stop(); self.busy(false); });
  };

  /* Poll GET /api/uploads/progress/{token} while a long preview or commit runs and show the
   * stage, the fraction done and, for building layers, features processed / total. Returns
   * the function that stops polling and hides the bar. */
  Upload.prototype.watch = function (token) {
    var cfg = this.cfg, box = $("zm-upload-progress"), url = this.opts.url + "/progress/" + token;
    var bar = box.querySelector("progress"), label = box.querySelector(".zm-progress-text");
    var stopped = false;
    bar.value = 0;
    label.textContent = "";
    function show(p) {
      box.hidden = false;
      bar.value = p.fraction;
      var text = U.label(cfg, "upload.progress." + p.stage);
      if (p.total) { text += " – " + U.label(cfg, "upload.progress.count", { processed: U.number(cfg, p.processed, 0), total: U.number(cfg, p.total, 0) }); }
      label.textContent = text + " (" + Math.round(p.fraction * 100) + " %)";
      box.dataset.stage = p.stage;
      box.dataset.processed = p.processed === null ? "" : p.processed;
      box.dataset.total = p.total === null ? "" : p.total;
    }
    function poll() {
      if (stopped) { return; }
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (p) { if (p && !stopped) { show(p); } })
        .catch(function () { /* the next poll tries again */ })
        .finally(function () { if (!stopped) { timer = setTimeout(poll, 400); } });
    }
    var timer = setTimeout(poll, 200);
    return function () { stopped = true; clearTimeout(timer); box.hidden = true; };
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
    this.showMapping(doc.mapping || {}, doc.file_columns || []);
    this.showRows(doc.file_columns || [], doc.first_rows || []);
    this.showList("zm-upload-repairs", "upload.repairs", (doc.repairs || []).map(function (r) {
      return U.label(cfg, "upload.feature") + " " + r.feature + ": " + r.reason + " (" +
        U.label(cfg, "upload.area_change") + " " + U.number(cfg, r.area_change_pct, 2, "%") + ")";
    }));
    var self = this;
    var warnings = doc.warning_details
      ? doc.warning_details.map(function (w) {
          var key = "upload.warning." + w.code;
          return cfg.labels[key] === undefined ? self.issueText(w)
            : U.label(cfg, key, { rows: w.rows.join(", "), codes: w.zone_codes.join(", ") || "–" });
        })
      : (doc.warnings || []);
    var notes = warnings.concat((doc.encoding_samples || []).map(function (s) {
      return U.label(cfg, "upload.repaired_text") + " – " + s.field + ": «" + s.before +
        "» → «" + s.after + "»";
    }));
    this.showList("zm-upload-warnings", "upload.warnings", notes);
    var checks = (doc.checks || []).map(function (c) {
      return cfg.lang === "en" ? c.message_en : c.message_vi;
    });
    if (doc.checks_total > checks.length) {
      checks.push(U.label(cfg, "upload.checks_more", { count: U.number(cfg, doc.checks_total - checks.length, 0) }));
    }
    this.showList("zm-upload-checks", "upload.checks", checks);
    this.showQuarantine(doc);
    this.message("ok", would);
    this.drawPreview(doc);
    $("zm-upload-result").hidden = false;
  };

  /* The quarantined features by reason (counts, then each one) and the consent a commit needs. */
  Upload.prototype.showQuarantine = function (doc) {
    var cfg = this.cfg, box = $("zm-upload-quarantine"), accept = $("zm-upload-accept-quarantine");
    var quarantine = doc.quarantine || [], count = quarantine.length;
    box.hidden = count === 0;
    accept.checked = false;
    $("zm-upload-commit").disabled = count > 0;
    if (!count) { return; }
    box.querySelector(".zm-quarantine-note").textContent = U.label(cfg, "upload.quarantine_note", { count: count });
    box.querySelector(".zm-accept-label").textContent = U.label(cfg, "upload.accept_quarantine", { count: count });
    var counts = box.querySelector(".zm-quarantine-counts"), list = box.querySelector(".zm-quarantine-list");
    counts.replaceChildren();
    list.replaceChildren();
    Object.keys(doc.diagnosis || {}).forEach(function (reason) {
      var item = U.el("li", null, U.label(cfg, "upload.reason." + reason) + ": " + doc.diagnosis[reason]);
      item.dataset.reason = reason;
      counts.appendChild(item);
    });
    quarantine.slice(0, 100).forEach(function (q) {
      var item = U.el("li", null, U.label(cfg, "upload.feature") + " " + q.index +
        (q.code ? " (" + q.code + ")" : "") + ": " + U.label(cfg, "upload.reason." + q.reason) +
        (q.detail ? " – " + q.detail : ""));
      item.dataset.reason = q.reason;
      list.appendChild(item);
    });
    $("zm-upload-quarantine-download").href = this.opts.url + "/" + doc.upload_id + "/quarantine.geojson";
  };

  // One row per zonemap field: a drop-down of the file's columns (or "–" for none); a last
  // row maps a field the proposal left out.
  function columnSelect(cfg, columns, chosen) {
    var select = U.el("select");
    select.appendChild(U.el("option", null, "–")).value = "";
    columns.forEach(function (column) { select.appendChild(U.el("option", null, column)).value = column; });
    if (chosen && columns.indexOf(chosen) < 0) { select.appendChild(U.el("option", null, chosen)).value = chosen; }
    select.value = chosen || "";
    return select;
  }

  Upload.prototype.showMapping = function (mapping, columns) {
    var cfg = this.cfg, body = $("zm-upload-mapping").querySelector("tbody");
    body.replaceChildren();
    this.mappedAtFirst = Object.assign({}, mapping);
    Object.keys(mapping).forEach(function (field) {
      var row = body.insertRow();
      row.insertCell().textContent = field;
      var select = columnSelect(cfg, columns, mapping[field]);
      select.name = field;
      row.insertCell().appendChild(select);
    });
    var extra = body.insertRow();
    var field = U.el("input"), column = columnSelect(cfg, columns, "");
    field.className = "zm-map-new-field";
    field.placeholder = U.label(cfg, "upload.field");
    column.className = "zm-map-new-column";
    extra.insertCell().appendChild(field);
    extra.insertCell().appendChild(column);
  };

  // The first rows of the file's own attribute table, so the mapping can be checked by eye.
  Upload.prototype.showRows = function (columns, rows) {
    var box = $("zm-upload-rows");
    if (!box) { return; }
    box.replaceChildren();
    if (!columns.length) { return; }
    box.appendChild(U.el("h3", null, U.label(this.cfg, "upload.first_rows", { n: rows.length })));
    var wrap = U.el("div", "zm-attr-table-wrap"), table = U.el("table", "zm-attr-table");
    var head = table.createTHead().insertRow();
    head.appendChild(U.el("th", null, "#"));
    columns.forEach(function (c) { head.appendChild(U.el("th", null, c)); });
    var body = table.createTBody();
    rows.forEach(function (r, i) {
      var tr = body.insertRow();
      tr.insertCell().textContent = String(i + 1);
      columns.forEach(function (c) { tr.insertCell().textContent = r[c] === undefined ? "" : r[c]; });
    });
    wrap.appendChild(table);
    box.appendChild(wrap);
  };

  Upload.prototype.mappingText = function () {
    var parts = [];
    $("zm-upload-mapping").querySelectorAll("tbody select[name]").forEach(function (select) {
      if (select.value) { parts.push(select.name + "=" + select.value); }
    });
    var field = document.querySelector(".zm-map-new-field").value.trim();
    var column = document.querySelector(".zm-map-new-column").value;
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
    var repaired = {}, checked = {};
    (doc.repairs || []).forEach(function (r) { repaired[r.feature] = true; });
    (doc.checks || []).forEach(function (c) { checked[c.row - 1] = true; });
    var features = ((doc.preview || {}).features || []).map(function (f, i) {
      f.properties = Object.assign({}, f.properties, { repaired: repaired[i] === true,
                                                       checked: checked[i] === true });
      return f;
    });
    this.preview.addData({ type: "FeatureCollection", features: features });
    if (doc.quarantine_preview) { this.quarantined.addData(doc.quarantine_preview); }
    var bounds = this.preview.getBounds();
    if (bounds.isValid()) { this.app.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 }); }
  };

  Upload.prototype.commit = function () {
    var self = this, cfg = this.cfg, doc = this.current;
    if (!doc || self.committing) { return; }  // a second click while committing does nothing
    self.committing = true;
    $("zm-upload-commit").disabled = true;
    self.message("info", U.label(cfg, "upload.working"));
    var body = new FormData();
    if ($("zm-upload-accept-quarantine").checked) { body.set("accept_quarantine", "true"); }
    var token = progressToken(), stop = self.watch(token);
    body.set("progress_token", token);
    return postForm(self.opts.url + "/" + doc.upload_id + "/commit", body).finally(stop).then(function (response) {
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
    /* Only the newest request may draw: an older, slower answer (the page's first load racing a
     * commit's reload) would otherwise put back a stale list. */
    var request = self.historyRequest = (self.historyRequest || 0) + 1;
    return self.app.fetchJson(self.opts.historyUrl).then(function (data) {
      if (request !== self.historyRequest) { return; }
      var body = $("zm-upload-history").querySelector("tbody");
      body.replaceChildren();
      data.uploads.forEach(function (u) {
        var row = body.insertRow();
        row.dataset.uploadId = u.id;
        row.dataset.status = u.status;
        // Newest commit first (commit_seq), as /api/uploads orders them; an upload whose rows
        // a later commit changed says which one.
        var status = U.label(cfg, "upload.status." + u.status);
        if (u.status === "committed" && (u.overwritten_by || []).length) {
          status += " (" + U.label(cfg, "upload.overwritten_by", { ids: u.overwritten_by.join(", ") }) + ")";
        }
        [u.commit_seq === null ? "" : u.commit_seq, u.id, u.filename,
         U.label(cfg, "upload.kind." + u.kind), status, u.uploaded_by || "–",
         localTime(cfg, u.committed_at || u.created_at)
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
      $("zm-upload-accept-quarantine").addEventListener("change", function (event) {
        $("zm-upload-commit").disabled = !event.target.checked;
      });
      $("zm-upload-form").file.addEventListener("change", function () {
        $("zm-upload-form").swap_axes.value = "";  // a new file starts without the swap
      });
      $("zm-upload-swap-axes").addEventListener("click", function () {
        $("zm-upload-form").swap_axes.value = "true";
        upload.send(null);
      });
      $("zm-upload-use-encoding").addEventListener("click", function () {
        var chosen = document.querySelector("input[name=zm-encoding-choice]:checked");
        if (chosen) { $("zm-upload-form").encoding.value = chosen.value; upload.send(null); }
      });
      upload.loadHistory();
      global.zonemapUpload = upload;
      return upload;
    }
  };
})(window);
