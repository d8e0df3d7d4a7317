// Progressive enhancement (no framework, no network): forms marked data-swap="ID" are
// submitted with fetch and only the element ID of the returned page replaces ours.
// Without JavaScript the same forms post normally and the server renders the whole page.
(function () {
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var id = form.getAttribute("data-swap");
    if (!id || !window.fetch || !window.DOMParser) return;
    ev.preventDefault();
    var target = document.getElementById(id);
    if (target) target.classList.add("busy");
    var method = (form.getAttribute("method") || "GET").toUpperCase();
    var body = new FormData(form);
    var url = form.getAttribute("action") || window.location.pathname;
    var opts = { method: method, credentials: "same-origin", headers: { "X-Swap": id } };
    if (method === "GET") {
      url += "?" + new URLSearchParams(body).toString();
    } else {
      opts.body = body;
    }
    fetch(url, opts).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById(id);
      if (fresh && target) { target.replaceWith(fresh); }
      else { document.open(); document.write(html); document.close(); }
      if (method === "GET") history.replaceState(null, "", url);
    }).catch(function () { form.submit(); });
  });
})();
