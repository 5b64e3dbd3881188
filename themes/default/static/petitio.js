// Petitio's one small script: loaded with defer under the site's strict CSP (no inline
// code anywhere, no framework, no third-party requests). Every page works without it;
// with it:
//   * the sign form submits in place (fetch, JSON) and shows each error next to the field
//     it concerns, in the page's language, and the new count at once;
//   * the device remembers that it signed (localStorage, never a cookie): the petition
//     page then says "you signed this on <date>" and offers the receipt;
//   * every request to the signature API (signing, live counts) tries the site's API
//     endpoints in order (`data-api`: api_endpoints of petitio.toml, space-separated),
//     moving on only when one does not answer at all, and remembers the one that answered;
//     when none answers, the page says so plainly;
//   * counts on petition pages, cards and the embed page are refreshed from
//     GET <api>/counts (progress bar, milestones, region table and chart included); when
//     the API cannot be reached the page says the live count is unavailable;
//   * the thank-you page, a petition page a no-JS post was sent back to, and the home page
//     (a petition that does not exist) show the outcome the redirect carries
//     (?result=...&field=...);
//   * the confirm page (a confirmation message's link, ?token=...) puts the token into its
//     form, whose button posts it;
//   * the signed page keeps the receipt its address carries (?receipt=..., after a no-JS
//     post) on the device, and takes it out of the address;
//   * "copy link" next to the share links;
//   * the search page builds a search form, filters and results over Pagefind's API and the
//     site's index (<lang>/search/, `?q=` searches at once); without the script, or without
//     an index (a bundle's copy), the page offers the listings and topics instead.
// Texts come from the per-language JSON named by <body data-i18n> (the theme's [script]
// strings); numbers and dates are formatted like the generator does, and a count phrase
// takes the form that Intl.PluralRules (CLDR, as the generator's ICU4X) chooses.
(function () {
  "use strict";

  var doc = document;
  var html = doc.documentElement;
  var lang = html.getAttribute("lang") || "en";
  var STORAGE_PREFIX = "petitio:signed:";
  var FIELDS = ["name", "email", "region", "consent", "show_name"];
  var MAX_NAME_CHARS = 100;
  /** How long this device's own count after signing may stand in for an older snapshot. */
  var RECENT_MS = 10 * 60 * 1000;

  // ---- messages --------------------------------------------------------------------------

  var messagesPromise = null;
  function messages() {
    if (!messagesPromise) {
      var url = doc.body.getAttribute("data-i18n");
      messagesPromise = url
        ? fetch(url, { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : {}; })
            .catch(function () { return {}; })
        : Promise.resolve({});
    }
    return messagesPromise;
  }
  function text(m, key, fallbackKey) {
    return m[key] || (fallbackKey && m[fallbackKey]) || "";
  }
  /** `template` with each `{name}` replaced by `values[name]` (unknown names are kept). */
  function fill(template, values) {
    return template.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  // ---- formatting (the same rules as the generator's format_number / format_date) --------

  function formatNumber(n, m) {
    var sep = m["format.group_separator"] != null ? m["format.group_separator"] : ",";
    var digits = String(Math.max(0, Math.floor(n)));
    var out = "";
    for (var i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += sep;
      out += digits.charAt(i);
    }
    return out;
  }

  /** The form of count phrase `key` (e.g. "petition.signatures") that `n` takes in `lang`. */
  function plural(key, n, m) {
    var forms = (m.plurals || {})[key];
    if (!forms) return null;
    var form = typeof Intl === "object" && Intl.PluralRules ? new Intl.PluralRules(lang).select(n) : "other";
    return forms[form] != null ? forms[form] : forms.other;
  }
  function formatDate(iso, m) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    var months = m["format.months"];
    if (!parts || !months || months.length !== 12) return iso;
    var pattern = m["format.date_pattern"] || "{day} {month} {year}";
    return pattern
      .replace("{day}", String(Number(parts[3])))
      .replace("{month}", months[Number(parts[2]) - 1])
      .replace("{year}", parts[1]);
  }
  // Today, in this device's time zone: the day of a signature this device just made.
  // (A receipt, petitio-receipt-v1:<slug>:<secret>, holds no date.)
  function today() {
    var d = new Date();
    function pad(x) { return (x < 10 ? "0" : "") + x; }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }
  var RECEIPT = /^petitio-receipt-v1:[a-z0-9-]+:[0-9a-f]{64}$/;
  function percent(value, of) {
    if (!of) return 0;
    return Math.min(100, Math.round((1000 * value) / of) / 10);
  }

  // ---- this device's memory of signing ----------------------------------------------------

  function remembered(slug) {
    try {
      var raw = window.localStorage.getItem(STORAGE_PREFIX + slug);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null; // storage disabled: nothing is remembered
    }
  }
  function remember(slug, record) {
    try {
      window.localStorage.setItem(STORAGE_PREFIX + slug, JSON.stringify(record));
    } catch (e) { /* storage full or disabled: the signature itself is recorded anyway */ }
  }

  // ---- counts ------------------------------------------------------------------------------

  var countTargets = Array.prototype.slice.call(doc.querySelectorAll("[data-petition]"));

  function showCount(el, count, byRegion, m, reachedOn) {
    var goal = Number(el.getAttribute("data-goal")) || 0;
    el.setAttribute("data-count", String(count));
    each(el.querySelectorAll("[data-count-text]"), function (node) {
      node.textContent = formatNumber(count, m);
    });
    each(el.querySelectorAll("[data-plural]"), function (node) {
      var text = plural(node.getAttribute("data-plural"), count, m);
      if (text != null) node.textContent = text;
    });
    if (goal) {
      var fill = el.querySelector(".bar-fill");
      if (fill) fill.setAttribute("width", String(percent(count, goal)));
      var progress = (el.getAttribute("data-progress") || "")
        .replace("{count}", formatNumber(count, m))
        .replace("{goal}", formatNumber(goal, m));
      if (progress) {
        var bar = el.querySelector("svg.bar");
        if (bar) bar.setAttribute("aria-label", progress);
        each(el.querySelectorAll("[data-progress-text]"), function (node) { node.textContent = progress; });
      }
      var marks = el.querySelectorAll(".bar-mark");
      var items = el.querySelectorAll(".milestones li");
      var values = (el.getAttribute("data-milestones") || "").split(",").filter(Boolean).map(Number);
      values.forEach(function (value, i) {
        var reached = count >= value;
        if (marks[i]) marks[i].classList.toggle("reached", reached);
        if (items[i]) items[i].classList.toggle("reached", reached);
        if (items[i] && reachedOn && reachedOn[value]) showReachedOn(items[i], value, reachedOn[value]);
      });
    }
    if (byRegion) showRegions(el, byRegion, m);
  }

  // The day a milestone was reached (the API gives the minute, UTC), in the site's time
  // zone, written by the page's own fill pattern as a server fills it.
  function showReachedOn(item, value, at) {
    var span = item.querySelector(".reached-on");
    var pattern = span && span.getAttribute("data-fill-text");
    var time = Date.parse(at);
    if (!pattern || isNaN(time)) return;
    var offsetMinutes = Number(item.parentNode.getAttribute("data-utc-offset")) || 0;
    var day = new Date(time + offsetMinutes * 60000).toISOString().slice(0, 10);
    span.textContent = pattern.replace("{reached_on:" + value + "}", day);
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  function showRegions(el, byRegion, m) {
    var section = el.querySelector("[data-regions]");
    if (!section) return;
    var names;
    try { names = JSON.parse(section.getAttribute("data-regions")); } catch (e) { return; }
    var rows = Object.keys(byRegion)
      .filter(function (code) { return byRegion[code] > 0 && names[code]; })
      .map(function (code) { return { code: code, name: names[code], count: byRegion[code] }; })
      .sort(function (a, b) { return b.count - a.count || (a.name < b.name ? -1 : 1); });
    var total = rows.reduce(function (sum, r) { return sum + r.count; }, 0);
    var max = rows.length ? rows[0].count : 0;

    var empty = section.querySelector("[data-regions-empty]");
    var filled = section.querySelector("[data-regions-filled]");
    // Shown and hidden by class, as the page fill does for visitors without JavaScript.
    if (empty) empty.classList.toggle("is-hidden", rows.length > 0);
    if (filled) filled.classList.toggle("is-hidden", rows.length === 0);

    var tbody = section.querySelector("table.regions tbody");
    if (tbody) {
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      rows.forEach(function (r) {
        var tr = doc.createElement("tr");
        tr.setAttribute("data-region", r.code);
        var th = doc.createElement("th");
        th.setAttribute("scope", "row");
        th.textContent = r.name;
        var td = doc.createElement("td");
        td.textContent = formatNumber(r.count, m);
        var share = doc.createElement("td");
        share.textContent = formatShare(r.count, total);
        tr.appendChild(th);
        tr.appendChild(td);
        tr.appendChild(share);
        tbody.appendChild(tr);
      });
    }

    var svg = section.querySelector("svg.region-chart");
    var bars = svg && svg.querySelector("[data-bars]");
    if (bars) {
      var limit = Number(svg.getAttribute("data-limit")) || 10;
      var shown = rows.slice(0, limit);
      var rowHeight = Number(svg.getAttribute("data-row-height")) || 36;
      var width = Number(svg.getAttribute("data-width")) || 400;
      while (bars.firstChild) bars.removeChild(bars.firstChild);
      shown.forEach(function (r, i) {
        var g = doc.createElementNS(SVG_NS, "g");
        g.setAttribute("data-region", r.code);
        g.setAttribute("transform", "translate(0 " + i * rowHeight + ")");
        var label = doc.createElementNS(SVG_NS, "text");
        label.setAttribute("x", "0");
        label.setAttribute("y", "13");
        label.setAttribute("class", "chart-label");
        label.textContent = r.name + " — " + formatNumber(r.count, m);
        var rect = doc.createElementNS(SVG_NS, "rect");
        rect.setAttribute("x", "0");
        rect.setAttribute("y", "19");
        rect.setAttribute("height", "12");
        rect.setAttribute("class", "chart-bar");
        rect.setAttribute("width", String(Math.round(((width * r.count) / max) * 10) / 10));
        g.appendChild(label);
        g.appendChild(rect);
        bars.appendChild(g);
      });
      var height = Math.max(1, shown.length) * rowHeight;
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    }
  }
  function formatShare(count, total) {
    return (total ? ((100 * count) / total).toFixed(1) : "0.0") + " %";
  }

  function setLive(state, m) {
    var message = state === "unavailable" ? text(m, "live.unavailable") : "";
    each(doc.querySelectorAll("[data-live-status-page]"), function (status) {
      status.textContent = message;
    });
    countTargets.forEach(function (el) {
      el.setAttribute("data-live", state);
      var status = el.querySelector("[data-live-status]");
      if (status) status.textContent = message;
    });
  }

  function refreshCounts() {
    if (!countTargets.length) return;
    var request = requestApi(countTargets[0], "/counts", {
      credentials: "omit",
      headers: { accept: "application/json" },
    }).then(function (r) {
      if (!r.ok) throw new Error("counts: HTTP " + r.status);
      return r.json();
    });
    Promise.all([request, messages()]).then(
      function (results) {
        var data = results[0];
        var m = results[1];
        var petitions = (data && data.petitions) || {};
        countTargets.forEach(function (el) {
          var slug = el.getAttribute("data-petition");
          var live = petitions[slug];
          if (!live) return;
          var count = Number(live.count) || 0;
          // A signature this device made minutes ago may be newer than the snapshot the API
          // (or the browser's cache of it, up to 30 s) still shows.
          var mine = remembered(slug);
          if (mine && mine.count > count && Date.now() - (mine.at || 0) < RECENT_MS) count = mine.count;
          showCount(el, count, live.by_region || {}, m, live.reached);
        });
        setLive("live", m);
      },
      function () {
        messages().then(function (m) { setLive("unavailable", m); });
      },
    );
  }

  // ---- API endpoints, with failover ---------------------------------------------------------
  //
  // A page lists the signature API's endpoints in `data-api` (the main domain's /api, the
  // worker's workers.dev address, other domains), so that signing survives one of them
  // being blocked. A request goes to each in turn until one *answers*: any HTTP response,
  // an error such as 400, 409 or 429 included, is that endpoint's answer and is final. Only
  // a network failure (refused, reset, DNS, blocked) or the timeout moves on, so a
  // signature an endpoint answered is never sent to another one. (A timeout is the one
  // case where the first may have recorded it: every endpoint is the same API on the same
  // store, which counts a signer once, so the retry is answered "already signed".)
  // The endpoint that answered is remembered on this device (localStorage) and tried first
  // next time, so a signer behind a block does not wait for the blocked one on every page.
  var ENDPOINT_KEY = "petitio:api-endpoint";
  /**
   * How long one endpoint may take to start answering before the next is tried. A blocked
   * address often swallows packets instead of refusing them, and a browser would wait for
   * its own connection timeout (a minute or more); a signing request that reaches the API
   * is answered well within this.
   */
  var ENDPOINT_TIMEOUT_MS = 8000;

  /**
   * The endpoints `el` names, behind those of the "where we are now" note this page follows
   * (without any on an origin the note abandoned), the one this device last reached first.
   */
  function endpointsOf(el) {
    var built = ((el && el.getAttribute("data-api")) || "/api")
      .split(/\s+/)
      .filter(Boolean)
      .map(function (endpoint) { return endpoint.replace(/\/$/, ""); });
    var list = followedNote ? followedNote.api.slice() : [];
    built.forEach(function (endpoint) {
      var abandoned = followedNote && followedNote.abandoned.indexOf(originOf(endpoint)) >= 0;
      if (!abandoned && list.indexOf(endpoint) < 0) list.push(endpoint);
    });
    var known = null;
    try {
      known = window.localStorage.getItem(ENDPOINT_KEY);
    } catch (e) { /* storage disabled: the site's order */ }
    var at = known ? list.indexOf(known) : -1;
    if (at > 0) list = [known].concat(list.slice(0, at), list.slice(at + 1));
    return list;
  }

  function rememberEndpoint(endpoint) {
    try {
      window.localStorage.setItem(ENDPOINT_KEY, endpoint);
    } catch (e) { /* storage full or disabled: nothing to remember */ }
  }

  /**
   * fetch(endpoint + path, init) on the first of `endpoints` that answers. Each attempt gets
   * its own AbortController (the DOM's, built into every browser the site supports),
   * aborted by a timer after ENDPOINT_TIMEOUT_MS: `AbortSignal.timeout()` would be shorter
   * but is missing from the older phone browsers many signers use. Rejects when none
   * answers.
   */
  function requestApi(el, path, init) {
    var endpoints = [];
    function attempt(i) {
      if (i >= endpoints.length) return Promise.reject(new Error("no API endpoint answered"));
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, ENDPOINT_TIMEOUT_MS) : null;
      var options = {};
      Object.keys(init).forEach(function (key) { options[key] = init[key]; });
      if (controller) options.signal = controller.signal;
      return fetch(endpoints[i] + path, options).then(
        function (response) {
          clearTimeout(timer);
          rememberEndpoint(endpoints[i]);
          return response;
        },
        function () {
          clearTimeout(timer);
          return attempt(i + 1);
        },
      );
    }
    // The note is looked up first (each place within WHERE_TIMEOUT_MS): it may move the API.
    return whereReady.then(function () {
      endpoints = endpointsOf(el);
      return attempt(0);
    });
  }

  // ---- where we are now (#15) ---------------------------------------------------------------
  //
  // The operator signs a note saying where the site is now (docs/keys.md): its origins, its
  // API endpoints, the origins it gave up, and a sequence number. A page carries the log's
  // verifier key, the sequence of the note it was built with, and the places to look for
  // newer ones (every origin the site knows and its own copy). Anyone may serve anything at
  // those places (a blocked domain re-registered by someone else, a stale mirror), so a
  // note is followed only when it is signed by the page's key, names that key's log, parses
  // strictly (the rules of petitio-model's where_note.rs), and has a higher sequence than
  // the one held: the page's own, or the last note followed on this device (kept whole in
  // localStorage and verified again on every page).
  var WHERE_STORE = "petitio:where";
  /** How long each place may take to answer: a blocked one often never does. */
  var WHERE_TIMEOUT_MS = 4000;
  var WHERE_HEADER = "petitio-where/v1";
  var WHERE_MAX_TEXT_BYTES = 16 * 1024;
  /** A signed note: the text and a few signature lines. */
  var WHERE_MAX_BYTES = WHERE_MAX_TEXT_BYTES + 4096;
  var MAX_SEQUENCE = 9007199254740991; // Number.MAX_SAFE_INTEGER, as where_note.rs
  var followedNote = null;

  function utf8(value) { return new TextEncoder().encode(value); }

  function base64Bytes(value) {
    var binary = window.atob(value);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function originOf(url) {
    try {
      return new URL(url, window.location.href).origin;
    } catch (e) {
      return "";
    }
  }

  /**
   * The verifier key `<name>+<key id>+<base64 of 0x01 and the Ed25519 key>`, imported, once
   * its key id is checked: the first four bytes of SHA-256(name, "\n", 0x01, key).
   */
  function importVerifierKey(text) {
    var parts = /^([A-Za-z0-9._-]{1,64})\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(text);
    if (!parts) return Promise.reject(new Error("not a verifier key"));
    var keyBytes = base64Bytes(parts[3]);
    if (keyBytes.length !== 33 || keyBytes[0] !== 1) return Promise.reject(new Error("not an Ed25519 key"));
    var id = hexBytes(parts[2]);
    return sha256(concat([utf8(parts[1] + "\n"), keyBytes])).then(function (digest) {
      if (!sameBytes(digest.slice(0, 4), id)) throw new Error("wrong key id");
      return window.crypto.subtle.importKey("raw", keyBytes.slice(1), { name: "Ed25519" }, false, ["verify"]);
    }).then(function (cryptoKey) {
      return { name: parts[1], id: id, cryptoKey: cryptoKey };
    });
  }

  /**
   * The text of a C2SP signed note (up to the blank line, with its final newline) when one
   * of its signatures (`— <name> <base64 of key id and signature>`) is by `key`; else null.
   * A malformed signature line makes the whole note unreadable, as the format asks.
   */
  function verifiedText(signed, key) {
    var end = signed.indexOf("\n\n");
    if (end < 0 || signed.slice(-1) !== "\n") return Promise.resolve(null);
    var text = signed.slice(0, end + 1);
    var lines = signed.slice(end + 2, -1).split("\n");
    var signatures = [];
    for (var i = 0; i < lines.length; i++) {
      var line = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(lines[i]);
      if (!line) return Promise.resolve(null);
      var bytes = base64Bytes(line[2]);
      if (line[1] === key.name && bytes.length === 68 && sameBytes(bytes.slice(0, 4), key.id)) {
        signatures.push(bytes.slice(4));
      }
    }
    var message = utf8(text);
    return Promise.all(signatures.map(function (signature) {
      return window.crypto.subtle.verify({ name: "Ed25519" }, key.cryptoKey, signature, message);
    })).then(function (valid) { return valid.indexOf(true) >= 0 ? text : null; });
  }

  /** `https://` anywhere, `http://` only to this machine (where_note.rs's rule). */
  function schemeAllowed(url) {
    if (url.protocol === "https:") return true;
    var host = url.hostname;
    return url.protocol === "http:" && (host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host));
  }

  function canonicalOrigin(value) {
    try {
      var url = new URL(value);
      return url.origin === value && schemeAllowed(url) ? value : null;
    } catch (e) {
      return null;
    }
  }

  function canonicalEndpoint(value) {
    try {
      var url = new URL(value);
      var plain = url.username === "" && url.password === "" && url.search === "" && url.hash === "";
      var same = url.href.replace(/\/$/, "") === value && value.slice(-1) !== "/";
      return plain && same && schemeAllowed(url) ? value : null;
    } catch (e) {
      return null;
    }
  }

  function isDay(value) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!parts) return false;
    var day = new Date(Date.UTC(+parts[1], +parts[2] - 1, +parts[3]));
    return day.getUTCFullYear() === +parts[1] && day.getUTCMonth() === +parts[2] - 1 && day.getUTCDate() === +parts[3];
  }

  /** A note's text, parsed with where_note.rs's rules; null unless it is one, by `keyName`. */
  function parseWhereNote(text, keyName) {
    if (utf8(text).length > WHERE_MAX_TEXT_BYTES || text.slice(-1) !== "\n") return null;
    var lines = text.slice(0, -1).split("\n");
    var bad = lines.some(function (line) { return line === "" || /[\u0000-\u001f\u007f-\u009f]/.test(line); });
    if (bad || lines[0] !== WHERE_HEADER) return null;
    var at = 1;
    function next(tag) { return at < lines.length && lines[at].indexOf(tag + " ") === 0; }
    function one(tag) { return next(tag) ? lines[at++].slice(tag.length + 1) : null; }
    /** The `tag` lines (at least `least`), each canonical and new to `seen`. */
    function all(tag, canonical, seen, least) {
      var values = [];
      while (next(tag)) {
        var value = canonical(one(tag));
        if (value === null || seen.indexOf(value) >= 0) return null;
        seen.push(value);
        values.push(value);
      }
      return values.length >= least ? values : null;
    }
    if (one("key") !== keyName) return null;
    var sequence = one("sequence");
    if (!/^[1-9][0-9]{0,15}$/.test(sequence || "") || Number(sequence) > MAX_SEQUENCE) return null;
    var main = canonicalOrigin(one("main"));
    var seenOrigins = [];
    var origins = main && all("origin", canonicalOrigin, seenOrigins, 1);
    if (!origins || origins[0] !== main) return null;
    var api = all("api", canonicalEndpoint, [], 1);
    var abandoned = api && all("abandoned", canonicalOrigin, seenOrigins, 0);
    var date = abandoned && one("date");
    if (!date || !isDay(date) || at !== lines.length) return null;
    return { sequence: Number(sequence), main: main, origins: origins, api: api, abandoned: abandoned };
  }

  /** The note `signed` says, when it is signed by `key` and valid; else null. */
  function readWhereNote(signed, key) {
    if (signed.length > WHERE_MAX_BYTES) return Promise.resolve(null);
    return verifiedText(signed, key).then(function (text) {
      return text === null ? null : parseWhereNote(text, key.name);
    }, function () { return null; });
  }

  /** The body of `place`, or null when it does not answer in time or answers an error. */
  function fetchNote(place) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, WHERE_TIMEOUT_MS) : null;
    // The browser's cache may answer: each origin serves the note cached for 5 minutes
    // (`_headers`), so a signer browsing the site does not fetch it on every page.
    var init = { credentials: "omit" };
    if (controller) init.signal = controller.signal;
    return fetch(place, init)
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (body) { clearTimeout(timer); return body; }, function () { clearTimeout(timer); return null; });
  }

  /** Uses `note`'s endpoints from now on, and says the site moved if this origin is not one. */
  function followNote(note) {
    followedNote = note;
    if (note.origins.indexOf(window.location.origin) >= 0) return;
    messages().then(function (m) {
      var main = doc.querySelector("main") || doc.body;
      var notice = doc.querySelector("[data-where-moved]") || doc.createElement("p");
      notice.className = "notice notice-info where-moved";
      notice.setAttribute("role", "status");
      notice.setAttribute("data-where-moved", note.main);
      notice.textContent = "";
      var template = text(m, "where.moved") || "{origin}";
      var cut = template.indexOf("{origin}");
      var link = doc.createElement("a");
      link.href = note.main + "/";
      link.textContent = note.main;
      notice.appendChild(doc.createTextNode(cut < 0 ? template + " " : template.slice(0, cut)));
      notice.appendChild(link);
      if (cut >= 0) notice.appendChild(doc.createTextNode(template.slice(cut + "{origin}".length)));
      main.insertBefore(notice, main.firstChild);
    });
  }

  /** Looks for a newer note; resolves when done (never rejects). */
  function lookUpWhereNote() {
    var body = doc.body;
    var keyText = body.getAttribute("data-where-key");
    var subtle = window.crypto && window.crypto.subtle;
    if (!keyText || !subtle || typeof TextEncoder !== "function") return Promise.resolve();
    var held = Number(body.getAttribute("data-where-sequence")) || 0;
    var places = (body.getAttribute("data-where-at") || "").split(/\s+/).filter(Boolean);
    var stored = null;
    try {
      stored = window.localStorage.getItem(WHERE_STORE);
    } catch (e) { /* storage disabled: the page's own sequence */ }
    return importVerifierKey(keyText).then(function (key) {
      var remembered = stored ? readWhereNote(stored, key) : Promise.resolve(null);
      return remembered.then(function (note) {
        if (note && note.sequence > held) {
          held = note.sequence;
          followNote(note);
        }
        return Promise.all(places.map(function (place) {
          return fetchNote(place).then(function (signed) {
            return signed === null ? null : readWhereNote(signed, key).then(function (found) {
              return found && { note: found, signed: signed };
            });
          });
        }));
      });
    }).then(function (found) {
      var best = null;
      found.forEach(function (candidate) {
        var higher = candidate && candidate.note.sequence > (best ? best.note.sequence : held);
        if (higher) best = candidate;
      });
      if (!best) return;
      try {
        window.localStorage.setItem(WHERE_STORE, best.signed);
      } catch (e) { /* not remembered: looked up again on the next page */ }
      followNote(best.note);
    }).catch(function () { /* no usable key or crypto: the page's own endpoints */ });
  }
  var whereReady = lookUpWhereNote();

  // ---- the signed note ---------------------------------------------------------------------

  function showSignedNote(slug, m) {
    var note = doc.querySelector("[data-signed-note]");
    var record = remembered(slug);
    if (!note || !record) return;
    var textNode = note.querySelector("[data-signed-text]");
    if (textNode) textNode.textContent = text(m, "signed_on").replace("{date}", formatDate(record.date, m));
    var receipt = note.querySelector("[data-receipt]");
    if (receipt) receipt.textContent = record.receipt || "";
    var receiptBox = note.querySelector("[data-receipt-box]");
    if (receiptBox) receiptBox.hidden = !record.receipt;
    note.hidden = false;
  }

  // ---- the sign form -----------------------------------------------------------------------

  function fieldControl(form, field) {
    return form.querySelector('[name="' + field + '"]');
  }
  function errorNode(form, field) {
    return doc.getElementById("sign-error-" + field);
  }
  function clearErrors(form) {
    FIELDS.forEach(function (field) {
      var control = fieldControl(form, field);
      var node = errorNode(form, field);
      if (control) control.removeAttribute("aria-invalid");
      if (node) {
        node.hidden = true;
        node.classList.remove("is-shown");
      }
    });
  }
  function showFieldError(form, field, message) {
    var control = fieldControl(form, field);
    var node = errorNode(form, field);
    if (!control || !node) return false;
    // The page carries each field's message in its language; a more precise one from the
    // API (or from the messages file) replaces it.
    if (!node.hasAttribute("data-text")) node.setAttribute("data-text", node.textContent);
    node.textContent = message || node.getAttribute("data-text");
    node.hidden = false;
    node.classList.add("is-shown");
    control.setAttribute("aria-invalid", "true");
    var described = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(node.id) < 0) {
      described.unshift(node.id);
      control.setAttribute("aria-describedby", described.join(" "));
    }
    return true;
  }
  function showResult(area, message, kind) {
    area.textContent = message;
    area.className = "sign-result is-" + kind;
    area.removeAttribute("hidden");
    area.hidden = false;
  }

  function clientProblems(form) {
    var problems = [];
    var name = fieldControl(form, "name").value.trim();
    if (!name || name.length > MAX_NAME_CHARS) problems.push("name");
    var email = fieldControl(form, "email").value.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) problems.push("email");
    if (!fieldControl(form, "region").value) problems.push("region");
    if (!fieldControl(form, "consent").checked) problems.push("consent");
    return problems;
  }

  function enhanceForm(form) {
    var area = doc.getElementById("sign-result");
    var button = form.querySelector("button[type=submit]");
    var slug = form.getAttribute("data-slug");
    var petition = form.closest("[data-petition]") || doc.querySelector("[data-petition]");
    var busy = false;
    // Errors are shown next to each field in the page's language, not in the browser's
    // own bubbles (which speak the browser's language).
    form.noValidate = true;
    // The script tries every endpoint itself: the no-JS alternatives are not needed.
    each(form.querySelectorAll("[data-form-alternatives]"), function (node) { node.hidden = true; });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      messages().then(function (m) {
        clearErrors(form);
        area.hidden = true;
        var problems = clientProblems(form);
        if (problems.length) {
          problems.forEach(function (field) { showFieldError(form, field, text(m, "field." + field)); });
          showResult(area, text(m, "result.invalid_input"), "error");
          fieldControl(form, problems[0]).focus();
          return;
        }
        busy = true;
        button.disabled = true;
        showResult(area, text(m, "sending"), "pending");
        var body = {
          name: fieldControl(form, "name").value,
          email: fieldControl(form, "email").value,
          region: fieldControl(form, "region").value,
          consent: fieldControl(form, "consent").checked,
          show_name: fieldControl(form, "show_name") ? fieldControl(form, "show_name").checked : false,
          lang: (fieldControl(form, "lang") && fieldControl(form, "lang").value) || lang,
          website: fieldControl(form, "website") ? fieldControl(form, "website").value : "",
        };
        // The Turnstile widget, when the site renders one, puts its token in the form.
        var challenge = form.querySelector('[name="cf-turnstile-response"]');
        if (challenge && challenge.value) body.turnstile_token = challenge.value;
        requestApi(form, "/petitions/" + encodeURIComponent(slug) + "/signatures", {
          method: "POST",
          credentials: "omit",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(body),
        })
          .then(function (response) {
            return response.json().then(
              function (json) { return { status: response.status, json: json }; },
              function () { return { status: response.status, json: null }; },
            );
          })
          .then(function (r) { handleAnswer(r, m); }, function () {
            showResult(area, text(m, "result.unreachable", "result.network"), "error");
          })
          .then(function () {
            busy = false;
            button.disabled = false;
          });
      });
    });

    function handleAnswer(r, m) {
      var json = r.json || {};
      // Confirmation by email: nothing counts until the message's button is pressed.
      if (r.status === 202 && json.status === "check_email") {
        showResult(area, text(m, "result.check_email"), "ok");
        form.reset();
        area.focus();
        return;
      }
      if ((r.status === 201 || r.status === 200) && json.status) {
        var code = json.status === "already_signed" ? "already_signed" : "recorded";
        showResult(area, text(m, "result." + code), "ok");
        var current = petition ? Number(petition.getAttribute("data-count")) || 0 : 0;
        var count = typeof json.count === "number" ? json.count : current + (code === "recorded" ? 1 : 0);
        if (code === "recorded" && count < current + 1) count = current + 1;
        if (petition && count > current) showCount(petition, count, null, m);
        var previous = remembered(slug);
        // A new receipt is a new signature; "already signed" keeps what this device knew.
        var fresh = json.receipt || !previous;
        var receipt = json.receipt || (previous && previous.receipt) || "";
        remember(slug, { date: fresh ? today() : previous.date, receipt: receipt, count: count, at: Date.now() });
        showSignedNote(slug, m);
        form.reset();
        area.focus();
        return;
      }
      var error = json.error || {};
      var field = error.field;
      if (field && FIELDS.indexOf(field) >= 0 && showFieldError(form, field, error.message || text(m, "field." + field))) {
        showResult(area, text(m, "result.invalid_input"), "error");
        fieldControl(form, field).focus();
        return;
      }
      showResult(area, error.message || text(m, "result." + error.code, "result.error"), "error");
    }
  }

  // ---- a no-JS outcome, shown when the page came back from a form post ----------------------

  function showRedirectOutcome(m) {
    var params = new URLSearchParams(window.location.search);
    var result = params.get("result");
    if (!result) return;
    var signed = doc.querySelector("[data-signed]");
    if (signed) {
      var match = signed.querySelector('[data-result="' + CSS.escape(result) + '"]');
      var fallback = signed.querySelector("[data-result-default]");
      if (match && fallback) {
        match.hidden = false;
        fallback.hidden = true;
      }
      return;
    }
    // A petition that does not exist sends the visitor to the home page, which has a notice.
    var notice = doc.getElementById("page-result");
    if (notice) {
      notice.textContent = text(m, "result." + result, "result.error");
      notice.classList.add("is-error");
      notice.hidden = false;
      return;
    }
    var form = doc.getElementById("sign");
    var area = doc.getElementById("sign-result");
    if (!form || !area || form.tagName !== "FORM") return;
    var field = params.get("field");
    if (field && FIELDS.indexOf(field) >= 0 && showFieldError(form, field, text(m, "field." + field))) {
      showResult(area, text(m, "result.invalid_input"), "error");
      return;
    }
    showResult(area, text(m, "result." + result, "result.error"), "error");
  }

  // ---- the signed page: a receipt the no-JS redirect carries -------------------------------
  // After a form post (or a confirmation's button), the signed page's address carries the
  // receipt (?receipt=...; the server fills it into the page too). Keep it on this device,
  // show it, and take it out of the address bar and the history entry.

  function keepReceipt(section) {
    var params = new URLSearchParams(window.location.search);
    var receipt = params.get("receipt");
    var slug = section.getAttribute("data-signed");
    if (!receipt || !RECEIPT.test(receipt) || receipt.split(":")[1] !== slug) return;
    remember(slug, { date: today(), receipt: receipt, count: null, at: Date.now() });
    var code = section.querySelector("[data-receipt]");
    if (code && !code.textContent) code.textContent = receipt;
    params.delete("receipt");
    var rest = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : "") + window.location.hash);
    } catch (e) { /* the page still shows it */ }
  }

  // ---- the confirm page: the token from the address into the form ----------------------------

  function fillToken(field) {
    var token = new URLSearchParams(window.location.search).get("token");
    if (token && !field.value) field.value = token;
  }

  // A page built before its petition's deadline passed still carries the form (the daily
  // rebuild closes it): hide it once the deadline day is over in the site's time zone, as
  // the API refuses signatures from then on.
  function deadlinePassed(form) {
    var lastDay = form.getAttribute("data-deadline");
    if (!lastDay) return false;
    var offsetMinutes = Number(form.getAttribute("data-utc-offset")) || 0;
    var today = new Date(Date.now() + offsetMinutes * 60000).toISOString().slice(0, 10);
    return today > lastDay;
  }
  function closeForm(form) {
    form.hidden = true;
    each(doc.querySelectorAll(".sign-jump"), function (jump) { jump.hidden = true; });
    var closed = doc.getElementById("sign-closed");
    if (closed) closed.hidden = false;
  }

  // ---- copy link -----------------------------------------------------------------------------

  function enhanceCopy(button) {
    var status = button.parentNode.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = button.getAttribute("data-url");
      var done = function (ok) {
        messages().then(function (m) {
          if (status) status.textContent = text(m, ok ? "share.copied" : "share.copy_failed");
        });
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { done(true); }, function () { done(false); });
      } else {
        done(false);
      }
    });
  }

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  // ---- search ------------------------------------------------------------------------------
  // Pagefind's own UI writes ids with spaces (its filter checkboxes) and labels its box with
  // a placeholder only; this small UI over Pagefind's API (pagefind/pagefind.js, which
  // loads the page language's index) keeps the page valid and labelled, in the theme's
  // styles. Texts come from <div data-search> (the theme's [search] strings).

  /** Text with Pagefind's <mark> highlights as DOM nodes; everything else stays text. */
  function appendExcerpt(parent, html) {
    var decode = doc.createElement("textarea");
    var marked = false;
    html.split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      decode.innerHTML = part.replace(/<[^>]*>/g, "");
      var text = doc.createTextNode(decode.value);
      if (marked) {
        var mark = doc.createElement("mark");
        mark.appendChild(text);
        parent.appendChild(mark);
      } else {
        parent.appendChild(text);
      }
    });
  }

  function startSearch(box) {
    var bundle = new URL(box.getAttribute("data-search-index") || "/pagefind/", doc.baseURI).href;
    var text = function (name) { return box.getAttribute("data-search-" + name) || ""; };
    import(bundle + "pagefind.js").then(function (pagefind) {
      return pagefind.init().then(function () { return pagefind.filters(); }).then(function (filters) {
        buildSearch(box, pagefind, filters, text);
      });
    }).catch(function () {
      // No index (a bundle's copy, or built with --no-search): the listings stay the way.
    });
  }

  function buildSearch(box, pagefind, filters, text) {
    var form = doc.createElement("form");
    form.className = "search-form";
    form.setAttribute("role", "search");
    var label = doc.createElement("label");
    label.htmlFor = "search-q";
    label.className = "search-label";
    label.textContent = text("label");
    var input = doc.createElement("input");
    input.type = "search";
    input.id = "search-q";
    input.name = "q";
    input.autocomplete = "off";
    form.appendChild(label);
    form.appendChild(input);
    var chosen = {};
    Object.keys(filters).sort().forEach(function (name, i) {
      var values = Object.keys(filters[name]).sort();
      if (!values.length) return;
      var set = doc.createElement("fieldset");
      set.className = "search-filter";
      var legend = doc.createElement("legend");
      legend.textContent = name;
      set.appendChild(legend);
      values.forEach(function (value, j) {
        var id = "search-filter-" + i + "-" + j;
        var option = doc.createElement("div");
        var check = doc.createElement("input");
        check.type = "checkbox";
        check.id = id;
        check.addEventListener("change", function () {
          chosen[name] = chosen[name] || [];
          if (check.checked) chosen[name].push(value);
          else chosen[name] = chosen[name].filter(function (v) { return v !== value; });
          if (!chosen[name].length) delete chosen[name];
          run();
        });
        var optionLabel = doc.createElement("label");
        optionLabel.htmlFor = id;
        optionLabel.textContent = value + " (" + filters[name][value] + ")";
        option.appendChild(check);
        option.appendChild(optionLabel);
        set.appendChild(option);
      });
      form.appendChild(set);
    });
    var status = doc.createElement("p");
    status.className = "search-status";
    status.setAttribute("role", "status");
    var list = doc.createElement("ol");
    list.className = "search-results";
    box.appendChild(form);
    box.appendChild(status);
    box.appendChild(list);

    var latest = 0;
    function run() {
      var ticket = ++latest;
      var term = input.value.trim();
      if (!term && !Object.keys(chosen).length) {
        list.textContent = "";
        status.textContent = "";
        return;
      }
      pagefind.search(term || null, { filters: chosen }).then(function (found) {
        return Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); })).then(function (data) {
          if (ticket !== latest) return;
          list.textContent = "";
          status.textContent = text("found").replace("{count}", String(found.results.length));
          data.forEach(function (item) {
            var li = doc.createElement("li");
            var a = doc.createElement("a");
            a.href = item.url;
            a.textContent = (item.meta && item.meta.title) || item.url;
            var p = doc.createElement("p");
            appendExcerpt(p, item.excerpt || "");
            li.appendChild(a);
            li.appendChild(p);
            list.appendChild(li);
          });
        });
      });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    input.addEventListener("input", run);
    box.setAttribute("data-search-ready", "");
    each(doc.querySelectorAll("[data-search-nojs]"), function (node) { node.hidden = true; });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      input.value = query;
      run();
    }
  }

  // ---- the verify page: a receipt checked against the petition's log ------------------------
  //
  // docs/transparency.md: the receipt petitio-receipt-v1:<slug>:<r> gives the commitment
  // SHA-256("petitio-receipt-v1\0" ‖ slug ‖ "\0" ‖ r); the page reads the log's checkpoint
  // (verified with the key the page carries, by the where-note reader's code above), every
  // entry bundle up to its size, recomputes the RFC 6962 root, and looks for the commitment.
  // Only the log's static files are fetched; the receipt leaves the page never.
  var ENTRY_SIGNATURE = 1;
  var ENTRY_WITHDRAWAL = 2;
  var TILE_WIDTH = 256;

  function sha256(bytes) {
    return window.crypto.subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); });
  }

  function concat(parts) {
    var length = parts.reduce(function (sum, p) { return sum + p.length; }, 0);
    var out = new Uint8Array(length);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  function hexBytes(hex) {
    return new Uint8Array(hex.match(/../g).map(function (h) { return parseInt(h, 16); }));
  }

  /** The commitment of a receipt (transparency.rs, `Commitment::of`). */
  function receiptCommitment(slug, secretHex) {
    return sha256(concat([utf8("petitio-receipt-v1\u0000" + slug + "\u0000"), hexBytes(secretHex)]));
  }

  /** A tile index in groups of three digits, all but the last prefixed with x (tlog-tiles). */
  function tileIndexPath(n) {
    var groups = [];
    do { groups.unshift(String(n % 1000).padStart(3, "0")); n = Math.floor(n / 1000); } while (n > 0);
    return groups.map(function (g, i) { return i < groups.length - 1 ? "x" + g : g; }).join("/");
  }

  /** RFC 6962's root of `leaves` (leaf hashes), SHA-256 of nothing for none. */
  function merkleRoot(leaves) {
    if (leaves.length === 0) return sha256(new Uint8Array(0));
    if (leaves.length === 1) return Promise.resolve(leaves[0]);
    var k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return Promise.all([merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k))]).then(function (halves) {
      return sha256(concat([new Uint8Array([1]), halves[0], halves[1]]));
    });
  }

  /** A failed check, named for the page: `kind` is a result code, `detail` says which check. */
  function verifyFailure(kind, detail) {
    var error = new Error(detail);
    error.verifyResult = kind;
    return error;
  }

  function fetchLog(url, what) {
    return fetch(url, { cache: "no-store", credentials: "omit" }).then(function (response) {
      if (!response.ok) throw verifyFailure("unreachable", what + ": HTTP " + response.status);
      return response;
    }, function () { throw verifyFailure("unreachable", what + ": no answer"); });
  }

  /** The entries of one bundle: each after a big-endian u16 length. */
  function bundleEntries(bytes, expected, name) {
    var entries = [];
    var at = 0;
    while (at < bytes.length) {
      if (at + 2 > bytes.length) throw verifyFailure("log_failed", name + " is truncated");
      var length = (bytes[at] << 8) | bytes[at + 1];
      if (at + 2 + length > bytes.length) throw verifyFailure("log_failed", name + " is truncated");
      entries.push(bytes.slice(at + 2, at + 2 + length));
      at += 2 + length;
    }
    if (entries.length !== expected) throw verifyFailure("log_failed", name + " holds " + entries.length + " entries, not " + expected);
    return entries;
  }

  /** The checkpoint's size and root once its signature and origin are checked. */
  function readCheckpoint(logUrl, key, slug) {
    return fetchLog(logUrl + "checkpoint", "the checkpoint").then(function (r) { return r.text(); }).then(function (signed) {
      return verifiedText(signed, key).then(function (text) {
        if (text === null) throw verifyFailure("log_failed", "the checkpoint's signature is not by " + key.name);
        var lines = text.split("\n");
        if (lines[0] !== key.name + "/" + slug) throw verifyFailure("log_failed", "the checkpoint names the log " + lines[0] + ", not " + key.name + "/" + slug);
        if (!/^(0|[1-9][0-9]{0,15})$/.test(lines[1] || "")) throw verifyFailure("log_failed", "the checkpoint's size is malformed");
        var root;
        try { root = base64Bytes(lines[2] || ""); } catch (e) { root = new Uint8Array(0); }
        if (root.length !== 32) throw verifyFailure("log_failed", "the checkpoint's root is malformed");
        return { size: Number(lines[1]), root: root };
      });
    });
  }

  /** Every entry of the log up to `size`, from its full and last partial entry bundles. */
  function readEntries(logUrl, size) {
    var bundles = [];
    for (var n = 0; n * TILE_WIDTH < size; n++) {
      var width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH);
      var path = "tile/entries/" + tileIndexPath(n) + (width < TILE_WIDTH ? ".p/" + width : "");
      bundles.push({ path: path, width: width });
    }
    return Promise.all(bundles.map(function (b) {
      return fetchLog(logUrl + b.path, b.path).then(function (r) { return r.arrayBuffer(); }).then(function (buffer) {
        return bundleEntries(new Uint8Array(buffer), b.width, b.path);
      });
    })).then(function (lists) { return [].concat.apply([], lists); });
  }

  /** What the log says of `commitment`: { result, index, bucket }. */
  function checkInclusion(logUrl, key, slug, commitment) {
    return readCheckpoint(logUrl, key, slug).then(function (checkpoint) {
      return readEntries(logUrl, checkpoint.size).then(function (entries) {
        return Promise.all(entries.map(function (e) { return sha256(concat([new Uint8Array([0]), e])); }))
          .then(merkleRoot).then(function (root) {
            if (!sameBytes(root, checkpoint.root)) throw verifyFailure("log_failed", "the entries do not make the checkpoint's root");
            var found = null;
            var withdrawn = false;
            entries.forEach(function (entry, index) {
              if (entry.length < 43 || !sameBytes(entry.slice(1, 33), commitment)) return;
              if (entry[0] === ENTRY_SIGNATURE && found === null) {
                var bucket = 0;
                for (var i = 33; i < 41; i++) bucket = bucket * 256 + entry[i];
                found = { index: index, bucket: bucket };
              } else if (entry[0] === ENTRY_WITHDRAWAL) withdrawn = true;
            });
            if (found === null) return { result: "not_in_log", size: checkpoint.size };
            return { result: withdrawn ? "withdrawn" : "included", index: found.index, bucket: found.bucket, size: checkpoint.size };
          });
      });
    });
  }

  function startVerify(section) {
    var slug = section.getAttribute("data-verify");
    var keyText = section.getAttribute("data-verify-key");
    var logUrl = section.getAttribute("data-verify-log");
    var form = section.querySelector("form#verify");
    if (!keyText || !logUrl || !form || !window.crypto || !window.crypto.subtle) return;
    var input = form.querySelector("textarea");
    var detail = section.querySelector("[data-verify-detail]");
    function show(code, text) {
      each(section.querySelectorAll("[data-verify-result]"), function (node) {
        node.hidden = node.getAttribute("data-verify-result") !== code;
      });
      section.setAttribute("data-verify-state", code);
      detail.textContent = text || "";
      detail.hidden = !text;
    }
    function check() {
      var receipt = input.value.trim();
      var parts = receipt.split(":");
      if (!RECEIPT.test(receipt) || parts[1] !== slug) return show("bad_receipt");
      show("checking");
      importVerifierKey(keyText).then(function (key) {
        return receiptCommitment(slug, parts[2]).then(function (commitment) {
          return checkInclusion(new URL(logUrl, window.location.href).href, key, slug, commitment);
        });
      }).then(function (found) {
        return messages().then(function (m) {
          var size = formatNumber(found.size, m);
          if (found.result === "not_in_log") return show("not_in_log", fill(text(m, "verify.size") || "Log size: {size}.", { size: size }));
          var minute = new Date(found.bucket * 60000).toISOString().slice(0, 16).replace("T", " ");
          show(found.result, fill(text(m, "verify.entry") || "Entry {index} of the log's {size}, counted in the minute of {minute} UTC.",
            { index: formatNumber(found.index, m), size: size, minute: minute }));
        });
      }).then(null, function (error) {
        show(error.verifyResult || "log_failed", error.message);
      });
    }
    var kept = remembered(slug);
    if (kept && kept.receipt) input.value = kept.receipt;
    form.hidden = false;
    each(section.querySelectorAll("[data-verify-nojs]"), function (node) { node.hidden = true; });
    form.addEventListener("submit", function (event) { event.preventDefault(); check(); });
    if (input.value) check();
  }

  // ---- start ---------------------------------------------------------------------------------

  var form = doc.querySelector("form#sign");
  if (form && deadlinePassed(form)) closeForm(form);
  else if (form) enhanceForm(form);
  each(doc.querySelectorAll("[data-copy-link]"), enhanceCopy);
  each(doc.querySelectorAll("form#confirm input[name=\"token\"]"), fillToken);
  each(doc.querySelectorAll("[data-signed]"), keepReceipt);
  each(doc.querySelectorAll("[data-verify]"), startVerify);
  var searchBox = doc.querySelector("[data-search]");
  if (searchBox) startSearch(searchBox);
  refreshCounts();
  messages().then(function (m) {
    showRedirectOutcome(m);
    var page = doc.querySelector("article.petition[data-petition]");
    if (page) showSignedNote(page.getAttribute("data-petition"), m);
  });
})();
