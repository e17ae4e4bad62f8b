// Standalone debug adapter entry: DAP over stdio by default, or a TCP server with `--server=PORT`
// (a session per connection; PORT 0 picks a free port and reports it on stderr).

import { installCrashGuard, parseServerPort, serveStdio, serveTcp } from './serve';

function main(): void {
  installCrashGuard();
  let port: number | undefined;
  try { port = parseServerPort(process.argv.slice(2)); } catch (e) {
    process.stderr.write(`xenpv adapter: ${(e as Error).message}\n`);
    process.exitCode = 64;
    return;
  }
  if (port === undefined) serveStdio();
  else serveTcp(port).catch((e) => { process.stderr.write(`xenpv adapter: cannot listen: ${(e as Error).message}\n`); process.exitCode = 1; });
}

main();
