// Model-specific registers: the known-MSR table behind RDMSR/WRMSR (unknown MSRs and reserved bits → #GP(0)).
// Values are (lo, hi) int32 halves. Also used by the hypervisor and the debugger (readMsr never faults).

import type { Cpu } from '../cpu';
import type { Handler } from '../decoder/insn';
import { CpuFault, GP } from '../fault';
import {
  RAX, RCX, RDX, FS, GS, MSR_IA32_TSC, MSR_IA32_APIC_BASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
  MSR_IA32_SYSENTER_EIP, MSR_IA32_PAT, MSR_IA32_MISC_ENABLE, MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
  MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
} from '../state';
import { CR0_PG, EFER_SCE, EFER_LME, EFER_LMA, EFER_NXE } from '../mmu/paging';
import { TWO32, isCanonicalHi } from '../../common/bits';

/** Power-on PAT: WB, WT, UC-, UC, WB, WT, UC-, UC. */
export const PAT_DEFAULT_LO = 0x00070406, PAT_DEFAULT_HI = 0x00070406;
/** APIC base: 0xfee00000, BSP (bit 8), global enable (bit 11). Read-only here (no APIC is emulated). */
export const APIC_BASE_VALUE = 0xfee00900 | 0;
/** MISC_ENABLE power-on value: fast strings enabled (bit 0). */
export const MISC_ENABLE_DEFAULT = 1;
/** EFER bits software may write (LMA is read-only and keeps its value). */
export const EFER_WRITABLE = EFER_SCE | EFER_LME | EFER_NXE;

/** Known MSRs with their description, for the debugger's register view. */
export const KNOWN_MSRS: Record<number, string> = {
  [MSR_IA32_TSC]: 'IA32_TIME_STAMP_COUNTER', [MSR_IA32_APIC_BASE]: 'IA32_APIC_BASE (read-only)',
  [MSR_IA32_SYSENTER_CS]: 'IA32_SYSENTER_CS', [MSR_IA32_SYSENTER_ESP]: 'IA32_SYSENTER_ESP',
  [MSR_IA32_SYSENTER_EIP]: 'IA32_SYSENTER_EIP', [MSR_IA32_MISC_ENABLE]: 'IA32_MISC_ENABLE', [MSR_IA32_PAT]: 'IA32_PAT',
  [MSR_EFER]: 'IA32_EFER', [MSR_STAR]: 'IA32_STAR', [MSR_LSTAR]: 'IA32_LSTAR', [MSR_CSTAR]: 'IA32_CSTAR',
  [MSR_SFMASK]: 'IA32_FMASK', [MSR_FS_BASE]: 'IA32_FS_BASE', [MSR_GS_BASE]: 'IA32_GS_BASE',
  [MSR_KERNEL_GS_BASE]: 'IA32_KERNEL_GS_BASE', [MSR_TSC_AUX]: 'IA32_TSC_AUX',
};

/** Read MSR `index` into out[0] (lo), out[1] (hi). False for unknown MSRs (RDMSR raises #GP(0)). */
export function readMsr(cpu: Cpu, index: number, out: Int32Array | number[]): boolean {
  index >>>= 0;
  let lo = 0, hi = 0;
  switch (index) {
    case MSR_IA32_TSC: { const t = cpu.tsc(); lo = t % TWO32 | 0; hi = Math.floor(t / TWO32) | 0; break; }
    case MSR_IA32_APIC_BASE: lo = APIC_BASE_VALUE; break;
    case MSR_IA32_MISC_ENABLE: [lo, hi] = cpu.msrs.get(index) ?? [MISC_ENABLE_DEFAULT, 0]; break;
    case MSR_IA32_PAT: [lo, hi] = cpu.msrs.get(index) ?? [PAT_DEFAULT_LO, PAT_DEFAULT_HI]; break;
    case MSR_EFER: lo = cpu.efer; break;
    case MSR_FS_BASE: lo = cpu.segBaseLo[FS]; hi = cpu.segBaseHi[FS]; break;
    case MSR_GS_BASE: lo = cpu.segBaseLo[GS]; hi = cpu.segBaseHi[GS]; break;
    case MSR_KERNEL_GS_BASE: lo = cpu.kernelGsBaseLo; hi = cpu.kernelGsBaseHi; break;
    case MSR_IA32_SYSENTER_CS: case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
    case MSR_STAR: case MSR_LSTAR: case MSR_CSTAR: case MSR_SFMASK: case MSR_TSC_AUX:
      [lo, hi] = cpu.msr(index); break;
    default: return false;
  }
  out[0] = lo | 0; out[1] = hi | 0;
  return true;
}

/** Valid PAT memory types: UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7. */
function patByteValid(b: number): boolean { return b === 0 || b === 1 || (b >= 4 && b <= 7); }

/**
 * Write MSR `index` with WRMSR semantics. Returns false when WRMSR must raise #GP(0): unknown or
 * read-only MSR, reserved bits, non-canonical addresses, invalid PAT types, LME change while paging.
 */
export function writeMsr(cpu: Cpu, index: number, lo: number, hi: number): boolean {
  index >>>= 0; lo |= 0; hi |= 0;
  switch (index) {
    case MSR_IA32_TSC: cpu.tscOffset = ((hi | 0) * TWO32 + (lo >>> 0)) - cpu.icount * cpu.tscPerInsn; return true;
    case MSR_IA32_MISC_ENABLE: cpu.msrs.set(index, [lo, hi]); return true;
    case MSR_IA32_PAT:
      for (let b = 0; b < 4; b++) if (!patByteValid((lo >>> (b * 8)) & 0xff) || !patByteValid((hi >>> (b * 8)) & 0xff)) return false;
      cpu.msrs.set(index, [lo, hi]); return true;
    case MSR_EFER: {
      if (hi !== 0 || (lo & ~(EFER_WRITABLE | EFER_LMA)) !== 0) return false;
      if ((cpu.cr0 & CR0_PG) && ((lo ^ cpu.efer) & EFER_LME)) return false;
      const next = (lo & EFER_WRITABLE) | (cpu.efer & EFER_LMA);
      if ((next ^ cpu.efer) & EFER_NXE) cpu.flushTlb();
      cpu.efer = next;
      cpu.updateMode();
      return true;
    }
    case MSR_IA32_SYSENTER_CS: cpu.msrs.set(index, [lo & 0xffff, 0]); return true;
    case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP: case MSR_LSTAR: case MSR_CSTAR:
      if (!isCanonicalHi(hi)) return false;
      cpu.msrs.set(index, [lo, hi]); return true;
    case MSR_STAR: cpu.msrs.set(index, [lo, hi]); return true;
    case MSR_SFMASK: cpu.msrs.set(index, [lo, 0]); return true;
    case MSR_TSC_AUX: if (hi !== 0) return false; cpu.msrs.set(index, [lo, 0]); return true;
    case MSR_FS_BASE: case MSR_GS_BASE:
      if (!isCanonicalHi(hi)) return false;
      cpu.setSegmentBase64(index === MSR_FS_BASE ? FS : GS, lo, hi); return true;
    case MSR_KERNEL_GS_BASE:
      if (!isCanonicalHi(hi)) return false;
      cpu.kernelGsBaseLo = lo; cpu.kernelGsBaseHi = hi; return true;
    default: return false;
  }
}

const tmp = new Int32Array(2);

/** RDMSR: CPL 0 only; ECX = index; EDX:EAX = value. */
export const rdmsrHandler: Handler = (cpu: Cpu) => {
  if (cpu.cpl !== 0) throw new CpuFault(GP, 0);
  if (!readMsr(cpu, cpu.getReg32(RCX), tmp)) throw new CpuFault(GP, 0);
  cpu.setReg32(RAX, tmp[0]); cpu.setReg32(RDX, tmp[1]);
};

/** WRMSR: CPL 0 only; ECX = index; value EDX:EAX. */
export const wrmsrHandler: Handler = (cpu: Cpu) => {
  if (cpu.cpl !== 0) throw new CpuFault(GP, 0);
  if (!writeMsr(cpu, cpu.getReg32(RCX), cpu.getReg32(RAX), cpu.getReg32(RDX))) throw new CpuFault(GP, 0);
};
