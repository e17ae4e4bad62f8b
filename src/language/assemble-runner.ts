// Runs the guest assembler for the language server in a worker thread with a wall-clock bound, so a
// pathological document can never block or hang the server; falls back to in-process runs if no worker starts.

import * as fs from 'fs';
import * as path from 'path';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { assemble } from '../asm/index';
import type { AsmDiagnostic, AsmSymbol } from '../asm/index';

export interface AssembleRequest {
  source: string;
  /** Absolute file-system path of the document (relative .include is resolved against its folder). */
  fileName: string;
  /** Unsaved contents of other open documents, by absolute path. */
  overlays?: Record<string, string>;
}

export interface AssembleOutcome {
  diagnostics: AsmDiagnostic[];
  symbols: AsmSymbol[];
  bits: 32 | 64;
  /** The run was stopped by the time bound. */
  timedOut?: boolean;
}

const WORKER_ROLE = 'xen-asm-assembler';
/** Largest document we assemble (bigger ones get a single informational diagnostic). */
export const MAX_SOURCE_CHARS = 4_000_000;
const MAX_INCLUDE_BYTES = 4_000_000;

/** An included file from disk: absolute paths of regular files up to 4 MB only; never throws. */
export function readIncludeFile(p: string): string | undefined {
  if (!path.isAbsolute(p)) return undefined;
  try {
    const st = fs.statSync(p);
    if (!st.isFile() || st.size > MAX_INCLUDE_BYTES) return undefined;
    return fs.readFileSync(p, 'utf8');
  } catch { return undefined; }
}

/** The assembly itself: never throws, bounded statement count and parse time. */
export function assembleForEditor(req: AssembleRequest, timeLimitMs: number): AssembleOutcome {
  if (req.source.length > MAX_SOURCE_CHARS) {
    return { diagnostics: [{ file: req.fileName, line: 1, column: 1, severity: 'warning', message: `document too large to check (${req.source.length} characters)` }], symbols: [], bits: 64 };
  }
  const readFile = (p: string): string | undefined => req.overlays?.[p] ?? readIncludeFile(p);
  try {
    const r = assemble(req.source, { fileName: req.fileName, readFile, maxStatements: 200_000, timeLimitMs, debugInfo: false });
    return { diagnostics: r.diagnostics, symbols: r.symbols, bits: r.bits };
  } catch (e) {
    return { diagnostics: [{ file: req.fileName, line: 1, column: 1, severity: 'error', message: `assembler failed: ${e instanceof Error ? e.message : String(e)}` }], symbols: [], bits: 64 };
  }
}

// Worker side: the same module (or the bundle containing it) is the worker script.
if (!isMainThread && workerData && (workerData as { role?: string }).role === WORKER_ROLE && parentPort) {
  const port = parentPort;
  port.on('message', (msg: { id: number; req: AssembleRequest; timeLimitMs: number }) => {
    const out = assembleForEditor(msg.req, msg.timeLimitMs);
    port.postMessage({ id: msg.id, out });
  });
}

interface Pending { resolve: (o: AssembleOutcome) => void; timer: NodeJS.Timeout; req: AssembleRequest }

/** One worker at a time; a run exceeding `timeoutMs` terminates it (a fresh one starts on demand). */
export class AssemblerRunner {
  private worker?: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private workerBroken = false;

  /** `onFallback` hears once when no worker can run here and assembly moves into the calling thread. */
  constructor(private readonly timeoutMs = 4000, private readonly onFallback?: (why: string) => void) {}

  private broken(why: string): void {
    if (this.workerBroken) return;
    this.workerBroken = true;
    this.onFallback?.(why);
  }

  private startWorker(): Worker | undefined {
    if (this.workerBroken) return undefined;
    if (this.worker) return this.worker;
    try {
      const script = __filename;
      const execArgv = script.endsWith('.ts') ? ['-r', 'esbuild-register'] : [];
      const w = new Worker(script, { workerData: { role: WORKER_ROLE }, execArgv, stdout: true, stderr: true });
      w.unref();
      let replied = false;
      w.on('message', (m: { id: number; out: AssembleOutcome }) => {
        replied = true;
        const p = this.pending.get(m.id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(m.id);
        p.resolve(m.out);
      });
      // A worker that dies before its first answer cannot load here: assemble in-process from then on.
      w.on('error', () => this.failAll(w, 'assembler worker failed', !replied));
      w.on('exit', () => this.failAll(w, 'assembler worker exited', !replied));
      this.worker = w;
      return w;
    } catch (e) {
      this.broken(e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  private failAll(w: Worker, why: string, neverWorked: boolean): void {
    if (this.worker !== w) return; // terminated by us after a timeout
    this.worker = undefined;
    if (neverWorked) this.broken(why);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      if (neverWorked) { p.resolve(assembleForEditor(p.req, Math.min(this.timeoutMs, 2000))); continue; }
      p.resolve({ diagnostics: [{ file: p.req.fileName, line: 1, column: 1, severity: 'warning', message: why }], symbols: [], bits: 64 });
    }
  }

  run(req: AssembleRequest): Promise<AssembleOutcome> {
    const w = this.startWorker();
    if (!w) return Promise.resolve(assembleForEditor(req, Math.min(this.timeoutMs, 2000)));
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          diagnostics: [{ file: req.fileName, line: 1, column: 1, severity: 'warning', message: `assembly stopped after ${this.timeoutMs} ms (document too expensive to check as you type)` }],
          symbols: [], bits: 64, timedOut: true,
        });
        if (this.worker === w) this.worker = undefined;
        void w.terminate();
        // Requests queued behind the stopped one get a fresh worker.
        const rest = [...this.pending.entries()];
        this.pending.clear();
        for (const [, p] of rest) { clearTimeout(p.timer); void this.run(p.req).then(p.resolve); }
      }, this.timeoutMs);
      this.pending.set(id, { resolve, timer, req });
      // The parse phase has its own bound a little below ours.
      w.postMessage({ id, req, timeLimitMs: Math.max(200, this.timeoutMs - 500) });
    });
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    for (const [, p] of this.pending) clearTimeout(p.timer);
    this.pending.clear();
    if (w) void w.terminate();
  }
}
