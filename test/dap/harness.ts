// DAP test harness: one standalone adapter (TS source via esbuild-register) serving TCP sessions for a
// test file, DebugClient per test, and small helpers for the request/event dance.

import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT } from './fixtures';

export const ADAPTER = path.join(ROOT, 'src/debug/adapter.ts');

export interface AdapterServer { port: number; proc: ChildProcess; stderr: () => string; stop(): void; }

/** Start `node -r esbuild-register src/debug/adapter.ts --server=0` and learn its port. */
export function startAdapterServer(): Promise<AdapterServer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-r', 'esbuild-register', ADAPTER, '--server=0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`adapter did not start: ${err}`)), 15000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on port (\d+)/.exec(err);
      if (m) { clearTimeout(timer); resolve({ port: Number(m[1]), proc, stderr: () => err, stop: () => proc.kill() }); }
    });
    proc.on('exit', (code) => reject(new Error(`adapter exited with ${code}: ${err}`)));
  });
}

export async function connect(server: AdapterServer): Promise<DebugClient> {
  const dc = new DebugClient('node', ADAPTER, 'xenpv');
  dc.defaultTimeout = 8000;
  await dc.start(server.port);
  return dc;
}

/** initialize + launch (+ configurationDone), waiting for the first stop when stopOnEntry. */
export async function launchStopped(dc: DebugClient, args: Record<string, unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([
    dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
    dc.launch({ stopOnEntry: true, ...args } as DebugProtocol.LaunchRequestArguments),
  ]);
  return stopped;
}

export async function topFrame(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames[0];
}

export async function pc(dc: DebugClient): Promise<number> {
  return parseInt((await topFrame(dc)).instructionPointerReference!, 16);
}

/** Send a request and wait for the next stop it causes. */
export async function untilStopped(dc: DebugClient, req: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await req();
  return stopped;
}

export async function variables(dc: DebugClient, ref: number): Promise<Map<string, DebugProtocol.Variable>> {
  const r = await dc.variablesRequest({ variablesReference: ref });
  return new Map(r.body.variables.map((v) => [v.name, v]));
}

/** Collect all output events of a category into a string accessor. */
export function collectOutput(dc: DebugClient, category?: string): () => string {
  let text = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => { if (!category || e.body.category === category) text += e.body.output; });
  return () => text;
}
