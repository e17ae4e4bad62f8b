// `xenpv dap [--port N]`: run the debug adapter over stdio, or as a TCP server (a session per connection).

import { installCrashGuard, parseServerPort, serveStdio, serveTcp } from '../debug/serve';

export const DAP_USAGE = `usage: xenpv dap [--port N]

  dap   serve the Debug Adapter Protocol: over stdin/stdout by default, or on TCP port N
        (127.0.0.1; 0 picks a free port, reported on stderr). Each connection is a new session.`;

/** Returns a promise that settles only if the server cannot start (stdio/server keep the process alive). */
export function runDapCommand(argv: string[]): number | Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(DAP_USAGE + '\n'); return 0; }
  let port: number | undefined;
  try {
    const extra = argv.filter((a, i) => !/^--(port|server)/.test(a) && !/^--(port|server)$/.test(argv[i - 1] ?? ''));
    if (extra.length) throw new Error(`unexpected argument '${extra[0]}'`);
    port = parseServerPort(argv);
  } catch (e) {
    process.stderr.write(`xenpv dap: ${(e as Error).message}\n${DAP_USAGE}\n`);
    return 64;
  }
  installCrashGuard();
  if (port === undefined) { serveStdio(); return new Promise<number>(() => {}); }
  return serveTcp(port).then(() => new Promise<number>(() => {}), (e) => {
    process.stderr.write(`xenpv dap: cannot listen on port ${port}: ${(e as Error).message}\n`);
    return 1;
  });
}
