// Instruction fetch, the per-frame decode cache and the step loop. Straight-line code follows cached
// `next` links without touching the TLB; CPU faults are caught here, once, and handed to the host.

import type { Cpu } from './cpu';
import type { Insn } from './decoder/insn';
import { decode } from './decoder/decode';
import { CpuFault, GP, DB, PF } from './fault';
import { ACC_EXEC } from './mmu/paging';
import { CS } from './state';
import { F_TF } from './flags';
import { WATCH_TRAP } from './watch';

/** Why run() returned. Hosts add their own reasons (e.g. 'hypercall', 'shutdown'). */
export type StopReason = string;

const fetchBuf = new Uint8Array(16);

/** Linear address of the current RIP (CS base applied, limit/canonical checked). */
export function ripLinear(cpu: Cpu): number {
  const rip = cpu.rip;
  if (cpu.mode === 64) {
    if (rip < -0x800000000000 || rip >= 0x800000000000) throw new CpuFault(GP, 0);
    return rip;
  }
  if (rip > cpu.segLimit[CS]) throw new CpuFault(GP, 0);
  return (cpu.segBase[CS] + rip) >>> 0;
}

/** The decoded instruction at RIP: from the cache, else decoded (and cached when it lies within one frame). */
export function fetchInsn(cpu: Cpu): Insn {
  const lin = ripLinear(cpu);
  const vpn = Math.floor(lin / 4096), k = vpn & 4095, off = lin & 0xfff;
  const frameAddr = cpu.tagX[k] === vpn ? cpu.tphys[k] : cpu.translate(lin, ACC_EXEC) - off;
  const frame = frameAddr / 4096;
  const page = cpu.codeCache[frame];
  if (page !== undefined) {
    const insn = page[off];
    if (insn !== undefined && insn.mode === cpu.mode) { cpu.fetchPa = frameAddr + off; return insn; }
  }
  return decodeAt(cpu, lin, frameAddr + off, frame, off);
}

function decodeAt(cpu: Cpu, lin: number, pa: number, frame: number, off: number): Insn {
  const mem = cpu.mem;
  const first = Math.min(15, 4096 - off);
  for (let b = 0; b < first; b++) fetchBuf[b] = mem.read8(pa + b);
  let insn = decode(fetchBuf, first, cpu.mode);
  let crosses = false;
  if (insn === null) {
    // The instruction continues on the next page: its translation may fault with that page's address.
    const next = cpu.mode === 64 ? lin + first : (lin + first) >>> 0;
    const pa2 = cpu.translate(next, ACC_EXEC);
    for (let b = first; b < 15; b++) fetchBuf[b] = mem.read8(pa2 + b - first);
    insn = decode(fetchBuf, 15, cpu.mode);
    crosses = true;
    if (insn === null) throw new CpuFault(GP, 0);
  }
  if (cpu.mode !== 64 && cpu.rip + insn.len - 1 > cpu.segLimit[CS]) throw new CpuFault(GP, 0);
  insn.stop = cpu.breakpoints.size > 0 && cpu.breakpoints.has(lin);
  cpu.fetchPa = pa;
  if (!crosses && frame < mem.frames) {
    let page = cpu.codeCache[frame];
    if (page === undefined) { page = new Array<Insn>(4096); cpu.codeCache[frame] = page; }
    page[off] = insn;
    insn.pa = pa;
    let cover = cpu.codeBytes[frame];
    if (cover === undefined) { cover = new Uint8Array(4096); cpu.codeBytes[frame] = cover; }
    cover.fill(1, off, off + insn.len);
    if (mem.codeFrames[frame] === 0) {
      mem.codeFrames[frame] = 1;
      cpu.flushTlbWrites(); // writes to this frame must now take the checking slow path
    }
  }
  return insn;
}

function nextRip(cpu: Cpu, start: number, len: number): number {
  const r = start + len;
  return cpu.mode === 64 ? r : cpu.mode === 32 ? r >>> 0 : r & 0xffff;
}

function breakpointHit(cpu: Cpu): boolean {
  const lin = ripLinear(cpu);
  if (!cpu.breakpoints.has(lin)) return false;
  if (cpu.skipBreakpointAt === lin) { cpu.skipBreakpointAt = null; return false; }
  cpu.requestStop('breakpoint');
  return true;
}

/** Replace the instruction breakpoints (linear addresses) and refresh the decode cache's stop marks. */
export function setBreakpoints(cpu: Cpu, addrs: Iterable<number>): void {
  cpu.breakpoints.clear();
  for (const a of addrs) cpu.breakpoints.add(a);
  cpu.invalidateAllCode();
}

/** Hand a fault to the host; a host that itself fails while delivering stops the machine with a diagnostic. */
function deliver(cpu: Cpu, f: CpuFault): void {
  try {
    cpu.ops.exception(cpu, f.vector, f.errorCode);
  } catch (e) {
    cpu.requestStop('internal', `delivering ${f} at rip 0x${cpu.rip.toString(16)} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Run up to budget instructions (faults delivered to the host count towards the budget too). */
export function runCpu(cpu: Cpu, budget: number): StopReason {
  cpu.stopRequested = false;
  cpu.stopReason = 'none';
  cpu.stopDetail = '';
  cpu.watchTrap = -1;
  let spent = 0;
  while (spent < budget) {
    if (cpu.halted) { cpu.requestStop('halt'); break; }
    const before = cpu.icount;
    try {
      cpu.insnRip = cpu.rip;
      let insn = fetchInsn(cpu);
      const limit = cpu.icount + (budget - spent);
      for (;;) {
        if (insn.stop && breakpointHit(cpu)) break;
        const start = cpu.rip;
        cpu.insnRip = start;
        cpu.rip = nextRip(cpu, start, insn.len);
        const tf = cpu.flagsBits & F_TF;
        insn.exec(cpu, insn);
        cpu.icount++;
        if (tf !== 0) { cpu.dr[6] = (cpu.dr[6] | 0x4000) >>> 0; deliver(cpu, new CpuFault(DB)); break; }
        if (cpu.stopRequested || cpu.icount >= limit || cpu.halted) break;
        let nx: Insn | null;
        if (insn.isBranch) {
          const r = cpu.rip, ep = cpu.linkEpoch;
          if (insn.link1Rip === r && insn.link1Epoch === ep) nx = insn.link1 as Insn;
          else if (insn.link2Rip === r && insn.link2Epoch === ep) nx = insn.link2 as Insn;
          else {
            cpu.insnRip = r;
            nx = fetchInsn(cpu);
            if (nx.pa >= 0 && ep === cpu.linkEpoch) {
              // keep the most recent two successors (taken and fall-through of a conditional branch)
              insn.link2 = insn.link1; insn.link2Rip = insn.link1Rip; insn.link2Epoch = insn.link1Epoch;
              insn.link1 = nx; insn.link1Rip = r; insn.link1Epoch = ep;
            }
          }
        } else if ((nx = insn.next) === null) {
          cpu.insnRip = cpu.rip;
          nx = fetchInsn(cpu);
          if (insn.pa >= 0 && nx.pa === insn.pa + insn.len && Math.floor(nx.pa / 4096) === Math.floor(insn.pa / 4096)) insn.next = nx;
        }
        insn = nx;
      }
      spent += cpu.icount - before;
    } catch (e) {
      spent += cpu.icount - before + 1;
      cpu.rip = cpu.insnRip;
      cpu.watchTrap = -1;
      if (e === WATCH_TRAP) {
        // A rep string instruction stopped after the iteration that hit a data watch (the hit requested the stop);
        // its registers describe the remaining work and RIP stays on it.
      } else if (e instanceof CpuFault) {
        if (e.vector === PF) cpu.cr2 = e.cr2;
        deliver(cpu, e);
      } else {
        const err = e as Error;
        cpu.requestStop('internal', `emulator error at rip 0x${cpu.rip.toString(16)}: ${err && err.stack ? err.stack : String(e)}`);
      }
    }
    if (cpu.stopRequested) break;
  }
  cpu.watchTrap = -1;
  return cpu.stopRequested ? cpu.stopReason : 'budget';
}
