// Bundles the end-to-end tests (test/e2e/suite/*.ts) for the extension host into test/.build/e2e/: one file
// per test plus index.js (mocha's entry); `vscode` and mocha stay external.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const suite = path.join(root, 'test/e2e/suite');
const outdir = path.join(root, 'test/.build/e2e');
const entries = fs.readdirSync(suite).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => path.join(suite, f));

(async () => {
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries, outdir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline',
    external: ['vscode', 'mocha', 'mocha/*'], logLevel: 'warning',
  });
  console.log(`built ${entries.length} e2e bundles into ${path.relative(root, outdir)}`);
})().catch((e) => { console.error(e.message); process.exit(1); });
