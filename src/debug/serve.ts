// Transports for the debug adapter: one session over stdio, or a TCP server with a session per connection.
// Shared by the standalone entry (adapter.ts) and the CLI's `dap` subcommand.

import * as net from 'net';
import { XenDebugSession } from './session';

/** Serve one session over stdin/stdout (nothing else may write to stdout). */
export function serveStdio(): XenDebugSession {
  const session = new XenDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
  return session;
}

/** Listen on port (0 = any free port); resolves with the server once listening. */
export function serveTcp(port: number, host = '127.0.0.1', log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      const session = new XenDebugSession();
      session.setRunAsServer(true);
      socket.on('error', () => socket.destroy());
      session.start(socket, socket);
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      log(`xenpv debug adapter listening on port ${actual}`);
      resolve(server);
    });
  });
}

/** Keep the adapter alive on stray errors: report them on stderr (never stdout, which carries DAP). */
export function installCrashGuard(): void {
  process.on('uncaughtException', (e) => process.stderr.write(`xenpv adapter: uncaught ${e && (e as Error).stack ? (e as Error).stack : String(e)}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`xenpv adapter: unhandled rejection ${String(e)}\n`));
}

/** Parse adapter arguments: --server=PORT / --server PORT / --port N; returns the port or undefined for stdio. */
export function parseServerPort(argv: string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(server|port)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    const v = m[2] ?? argv[++i];
    if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--${m[1]} needs a port number 0..65535, got ${v ?? 'nothing'}`);
    return Number(v);
  }
  return undefined;
}
