// Worker-thread side of the fuzz test: runs fuzz pages and reports each one, so the main thread can kill
// a worker stuck inside one run() call (a hang) and single-step that page again to find the instruction.

import { parentPort, workerData } from 'worker_threads';
import { fuzzPage, FuzzOps } from './fuzz-page';

interface Job { mode: 32 | 64; cpl: number; seeds: number[]; diagnose: boolean; sab: SharedArrayBuffer; }

const job = workerData as Job;
const ops = new FuzzOps();
const trace = new Int32Array(job.sab);
if (job.diagnose) {
  // Before each step: rip (as a double split in two int32), rcx, and 16 instruction bytes.
  const f64 = new Float64Array(job.sab, 32, 2);
  fuzzPage(job.mode, job.cpl, job.seeds[0], ops, (rip, bytes, rcx) => {
    f64[0] = rip; f64[1] = rcx;
    for (let k = 0; k < 4; k++) trace[k] = bytes[4 * k] | (bytes[4 * k + 1] << 8) | (bytes[4 * k + 2] << 16) | (bytes[4 * k + 3] << 24);
  });
  parentPort?.postMessage({ type: 'done', vectors: [] });
} else {
  job.seeds.forEach((seed, index) => {
    const r = fuzzPage(job.mode, job.cpl, seed, ops);
    parentPort?.postMessage({ type: 'page', index, failures: r.failures, retired: r.retired, ms: r.ms });
  });
  parentPort?.postMessage({ type: 'done', vectors: [...ops.vectors] });
}
