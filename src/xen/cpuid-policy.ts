// The CPUID a PV guest sees (Xen's PV cpu policy in miniature): the hypervisor bit and Xen's leaves at
// 0x40000000, without features a PV kernel cannot use (VMX, MONITOR, PSE/PSE36 superpages, SMEP/SMAP, UMIP).

import type { Cpu } from '../cpu/cpu';
import type { CpuidFilter } from '../cpu/exec/cpuid';
import type { GuestKind } from './builder/elf-notes';

export const XEN_CPUID_FIRST_LEAF = 0x40000000;
/** Reported Xen version (XENVER_version and cpuid leaf 0x40000001): 4.19. */
export const XEN_MAJOR = 4, XEN_MINOR = 19;

function sig(s: string): number {
  return (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) | 0;
}

export function pvCpuidPolicy(kind: GuestKind): CpuidFilter {
  return (_cpu: Cpu, leaf: number, subleaf: number, r: Int32Array): void => {
    switch (leaf) {
      case 1:
        r[2] = (r[2] & ~((1 << 3) | (1 << 5))) | (1 << 31); // -MONITOR -VMX +HYPERVISOR
        r[3] &= ~((1 << 3) | (1 << 17));                    // -PSE -PSE36
        break;
      case 7:
        if (subleaf === 0) { r[1] &= ~((1 << 7) | (1 << 20)); r[2] &= ~(1 << 2); } // -SMEP -SMAP -UMIP
        break;
      case 0x80000001:
        if (kind === 'pv32pae') r[3] &= ~(1 << 29); // a 32-bit PV guest does not see LM
        break;
      case XEN_CPUID_FIRST_LEAF:
        r[0] = XEN_CPUID_FIRST_LEAF + 2; r[1] = sig('XenV'); r[2] = sig('MMXe'); r[3] = sig('nVMM');
        break;
      case XEN_CPUID_FIRST_LEAF + 1:
        r[0] = (XEN_MAJOR << 16) | XEN_MINOR; r[1] = r[2] = r[3] = 0;
        break;
      case XEN_CPUID_FIRST_LEAF + 2:
        r[0] = 1; r[1] = XEN_CPUID_FIRST_LEAF; r[2] = r[3] = 0; // one hypercall page, MSR base
        break;
      default:
        break;
    }
  };
}
