// vCPU setup hypercalls: set_trap_table, stack_switch, set_callbacks, callback_op, fpu_taskswitch, vm_assist,
// set_segment_base (pv/traps.c, pv/callback.c, pv/misc-hypercalls.c). Tables are committed only when every entry
// is valid, so a failing call leaves the previous state intact.

import type { HypercallContext } from './types';
import type { Vcpu, Callback, TrapInfo } from '../vcpu';
import { copyFromGuest, GuestBuf } from '../guest-access';
import { FS, GS } from '../../cpu/state';
import { isCanonical, hexAddr } from '../../common/bits';
import { loadSegment } from '../../cpu/exec/segments-load';
import { CpuFault } from '../../cpu/fault';
import {
  TRAP_INFO, CALLBACKTYPE_event, CALLBACKTYPE_failsafe, CALLBACKTYPE_syscall,
  CALLBACKTYPE_syscall32, CALLBACKTYPE_sysenter, CALLBACKTYPE_nmi, CALLBACKF_mask_events, CALLBACKOP_register,
  CALLBACKOP_unregister, VGCF_syscall_disables_events, VGCF_failsafe_disables_events, VMASST_CMD_enable,
  VMASST_CMD_disable, VMASST_TYPE_4gb_segments, VMASST_TYPE_4gb_segments_notify, VMASST_TYPE_writable_pagetables,
  VMASST_TYPE_pae_extended_cr3, VMASST_TYPE_architectural_iopl, VMASST_TYPE_runstate_update_flag, VMASST_TYPE_m2p_strict,
  SEGBASE_FS, SEGBASE_GS_USER, SEGBASE_GS_KERNEL, SEGBASE_GS_USER_SEL, EFAULT, EINVAL, ENOSYS,
  E2BIG,
} from '../public';

const CR0_TS = 1 << 3;

/** GUEST_KERNEL_RPL: 3 for pv64 (kernel in ring 3), 1 for pv32. */
export function guestKernelRpl(v: Vcpu): number { return v.is64 ? 3 : 1; }

/** __fixup_guest_selector: raise the RPL of a guest code/stack selector to the kernel's ring. */
export function fixupGuestSelector(v: Vcpu, sel: number): number {
  const rpl = guestKernelRpl(v);
  return (sel & 3) >= rpl ? sel & 0xffff : ((sel & ~3) | rpl) & 0xffff;
}

/** Upper bound on trap_info entries read before the terminator (the table has 256 vectors). */
const MAX_TRAP_ENTRIES = 1024;

export function doSetTrapTable(c: HypercallContext): number {
  const v = c.vcpu, ptr = c.ptr(0);
  if (ptr === 0) {
    for (const t of v.trapCtxt) { t.flags = 0; t.cs = 0; t.address = 0; }
    c.diag = 'trap table cleared';
    return 0;
  }
  const size = TRAP_INFO[c.vcpu.kind].size;
  const staged: TrapInfo[] = [];
  const notes: string[] = [];
  for (let i = 0; ; i++) {
    if (i >= MAX_TRAP_ENTRIES) { c.diag = `no terminating entry within ${MAX_TRAP_ENTRIES} entries`; return -E2BIG; }
    const va = c.is64 ? ptr + i * size : (ptr + i * size) >>> 0;
    const b = copyFromGuest(c.cpu, va, size);
    if (b === null) { c.diag = `trap_info[${i}] at 0x${hexAddr(va)} not readable`; return -EFAULT; }
    const g = new GuestBuf(b);
    const vector = g.u8(0), flags = g.u8(1), cs = g.u16(2);
    const address = c.is64 ? g.s64(8) : g.u32(4);
    if (address === 0) break;
    if (c.is64 && !isCanonical(address)) {
      c.diag = `trap_info[${i}] (vector ${vector}): address 0x${(g.hi(8) >>> 0).toString(16)}${(g.lo(8) >>> 0).toString(16).padStart(8, '0')} is not canonical`;
      return -EINVAL;
    }
    const fixed = fixupGuestSelector(v, cs);
    if (fixed !== cs) notes.push(`vector ${vector}: cs 0x${cs.toString(16)} RPL raised to 0x${fixed.toString(16)}`);
    if (!c.is64 && (fixed & 0xfffc) === 0) notes.push(`vector ${vector}: null cs (no handler)`);
    staged.push({ vector, flags, cs: fixed, address });
  }
  for (const t of staged) {
    const d = v.trapCtxt[t.vector];
    d.flags = t.flags; d.cs = t.cs; d.address = t.address;
  }
  c.diag = `${staged.length} entr${staged.length === 1 ? 'y' : 'ies'}` + (notes.length ? `; ${notes.join('; ')}` : '');
  return 0;
}

export function doStackSwitch(c: HypercallContext): number {
  const v = c.vcpu;
  v.kernelSs = fixupGuestSelector(v, c.u32(0));
  v.kernelSp = c.ptr(1);
  return 0;
}

function callbackSlot(v: Vcpu, type: number): Callback | null {
  switch (type) {
    case CALLBACKTYPE_event: return v.event;
    case CALLBACKTYPE_failsafe: return v.failsafe;
    case CALLBACKTYPE_syscall: return v.is64 ? v.syscall : null;
    case CALLBACKTYPE_syscall32: return v.syscall32;
    case CALLBACKTYPE_sysenter: return v.sysenter;
    case CALLBACKTYPE_nmi: return v.nmi;
    default: return null;
  }
}

const CALLBACK_NAMES: Record<number, string> = { 0: 'event', 1: 'failsafe', 2: 'syscall', 3: 'sysenter_deprecated', 4: 'nmi', 5: 'sysenter', 7: 'syscall32' };

/** register_guest_callback / compat_register_guest_callback. */
export function registerGuestCallback(c: HypercallContext, type: number, flags: number, cs: number, address: number): number {
  const v = c.vcpu;
  if (c.is64 && !isCanonical(address)) { c.diag = `callback address 0x${hexAddr(address)} is not canonical`; return -EINVAL; }
  const slot = callbackSlot(v, type);
  if (slot === null) { c.diag = `callback type ${type} not supported for ${v.kind}`; return -ENOSYS; }
  slot.cs = c.is64 ? 0 : fixupGuestSelector(v, cs);
  slot.address = address;
  slot.flags = flags;
  if (type === CALLBACKTYPE_failsafe) {
    v.vgcFlags = flags & CALLBACKF_mask_events ? v.vgcFlags | VGCF_failsafe_disables_events : v.vgcFlags & ~VGCF_failsafe_disables_events;
  } else if (type === CALLBACKTYPE_syscall) {
    v.vgcFlags = flags & CALLBACKF_mask_events ? v.vgcFlags | VGCF_syscall_disables_events : v.vgcFlags & ~VGCF_syscall_disables_events;
  }
  return 0;
}

export function doSetCallbacks(c: HypercallContext): number {
  const parts: [number, number, number][] = c.is64
    ? [[CALLBACKTYPE_event, 0, c.ptr(0)], [CALLBACKTYPE_failsafe, 0, c.ptr(1)], [CALLBACKTYPE_syscall, 0, c.ptr(2)]]
    : [[CALLBACKTYPE_event, c.u32(0), c.u32(1)], [CALLBACKTYPE_failsafe, c.u32(2), c.u32(3)]];
  if (c.is64) for (const [, , a] of parts) if (!isCanonical(a)) { c.diag = `address 0x${hexAddr(a)} is not canonical`; return -EINVAL; }
  for (const [type, cs, addr] of parts) {
    const r = registerGuestCallback(c, type, 0, cs, addr);
    if (r < 0) return r;
  }
  return 0;
}

export function doCallbackOp(c: HypercallContext): number {
  const cmd = c.s32(0), arg = c.ptr(1);
  switch (cmd) {
    case CALLBACKOP_register: {
      const size = c.is64 ? 16 : 12;
      const b = copyFromGuest(c.cpu, arg, size);
      if (b === null) { c.diag = 'struct callback_register not readable'; return -EFAULT; }
      const g = new GuestBuf(b);
      const type = g.u16(0), flags = g.u16(2);
      const cs = c.is64 ? 0 : g.u32(4);
      const address = c.is64 ? g.s64(8) : g.u32(8);
      c.diag = `${CALLBACK_NAMES[type] ?? `type ${type}`} → ${c.is64 ? '' : `0x${cs.toString(16)}:`}0x${hexAddr(address)}` +
        (flags & CALLBACKF_mask_events ? ' (mask events)' : '');
      const r = registerGuestCallback(c, type, flags, cs, address);
      return r;
    }
    case CALLBACKOP_unregister: {
      const b = copyFromGuest(c.cpu, arg, 4);
      if (b === null) { c.diag = 'struct callback_unregister not readable'; return -EFAULT; }
      const type = new GuestBuf(b).u16(0);
      switch (type) {
        case CALLBACKTYPE_event: case CALLBACKTYPE_failsafe: case CALLBACKTYPE_syscall: case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
          c.diag = `callback ${CALLBACK_NAMES[type]} cannot be unregistered`;
          return -EINVAL;
        case CALLBACKTYPE_nmi:
          c.vcpu.nmi = { cs: 0, address: 0, flags: 0 };
          return 0;
        default:
          c.diag = `unknown callback type ${type}`;
          return -ENOSYS;
      }
    }
    default:
      c.diag = `unknown callback_op ${cmd}`;
      return -ENOSYS;
  }
}

export function decodeCallbackOp(c: HypercallContext): string {
  const cmd = c.s32(0);
  return `${cmd === 0 ? 'CALLBACKOP_register' : cmd === 1 ? 'CALLBACKOP_unregister' : `cmd ${cmd}`}, ${c.hex(1)}`;
}

export function doFpuTaskswitch(c: HypercallContext): number {
  const set = c.s32(0) !== 0;
  c.vcpu.fpuTs = set;
  c.cpu.cr0 = set ? (c.cpu.cr0 | CR0_TS) >>> 0 : (c.cpu.cr0 & ~CR0_TS) >>> 0;
  return 0;
}

export function doVmAssist(c: HypercallContext): number {
  const cmd = c.u32(0), type = c.u32(1);
  let valid = (1 << VMASST_TYPE_4gb_segments) | (1 << VMASST_TYPE_4gb_segments_notify) |
    (1 << VMASST_TYPE_writable_pagetables) | (1 << VMASST_TYPE_architectural_iopl) | (1 << VMASST_TYPE_runstate_update_flag);
  if (!c.is64) valid |= 1 << VMASST_TYPE_pae_extended_cr3;
  const isM2pStrict = c.is64 && type === VMASST_TYPE_m2p_strict;
  if (type >= 64 || (!isM2pStrict && (type >= 32 || !((valid >>> type) & 1)))) { c.diag = `vm_assist type ${type} not valid for ${c.vcpu.kind}`; return -EINVAL; }
  const bit = isM2pStrict ? 0 : 1 << type;
  switch (cmd) {
    case VMASST_CMD_enable: c.domain.vmAssist |= bit; if (isM2pStrict) c.domain.m2pStrict = true; return 0;
    case VMASST_CMD_disable: c.domain.vmAssist &= ~bit; if (isM2pStrict) c.domain.m2pStrict = false; return 0;
    default: c.diag = `unknown vm_assist command ${cmd}`; return -ENOSYS;
  }
}

export function doSetSegmentBase(c: HypercallContext): number {
  const which = c.u32(0), base = c.ptr(1), lo = c.lo[1], hi = c.hi[1];
  const cpu = c.cpu;
  switch (which) {
    case SEGBASE_FS:
      if (!c.canonical(1)) { c.diag = 'base not canonical'; return -EINVAL; }
      cpu.setSegmentBase64(FS, lo, hi);
      return 0;
    case SEGBASE_GS_USER:
      if (!c.canonical(1)) { c.diag = 'base not canonical'; return -EINVAL; }
      if (c.vcpu.kernelMode) { cpu.kernelGsBaseLo = lo; cpu.kernelGsBaseHi = hi; } else cpu.setSegmentBase64(GS, lo, hi);
      return 0;
    case SEGBASE_GS_KERNEL:
      if (!c.canonical(1)) { c.diag = 'base not canonical'; return -EINVAL; }
      if (c.vcpu.kernelMode) cpu.setSegmentBase64(GS, lo, hi); else { cpu.kernelGsBaseLo = lo; cpu.kernelGsBaseHi = hi; }
      return 0;
    case SEGBASE_GS_USER_SEL: {
      // swapgs; load %gs (a failing load yields the null selector); swapgs.
      const kLo = cpu.segBaseLo[GS], kHi = cpu.segBaseHi[GS];
      try { loadSegment(cpu, GS, base & 0xffff); } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        c.diag = `selector 0x${(base & 0xffff).toString(16)} not loadable: null loaded`;
        cpu.setSegment(GS, 0, 0, 0, 0, false);
      }
      cpu.kernelGsBaseLo = cpu.segBaseLo[GS]; cpu.kernelGsBaseHi = cpu.segBaseHi[GS];
      cpu.setSegmentBase64(GS, kLo, kHi);
      return 0;
    }
    default:
      c.diag = `unknown segment base selector ${which} (base 0x${hexAddr(base)})`;
      return -EINVAL;
  }
}
