// Privileged-instruction emulation for PV guests (pv/emul-priv-op.c pv_emulate_privileged_op): a PV kernel runs
// at CPL1/3, so mov to/from CRn/DRn, clts, wbinvd, rdmsr/wrmsr, cli/sti and port I/O raise #GP(0); Xen decodes
// the instruction and emulates the ones its `validate` hook lists, with the guest-visible register state.
//
// Choices, following Xen (not guesses): mov to CR3 is *allowed* and goes through new_guest_cr3 (the page must be
// a valid L4 / PAE L3 of the domain: it takes the base-pointer type reference), CR3 values hold machine frame
// numbers (xen_pfn_to_cr3, compat_pfn_to_cr3 for pv32). mov to CR0 may only change TS (fpu_taskswitch). CR4 is a
// guest view (PV_CR4_GUEST_VISIBLE_MASK from the hardware value, PV_CR4_GUEST_MASK bits the guest may set).
// invd, hlt, lgdt/lidt/lldt/ltr and everything else are not emulated: the #GP goes to the guest. cli/sti with
// enough virtual IOPL are accepted and do nothing (Xen's "fast & loose"); otherwise #GP. The privileged ones need
// guest kernel mode (x86_emulate's mode_ring0 with Xen's faked DPL 0); port I/O checks iopl_ok.

import type { Cpu } from '../cpu/cpu';
import { decode } from '../cpu/decoder/decode';
import { Insn } from '../cpu/decoder/insn';
import { RAX, RDX, RCX, CS } from '../cpu/state';
import { PF, UD } from '../cpu/fault';
import { cpuid } from '../cpu/exec/cpuid';
import type { Vcpu } from './vcpu';
import { copyFromGuest } from './guest-access';
import { newGuestCr3 } from './mm';
import { pvRdmsr, pvWrmsr, PvMsrState } from './emulate-msr';
import { emulateIo, ioplOk } from './emulate-io';
import { hexAddr } from '../common/bits';

export type PrivOpOutcome =
  /** Emulated: the caller advances RIP past the instruction (unless `restart`: a rep I/O not finished). */
  | { kind: 'done'; text: string; restart?: boolean }
  /** Emulation raised a different fault (Xen's X86EMUL_EXCEPTION): inject it instead of the #GP. */
  | { kind: 'exception'; vector: number; errorCode: number; cr2: number; text: string }
  /** Not emulated (X86EMUL_UNHANDLEABLE): the #GP(0) goes to the guest as it is. */
  | { kind: 'unhandled'; text: string };

const CR0_TS = 1 << 3;
const CR4_TSD = 1 << 2, CR4_DE = 1 << 3, CR4_PAE = 1 << 5, CR4_MCE = 1 << 6, CR4_OSFXSR = 1 << 9;
const CR4_OSXMMEXCPT = 1 << 10, CR4_FSGSBASE = 1 << 16, CR4_OSXSAVE = 1 << 18;
/** Bits a PV guest can toggle in its CR4, and the hardware bits it may observe (asm/pv/domain.h). */
export const PV_CR4_GUEST_MASK = CR4_TSD | CR4_DE | CR4_FSGSBASE | CR4_OSXSAVE;
export const PV_CR4_GUEST_VISIBLE_MASK = CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT;
const DR6_DEFAULT = 0xffff0ff0, DR7_DEFAULT = 0x400;

/** Per-vCPU state behind the emulation: arch.pv.ctrlreg[4], the virtual debug registers, the MSRs. */
export class PrivOpState {
  /** arch.pv.ctrlreg[4]; -1 until first used (the start-of-day CR4 is set after the vCPU is built). */
  ctrlreg4 = -1;
  readonly dr = [0, 0, 0, 0, 0, 0, DR6_DEFAULT, DR7_DEFAULT];
  readonly msr = new PvMsrState();
  cr4(cpu: Cpu): number {
    if (this.ctrlreg4 < 0) this.ctrlreg4 = pvFixupGuestCr4(cpu, 0);
    return this.ctrlreg4;
  }
}

const cpuidOut = new Int32Array(4);

/** pv_fixup_guest_cr4: visible hardware bits plus the guest-controllable bits its CPUID policy allows. */
export function pvFixupGuestCr4(cpu: Cpu, cr4: number): number {
  cpuid(cpu, 1, 0, cpuidOut);
  const tsc = (cpuidOut[3] >> 4) & 1, de = (cpuidOut[3] >> 2) & 1, xsave = (cpuidOut[2] >> 26) & 1;
  cpuid(cpu, 7, 0, cpuidOut);
  const fsgsbase = cpuidOut[1] & 1;
  const drop = (tsc ? 0 : CR4_TSD) | (de ? 0 : CR4_DE) | (fsgsbase ? 0 : CR4_FSGSBASE) | (xsave ? 0 : CR4_OSXSAVE);
  return ((cpu.cr4 & PV_CR4_GUEST_VISIBLE_MASK) | (cr4 & ~drop & PV_CR4_GUEST_MASK)) >>> 0;
}

const hex = (lo: number, hi = 0): string => `0x${hi ? (hi >>> 0).toString(16) + (lo >>> 0).toString(16).padStart(8, '0') : (lo >>> 0).toString(16)}`;

/** Fetch and decode the instruction at CS:RIP as Xen's insn_fetch does; a fetch fault becomes #PF(0). */
function fetch(cpu: Cpu): Insn | PrivOpOutcome {
  const rip = cpu.rip;
  let lin: number;
  if (cpu.mode === 64) lin = rip;
  else {
    if (rip > cpu.segLimit[CS]) return { kind: 'unhandled', text: `rip 0x${rip.toString(16)} beyond the CS limit` };
    lin = (cpu.segBase[CS] + rip) >>> 0;
  }
  const first = Math.min(15, 4096 - (((lin % 4096) + 4096) % 4096));
  const a = copyFromGuest(cpu, lin, first);
  if (a === null) return { kind: 'exception', vector: PF, errorCode: 0, cr2: lin, text: `instruction fetch at 0x${hexAddr(lin)} faulted` };
  const buf = new Uint8Array(15);
  buf.set(a);
  let insn = decode(buf, first, cpu.mode);
  if (insn === null && first < 15) {
    const nextLin = cpu.mode === 64 ? lin + first : (lin + first) >>> 0;
    const b = copyFromGuest(cpu, nextLin, 15 - first);
    if (b === null) return { kind: 'exception', vector: PF, errorCode: 0, cr2: nextLin, text: `instruction fetch at 0x${hexAddr(nextLin)} faulted` };
    buf.set(b, first);
    insn = decode(buf, 15, cpu.mode);
  }
  if (insn === null) return { kind: 'unhandled', text: 'undecodable instruction' };
  return insn;
}

function isIo(code: string): boolean {
  return /^(In|Out)_/.test(code) || /^(Ins[bwd]|Outs[bwd])_/.test(code);
}

/**
 * pv_emulate_privileged_op for a #GP(0) at cpu.rip. On 'done' RIP has been moved past the instruction
 * (or left on a rep I/O instruction that has iterations left); otherwise nothing the guest sees has changed.
 */
export function emulatePrivilegedOp(v: Vcpu, st: PrivOpState): PrivOpOutcome {
  const cpu = v.cpu;
  const f = fetch(cpu);
  if (!(f instanceof Insn)) return f;
  const r = emulateInsn(v, st, f);
  if (r.kind === 'done' && !r.restart) {
    const next = cpu.rip + f.len;
    cpu.rip = cpu.mode === 64 ? next : cpu.mode === 32 ? next >>> 0 : next & 0xffff;
  }
  return r;
}

function emulateInsn(v: Vcpu, st: PrivOpState, i: Insn): PrivOpOutcome {
  const cpu = v.cpu;
  const code = i.code;
  if (isIo(code)) return emulateIo(v, i);
  if (code === 'Cli' || code === 'Sti') {
    if (!ioplOk(v)) return { kind: 'unhandled', text: `${code.toLowerCase()}: virtual IOPL ${(v.iopl >> 12) & 3} too low` };
    return { kind: 'done', text: `${code.toLowerCase()} ignored (Xen does not emulate the interrupt flag this way; use evtchn_upcall_mask)` };
  }
  const known = /^(Mov_r(32|64)_cr|Mov_cr_r(32|64)|Mov_r(32|64)_dr|Mov_dr_r(32|64)|Rdmsr|Wrmsr|Clts|Wbinvd)$/.test(code);
  if (!known) return { kind: 'unhandled', text: `${code} is not emulated for PV guests` };
  if (!v.guestKernelMode()) return { kind: 'unhandled', text: `${code} in guest user mode` };
  switch (code) {
    case 'Clts':
      setTs(v, false);
      return { kind: 'done', text: 'clts (fpu_taskswitch 0)' };
    case 'Wbinvd':
      return { kind: 'done', text: 'wbinvd ignored (domain has no cache-flush permission)' };
    case 'Rdmsr': {
      const idx = cpu.getReg32(RCX) >>> 0;
      const r = pvRdmsr(v, st.msr, idx);
      if (!r.ok) return { kind: 'unhandled', text: `rdmsr 0x${idx.toString(16)}: ${r.why}` };
      cpu.setReg32(RAX, r.lo); cpu.setReg32(RDX, r.hi);
      return { kind: 'done', text: `rdmsr 0x${idx.toString(16)} = ${hex(r.lo, r.hi)}${r.note ? ` (${r.note})` : ''}` };
    }
    case 'Wrmsr': {
      const idx = cpu.getReg32(RCX) >>> 0, lo = cpu.getReg32(RAX), hi = cpu.getReg32(RDX);
      const r = pvWrmsr(v, st.msr, idx, lo, hi);
      if (!r.ok) return { kind: 'unhandled', text: `wrmsr 0x${idx.toString(16)}: ${r.why}` };
      return { kind: 'done', text: `wrmsr 0x${idx.toString(16)} <- ${hex(lo, hi)}${r.note ? ` (${r.note})` : ''}` };
    }
    default:
      break;
  }
  const size = i.opsize === 64 ? 64 : 32;
  if (code.startsWith('Mov_r')) {
    const isCr = code.endsWith('_cr');
    const r = isCr ? readCr(v, st, i.reg) : readDr(v, st, i.reg);
    if (r === null) return { kind: 'unhandled', text: `mov from ${isCr ? 'cr' : 'dr'}${i.reg} is not emulated` };
    if (typeof r === 'string') return { kind: 'exception', vector: UD, errorCode: -1, cr2: 0, text: r };
    if (size === 64) cpu.setReg64(i.rm, r | 0, Math.floor(r / 2 ** 32) | 0);
    else cpu.setReg32(i.rm, r | 0);
    return { kind: 'done', text: `mov ${isCr ? 'cr' : 'dr'}${i.reg} = 0x${hexAddr(size === 64 ? r : r >>> 0)}` };
  }
  const val = size === 64 ? (cpu.regs[(i.rm << 1) + 1] | 0) * 2 ** 32 + (cpu.regs[i.rm << 1] >>> 0) : cpu.getReg32(i.rm) >>> 0;
  const isCr = code.startsWith('Mov_cr');
  const err = isCr ? writeCr(v, st, i.reg, val) : writeDr(v, st, i.reg, val);
  const what = `mov ${isCr ? 'cr' : 'dr'}${i.reg} <- 0x${hexAddr(val)}`;
  if (err !== null) {
    if (err.startsWith('#UD')) return { kind: 'exception', vector: UD, errorCode: -1, cr2: 0, text: `${what}: ${err}` };
    return { kind: 'unhandled', text: `${what}: ${err}` };
  }
  return { kind: 'done', text: what };
}

function setTs(v: Vcpu, set: boolean): void {
  v.fpuTs = set;
  v.cpu.cr0 = set ? (v.cpu.cr0 | CR0_TS) >>> 0 : (v.cpu.cr0 & ~CR0_TS) >>> 0;
}

/** read_cr: the guest-visible control registers. null = unhandleable. */
export function readCr(v: Vcpu, st: PrivOpState, n: number): number | null {
  const cpu = v.cpu;
  switch (n) {
    case 0: return ((cpu.cr0 & ~CR0_TS) | (v.fpuTs ? CR0_TS : 0)) >>> 0;
    case 2: return v.cr2;
    case 3: {
      const mfn = v.guestTable;
      // xen_pfn_to_cr3 (PV frames are machine frames) / compat_pfn_to_cr3 for 32-bit guests.
      return v.is64 ? mfn * 4096 : (((mfn << 12) | (mfn >>> 20)) >>> 0);
    }
    case 4: return st.cr4(cpu);
    default: return null;
  }
}

/** write_cr: null on success, else why Xen refuses (-> #GP). */
function writeCr(v: Vcpu, st: PrivOpState, n: number, val: number): string | null {
  const cpu = v.cpu;
  switch (n) {
    case 0: {
      const lo = val % 2 ** 32 >>> 0;
      if (Math.floor(val / 2 ** 32) !== 0 || ((lo ^ cpu.cr0) & ~CR0_TS) !== 0) {
        return `Attempt to change unmodifiable CR0 flags (CR0 is 0x${(cpu.cr0 >>> 0).toString(16)}; only TS may change)`;
      }
      setTs(v, (lo & CR0_TS) !== 0);
      return null;
    }
    case 2: v.setGuestCr2(val); return null;
    case 3: {
      const d = v.domain;
      if (!d) return 'no domain';
      const mfn = v.is64 ? Math.floor(val / 4096) : (((val >>> 12) | (val << 20)) >>> 0);
      const mark = d.mm.diag.mark();
      const rc = newGuestCr3(d.mm, v.mmv, mfn);
      if (rc !== 0) {
        const why = d.mm.diag.firstSince(mark);
        return `new_guest_cr3(mfn ${mfn.toString(16)}) = ${rc}${why ? `: ${why.message}` : ''}`;
      }
      return null;
    }
    case 4:
      st.ctrlreg4 = pvFixupGuestCr4(cpu, val % 2 ** 32 >>> 0);
      return null;
    default:
      return `cr${n} is not emulated`;
  }
}

/** Debug registers are kept per vCPU (the emulated CPU does not model DR7 breakpoints). */
function readDr(v: Vcpu, st: PrivOpState, n: number): number | string | null {
  if (n === 4 || n === 5) {
    if (st.cr4(v.cpu) & CR4_DE) return `#UD: dr${n} with CR4.DE set`;
    n += 2;
  }
  return n < 8 ? st.dr[n] : null;
}

function writeDr(v: Vcpu, st: PrivOpState, n: number, val: number): string | null {
  if (n === 4 || n === 5) {
    if (st.cr4(v.cpu) & CR4_DE) return `#UD: dr${n} with CR4.DE set`;
    n += 2;
  }
  if (n < 4) {
    // set_debugreg: the breakpoint address must be a guest address.
    const ok = v.is64 ? val >= -0x800000000000 && val < 0x800000000000 : val >= 0 && val < 2 ** 32;
    if (!ok) return `address 0x${hexAddr(val)} is not a guest address`;
    st.dr[n] = val;
    return null;
  }
  if (n === 6) { st.dr[6] = ((val % 2 ** 32) | DR6_DEFAULT) >>> 0; return null; }
  if (n === 7) {
    if (val >= 2 ** 32) return 'reserved DR7 bits 63:32 set';
    st.dr[7] = ((val | DR7_DEFAULT) & ~0xd800) >>> 0;
    return null;
  }
  return `dr${n} is not emulated`;
}

