// Xen ABI constants predefined as assembler symbols, taken from src/xen/public (the one source of Xen's numbers):
// header families by name prefix, XEN_E* errno values, and the FLAT_*/virtual-range names of the guest's ABI.

import * as XenPublic from '../xen/public';
import * as ERRNO from '../xen/public/errno';
import { ABI_NAMES } from '../xen/public/abi-names';

/**
 * Header families a guest writer reaches for (public/xen.h, sched.h, event_channel.h, vcpu.h, callback.h,
 * version.h, features.h, memory.h, grant_table.h, physdev.h, elfnote.h, io/console.h, arch-x86/xen*.h); any
 * constant src/xen/public exports under one of these prefixes is predefined.
 */
const FAMILY = new RegExp('^(?:__HYPERVISOR_[a-z]|XEN_ELFNOTE_|SCHEDOP_|SHUTDOWN_|CONSOLEIO_|MMU_|MMUEXT_|UVMF_|VMASST_|' +
  'DOMID_|VIRQ_|NR_VIRQS$|EVTCHNOP_|EVTCHNSTAT_|VCPUOP_|VCPU_SSHOTTMR_|RUNSTATE_|CALLBACKOP_|CALLBACKTYPE_|CALLBACKF_|' +
  'XENVER_|XEN_(?:EXTRAVERSION|CAPABILITIES_INFO|CHANGESET_INFO)_LEN$|XENFEAT_|XENMEM_|XENMAPSPACE_|MEMOP_|GNTTABOP_|' +
  'GNTST_|GTF_|GNTMAP_|PHYSDEVOP_|SIF_|MAX_GUEST_CMDLINE$|XENCONSOLE_|XEN_PVCLOCK_|SEGBASE_|VGCF_|(?:FIRST|LAST)_RESERVED_GDT_)');

export type AbiBits = 32 | 64;

function numbersOf(mod: Record<string, unknown>, keep: (name: string) => boolean, rename = (n: string) => n): [string, bigint][] {
  return Object.entries(mod).filter(([k, v]) => Number.isInteger(v) && keep(k)).map(([k, v]) => [rename(k), BigInt(v as number)]);
}

let common: Map<string, bigint> | undefined;
/** The ABI-independent constants (same value for pv64 and pv32 guests). */
function commonSymbols(): Map<string, bigint> {
  if (common) return common;
  common = new Map([
    ...numbersOf(XenPublic, (n) => FAMILY.test(n)),
    // public/errno.h spells the assembler names XEN_EPERM, XEN_EINVAL...
    ...numbersOf(ERRNO, (n) => /^E[A-Z0-9]+$/.test(n), (n) => `XEN_${n}`),
  ]);
  return common;
}

/** Names whose value follows the guest ABI (FLAT_KERNEL_CS is 0xe033 for pv64, 0xe019 for pv32). */
export function abiSymbols(bits: AbiBits): Map<string, bigint> {
  return new Map(Object.entries(ABI_NAMES[bits === 64 ? 'pv64' : 'pv32pae']).map(([k, v]) => [k, BigInt(v)]));
}

/** Every ABI-dependent name of either guest kind. */
export function allAbiSymbolNames(): Set<string> {
  return new Set([...Object.keys(ABI_NAMES.pv64), ...Object.keys(ABI_NAMES.pv32pae)]);
}

const cache = new Map<AbiBits, Map<string, bigint>>();
/** Every predefined symbol for a guest of `bits` (default 64: the assembler's default ELF class). */
export function predefinedSymbols(bits: AbiBits = 64): Map<string, bigint> {
  let m = cache.get(bits);
  if (!m) {
    m = new Map([...commonSymbols(), ...abiSymbols(bits)]);
    cache.set(bits, m);
  }
  return m;
}
