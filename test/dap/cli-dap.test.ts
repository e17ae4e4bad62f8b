// The CLI's `dap` subcommand module (src/cli/dap.ts): serves DAP over TCP with --port, rejects bad usage.

import * as assert from 'assert';
import { spawn } from 'child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { buildGuest, ROOT } from './fixtures';
import { launchStopped, ADAPTER } from './harness';
import { runDapCommand } from '../../src/cli/dap';

describe('CLI: dap subcommand', function () {
  this.timeout(20000);
  it('rejects bad usage with status 64', () => {
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      assert.strictEqual(runDapCommand(['--port', 'abc']), 64);
      assert.strictEqual(runDapCommand(['extra']), 64);
    } finally { process.stderr.write = write; }
  });

  it('dap --port 0 serves sessions over TCP', async () => {
    const code = "require('./src/cli/dap').runDapCommand(['--port', '0'])";
    const proc = spawn(process.execPath, ['-r', 'esbuild-register', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        proc.stderr!.on('data', (d: Buffer) => { err += d; const m = /listening on port (\d+)/.exec(err); if (m) resolve(Number(m[1])); });
        proc.on('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
      });
      const dc = new DebugClient('node', ADAPTER, 'xenpv');
      await dc.start(port);
      const ev = await launchStopped(dc, { program: buildGuest('prog64') });
      assert.strictEqual(ev.body.reason, 'entry');
      await dc.stop();
    } finally { proc.kill(); }
  });
});
