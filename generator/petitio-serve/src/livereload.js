// petitio serve: reloads the page when the site has been rebuilt (or a rebuild failed,
// so the page shows the error). Served as a file because the site's CSP forbids inline
// scripts; added to every page only by `petitio serve`, never by `petitio build`.
new EventSource("/_petitio/livereload").addEventListener("reload", () => location.reload());
