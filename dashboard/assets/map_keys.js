// Every kit on the map reachable by keyboard, not only through the kit list. The map box (#map-keys) takes the
// focus with Tab; then the arrow keys move a focus ring to the nearest kit in that direction, N and P to the next
// and previous kit from west to east (so kits at one spot are reached too), Enter or Space opens the focused kit,
// Escape leaves. The focused kit's hover text is written under the map (#map-focus, aria-live): screen readers
// read it, and sighted keyboard users see it.
(function () {
  'use strict';
  var focusedId = null;  // kit id of the focused kit: indices change when kits come and go
  var DIRECTIONS = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]};

  function parts(box) {
    var gd = box.querySelector('#kit-map .js-plotly-plot');
    var map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot &&
      gd._fullLayout.map._subplot.map;
    var kits = gd && gd.data && gd.data[1];
    return map && kits && kits.lat && kits.lat.length ? {gd: gd, map: map, kits: kits} : null;
  }

  function kitId(kits, i) { return kits.customdata[i][0]; }

  function indexOf(kits, id) {
    for (var i = 0; i < kits.lat.length; i++) { if (kitId(kits, i) === id) { return i; } }
    return -1;
  }

  function pixel(p, i) { return p.map.project([p.kits.lon[i], p.kits.lat[i]]); }

  function nearestTo(p, from, direction, skip) {
    // The kit nearest to `from` (pixels), within about 63° of `direction` when one is given.
    var best = -1, bestScore = Infinity;
    for (var i = 0; i < p.kits.lat.length; i++) {
      if (i === skip || p.kits.lat[i] === null) { continue; }
      var q = pixel(p, i), dx = q.x - from.x, dy = q.y - from.y, score;
      if (direction) {
        var along = dx * direction[0] + dy * direction[1];
        var across = Math.abs(dx * direction[1] - dy * direction[0]);
        if (along <= 0 || across > 2 * along) { continue; }
        score = along + 2 * across;  // rather straight ahead than a little nearer to the side
      } else {
        score = dx * dx + dy * dy;
      }
      if (score < bestScore) { bestScore = score; best = i; }
    }
    return best;
  }

  function westToEast(p) {
    var order = [];
    for (var i = 0; i < p.kits.lat.length; i++) { order.push(i); }
    return order.sort(function (a, b) {
      return p.kits.lon[a] - p.kits.lon[b] || p.kits.lat[b] - p.kits.lat[a] || (kitId(p.kits, a) < kitId(p.kits, b) ? -1 : 1);
    });
  }

  function words(hover) {
    var el = document.createElement('div');
    el.innerHTML = String(hover).replace(/<br>/g, ' · ');  // plotly's pseudo-HTML; the text only is kept
    return el.textContent;
  }

  function show(box, p, i, scroll) {
    var ring = box.querySelector('#kit-focus'), said = document.getElementById('map-focus');
    if (i < 0) {
      ring.hidden = true;
      return;
    }
    var q = pixel(p, i), canvas = p.map.getCanvas().getBoundingClientRect(), rect = box.getBoundingClientRect();
    var inside = q.x > 20 && q.y > 20 && q.x < canvas.width - 20 && q.y < canvas.height - 20;
    if (!inside && scroll) {  // bring it into view through plotly, so the layout (and the link) follow
      window.Plotly.relayout(p.gd, {'map.center': {lat: p.kits.lat[i], lon: p.kits.lon[i]}}).then(function () {
        show(box, p, i, false);
        said.textContent = words(p.kits.hovertext[i]);  // the kit reached is read out after the move as well
      });
      return;
    }
    ring.style.left = (canvas.left - rect.left + q.x) + 'px';
    ring.style.top = (canvas.top - rect.top + q.y) + 'px';
    ring.hidden = false;
    if (scroll) { said.textContent = words(p.kits.hovertext[i]); }
  }

  function follow(box, p) {
    // Keep the ring on its kit while the map moves or zooms.
    if (p.map._ijluchtKeys) { return; }
    p.map._ijluchtKeys = true;
    p.map.on('move', function () {
      var now = parts(box), i = now && focusedId ? indexOf(now.kits, focusedId) : -1;
      if (now && document.activeElement === box) { show(box, now, i, false); }
    });
  }

  document.addEventListener('keydown', function (e) {
    var box = e.target;
    if (!box || box.id !== 'map-keys' || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var p = parts(box);
    if (!p) { return; }
    follow(box, p);
    var i = focusedId ? indexOf(p.kits, focusedId) : -1, next = -1, key = e.key;
    var canvas = p.map.getCanvas().getBoundingClientRect();
    if (DIRECTIONS[key]) {
      next = i < 0 ? nearestTo(p, {x: canvas.width / 2, y: canvas.height / 2}, null, -1)
        : nearestTo(p, pixel(p, i), DIRECTIONS[key], i);
      if (next < 0) { next = i; }  // nothing further that way: stay
    } else if (key === 'n' || key === 'N' || key === 'p' || key === 'P') {
      var order = westToEast(p), at = order.indexOf(i), step = key.toLowerCase() === 'n' ? 1 : -1;
      next = order[(at < 0 ? (step > 0 ? 0 : order.length - 1) : (at + step + order.length) % order.length)];
    } else if ((key === 'Enter' || key === ' ') && i >= 0) {
      e.preventDefault();
      window.dash_clientside.set_props('selected-kit', {data: {kit_id: kitId(p.kits, i), name: p.kits.customdata[i][1]}});
      return;
    } else if (key === 'Escape') {
      focusedId = null;
      show(box, p, -1, false);
      document.getElementById('map-focus').textContent = '';
      return;
    } else {
      return;
    }
    e.preventDefault();
    focusedId = kitId(p.kits, next);
    show(box, p, next, true);
  });

  document.addEventListener('focusin', function (e) {
    if (!e.target || e.target.id !== 'map-keys') { return; }
    var p = parts(e.target), i = p && focusedId ? indexOf(p.kits, focusedId) : -1;
    if (i >= 0) {
      show(e.target, p, i, false);
    } else {  // say how it works
      document.getElementById('map-focus').textContent = e.target.getAttribute('aria-label');
    }
  });
  document.addEventListener('focusout', function (e) {
    if (e.target && e.target.id === 'map-keys') {
      var ring = document.getElementById('kit-focus');
      if (ring) { ring.hidden = true; }
    }
  });
})();
