// The first view (dashboard/first_view.py). plotly.js draws the map from the figure the server put in the page,
// and only then do Dash's scripts run (they were fetched meanwhile); once Dash has drawn its own map, the first
// view hands over — the reader's pan, zoom and clicked kit go along — and is removed.
(function () {
  'use strict';
  var started = false, moved = null, picked = null;

  function runScripts() {
    // Dash's scripts, in their order (async = false keeps it), then the renderer's start.
    if (started) { return; }
    started = true;
    var last = null;
    document.querySelectorAll('script[data-src]').forEach(function (holder) {
      var s = document.createElement('script');
      s.src = holder.getAttribute('data-src');
      s.async = false;
      document.body.appendChild(s);
      last = s;
    });
    function boot() {
      var s = document.createElement('script');
      s.textContent = document.getElementById('_dash-renderer').textContent;
      document.body.appendChild(s);
      if (document.getElementById('first-view')) { waitForDashMap(Date.now()); }
    }
    if (last) {
      last.addEventListener('load', boot);
      last.addEventListener('error', boot);
    } else {
      boot();
    }
  }

  function dashMapDrawn() {
    var gd = document.querySelector('#kit-map .js-plotly-plot');
    if (!gd || !gd._fullLayout) { return null; }
    var map = gd._fullLayout.map && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;
    return !gd._fullLayout.map || (map && map.loaded()) ? gd : null;  // an empty figure (API down): at once
  }

  function waitForDashMap(since) {
    var gd = dashMapDrawn();
    if (gd || Date.now() - since > 20000) { handOver(gd); } else { setTimeout(waitForDashMap, 50, since); }
  }

  function handOver(gd) {
    if (gd && moved) { window.Plotly.relayout(gd, {'map.center': moved.center, 'map.zoom': moved.zoom}); }
    if (picked && window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props('selected-kit', {data: picked});
    }
    document.documentElement.classList.remove('first-view-pending');
    var first = document.getElementById('first-map');
    if (first && window.Plotly) { window.Plotly.purge(first); }  // frees its WebGL context
    document.getElementById('first-view').remove();
  }

  var holder = document.getElementById('first-map-figure');
  var div = document.getElementById('first-map');
  if (!holder || !div || !window.Plotly) { runScripts(); return; }
  var figure = JSON.parse(holder.textContent);
  setTimeout(runScripts, 4000);  // whatever happens to the first view, the page starts
  window.Plotly.newPlot(div, figure.data, figure.layout, figure.config).then(function () {
    div.on('plotly_relayout', function () {
      var m = div._fullLayout.map;
      moved = {center: {lat: m.center.lat, lon: m.center.lon}, zoom: m.zoom};
    });
    div.on('plotly_click', function (e) {
      var c = e.points && e.points[0] && e.points[0].customdata;
      if (c) { picked = {kit_id: c[0], name: c[1] || c[0]}; }
    });
    // Two frames: the markers are on screen before Dash's scripts take the main thread.
    requestAnimationFrame(function () { requestAnimationFrame(runScripts); });
  }, runScripts);
})();
