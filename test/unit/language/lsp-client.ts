// Test harness: a real LSP client (vscode-languageserver-protocol) talking JSON-RPC to the xen-asm server,
// either in-process over PassThrough streams or as a child process started with --stdio.

import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { PassThrough } from 'stream';
import {
  createProtocolConnection, ProtocolConnection, PublishDiagnosticsParams, StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
// The server side uses vscode-languageserver's own (3.18) jsonrpc classes.
import { createConnection, StreamMessageReader as StreamMessageReaderS, StreamMessageWriter as StreamMessageWriterS } from 'vscode-languageserver/node';
import { ServerHandle, startServer } from '../../../src/language/server';

export class LspClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  /** window/logMessage texts (the server logs handler failures it recovered from). */
  readonly logs: string[] = [];
  private waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private versions = new Map<string, number>();

  private constructor(readonly conn: ProtocolConnection, private readonly stop: () => void) {
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const l = this.diagnostics.get(p.uri) ?? [];
      l.push(p);
      this.diagnostics.set(p.uri, l);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || (w.version !== undefined && (p.version ?? -1) < w.version)) return true;
        w.resolve(p);
        return false;
      });
    });
    conn.onNotification('window/logMessage', (m: { message: string }) => { this.logs.push(m.message); });
    conn.onRequest('workspace/configuration', () => []);
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.listen();
  }

  /** Server in this process, connected through in-memory streams. */
  static async inProcess(initializationOptions: Record<string, unknown> = { diagnosticsDelay: 10 }): Promise<LspClient> {
    const toServer = new PassThrough(), toClient = new PassThrough();
    const serverConn = createConnection(new StreamMessageReaderS(toServer), new StreamMessageWriterS(toClient));
    const handle: ServerHandle = startServer(serverConn);
    const conn = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    const c = new LspClient(conn, () => { handle.dispose(); conn.dispose(); serverConn.dispose(); toServer.end(); toClient.end(); });
    await c.initialize(initializationOptions);
    return c;
  }

  /** Server as a child process: node -r esbuild-register src/language/server.ts --stdio. */
  static async spawned(initializationOptions: Record<string, unknown> = { diagnosticsDelay: 10 }): Promise<LspClient & { child: ChildProcess }> {
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, ['-r', 'esbuild-register', path.join(root, 'src/language/server.ts'), '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const c = new LspClient(conn, () => { conn.dispose(); child.kill(); }) as LspClient & { child: ChildProcess };
    c.child = child;
    await c.initialize(initializationOptions);
    return c;
  }

  private async initialize(initializationOptions: Record<string, unknown>): Promise<void> {
    await this.conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions });
    await this.conn.sendNotification('initialized', {});
  }

  /** Next diagnostics for uri (at least `version` when given). */
  nextDiagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const p = this.nextDiagnostics(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xen-asm', version: 1, text } });
    return p;
  }

  /** Replace the whole text (or apply one ranged edit) and return the version sent. */
  async change(uri: string, change: { text: string; range?: { start: { line: number; character: number }; end: { line: number; character: number } } }): Promise<number> {
    const v = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, v);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [change] });
    return v;
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  hover(uri: string, line: number, character: number): Promise<{ contents: { kind: string; value: string } } | null> {
    return this.request('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  async shutdown(): Promise<void> {
    try { await withTimeout(this.request('shutdown', null), 2000, 'shutdown'); } catch { /* already gone */ }
    this.stop();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms); }),
  ]);
}
