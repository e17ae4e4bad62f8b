// CPUID: the emulated CPU's identity and feature table (documented leaf by leaf below). Feature bits for
// instructions other families implement are probed from the handler registry, so CPUID never claims more
// than the emulator executes. The hypervisor may install a per-CPU filter to mask or add leaves.

import type { Cpu } from '../cpu';
import type { Handler } from '../decoder/insn';
import { RAX, RBX, RCX, RDX } from '../state';
import { MAXPHYADDR } from '../mmu/paging';

/** Linear-address width reported in leaf 0x80000008 (4-level paging). */
export const LINEAR_ADDRESS_BITS = 48;
export const CPUID_VENDOR = 'GenuineIntel';
export const CPUID_BRAND = 'Xen PV debugger emulated x86-64 CPU';
/** Highest basic and extended leaves. */
export const CPUID_MAX_BASIC = 0x7;
export const CPUID_MAX_EXTENDED = 0x80000008;
/** Leaf 1 EAX: family 6, model 0x2a, stepping 7 (a Sandy Bridge-like signature). */
export const CPUID_SIGNATURE = 0x000206a7;

// Leaf 1 EDX
export const CPUID_1_EDX_FPU = 1 << 0, CPUID_1_EDX_DE = 1 << 2, CPUID_1_EDX_PSE = 1 << 3, CPUID_1_EDX_TSC = 1 << 4;
export const CPUID_1_EDX_MSR = 1 << 5, CPUID_1_EDX_PAE = 1 << 6, CPUID_1_EDX_CX8 = 1 << 8, CPUID_1_EDX_SEP = 1 << 11;
export const CPUID_1_EDX_PGE = 1 << 13, CPUID_1_EDX_CMOV = 1 << 15, CPUID_1_EDX_PAT = 1 << 16, CPUID_1_EDX_PSE36 = 1 << 17;
export const CPUID_1_EDX_CLFSH = 1 << 19, CPUID_1_EDX_MMX = 1 << 23, CPUID_1_EDX_FXSR = 1 << 24;
export const CPUID_1_EDX_SSE = 1 << 25, CPUID_1_EDX_SSE2 = 1 << 26;
// Leaf 1 ECX
export const CPUID_1_ECX_SSE3 = 1 << 0, CPUID_1_ECX_CX16 = 1 << 13, CPUID_1_ECX_POPCNT = 1 << 23, CPUID_1_ECX_HYPERVISOR = 1 << 31;
// Leaf 7 subleaf 0
export const CPUID_7_EBX_FSGSBASE = 1 << 0, CPUID_7_EBX_BMI1 = 1 << 3, CPUID_7_EBX_SMEP = 1 << 7, CPUID_7_EBX_SMAP = 1 << 20;
export const CPUID_7_ECX_UMIP = 1 << 2;
// Leaf 0x80000001
export const CPUID_X1_ECX_LAHF_LM = 1 << 0, CPUID_X1_ECX_ABM = 1 << 5;
export const CPUID_X1_EDX_SYSCALL = 1 << 11, CPUID_X1_EDX_NX = 1 << 20, CPUID_X1_EDX_RDTSCP = 1 << 27, CPUID_X1_EDX_LM = 1 << 29;

/** Optional per-CPU post-processing (the hypervisor's policy): may rewrite regs = [eax, ebx, ecx, edx]. */
export type CpuidFilter = (cpu: Cpu, leaf: number, subleaf: number, regs: Int32Array) => void;
export function setCpuidFilter(cpu: Cpu, f: CpuidFilter | null): void { cpu.cpuidFilter = f; }

/** Four ASCII characters as a little-endian dword. */
function dword(s: string, at: number): number {
  let v = 0;
  for (let b = 3; b >= 0; b--) v = (v << 8) | (at + b < s.length ? s.charCodeAt(at + b) & 0xff : 0);
  return v | 0;
}

/**
 * True when some family implements `code`. The registry is required lazily: it imports this module's
 * family (system.ts), so a static import would be circular.
 */
function has(code: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const registry = require('./registry') as typeof import('./registry');
  return registry.handlerFor(code) !== undefined;
}

/** BMI1 is all of TZCNT, ANDN, BEXTR, BLSI, BLSMSK, BLSR. */
const BMI1_CODES = ['Tzcnt_r32_rm32', 'VEX_Andn_r32_r32_rm32', 'VEX_Bextr_r32_rm32_r32', 'VEX_Blsi_r32_rm32', 'VEX_Blsmsk_r32_rm32', 'VEX_Blsr_r32_rm32'];

interface Features { ecx1: number; ebx7: number; ecxX1: number; }
let features: Features | null = null;
/** Registry-dependent bits, computed on first use (after every family has registered). */
function probe(): Features {
  if (features) return features;
  let ecx1 = 0, ebx7 = 0, ecxX1 = 0;
  if (has('Addsubpd_xmm_xmmm128') && has('Haddps_xmm_xmmm128') && has('Movddup_xmm_xmmm64') && has('Lddqu_xmm_m128')) ecx1 |= CPUID_1_ECX_SSE3;
  if (has('Cmpxchg16b_m128')) ecx1 |= CPUID_1_ECX_CX16;
  if (has('Popcnt_r32_rm32')) ecx1 |= CPUID_1_ECX_POPCNT;
  if (BMI1_CODES.every(has)) ebx7 |= CPUID_7_EBX_BMI1;
  if (has('Lzcnt_r32_rm32')) ecxX1 |= CPUID_X1_ECX_ABM;
  if (has('Lahf') && has('Sahf')) ecxX1 |= CPUID_X1_ECX_LAHF_LM;
  features = { ecx1, ebx7, ecxX1 };
  return features;
}

/**
 * The leaf table (unlisted leaves, and subleaves other than 0 of leaf 7, return zeros):
 * - 0x0: max basic leaf 7, vendor "GenuineIntel" (EBX, EDX, ECX).
 * - 0x1: EAX signature (family 6); EBX: CLFLUSH line 8*8 bytes, 1 logical CPU, APIC ID 0;
 *        ECX: SSE3 (only if its instructions exist), CX16, POPCNT (probed);
 *        EDX: FPU DE PSE TSC MSR PAE CX8 SEP PGE CMOV PAT PSE36 CLFSH MMX FXSR SSE SSE2.
 * - 0x7.0: EBX FSGSBASE, SMEP, SMAP, BMI1 (probed: all six BMI1 instructions); ECX UMIP.
 * - 0x80000000: max extended leaf 0x80000008.
 * - 0x80000001: ECX LAHF_LM, ABM (LZCNT) (probed); EDX SYSCALL, NX, RDTSCP, LM.
 * - 0x80000002..4: brand string.
 * - 0x80000008: EAX = linear bits << 8 | physical bits (MAXPHYADDR).
 * No APIC, no XSAVE/AVX, no PCID, no 1 GiB pages are advertised.
 */
export function cpuidLeaf(leaf: number, subleaf: number, out: Int32Array): void {
  out[0] = out[1] = out[2] = out[3] = 0;
  leaf >>>= 0;
  switch (leaf) {
    case 0:
      out[0] = CPUID_MAX_BASIC;
      out[1] = dword(CPUID_VENDOR, 0); out[3] = dword(CPUID_VENDOR, 4); out[2] = dword(CPUID_VENDOR, 8);
      return;
    case 1:
      out[0] = CPUID_SIGNATURE;
      out[1] = 0x00010800;
      out[2] = probe().ecx1;
      out[3] = CPUID_1_EDX_FPU | CPUID_1_EDX_DE | CPUID_1_EDX_PSE | CPUID_1_EDX_TSC | CPUID_1_EDX_MSR | CPUID_1_EDX_PAE |
        CPUID_1_EDX_CX8 | CPUID_1_EDX_SEP | CPUID_1_EDX_PGE | CPUID_1_EDX_CMOV | CPUID_1_EDX_PAT | CPUID_1_EDX_PSE36 |
        CPUID_1_EDX_CLFSH | CPUID_1_EDX_MMX | CPUID_1_EDX_FXSR | CPUID_1_EDX_SSE | CPUID_1_EDX_SSE2;
      return;
    case 7:
      if (subleaf !== 0) return;
      out[1] = CPUID_7_EBX_FSGSBASE | CPUID_7_EBX_SMEP | CPUID_7_EBX_SMAP | probe().ebx7;
      out[2] = CPUID_7_ECX_UMIP;
      return;
    case 0x80000000:
      out[0] = CPUID_MAX_EXTENDED | 0;
      return;
    case 0x80000001:
      out[2] = probe().ecxX1;
      out[3] = CPUID_X1_EDX_SYSCALL | CPUID_X1_EDX_NX | CPUID_X1_EDX_RDTSCP | CPUID_X1_EDX_LM;
      return;
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const at = (leaf - 0x80000002) * 16;
      for (let r = 0; r < 4; r++) out[r] = dword(CPUID_BRAND, at + r * 4);
      return;
    }
    case 0x80000008:
      out[0] = (LINEAR_ADDRESS_BITS << 8) | MAXPHYADDR;
      return;
    default:
      return;
  }
}

const regs = new Int32Array(4);

/** CPUID for a given CPU: the table, then the CPU's filter (hypervisor policy), if any. */
export function cpuid(cpu: Cpu, leaf: number, subleaf: number, out: Int32Array): void {
  cpuidLeaf(leaf, subleaf, out);
  const f = cpu.cpuidFilter;
  if (f) f(cpu, leaf >>> 0, subleaf >>> 0, out);
}

/** CPUID handler: EAX = leaf, ECX = subleaf; results zero-extend into RAX/RBX/RCX/RDX. */
export const cpuidHandler: Handler = (cpu: Cpu) => {
  cpuid(cpu, cpu.getReg32(RAX), cpu.getReg32(RCX), regs);
  cpu.setReg32(RAX, regs[0]); cpu.setReg32(RBX, regs[1]); cpu.setReg32(RCX, regs[2]); cpu.setReg32(RDX, regs[3]);
};
