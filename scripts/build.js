// Bundles the entry points with esbuild into dist/ (CLI now; extension, adapter and language server as they land).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const entries = [
  { in: 'src/cli/main.ts', out: 'dist/cli.js' },
  { in: 'src/bench/bench.ts', out: 'dist/bench.js' },
  { in: 'src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'src/debug/adapter.ts', out: 'dist/adapter.js' },
  { in: 'src/language/server.ts', out: 'dist/language-server.js' },
].filter((e) => fs.existsSync(path.join(root, e.in)));

(async () => {
  const t0 = Date.now();
  await Promise.all(entries.map((e) => esbuild.build({
    entryPoints: [path.join(root, e.in)],
    outfile: path.join(root, e.out),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: e.external || [],
    logLevel: 'warning',
  })));
  // iced-x86 loads its wasm next to its JS; the bundle inlines the JS, so ship the wasm beside the bundles.
  const wasm = path.join(root, 'node_modules/iced-x86/iced_x86_bg.wasm');
  if (fs.existsSync(wasm)) fs.copyFileSync(wasm, path.join(root, 'dist/iced_x86_bg.wasm'));
  console.log(`built ${entries.map((e) => e.out).join(', ')} in ${Date.now() - t0} ms`);
})().catch((e) => { console.error(e.message); process.exit(1); });
