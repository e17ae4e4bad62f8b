// RDMSR/WRMSR as Xen emulates them for a PV guest kernel (msr.c guest_rdmsr/guest_wrmsr plus
// pv/emul-priv-op.c read_msr/write_msr): the MSRs a PV kernel may touch, with Xen's values and rules.
// Values are (lo, hi) int32 halves. `ok: false` means Xen injects #GP(0) (X86EMUL_EXCEPTION/UNHANDLEABLE).

import { readMsr } from '../cpu/exec/msr';
import { CPUID_VENDOR } from '../cpu/exec/cpuid';
import { FS, GS } from '../cpu/state';
import { isCanonicalHi } from '../common/bits';
import type { Vcpu } from './vcpu';
import { getPage, getPageType, putPage, putPageAndType, PGT_writable_page } from './mm';
import { hypercallPageBytes } from './builder/hypercall-page';

export const MSR_IA32_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_INTEL_PLATFORM_INFO = 0xce;
export const MSR_INTEL_MISC_FEATURES_ENABLES = 0x140, MSR_IA32_MISC_ENABLE = 0x1a0, MSR_IA32_CR_PAT = 0x277;
export const MSR_IA32_PERF_CAPABILITIES = 0x345, MSR_EFER = 0xc0000080;
export const MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101, MSR_SHADOW_GS_BASE = 0xc0000102;
/** Xen's hypervisor MSR range; base + 0 is "write the hypercall page" (guest_wrmsr_xen). */
export const XEN_MSR_BASE = 0x40000000;

/** APIC_BASE as Xen fakes it: enabled at the default address, BSP bit on vCPU 0. */
const APIC_DEFAULT_PHYS_BASE = 0xfee00000, APIC_BASE_ENABLE = 0x800, APIC_BASE_BSP = 0x100;
/** XEN_MSR_PAT = 0x050100070406 (WB, WT, UC-, UC, WC, WP, UC, UC). */
const XEN_MSR_PAT_LO = 0x00070406, XEN_MSR_PAT_HI = 0x00000501;
/** MISC_ENABLE bits guest_misc_enable() clears / sets. */
const MISC_PERF_AVAIL = 1 << 7, MISC_MONITOR_ENABLE = 1 << 18;
const MISC_BTS_UNAVAIL = 1 << 11, MISC_PEBS_UNAVAIL = 1 << 12, MISC_XTPR_DISABLE = 1 << 23;
/** MSR_PLATFORM_INFO.CPUID_FAULTING (bit 32): Xen can always offer CPUID faulting to PV guests. */
const PLATFORM_INFO_HI = 1 << 0;
const MISC_FEATURES_CPUID_FAULTING = 1;
/** EFER bits: SCE 0, LME 8, LMA 10, NXE 11 (what Xen itself runs with), SVME 12 hidden. */
const EFER_SCE = 1 << 0, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;
const HOST_EFER = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

export type MsrRead = { ok: true; lo: number; hi: number; note?: string } | { ok: false; why: string };
export type MsrWrite = { ok: true; note?: string } | { ok: false; why: string };

/** Per-vCPU MSR state Xen keeps for a PV vCPU (struct vcpu_msrs). */
export class PvMsrState {
  miscFeaturesEnables = 0;
}

/** guest_efer: Xen's EFER minus SVME; a 32-bit guest does not see LME/LMA, nor SCE on Intel. */
export function guestEfer(is64: boolean): number {
  if (is64) return HOST_EFER;
  return HOST_EFER & ~(EFER_LME | EFER_LMA | (CPUID_VENDOR === 'GenuineIntel' ? EFER_SCE : 0));
}

function guestMiscEnable(v: Vcpu): number {
  const host = [0, 0];
  readMsr(v.cpu, MSR_IA32_MISC_ENABLE, host);
  return ((host[0] & ~(MISC_PERF_AVAIL | MISC_MONITOR_ENABLE)) | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL | MISC_XTPR_DISABLE) | 0;
}

/** read_msr for a PV vCPU. */
export function pvRdmsr(v: Vcpu, st: PvMsrState, idx: number): MsrRead {
  const cpu = v.cpu;
  idx >>>= 0;
  switch (idx) {
    case MSR_APIC_BASE:
      return { ok: true, lo: (APIC_DEFAULT_PHYS_BASE | APIC_BASE_ENABLE | (v.id === 0 ? APIC_BASE_BSP : 0)) | 0, hi: 0 };
    case MSR_FS_BASE:
      if (!v.is64) break;
      return { ok: true, lo: cpu.segBaseLo[FS], hi: cpu.segBaseHi[FS] };
    case MSR_GS_BASE:
      if (!v.is64) break;
      return { ok: true, lo: cpu.segBaseLo[GS], hi: cpu.segBaseHi[GS] };
    case MSR_SHADOW_GS_BASE:
      // gs_base_user: in guest kernel mode the user GS base is the inactive (swapgs) one.
      if (!v.is64) break;
      return { ok: true, lo: cpu.kernelGsBaseLo, hi: cpu.kernelGsBaseHi };
    case MSR_IA32_TSC: {
      const t = cpu.tsc();
      return { ok: true, lo: t % 2 ** 32 | 0, hi: Math.floor(t / 2 ** 32) | 0 };
    }
    case MSR_EFER: return { ok: true, lo: guestEfer(v.is64), hi: 0 };
    case MSR_IA32_CR_PAT: return { ok: true, lo: XEN_MSR_PAT_LO, hi: XEN_MSR_PAT_HI };
    case MSR_IA32_MISC_ENABLE: return { ok: true, lo: guestMiscEnable(v), hi: 0 };
    case MSR_IA32_PERF_CAPABILITIES: return { ok: true, lo: 0, hi: 0 };
    case MSR_INTEL_PLATFORM_INFO: return { ok: true, lo: 0, hi: PLATFORM_INFO_HI };
    case MSR_INTEL_MISC_FEATURES_ENABLES: return { ok: true, lo: st.miscFeaturesEnables, hi: 0 };
    case XEN_MSR_BASE: return { ok: true, lo: 0, hi: 0, note: 'hypercall page MSR reads as zero' };
    default:
      if (idx >= XEN_MSR_BASE && idx <= XEN_MSR_BASE + 0x2ff) return { ok: false, why: `Xen MSR 0x${idx.toString(16)} does not exist` };
      break;
  }
  const known = [0, 0];
  // Xen's "faking RDMSR": no #GP handler registered yet and the MSR exists on the host -> reads as 0.
  if (v.trapCtxt[13].address === 0 && (idx >>> 16) !== 0x4000 && readMsr(cpu, idx, known)) {
    return { ok: true, lo: 0, hi: 0, note: 'faking RDMSR (no #GP handler registered)' };
  }
  return { ok: false, why: `RDMSR 0x${idx.toString(16).padStart(8, '0')} unimplemented for PV guests` };
}

/** write_msr for a PV vCPU. */
export function pvWrmsr(v: Vcpu, st: PvMsrState, idx: number, lo: number, hi: number): MsrWrite {
  const cpu = v.cpu;
  idx >>>= 0; lo |= 0; hi |= 0;
  const val = `0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
  switch (idx) {
    case MSR_FS_BASE: case MSR_GS_BASE: case MSR_SHADOW_GS_BASE:
      if (!v.is64) break;
      if (!isCanonicalHi(hi)) return { ok: false, why: `non-canonical base ${val}` };
      if (idx === MSR_FS_BASE) cpu.setSegmentBase64(FS, lo, hi);
      else if (idx === MSR_GS_BASE) cpu.setSegmentBase64(GS, lo, hi);
      else { cpu.kernelGsBaseLo = lo; cpu.kernelGsBaseHi = hi; }
      return { ok: true };
    case MSR_EFER:
      // Linux writes back the value it read; any change is refused.
      if (hi !== 0 || lo !== guestEfer(v.is64)) return { ok: false, why: `EFER change to ${val} refused (guest EFER is 0x${guestEfer(v.is64).toString(16)})` };
      return { ok: true };
    case MSR_IA32_MISC_ENABLE:
      if (hi !== 0 || lo !== guestMiscEnable(v)) return { ok: true, note: `Domain attempted WRMSR 0x1a0 to ${val}: ignored` };
      return { ok: true };
    case MSR_INTEL_MISC_FEATURES_ENABLES:
      if (hi !== 0 || (lo & ~MISC_FEATURES_CPUID_FAULTING) !== 0) return { ok: false, why: `reserved bits in ${val}` };
      st.miscFeaturesEnables = lo;
      return { ok: true, note: lo ? 'CPUID faulting recorded (not enforced by the emulated CPU)' : undefined };
    case XEN_MSR_BASE:
      return writeHypercallPage(v, lo, hi);
    default:
      break;
  }
  return { ok: false, why: `WRMSR 0x${idx.toString(16).padStart(8, '0')} val ${val} unimplemented` };
}

/** guest_wrmsr_xen: write the hypercall page into machine frame val >> 12 (a PV guest names an MFN). */
function writeHypercallPage(v: Vcpu, lo: number, hi: number): MsrWrite {
  const d = v.domain;
  if (!d) return { ok: false, why: 'no domain' };
  if (lo & 0xfff) return { ok: false, why: `wrmsr hypercall page index 0x${(lo & 0xfff).toString(16)} unsupported` };
  const mfn = (hi >>> 0) * 2 ** 20 + (lo >>> 12);
  const mm = d.mm;
  if (!getPage(mm, mfn, d.mmDomain, true)) return { ok: false, why: `Bad GMFN ${mfn.toString(16)} to MSR 40000000: not owned by the domain` };
  if (getPageType(mm, mfn, PGT_writable_page) !== 0) {
    putPage(mm, mfn);
    return { ok: false, why: `Bad GMFN ${mfn.toString(16)} to MSR 40000000: in use as a page table or descriptor page` };
  }
  v.cpu.mem.writeBytes(mfn * 4096, hypercallPageBytes(d.kind));
  putPageAndType(mm, mfn);
  return { ok: true, note: `hypercall page written to mfn ${mfn.toString(16)}` };
}
