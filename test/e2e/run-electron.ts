// Runs the same end-to-end suite under @vscode/test-electron where VS Code can be downloaded (not on our CI
// machines: there, test/e2e/run-code-server.js). Usage: npm run build && node scripts/build-e2e.js &&
// node -r esbuild-register test/e2e/run-electron.ts

import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  await runTests({
    version: process.env.VSCODE_VERSION ?? '1.90.0',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'test/.build/e2e/index.js'),
    launchArgs: [path.join(root, 'test/e2e/workspace'), '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((e: unknown) => { console.error(`e2e (electron) failed: ${String(e)}`); process.exit(1); });
