// xen_version (do_xen_version): version, extraversion, compile_info, capabilities, changeset,
// platform_parameters (virt_start), get_features (XENFEAT_* submap 0), pagesize, guest_handle, commandline.

import type { HypercallContext } from './types';
import { copyFromGuest, copyToGuest, encodeWord, GuestBuf } from '../guest-access';
import {
  XENVER_version, XENVER_extraversion, XENVER_compile_info, XENVER_capabilities, XENVER_changeset,
  XENVER_platform_parameters, XENVER_get_features, XENVER_pagesize, XENVER_guest_handle, XENVER_commandline,
  XEN_EXTRAVERSION_LEN, XEN_CAPABILITIES_INFO_LEN, XEN_CHANGESET_INFO_LEN, EFAULT, ENOSYS,
  HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_START_PAE, XENFEAT_pae_pgdir_above_4gb, VMASST_TYPE_pae_extended_cr3,
} from '../public';
import { XEN_MAJOR, XEN_MINOR } from '../cpuid-policy';

export const XENVER_NAMES = ['XENVER_version', 'XENVER_extraversion', 'XENVER_compile_info', 'XENVER_capabilities',
  'XENVER_changeset', 'XENVER_platform_parameters', 'XENVER_get_features', 'XENVER_pagesize', 'XENVER_guest_handle',
  'XENVER_commandline'];

export const XEN_EXTRAVERSION = '.0-xenpv-debugger';
export const XEN_CAPABILITIES = 'xen-3.0-x86_64 xen-3.0-x86_32p';

function cstr(s: string, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < Math.min(s.length, size - 1); i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** XENFEAT_* bits of submap 0 this hypervisor offers the domain. */
export function featureSubmap0(c: HypercallContext): number {
  let m = c.domain.extraFeatures;
  if (!c.is64 && (c.domain.vmAssist & (1 << VMASST_TYPE_pae_extended_cr3))) m |= 1 << XENFEAT_pae_pgdir_above_4gb;
  return m >>> 0;
}

export function doXenVersion(c: HypercallContext): number {
  const cmd = c.s32(0), arg = c.ptr(1);
  const put = (data: Uint8Array, what: string): number => {
    if (!copyToGuest(c.cpu, arg, data)) { c.diag = `${what} buffer not writable`; return -EFAULT; }
    return 0;
  };
  switch (cmd) {
    case XENVER_version: return (XEN_MAJOR << 16) | XEN_MINOR;
    case XENVER_extraversion: return put(cstr(XEN_EXTRAVERSION, XEN_EXTRAVERSION_LEN), 'xen_extraversion_t');
    case XENVER_compile_info: {
      const b = new Uint8Array(64 + 16 + 32 + 32);
      b.set(cstr('emulated', 64), 0); b.set(cstr('xenpv', 16), 64); b.set(cstr('localdomain', 32), 80);
      b.set(cstr('emulated', 32), 112);
      return put(b, 'xen_compile_info_t');
    }
    case XENVER_capabilities: return put(cstr(XEN_CAPABILITIES, XEN_CAPABILITIES_INFO_LEN), 'xen_capabilities_info_t');
    case XENVER_changeset: return put(cstr('emulated', XEN_CHANGESET_INFO_LEN), 'xen_changeset_info_t');
    case XENVER_platform_parameters:
      return put(encodeWord(c.is64 ? HYPERVISOR_VIRT_START : HYPERVISOR_VIRT_START_PAE, c.is64 ? 8 : 4), 'xen_platform_parameters_t');
    case XENVER_get_features: {
      // struct xen_feature_info { unsigned int submap_idx; uint32_t submap; }
      const b = copyFromGuest(c.cpu, arg, 8);
      if (b === null) { c.diag = 'xen_feature_info not readable'; return -EFAULT; }
      const idx = new GuestBuf(b).u32(0);
      const submap = idx === 0 ? featureSubmap0(c) : 0;
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, submap, true);
      if (!copyToGuest(c.cpu, c.is64 ? arg + 4 : (arg + 4) >>> 0, out)) { c.diag = 'xen_feature_info not writable'; return -EFAULT; }
      c.diag = `submap ${idx} = 0x${submap.toString(16)}`;
      return 0;
    }
    case XENVER_pagesize: return 4096;
    case XENVER_guest_handle: return put(new Uint8Array(16), 'xen_domain_handle_t');
    case XENVER_commandline: return put(new Uint8Array(1024), 'xen_commandline_t');
    default:
      c.diag = `unknown xen_version command ${cmd}`;
      return -ENOSYS;
  }
}

export function decodeXenVersion(c: HypercallContext): string {
  const cmd = c.s32(0);
  return `${XENVER_NAMES[cmd] ?? `cmd ${cmd}`}, ${c.hex(1)}`;
}
