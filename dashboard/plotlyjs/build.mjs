// Builds plotly-ijlucht.min.js from entry.js: `cd dashboard/plotlyjs && npm install && node build.mjs`.
// plotly.js must be the version plotly.py ships (python -c "import plotly.offline as o; print(o.get_plotlyjs_version())"),
// so the figures plotly.py writes are the ones this bundle draws. Settings follow plotly.js's own esbuild-config.js.
import { readFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';

// plotly.js requires MapLibre's stylesheet when it registers the map subplot: put it into the page from the bundle,
// as plotly.js's own build does, so no separate CSS file is needed.
const inlineCss = {
  name: 'inline-css',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const css = await readFile(args.path, 'utf8');
      const contents = `if (typeof document !== 'undefined') { const s = document.createElement('style');
        s.textContent = ${JSON.stringify(css)}; document.head.appendChild(s); }`;
      return { contents, loader: 'js' };
    });
  },
};

await esbuild.build({
  entryPoints: ['entry.js'],
  outfile: 'plotly-ijlucht.min.js',
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'Plotly',
  legalComments: 'inline',
  plugins: [inlineCss],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
  target: 'es2016',
  banner: { js: '/* IJlucht partial plotly.js 4.1.1 (scattermap, scatter, bar); plotly.js: MIT, (c) Plotly Technologies Inc.; MapLibre GL JS: BSD-3-Clause, (c) MapLibre contributors; see dashboard/plotlyjs/README.md */' },
});
