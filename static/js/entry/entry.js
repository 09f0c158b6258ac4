/* Quarter entry form: validation as the user types (the server checks everything again),
   and Enter moves to the next field instead of submitting. No inline script: CSP-safe. */
(function () {
  "use strict";

  var form = document.getElementById("entry-form");
  if (!form) { return; }
  var factor = parseFloat(form.dataset.outlierFactor || "2");
  var lang = document.documentElement.lang || "es";
  var T = {
    es: {
      invalid: "no es un número", ambiguous: "¿Quiso decir", or: "o", share: "Debe estar entre 0 y 100.",
      outlier: "Cambia más de ×" + factor + " respecto al periodo anterior: explíquelo en el comentario.",
      range: "Fuera del rango esperado: revíselo.", whole: "Un conteo es un número entero.",
      mismatch: "Desagregación incompleta: las partes suman", total: "el total es", missing: "Desagregación incompleta: faltan partes.",
      shareMismatch: "El porcentaje no coincide con mujeres ÷ total:",
      numNegative: "El numerador no puede ser negativo.", denPositive: "El denominador debe ser mayor que cero.",
      ratioWhole: "El numerador y el denominador de un conteo son números enteros.",
      numerators: "numeradores", denominators: "denominadores"
    },
    en: {
      invalid: "is not a number", ambiguous: "Did you mean", or: "or", share: "Must be between 0 and 100.",
      outlier: "Moves more than ×" + factor + " from last period: explain it in the comment.",
      range: "Outside the expected range: check it.", whole: "A count is a whole number.",
      mismatch: "Incomplete disaggregation: the parts add up to", total: "the total is", missing: "Incomplete disaggregation: parts missing.",
      shareMismatch: "The share does not match women ÷ total:",
      numNegative: "The numerator cannot be negative.", denPositive: "The denominator must be greater than zero.",
      ratioWhole: "The numerator and the denominator of a count are whole numbers.",
      numerators: "numerators", denominators: "denominators"
    }
  }[lang.slice(0, 2)] || null;
  if (!T) { T = { }; }

  /* Port of indicators/numbers.py: returns {value}, {ambiguous: {",": n, ".": n}} or {error}. */
  function parseNumber(text, mark) {
    var s = (text || "").trim().replace(/%$/, "").replace(/[\s\u00a0]/g, "");
    if (s === "") { return { empty: true }; }
    if (s.indexOf("'") >= 0) {
      var rest = s.replace(/'/g, "");
      var th = ",";
      if (rest.indexOf(",") >= 0 && rest.indexOf(".") >= 0) { th = rest.lastIndexOf(",") < rest.lastIndexOf(".") ? "," : "."; }
      else if (rest.indexOf(",") >= 0) { th = "."; }
      s = s.replace(/'/g, th);
    }
    if (!/^[+-]?[0-9.,]+$/.test(s) || !/[0-9]/.test(s)) { return { error: true }; }
    var neg = s[0] === "-";
    if (s[0] === "-" || s[0] === "+") { s = s.slice(1); }
    function grouped(intPart, sep) {
      if (intPart.indexOf(sep) < 0) { return intPart; }
      var g = intPart.split(sep);
      if (!g[0] || g[0].length > 3) { return null; }
      for (var i = 1; i < g.length; i++) { if (g[i].length !== 3) { return null; } }
      return g.join("");
    }
    function withMark(body, m) {
      var other = m === "," ? "." : ",";
      var parts = body.split(m);
      if (parts.length > 2) { return null; }
      var intPart = parts[0], frac = parts.length === 2 ? parts[1] : "";
      if (parts.length === 2 && frac === "") { return null; }
      if (frac.indexOf(other) >= 0) { return null; }
      var digits = intPart ? grouped(intPart, other) : "0";
      if (digits === null || !/^[0-9]*$/.test(digits) || !/^[0-9]*$/.test(frac)) { return null; }
      return parseFloat(digits + (frac ? "." + frac : ""));
    }
    var hasC = s.indexOf(",") >= 0, hasP = s.indexOf(".") >= 0, v = null;
    if (hasC && hasP) {
      var m = s.lastIndexOf(",") > s.lastIndexOf(".") ? "," : ".";
      if (mark && mark !== m) { return { error: true }; }
      v = withMark(s, m);
    } else if (hasC || hasP) {
      var sep = hasC ? "," : ".";
      var pieces = s.split(sep);
      if (pieces.length > 2) {
        if (mark === sep) { return { error: true }; }
        var d = grouped(s, sep);
        v = d === null ? null : parseFloat(d);
      } else {
        var ip = pieces[0], fr = pieces[1];
        var couldBeThousands = fr.length === 3 && ip.length >= 1 && ip.length <= 3 && ip[0] !== "0";
        if (!couldBeThousands) {
          if (mark && mark !== sep) { return { error: true }; }
          v = withMark(s, sep);
        } else if (!mark) {
          var amb = {};
          amb[sep] = parseFloat(ip + "." + fr) * (neg ? -1 : 1);
          amb[sep === "," ? "." : ","] = parseFloat(ip + fr) * (neg ? -1 : 1);
          return { ambiguous: amb };
        } else {
          v = mark === sep ? parseFloat(ip + "." + fr) : parseFloat(ip + fr);
        }
      }
    } else {
      v = parseFloat(s);
    }
    if (v === null || isNaN(v)) { return { error: true }; }
    return { value: neg ? -v : v };
  }

  function markInput(input) {
    var cell = input.closest("td");
    return cell ? cell.querySelector('input[type=hidden][name$="_mark"]') : null;
  }

  function say(input, items) {
    var box = input.closest("td").querySelector(".live-msg");
    if (!box) { return; }
    box.textContent = "";
    items.forEach(function (item) {
      if (item.node) { box.appendChild(item.node); return; }
      var p = document.createElement("div");
      p.className = item.level;
      p.textContent = item.text;
      box.appendChild(p);
    });
  }

  function chosenMark(input) {
    var hidden = markInput(input);
    if (hidden) { return hidden.value; }
    var radio = input.closest("td").querySelector('input[type=radio][name$="_mark"]:checked');
    return radio ? radio.value : "";
  }

  function readInput(input) {
    return parseNumber(input.value, chosenMark(input));
  }

  function checkRow(row) {
    var article = row.closest(".entry-indicator");
    var unit = article.dataset.unit;
    var value = row.querySelector('input.num-input:not(.share-input):not(.ratio-input)');
    var share = row.querySelector('input.share-input');
    var num = row.querySelector("input.ratio-num"), den = row.querySelector("input.ratio-den");
    var comment = row.querySelector("textarea.comment");
    var isCount = unit === "count" || unit === "count_share";
    [value, share, num, den].forEach(function (input) {
      if (!input) { return; }
      var r = readInput(input), msgs = [];
      input.classList.remove("is-invalid", "is-warning");
      if (r.error) {
        msgs.push({ level: "bad", text: "“" + input.value + "” " + T.invalid });
        input.classList.add("is-invalid");
      } else if (r.ambiguous) {
        input.classList.add("is-warning");
        var wrap = document.createElement("div");
        wrap.className = "warn";
        wrap.appendChild(document.createTextNode(T.ambiguous + " "));
        Object.keys(r.ambiguous).forEach(function (m, i) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "mark-button";
          b.dataset.mark = m;
          b.textContent = String(r.ambiguous[m]);
          b.addEventListener("click", function () {
            var hidden = markInput(input);
            if (hidden) { hidden.value = m; }
            var radio = input.closest("td").querySelector('input[type=radio][name$="_mark"][value="' + m + '"]');
            if (radio) { radio.checked = true; }
            checkRow(row);
            input.focus();
          });
          if (i === 1) { wrap.appendChild(document.createTextNode(" " + T.or + " ")); }
          wrap.appendChild(b);
        });
        wrap.appendChild(document.createTextNode("?"));
        msgs.push({ node: wrap });
      } else if (!r.empty) {
        var n = r.value;
        // Only shares are bounded: a percentage value may pass 100 (116 % growth) or go below 0.
        var isShare = input === share;
        if (isShare && (n < 0 || n > 100)) { msgs.push({ level: "bad", text: T.share }); input.classList.add("is-invalid"); }
        if (input === value && isCount && Math.floor(n) !== n) {
          msgs.push({ level: "bad", text: T.whole }); input.classList.add("is-invalid");
        }
        if (input === num && n < 0) { msgs.push({ level: "bad", text: T.numNegative }); input.classList.add("is-invalid"); }
        if (input === den && n <= 0) { msgs.push({ level: "bad", text: T.denPositive }); input.classList.add("is-invalid"); }
        if ((input === num || input === den) && isCount && Math.floor(n) !== n) {
          msgs.push({ level: "bad", text: T.ratioWhole }); input.classList.add("is-invalid");
        }
        if (input === value) {
          var prev = parseFloat(row.dataset.previous);
          var outlier = !isNaN(prev) && prev !== 0 && factor > 1 && (n / prev > factor || n / prev < 1 / factor);
          if (comment) { comment.classList.toggle("needs-comment", outlier && comment.value.trim() === ""); }
          if (outlier) { msgs.push({ level: "warn", text: T.outlier }); input.classList.add("is-warning"); }
          var lo = parseFloat(article.dataset.min), hi = parseFloat(article.dataset.max);
          if (row.dataset.part === "total" && ((!isNaN(lo) && n < lo) || (!isNaN(hi) && n > hi))) {
            msgs.push({ level: "warn", text: T.range }); input.classList.add("is-warning");
          }
        }
      }
      say(input, msgs);
    });
    if (num && den) { showRatioShare(row, article, comment); }
    checkDisaggregation(article);
  }

  /* A ratio row's share, 100 × numerator ÷ denominator, as the server will compute it (never typed). */
  function showRatioShare(row, article, comment) {
    var cell = row.querySelector("td.ratio-share");
    if (!cell) { return; }
    var out = cell.querySelector("output"), box = cell.querySelector(".live-msg");
    var figures = figuresOf(row);
    var msgs = [];
    if (figures[0] === null || figures[1] === null || !(figures[1] > 0) || figures[0] < 0) {
      out.textContent = "";
    } else {
      var n = 100 * figures[0] / figures[1];
      // Two decimals at most, as the server prints a percentage (cse_monitor.lib.formatting.percent_value).
      out.textContent = String(Math.round(n * 100) / 100) + "%";
      var prev = parseFloat(row.dataset.previous);
      var outlier = !isNaN(prev) && prev !== 0 && factor > 1 && (n / prev > factor || n / prev < 1 / factor);
      if (comment) { comment.classList.toggle("needs-comment", outlier && comment.value.trim() === ""); }
      if (outlier) { msgs.push(T.outlier); }
      var lo = parseFloat(article.dataset.min), hi = parseFloat(article.dataset.max);
      if (row.dataset.part === "total" && ((!isNaN(lo) && n < lo) || (!isNaN(hi) && n > hi))) { msgs.push(T.range); }
    }
    if (box) {
      box.textContent = "";
      msgs.forEach(function (text) {
        var p = document.createElement("div");
        p.className = "warn";
        p.textContent = text;
        box.appendChild(p);
      });
    }
  }

  function numberIn(input) {
    if (!input) { return undefined; }
    var r = readInput(input);
    return r.value === undefined ? null : r.value;
  }

  function numberOf(row) {
    return numberIn(row.querySelector('input.num-input:not(.share-input):not(.ratio-input)'));
  }

  /* What a row's disaggregation is checked on: [value], or a ratio's [numerator, denominator]. */
  function figuresOf(row) {
    if (row.querySelector("input.ratio-input")) {
      return [numberIn(row.querySelector("input.ratio-num")), numberIn(row.querySelector("input.ratio-den"))];
    }
    return [numberOf(row)];
  }

  function checkDisaggregation(article) {
    var box = article.querySelector(".disaggregation-live");
    var ratio = article.dataset.ratio === "1";
    if (!box || (article.dataset.unit === "percentage" && !ratio)) { return; }
    var total = article.querySelector("tr.entry-row.is-total");
    if (!total || figuresOf(total)[0] === undefined) { return; }
    var texts = [];
    var names = ratio ? [T.numerators, T.denominators] : [""];
    ["chain", "region", "sex"].forEach(function (part) {
      var rows = article.querySelectorAll('tr.entry-row[data-part="' + part + '"]');
      if (!rows.length) { return; }
      var figures = Array.prototype.map.call(rows, figuresOf);
      var totals = figuresOf(total);
      var allEmpty = function (list) { return list.every(function (v) { return v === null; }); };
      if (allEmpty(totals) && figures.every(allEmpty)) { return; }
      var missing = false;
      names.forEach(function (name, i) {
        var values = figures.map(function (f) { return f[i]; });
        if (values.some(function (v) { return v === null || v === undefined; })) { missing = true; return; }
        var sum = values.reduce(function (a, b) { return a + b; }, 0), t = totals[i];
        if (t !== null && Math.abs(sum - t) > 1e-9) {
          texts.push(T.mismatch + " " + sum + ", " + T.total + " " + t + (name ? " (" + name + ")" : "") + ".");
        }
      });
      if (missing && texts.indexOf(T.missing) < 0) { texts.push(T.missing); }
    });
    if (article.dataset.unit === "count_share") {
      var women = article.querySelector('tr.entry-row[data-sex="F"]');
      var shareInput = total.querySelector("input.share-input");
      var t2 = numberOf(total), w = women ? numberOf(women) : null;
      var sh = shareInput ? readInput(shareInput).value : undefined;
      if (t2 && w !== null && w !== undefined && sh !== undefined) {
        var derived = 100 * w / t2;
        if (Math.abs(derived - sh) > 1) { texts.push(T.shareMismatch + " " + derived.toFixed(1) + " %."); }
      }
    }
    var saved = article.querySelector(".disaggregation-flag");
    if (saved) { saved.hidden = true; }  // the live check replaces the one computed from saved values
    box.hidden = texts.length === 0;
    box.textContent = texts.length ? "⚠ " + texts.join(" ") : "";
  }

  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.classList.contains("num-input")) {
      var hidden = markInput(target);
      if (hidden) { hidden.value = ""; }  // a new text is a new question
      checkRow(target.closest("tr"));
    } else if (target.classList.contains("comment") || target.classList.contains("share-input")) {
      checkRow(target.closest("tr"));
    }
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList.contains("nodata-box")) {
      var row = target.closest("tr");
      row.querySelectorAll("input.num-input").forEach(function (input) {
        input.disabled = target.checked;
      });
      var reason = row.querySelector(".nodata-reason");
      if (reason) {
        reason.hidden = !target.checked;
        if (target.checked) { reason.focus(); }
      }
    }
  });

  /* Enter moves to the next field (never submits); Shift+Enter in a comment adds a new line. */
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    var target = event.target;
    if (target.tagName === "BUTTON" || (target.tagName === "TEXTAREA" && event.shiftKey)) { return; }
    event.preventDefault();
    var fields = Array.prototype.filter.call(
      form.querySelectorAll("input:not([type=hidden]):not([disabled]), textarea, select"),
      function (el) { return el.offsetParent !== null; }
    );
    var i = fields.indexOf(target);
    if (i >= 0 && i + 1 < fields.length) { fields[i + 1].focus(); }
  });

  document.querySelectorAll("#entry-form tr.entry-row").forEach(function (row) {
    var box = row.querySelector(".nodata-box");
    if (box && box.checked) {
      row.querySelectorAll("input.num-input").forEach(function (input) { input.disabled = true; });
    }
    var reason = row.querySelector(".nodata-reason");
    if (box && reason && !box.checked && !reason.value) { reason.hidden = true; }
    checkRow(row);
  });
})();
