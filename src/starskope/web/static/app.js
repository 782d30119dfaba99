/* starskope web app: uploads, data-folder picker, job progress, results table. No external libraries. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var state = {sort: "created_at", order: "desc", polling: null, knownDone: {}};

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
    });
  }
  function fmt(x, d) { return (x === null || x === undefined) ? "—" : Number(x).toFixed(d); }
  function fmtg(x, p) { return (x === null || x === undefined) ? "—" : Number(Number(x).toPrecision(p)).toString(); }
  function message(el, text, ok) {
    el.textContent = text; el.className = "app-message " + (ok ? "app-ok" : "app-error");
  }
  function errorText(resp, body) {
    if (body && body.detail) {
      if (typeof body.detail === "string") { return body.detail; }
      return body.detail.map(function (d) { return (d.loc || []).join(".") + ": " + d.msg; }).join("; ");
    }
    return "the server answered " + resp.status;
  }
  function api(url, options) {
    return fetch(url, options).then(function (resp) {
      return resp.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (!resp.ok) { throw new Error(errorText(resp, body)); }
        return body;
      });
    });
  }

  /* ---------------- upload */
  var form = $("upload-form"), input = $("file-input"), drop = $("drop-zone");
  function showFiles() {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    $("file-list").textContent = names.length ? names.length + " file(s): " + names.join(", ") : "";
  }
  input.addEventListener("change", showFiles);
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("app-over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("app-over"); });
  });
  drop.addEventListener("drop", function (e) { input.files = e.dataTransfer.files; showFiles(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var msg = $("upload-message");
    if (!input.files.length) { message(msg, "Choose at least one file.", false); return; }
    var data = new FormData();
    Array.prototype.forEach.call(input.files, function (f) { data.append("files", f, f.name); });
    if ($("mission-select").value) { data.append("mission", $("mission-select").value); }
    if ($("time-select").value) { data.append("time_format", $("time-select").value); }
    if ($("per-file").checked) { data.append("per_file", "true"); }
    $("upload-button").disabled = true;
    message(msg, "Uploading and checking " + input.files.length + " file(s)…", true);
    api("/api/jobs", {method: "POST", body: data}).then(function (job) {
      message(msg, "Accepted: job " + job.id.slice(0, 8) + " with " + job.total + " input(s).", true);
      form.reset(); showFiles(); refreshJobs();
    }).catch(function (err) {
      message(msg, "Refused: " + err.message, false);
    }).finally(function () { $("upload-button").disabled = false; });
  });

  /* ---------------- data folder */
  var selected = {};
  function loadFolder(path) {
    var list = $("folder-list");
    if (!list) { return; }
    api("/api/data-files?path=" + encodeURIComponent(path)).then(function (listing) {
      var crumbs = ['<a data-path="">data</a>'], acc = [];
      (listing.path ? listing.path.split("/") : []).forEach(function (part) {
        acc.push(part); crumbs.push('<a data-path="' + esc(acc.join("/")) + '">' + esc(part) + "</a>");
      });
      $("folder-crumbs").innerHTML = crumbs.join(" / ");
      list.innerHTML = listing.entries.map(function (e) {
        if (e.kind === "dir") {
          return '<li class="app-dir" data-path="' + esc(e.path) + '">▸ ' + esc(e.name) + "/" + "</li>";
        }
        return '<li><label><input type="checkbox" data-file="' + esc(e.path) + '"' + (selected[e.path] ? " checked" : "") +
          "> " + esc(e.name) + '</label><span class="app-size">' + fmtg((e.size_bytes || 0) / 1024, 3) + " kB</span></li>";
      }).join("") || '<li class="app-muted">no light-curve files here</li>';
    }).catch(function (err) { message($("folder-message"), err.message, false); });
  }
  function countSelected() {
    var n = Object.keys(selected).length;
    $("folder-count").textContent = n ? n + " selected" : "";
    $("folder-button").disabled = !n;
  }
  if ($("folder-list")) {
    $("folder-crumbs").addEventListener("click", function (e) {
      if (e.target.dataset.path !== undefined) { loadFolder(e.target.dataset.path); }
    });
    $("folder-list").addEventListener("click", function (e) {
      var li = e.target.closest("li.app-dir");
      if (li) { loadFolder(li.dataset.path); }
    });
    $("folder-list").addEventListener("change", function (e) {
      var p = e.target.dataset.file;
      if (!p) { return; }
      if (e.target.checked) { selected[p] = true; } else { delete selected[p]; }
      countSelected();
    });
    $("folder-button").addEventListener("click", function () {
      var paths = Object.keys(selected);
      $("folder-button").disabled = true;
      message($("folder-message"), "Checking " + paths.length + " file(s)…", true);
      api("/api/jobs/from-folder", {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify({paths: paths, per_file: $("folder-per-file").checked})}).then(function (job) {
        message($("folder-message"), "Accepted: job " + job.id.slice(0, 8) + " with " + job.total + " input(s).", true);
        selected = {}; countSelected(); loadFolder(""); refreshJobs();
      }).catch(function (err) {
        message($("folder-message"), "Refused: " + err.message, false); countSelected();
      });
    });
    loadFolder("");
  }

  /* ---------------- jobs */
  function renderJobs(jobs) {
    if (!jobs.length) { return; }
    $("jobs").innerHTML = jobs.slice(0, 8).map(function (j) {
      var pct = Math.round(100 * j.progress);
      var failedPct = j.total ? Math.round(100 * j.failed / j.total) : 0;
      return '<div class="app-job" data-job="' + esc(j.id) + '" data-status="' + esc(j.status) + '">' +
        '<div><span class="app-status"><strong>' + esc(j.status) + "</strong> · " + j.done + "/" + j.total +
        (j.failed ? " · " + j.failed + " failed" : "") + '</span><br><span class="app-job-id">job ' + esc(j.id.slice(0, 12)) +
        " · " + esc(j.created_at.replace("T", " ").slice(0, 19)) + "</span></div>" +
        '<div class="app-bar" title="' + pct + '%"><span style="width:' + (pct - failedPct) + '%"></span></div>' +
        '<div class="app-muted app-status">' + esc(j.message || j.stage) + "</div></div>";
    }).join("");
  }
  function refreshJobs() {
    return api("/api/jobs?limit=20").then(function (jobs) {
      renderJobs(jobs);
      var active = jobs.some(function (j) { return j.status === "queued" || j.status === "running"; });
      var changed = false;
      jobs.forEach(function (j) {
        var key = j.done + "/" + j.failed;
        if (state.knownDone[j.id] !== key) { changed = true; state.knownDone[j.id] = key; }
      });
      if (changed) { refreshResults(); }
      if (active && !state.polling) { state.polling = setInterval(refreshJobs, 1000); }
      if (!active && state.polling) { clearInterval(state.polling); state.polling = null; }
    }).catch(function () { /* the server restarts: try again on the next poll */ });
  }

  /* ---------------- results */
  function query() {
    var q = new URLSearchParams();
    if ($("filter-class").value) { q.set("predicted_class", $("filter-class").value); }
    if ($("filter-text").value.trim()) { q.set("q", $("filter-text").value.trim()); }
    if ($("filter-p").value !== "") { q.set("min_p_planet", $("filter-p").value); }
    if ($("filter-flag").value) { q.set("flag", $("filter-flag").value); }
    q.set("sort", state.sort); q.set("order", state.order);
    return q.toString();
  }
  function pcell(x, cls) {
    if (x === null || x === undefined) { return '<td class="num">—</td>'; }
    return '<td class="num">' + fmt(x, 2) + '<span class="app-pbar"><span class="' + cls + '" style="width:' +
      Math.round(100 * x) + '%"></span></span></td>';
  }
  function refreshResults() {
    var qs = query();
    $("csv-link").href = "/api/stars.csv?" + qs;
    return api("/api/stars?" + qs).then(function (stars) {
      $("results-count").textContent = stars.length + " star(s)";
      if (!stars.length) {
        $("results-body").innerHTML = '<tr><td colspan="12" class="app-muted">No results match.</td></tr>';
        return;
      }
      $("results-body").innerHTML = stars.map(function (s) {
        return '<tr class="app-link" data-href="' + esc(s.page_url) + '" data-star="' + esc(s.id) + '">' +
          '<td><a class="app-star-name" href="' + esc(s.page_url) + '">' + esc(s.target_id || s.label) + '</a><br><span class="app-star-file" title="' + esc(s.label) + '">' +
          esc(s.label) + "</span></td>" +
          "<td>" + esc(s.mission) + "</td>" +
          '<td><span class="app-badge ' + esc(s.predicted_class) + (s.verdict_status === "check" ? " app-check" : "") +
          '" title="' + esc(s.verdict_status || "") + '">' + esc(s.predicted_class.replace(/_/g, " ")) +
          (s.verdict_status === "check" ? " · check" : "") + "</span>" +
          (s.verdict_source === "model" ? "" : '<br><span class="app-muted">vetting rules</span>') + "</td>" +
          pcell(s.p_planet_transit, "planet_transit") + pcell(s.p_eclipsing_binary, "eclipsing_binary") +
          pcell(s.p_other_variable, "other_variable") + pcell(s.p_nothing_significant, "nothing_significant") +
          '<td class="num">' + fmtg(s.period_days, 6) + '</td><td class="num">' + fmt(s.depth_ppm, 0) +
          '</td><td class="num">' + fmt(s.planet_radius_earth, 2) + '</td><td class="num">' + fmt(s.snr, 1) + "</td>" +
          '<td class="app-flags">' + (s.flags || "").split(";").filter(Boolean).map(function (f) {
            return "<span>" + esc(f).replace(/_/g, "_<wbr>") + "</span>"; }).join("") + "</td></tr>";
      }).join("");
    }).catch(function (err) {
      $("results-body").innerHTML = '<tr><td colspan="12" class="app-message app-error">' + esc(err.message) + "</td></tr>";
    });
  }
  document.querySelectorAll("#results-table th[data-sort]").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.dataset.sort;
      if (state.sort === key) { state.order = state.order === "desc" ? "asc" : "desc"; }
      else { state.sort = key; state.order = key.indexOf("p_") === 0 || key === "snr" ? "desc" : "asc"; }
      document.querySelectorAll("#results-table th").forEach(function (h) {
        h.classList.remove("app-sorted-asc", "app-sorted-desc");
      });
      th.classList.add(state.order === "asc" ? "app-sorted-asc" : "app-sorted-desc");
      refreshResults();
    });
  });
  ["filter-class", "filter-flag"].forEach(function (id) { $(id).addEventListener("change", refreshResults); });
  ["filter-text", "filter-p"].forEach(function (id) {
    var t = null;
    $(id).addEventListener("input", function () { clearTimeout(t); t = setTimeout(refreshResults, 250); });
  });
  $("results-body").addEventListener("click", function (e) {
    if (e.target.closest("a")) { return; }
    var tr = e.target.closest("tr.app-link");
    if (tr) { window.location.href = tr.dataset.href; }
  });

  refreshJobs();
  refreshResults();
})();
