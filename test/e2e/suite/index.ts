// Mocha entry for tests inside a real VS Code extension host (code-server here, @vscode/test-electron elsewhere):
// VS Code calls run() after loading the extension under development; every *.test.js next to this file runs.

import * as fs from 'fs';
import * as path from 'path';

interface MochaLike {
  addFile(f: string): void;
  run(done: (failures: number) => void): void;
}
type MochaCtor = new (opts: Record<string, unknown>) => MochaLike;

export function run(): Promise<void> {
  // mocha 12's package entry is ESM; its CommonJS build loads with require in every extension host
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Mocha = require('mocha/lib/mocha.cjs') as MochaCtor;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const only = process.env.XENPV_E2E_GREP;
  for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) {
    if (!only || f.includes(only)) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} end-to-end test(s) failed`)) : resolve()));
  });
}
