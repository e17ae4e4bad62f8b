// Benchmark entry (bundled to dist/bench.js; also `node -r esbuild-register src/bench/bench.ts`): runs each
// workload on the emulator with paging on (64-bit CPL3, 32-bit PAE CPL1), reports median MIPS over >= 5 runs
// after a warm-up, and compares with the same bytes run natively. Options: --runs N, --scale X, --only NAME, --json.
// `--only debugger` runs the debugger benchmarks instead (debugger.ts: launch, step latency, breakpoint overhead).

import { Instruction, Code } from 'iced-x86';
import { WORKLOADS, Workload } from './workloads';
import { makeBenchMachine, loadWorkload, resetForRun, STUB, CODE, DATA, BenchMachine } from './machine';
import { timeNative } from './native';
import { Asm } from './asm';
import { runDebuggerBench } from './debugger';

interface Row {
  workload: string; mode: string; emuMips: number | null; emuInsns: number; emuMs: number;
  nativeMips: number | null; slowdown: number | null; mbPerSec: number | null; note: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `mov edi, DATA; call CODE; ud2` at STUB: the ud2 ends the run with #UD, which BareOps reports. */
function stubBytes(bits: 32 | 64): Uint8Array {
  const a = new Asm(bits);
  a.i('Mov_r32_imm32', a.d(7), { imm: DATA });
  a.raw(() => Instruction.createBranch(bits === 64 ? Code.Call_rel32_64 : Code.Call_rel32_32, BigInt(CODE)));
  a.i('Ud2');
  // The call target is absolute (not a label): encode at the stub's real address. ud2 ends up at STUB + 10.
  return a.encode(STUB);
}

/** One emulator run; returns [instructions, ms] or an error string. */
function emuRun(m: BenchMachine): [number, number] | string {
  resetForRun(m);
  const before = m.cpu.icount;
  const t0 = process.hrtime.bigint();
  let reason = '';
  for (let k = 0; k < 100000; k++) {
    reason = m.cpu.run(50_000_000);
    if (reason !== 'budget') break;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const ex = m.ops.lastException;
  const ok = reason === 'exception' && ex !== null && ex.vector === 6 && ex.rip === STUB + 10 &&
    (m.cpu.lastUnimplemented === '' || m.cpu.lastUnimplemented === 'Ud2');
  if (!ok) {
    const at = ex ? ` vector ${ex.vector} at rip 0x${ex.rip.toString(16)}` : '';
    const un = m.cpu.lastUnimplemented ? ` (unimplemented ${m.cpu.lastUnimplemented})` : '';
    return `stopped: ${reason}${at}${un}${m.cpu.stopDetail ? ' ' + m.cpu.stopDetail.split('\n')[0] : ''}`;
  }
  m.cpu.lastUnimplemented = '';
  return [m.cpu.icount - before - 2, ms];
}

function benchOne(w: Workload, bits: 32 | 64, runs: number, scale: number): Row {
  const mode = bits === 64 ? '64-bit CPL3 4-level' : '32-bit CPL1 PAE';
  const code = w.build(bits, scale).encode(CODE);
  const m = makeBenchMachine(bits);
  loadWorkload(m, stubBytes(bits), code);
  const row: Row = { workload: w.name, mode, emuMips: null, emuInsns: 0, emuMs: 0, nativeMips: null, slowdown: null, mbPerSec: null, note: '' };
  const warm = emuRun(m);
  if (typeof warm === 'string') { row.note = `emulator ${warm}`; return row; }
  const times: number[] = [];
  let insns = warm[0];
  for (let r = 0; r < runs; r++) {
    const res = emuRun(m);
    if (typeof res === 'string') { row.note = `emulator ${res}`; return row; }
    insns = res[0]; times.push(res[1]);
  }
  const ms = median(times);
  row.emuInsns = insns; row.emuMs = ms;
  row.emuMips = insns / ms / 1000;
  if (w.bytesPerRun) row.mbPerSec = w.bytesPerRun(scale) / (ms / 1000) / 1e6;
  // Native runs are ~1000x shorter, hence noisier on a shared machine: take more of them (first one dropped as warm-up).
  const nat = timeNative(bits, w.build(bits, scale).encode(0), Math.max(runs + 1, 21));
  if (typeof nat === 'string') row.note = `native: ${nat}`;
  else {
    const nms = median(nat.slice(1)) / 1e6;
    row.nativeMips = insns / nms / 1000;
    row.slowdown = ms / nms;
  }
  return row;
}

function fmt(x: number | null, digits = 1): string { return x === null ? '-' : x.toFixed(digits); }

function main(argv: string[]): number {
  let runs = 7, scale = 1, only = '', json = false;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--runs') runs = Math.max(5, Number(argv[++k]));
    else if (a === '--scale') scale = Number(argv[++k]);
    else if (a === '--only') only = argv[++k];
    else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: bench [--runs N (>=5)] [--scale X] [--only WORKLOAD] [--json]');
      console.log(`workloads: ${WORKLOADS.map((w) => w.name).join(', ')}, debugger`);
      return 0;
    }
  }
  if (only === 'debugger') {
    runDebuggerBench({ runs, scale, json }).catch((e: Error) => { console.error(`debugger benchmark failed: ${e.stack ?? e.message}`); process.exitCode = 70; });
    return 0;
  }
  const rows: Row[] = [];
  for (const w of WORKLOADS) {
    if (only && w.name !== only) continue;
    for (const bits of [64, 32] as const) rows.push(benchOne(w, bits, runs, scale));
  }
  if (json) { console.log(JSON.stringify(rows, null, 2)); return 0; }
  console.log(`emulator benchmark: median of ${runs} runs after a warm-up; node ${process.version}`);
  const head = ['workload', 'mode', 'insns/run', 'emu ms', 'emu MIPS', 'native MIPS', 'slowdown', 'MB/s'];
  const body = rows.map((r) => [r.workload, r.mode, r.emuInsns ? String(r.emuInsns) : '-', fmt(r.emuMs), fmt(r.emuMips),
    fmt(r.nativeMips, 0), r.slowdown === null ? '-' : `${r.slowdown.toFixed(1)}x`, fmt(r.mbPerSec, 0)]);
  const width = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]): string => cells.map((c, k) => (k < 2 ? c.padEnd(width[k]) : c.padStart(width[k]))).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
  for (const r of rows) {
    if (r.slowdown !== null) console.log(`${r.workload} ${r.mode}: emulator is ${r.slowdown.toFixed(1)} x slower than native`);
    if (r.note) console.log(`${r.workload} ${r.mode}: ${r.note}`);
  }
  const intRows = rows.filter((r) => r.workload === 'int-loop' && r.emuMips !== null);
  if (intRows.length) {
    const worst = Math.min(...intRows.map((r) => r.emuMips as number));
    console.log(`integer workload: ${worst.toFixed(1)} MIPS (target >= 60 MIPS) ${worst >= 60 ? 'OK' : 'BELOW TARGET'}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
