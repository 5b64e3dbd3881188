// Petitio's one small script (loaded with defer; no framework, no inline code anywhere).
// It only reads the page's data- attributes and the per-language messages file named by
// <body data-i18n>, and shows the outcome a no-JS form post was redirected with:
//   /<lang>/petitions/<slug>/signed/?result=recorded|already_signed
//   /<lang>/petitions/<slug>/?result=<code>&field=<field>#sign
//   /<lang>/?result=petition_not_found
// In-place signing (fetch to data-api) is added by a later version.
(function () {
  "use strict";

  var params = new URLSearchParams(window.location.search);
  var result = params.get("result");
  if (!result) return;

  // The thank-you page: show the message for the result, hide the text covering both.
  var signed = document.querySelector("[data-signed]");
  if (signed) {
    var match = signed.querySelector('[data-result="' + CSS.escape(result) + '"]');
    var fallback = signed.querySelector("[data-result-default]");
    if (match && fallback) {
      match.hidden = false;
      fallback.hidden = true;
    }
    return;
  }

  // The petition's form, or (for a petition that does not exist) the home page's notice.
  var form = document.getElementById("sign");
  var area = document.getElementById("sign-result") || document.getElementById("page-result");
  if (!area) return;
  var field = params.get("field");

  function show(messages) {
    var text = (field && messages["field." + field]) || messages["result." + result] || messages["result.error"];
    if (!text) return;
    area.textContent = text;
    area.classList.add("is-error");
    area.hidden = false;
    if (field && form) {
      var input = form.querySelector('[name="' + CSS.escape(field) + '"]');
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    }
  }

  var url = document.body.getAttribute("data-i18n");
  if (!url) return;
  fetch(url, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : {}; })
    .then(show)
    .catch(function () { /* Without messages the generic notice in the form remains. */ });
})();
