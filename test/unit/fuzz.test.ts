// Fuzz test: seeded random bytes as code pages in 64-bit and 32-bit mode at CPL 0 and 3. run() must never throw,
// hang or stop with 'internal' (an emulator bug), and every exception must reach the host with a valid vector.
// Pages run in a worker thread so a hang (one run() call that does not return) is caught and diagnosed.

import * as assert from 'assert';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import { Prng } from '../diff/prng';
import { FUZZ_BUDGET, Failure, hexBytes } from '../diff/fuzz-page';

const SWEEP = process.env.DIFF_SWEEP === '1' || process.env.FUZZ_SWEEP === '1';
const PAGES_PER_CONFIG = SWEEP ? 1000 : 80;
const SEED = Number(process.env.FUZZ_SEED ?? 0xf022);
/** A page of 2000 instructions takes milliseconds; no progress for this long is a hang. */
const HANG_MS = 3000;
const WORKER = path.resolve(__dirname, '..', 'diff', 'fuzz-worker.ts');
const BOOT = `require('esbuild-register/dist/node').register({}); require(${JSON.stringify(WORKER)});`;

interface WorkerOutcome { pagesDone: number; hung: boolean; failures: (Failure & { page: number })[]; retired: number; slowest: number; vectors: [string, number][]; }

function runWorker(mode: 32 | 64, cpl: number, seeds: number[], diagnose: boolean, sab: SharedArrayBuffer): Promise<WorkerOutcome> {
  return new Promise((resolve, reject) => {
    const w = new Worker(BOOT, { eval: true, workerData: { mode, cpl, seeds, diagnose, sab } });
    const out: WorkerOutcome = { pagesDone: 0, hung: false, failures: [], retired: 0, slowest: 0, vectors: [] };
    let last = Date.now(), finished = false;
    const timer = setInterval(() => {
      if (Date.now() - last > HANG_MS && !finished) {
        finished = true; out.hung = true; clearInterval(timer);
        void w.terminate().then(() => resolve(out));
      }
    }, 100);
    w.on('message', (msg: { type: string; index: number; failures: Failure[]; retired: number; ms: number; vectors: [string, number][] }) => {
      last = Date.now();
      if (msg.type === 'page') {
        out.pagesDone = msg.index + 1; out.retired += msg.retired; out.slowest = Math.max(out.slowest, msg.ms);
        for (const f of msg.failures) out.failures.push({ ...f, page: msg.index });
      } else if (msg.type === 'done' && !finished) {
        finished = true; clearInterval(timer); out.vectors = msg.vectors;
        void w.terminate().then(() => resolve(out));
      }
    });
    w.on('error', (e) => { if (!finished) { finished = true; clearInterval(timer); reject(e); } });
  });
}

function disasm(mode: 32 | 64, bytes: Uint8Array, rip: number): string {
  const d = new Decoder(mode, bytes, DecoderOptions.None);
  d.ip = BigInt.asUintN(64, BigInt(rip));
  const i = d.decode();
  const f = new Formatter(FormatterSyntax.Gas);
  const s = f.format(i);
  i.free(); d.free(); f.free();
  return s;
}

describe('fuzz: random code pages', function () {
  this.timeout(SWEEP ? 3_600_000 : 120_000);
  for (const mode of [64, 32] as const) {
    for (const cpl of [0, 3]) {
      it(`${mode}-bit CPL${cpl}: ${PAGES_PER_CONFIG} pages x ${FUZZ_BUDGET} instructions: no throw, no hang, no internal stop, valid vectors`, async () => {
        const rng = new Prng(SEED + mode * 10 + cpl);
        const seeds = Array.from({ length: PAGES_PER_CONFIG }, () => rng.u32());
        const failures: (Failure & { page: number })[] = [];
        const vectors = new Map<string, number>();
        let retired = 0, slowest = 0, start = 0;
        while (start < seeds.length) {
          const sab = new SharedArrayBuffer(64);
          const r = await runWorker(mode, cpl, seeds.slice(start), false, sab);
          retired += r.retired; slowest = Math.max(slowest, r.slowest);
          for (const f of r.failures) failures.push({ ...f, page: f.page + start });
          for (const [k, n] of r.vectors) vectors.set(k, (vectors.get(k) ?? 0) + n);
          if (!r.hung) break;
          // Hang: replay that page single-stepping in a fresh worker; the trace holds the last instruction started.
          const page = start + r.pagesDone;
          const tsab = new SharedArrayBuffer(64);
          await runWorker(mode, cpl, [seeds[page]], true, tsab);
          const t = new Int32Array(tsab), f64 = new Float64Array(tsab, 32, 2);
          const bytes = new Uint8Array(tsab, 0, 16).slice();
          failures.push({
            page, what: `hang: no progress for ${HANG_MS} ms; stuck in '${disasm(mode, bytes, f64[0])}' at rip 0x${f64[0].toString(16)} (rcx was 0x${f64[1].toString(16)}; seed ${seeds[page]})`,
            bytes: hexBytes(bytes),
          });
          void t;
          start = page + 1;
        }
        const vec = [...vectors].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
        console.log(`    fuzz ${mode}-bit CPL${cpl}: ${retired} instructions retired, slowest page ${slowest} ms; exceptions: ${vec}`);
        for (const f of failures.slice(0, 10)) console.log(`    page ${f.page}: ${f.what}\n      bytes at rip: ${f.bytes}`);
        assert.strictEqual(failures.length, 0, `${failures.length} fuzz failures (first: ${failures[0]?.what.split('\n')[0]})`);
      });
    }
  }
});
