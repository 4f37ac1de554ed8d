// The dashboard's partial plotly.js: only the traces it draws — scattermap (the map, MapLibre), scatter (the kit
// chart; part of core) and bar (daily cycle, weekdays). The full bundle carries some 40 trace types more.
var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/scattermap'), require('plotly.js/lib/bar')]);

module.exports = Plotly;
