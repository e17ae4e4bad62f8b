// Fast system calls and per-thread state: SYSCALL/SYSRET, SYSENTER/SYSEXIT (host ops first, then the
// architectural MSR-based semantics), SWAPGS, RD/WR FS/GS BASE, RDTSC/RDTSCP/RDPMC, XGETBV/XSETBV.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, GP, UD } from '../fault';
import {
  CS, SS, FS, GS, RAX, RCX, RDX, RSP, R11, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_TSC_AUX,
  MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
} from '../state';
import { CR0_PE, EFER_LMA, EFER_SCE } from '../mmu/paging';
import { F_IF, F_RF, F_VM, getFlags, setFlags } from '../flags';
import { TWO32, isCanonicalHi } from '../../common/bits';
import { CR4_TSD, CR4_PCE, CR4_FSGSBASE, CR4_OSXSAVE } from './system-cr';

/** Flat segment attributes loaded by SYSCALL/SYSENTER/SYSRET/SYSEXIT (type, S, DPL, P; L/D; G). */
export const ATTR_CODE64_DPL0 = 0xa09b, ATTR_CODE32_DPL0 = 0xc09b, ATTR_DATA_DPL0 = 0xc093;
export const ATTR_CODE64_DPL3 = 0xa0fb, ATTR_CODE32_DPL3 = 0xc0fb, ATTR_DATA_DPL3 = 0xc0f3;
/** RFLAGS bits SYSRET restores from R11 (everything defined except VM, VIF/VIP kept as in R11 per SDM mask). */
const SYSRET_FLAGS = 0x3c7fd7;

const join = (lo: number, hi: number): number => (hi | 0) * TWO32 + (lo >>> 0);
const isLong = (cpu: Cpu): boolean => (cpu.efer & EFER_LMA) !== 0;

/** Load flat CS and SS and switch CPL (the fast-system-call model: no descriptor reads). */
function loadFlat(cpu: Cpu, csSel: number, csAttr: number, ssSel: number, ssAttr: number, cpl: number): void {
  cpu.setCpl(cpl);
  cpu.setSegment(CS, csSel, 0, 0xffffffff, csAttr);
  cpu.setSegment(SS, ssSel, 0, 0xffffffff, ssAttr);
}

/** Architectural SYSCALL (Intel 64-bit; AMD legacy and compatibility-mode forms with STAR/CSTAR). */
export function syscallArchitectural(cpu: Cpu): void {
  if (!(cpu.efer & EFER_SCE)) throw new CpuFault(UD);
  const [starLo, starHi] = cpu.msr(MSR_STAR);
  const csSel = starHi & 0xfffc, ssSel = ((starHi & 0xffff) + 8) & 0xfffc;
  const flags = getFlags(cpu);
  const rip = cpu.rip;
  if (isLong(cpu)) {
    const [tLo, tHi] = cpu.msr(cpu.mode === 64 ? MSR_LSTAR : MSR_CSTAR);
    cpu.setReg64(RCX, rip | 0, Math.floor(rip / TWO32) | 0);
    cpu.setReg64(R11, flags & ~F_RF, 0);
    const mask = cpu.msr(MSR_SFMASK)[0];
    setFlags(cpu, 0, mask | F_RF | F_VM);
    loadFlat(cpu, csSel, ATTR_CODE64_DPL0, ssSel, ATTR_DATA_DPL0, 0);
    cpu.rip = join(tLo, tHi);
  } else {
    cpu.setReg32(RCX, rip);
    setFlags(cpu, 0, F_IF | F_RF | F_VM);
    loadFlat(cpu, csSel, ATTR_CODE32_DPL0, ssSel, ATTR_DATA_DPL0, 0);
    cpu.rip = starLo >>> 0;
  }
}

const syscall: Handler = (cpu: Cpu) => {
  if (cpu.ops.syscall(cpu)) return;
  syscallArchitectural(cpu);
};

/** SYSRET (Sysretd: to 32-bit code; Sysretq: to 64-bit code). */
const sysret = (q: boolean): Handler => (cpu: Cpu) => {
  if (!(cpu.efer & EFER_SCE)) throw new CpuFault(UD);
  if (isLong(cpu) && cpu.mode !== 64) throw new CpuFault(UD);
  if (cpu.cpl !== 0 || !(cpu.cr0 & CR0_PE)) throw new CpuFault(GP, 0);
  const base = (cpu.msr(MSR_STAR)[1] >>> 16) & 0xffff;
  const ssSel = ((base + 8) & 0xfffc) | 3;
  if (isLong(cpu)) {
    const rcxLo = cpu.regs[RCX << 1], rcxHi = cpu.regs[(RCX << 1) + 1];
    if (q && !isCanonicalHi(rcxHi)) throw new CpuFault(GP, 0);
    setFlags(cpu, (cpu.getReg32(R11) & SYSRET_FLAGS) | 2, 0xffffffff);
    if (q) loadFlat(cpu, ((base + 16) & 0xfffc) | 3, ATTR_CODE64_DPL3, ssSel, ATTR_DATA_DPL3, 3);
    else loadFlat(cpu, (base & 0xfffc) | 3, ATTR_CODE32_DPL3, ssSel, ATTR_DATA_DPL3, 3);
    cpu.rip = q ? join(rcxLo, rcxHi) : rcxLo >>> 0;
  } else {
    setFlags(cpu, F_IF, F_IF);
    loadFlat(cpu, (base & 0xfffc) | 3, ATTR_CODE32_DPL3, ssSel, ATTR_DATA_DPL3, 3);
    cpu.rip = cpu.getReg32(RCX) >>> 0;
  }
};

/** Architectural SYSENTER: flat CPL0 CS/SS from IA32_SYSENTER_CS, RIP/RSP from the other two MSRs. */
export function sysenterArchitectural(cpu: Cpu): void {
  if (!(cpu.cr0 & CR0_PE)) throw new CpuFault(GP, 0);
  const cs = cpu.msr(MSR_IA32_SYSENTER_CS)[0] & 0xffff;
  if ((cs & 0xfffc) === 0) throw new CpuFault(GP, 0);
  const [eipLo, eipHi] = cpu.msr(MSR_IA32_SYSENTER_EIP), [espLo, espHi] = cpu.msr(MSR_IA32_SYSENTER_ESP);
  const long = isLong(cpu);
  setFlags(cpu, 0, F_VM | F_IF | F_RF);
  loadFlat(cpu, cs & 0xfffc, long ? ATTR_CODE64_DPL0 : ATTR_CODE32_DPL0, (cs + 8) & 0xfffc, ATTR_DATA_DPL0, 0);
  if (long) { cpu.rip = join(eipLo, eipHi); cpu.setReg64(RSP, espLo, espHi); }
  else { cpu.rip = eipLo >>> 0; cpu.setReg32(RSP, espLo); }
}

const sysenter: Handler = (cpu: Cpu) => {
  if (cpu.ops.sysenter(cpu)) return;
  sysenterArchitectural(cpu);
};

/** SYSEXIT (Sysexitd: to 32-bit CPL3 code at EDX/ECX; Sysexitq: to 64-bit code at RDX/RCX). */
const sysexit = (q: boolean): Handler => (cpu: Cpu) => {
  const cs = cpu.msr(MSR_IA32_SYSENTER_CS)[0] & 0xffff;
  if (!(cpu.cr0 & CR0_PE) || cpu.cpl !== 0 || (cs & 0xfffc) === 0) throw new CpuFault(GP, 0);
  const dLo = cpu.regs[RDX << 1], dHi = cpu.regs[(RDX << 1) + 1];
  const cLo = cpu.regs[RCX << 1], cHi = cpu.regs[(RCX << 1) + 1];
  if (q) {
    if (!isCanonicalHi(dHi) || !isCanonicalHi(cHi)) throw new CpuFault(GP, 0);
    loadFlat(cpu, ((cs + 32) & 0xfffc) | 3, ATTR_CODE64_DPL3, ((cs + 40) & 0xfffc) | 3, ATTR_DATA_DPL3, 3);
    cpu.rip = join(dLo, dHi);
    cpu.setReg64(RSP, cLo, cHi);
  } else {
    loadFlat(cpu, ((cs + 16) & 0xfffc) | 3, ATTR_CODE32_DPL3, ((cs + 24) & 0xfffc) | 3, ATTR_DATA_DPL3, 3);
    cpu.rip = dLo >>> 0;
    cpu.setReg32(RSP, cLo);
  }
};

/** SWAPGS: exchange GS.base and IA32_KERNEL_GS_BASE (64-bit mode, CPL 0). */
const swapgs: Handler = (cpu: Cpu) => {
  if (cpu.mode !== 64) throw new CpuFault(UD);
  if (cpu.cpl !== 0) throw new CpuFault(GP, 0);
  const lo = cpu.segBaseLo[GS], hi = cpu.segBaseHi[GS];
  cpu.setSegmentBase64(GS, cpu.kernelGsBaseLo, cpu.kernelGsBaseHi);
  cpu.kernelGsBaseLo = lo; cpu.kernelGsBaseHi = hi;
};

const requireFsgsbase = (cpu: Cpu): void => {
  if (cpu.mode !== 64 || !(cpu.cr4 & CR4_FSGSBASE)) throw new CpuFault(UD);
};
const rdbase = (seg: number, size: number): Handler => (cpu: Cpu, i: Insn) => {
  requireFsgsbase(cpu);
  if (size === 64) cpu.setReg64(i.rm, cpu.segBaseLo[seg], cpu.segBaseHi[seg]); else cpu.setReg32(i.rm, cpu.segBaseLo[seg]);
};
const wrbase = (seg: number, size: number): Handler => (cpu: Cpu, i: Insn) => {
  requireFsgsbase(cpu);
  const lo = cpu.regs[i.rm << 1], hi = size === 64 ? cpu.regs[(i.rm << 1) + 1] : 0;
  if (!isCanonicalHi(hi)) throw new CpuFault(GP, 0);
  cpu.setSegmentBase64(seg, lo, hi);
};

/** RDTSC: #GP(0) at CPL > 0 when CR4.TSD. */
function readTsc(cpu: Cpu): void {
  if ((cpu.cr4 & CR4_TSD) && cpu.cpl > 0 && (cpu.cr0 & CR0_PE)) throw new CpuFault(GP, 0);
  const t = cpu.tsc();
  cpu.setReg32(RAX, t % TWO32 | 0);
  cpu.setReg32(RDX, Math.floor(t / TWO32) | 0);
}

/** RDPMC: no performance counters are emulated; counters 0-3 read as 0 where permitted (CPL 0 or CR4.PCE). */
const rdpmc: Handler = (cpu: Cpu) => {
  if (!(cpu.cr4 & CR4_PCE) && cpu.cpl > 0 && (cpu.cr0 & CR0_PE)) throw new CpuFault(GP, 0);
  if ((cpu.getReg32(RCX) >>> 0) > 3) throw new CpuFault(GP, 0);
  cpu.setReg32(RAX, 0); cpu.setReg32(RDX, 0);
};

/** XGETBV: XCR0 only; #UD unless CR4.OSXSAVE. */
const xgetbv: Handler = (cpu: Cpu) => {
  if (!(cpu.cr4 & CR4_OSXSAVE)) throw new CpuFault(UD);
  if (cpu.getReg32(RCX) !== 0) throw new CpuFault(GP, 0);
  cpu.setReg32(RAX, cpu.xcr0); cpu.setReg32(RDX, 0);
};

/** XSETBV: XCR0 with x87 (bit 0, required) and SSE (bit 1) state only. */
const xsetbv: Handler = (cpu: Cpu) => {
  if (!(cpu.cr4 & CR4_OSXSAVE)) throw new CpuFault(UD);
  if (cpu.cpl !== 0 || cpu.getReg32(RCX) !== 0) throw new CpuFault(GP, 0);
  const lo = cpu.getReg32(RAX), hi = cpu.getReg32(RDX);
  if (hi !== 0 || (lo & ~3) !== 0 || !(lo & 1)) throw new CpuFault(GP, 0);
  cpu.xcr0 = lo;
};

export const fastSystemHandlers: Record<string, Handler> = {
  Syscall: syscall, Sysretd: sysret(false), Sysretq: sysret(true),
  Sysenter: sysenter, Sysexitd: sysexit(false), Sysexitq: sysexit(true),
  Swapgs: swapgs,
  Rdfsbase_r32: rdbase(FS, 32), Rdfsbase_r64: rdbase(FS, 64), Rdgsbase_r32: rdbase(GS, 32), Rdgsbase_r64: rdbase(GS, 64),
  Wrfsbase_r32: wrbase(FS, 32), Wrfsbase_r64: wrbase(FS, 64), Wrgsbase_r32: wrbase(GS, 32), Wrgsbase_r64: wrbase(GS, 64),
  Rdtsc: readTsc,
  Rdtscp: (cpu: Cpu) => { readTsc(cpu); cpu.setReg32(RCX, cpu.msr(MSR_TSC_AUX)[0]); },
  Rdpmc: rdpmc, Xgetbv: xgetbv, Xsetbv: xsetbv,
};
