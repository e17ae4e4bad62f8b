// Exception and callback delivery into a PV guest (pv_inject_event, create_bounce_frame,
// compat_create_bounce_frame, toggle_guest_mode). Frames, lowest address first (what the handler sees at its SP):
//
//   pv64 (entry.S create_bounce_frame), 8-byte slots, SP 16-byte aligned before the push:
//     RCX, R11, [ERRCODE], RIP, CS | saved_upcall_mask << 32, RFLAGS, RSP, SS
//     CS keeps RPL 3 when the guest was in user mode; from kernel mode the RPL is cleared (0xe030).
//     RFLAGS.IF is the virtual IF (!saved_upcall_mask); IOPL is the virtual IOPL only with VMASST architectural_iopl.
//     From user mode the vCPU first switches to kernel mode (kernel page table, swapgs) and uses stack_switch's SP.
//     The handler runs at FLAT_KERNEL_CS:rip with SS = FLAT_KERNEL_SS; TF, NT, RF, VM, AC are cleared.
//   pv32 (compat/entry.S compat_create_bounce_frame), 4-byte slots:
//     [ERRCODE], EIP, CS | saved_upcall_mask << 16, EFLAGS, [ESP, SS when coming from ring 2/3]
//     from ring 2/3 the frame goes on kernel_ss:kernel_sp; the handler runs at trap_info.cs:address.
// TBF_INTERRUPT (trap_info flags bit 2, or a callback registered to mask events) sets evtchn_upcall_mask.
// A fault while writing the frame (e.g. the kernel stack is not writable) is a double fault: Xen crashes the domain,
// and the diagnostic names both the fault being delivered and the fault that stopped it.

import type { Cpu } from '../cpu/cpu';
import { CS, SS, GS, RCX, R11, RSP } from '../cpu/state';
import { PF, PFEC_USER, hasErrorCode, VECTOR_NAMES, CpuFault } from '../cpu/fault';
import { getFlags, setFlags, F_IF, F_IOPL, F_TF, F_NT, F_RF, F_VM, F_AC } from '../cpu/flags';
import type { Vcpu } from './vcpu';
import { copyToGuest } from './guest-access';
import { FLAT_KERNEL_CS64, FLAT_KERNEL_SS64, HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END } from './public';
import { TWO32, hexAddr } from '../common/bits';

export const TBF_EXCEPTION = 1, TBF_EXCEPTION_ERRCODE = 2, TBF_INTERRUPT = 8;

export interface TrapBounce { flags: number; errorCode: number; cs: number; eip: number; }

/** What a delivery did, for the debugger's event log and tests. */
export interface BounceRecord {
  vector: number;
  /** 'exception' | 'software-interrupt' | 'syscall' | 'event' */
  kind: string;
  errorCode: number;
  /** Guest SP where the frame starts (lowest address) and the frame words (low to high, as numbers). */
  frameSp: number;
  frame: number[];
  handler: number;
  fromUser: boolean;
}

/** Outcome of a bounce: null when delivered, else the reason the domain must crash. */
export type BounceResult = string | null;

/** toggle_guest_mode (pv64): flip TF_kernel_mode, swapgs, and switch to the other root page table. */
export function toggleGuestMode(v: Vcpu): void {
  const cpu = v.cpu;
  v.kernelMode = !v.kernelMode;
  const lo = cpu.segBaseLo[GS], hi = cpu.segBaseHi[GS];
  cpu.setSegmentBase64(GS, cpu.kernelGsBaseLo, cpu.kernelGsBaseHi);
  cpu.kernelGsBaseLo = lo; cpu.kernelGsBaseHi = hi;
  const root = v.kernelMode ? v.guestTable : v.guestTableUser;
  cpu.cr3 = root * 4096;
  cpu.flushTlb();
}

function rip64(cpu: Cpu): number { return cpu.rip; }

/** Build the bounce frame for tb on the guest stack and enter the handler. */
export function createBounceFrame(v: Vcpu, tb: TrapBounce, rec?: BounceRecord): BounceResult {
  return v.is64 ? createBounceFrame64(v, tb, rec) : createBounceFrame32(v, tb, rec);
}

function createBounceFrame64(v: Vcpu, tb: TrapBounce, rec?: BounceRecord): BounceResult {
  const cpu = v.cpu;
  if (tb.eip === 0) return 'create_bounce_frame: null bounce address';
  const fromUser = !v.kernelMode;
  // Saved user-visible state, read before any mode switch.
  const rcxLo = cpu.regs[RCX << 1], rcxHi = cpu.regs[(RCX << 1) + 1];
  const r11Lo = cpu.regs[R11 << 1], r11Hi = cpu.regs[(R11 << 1) + 1];
  const rspLo = cpu.regs[RSP << 1], rspHi = cpu.regs[(RSP << 1) + 1];
  const rip = rip64(cpu);
  let cs = cpu.segSel[CS];
  const ss = cpu.segSel[SS];
  const rflags = getFlags(cpu);
  let sp: number;
  if (fromUser) {
    toggleGuestMode(v);
    sp = v.kernelSp;
  } else {
    sp = (rspHi | 0) * TWO32 + (rspLo >>> 0);
    cs &= 0xfffc;
  }
  sp = Math.floor(sp / 16) * 16;
  if (sp >= HYPERVISOR_VIRT_START + 1 && sp < HYPERVISOR_VIRT_END + 64) {
    return `create_bounce_frame: guest stack pointer 0x${hexAddr(sp)} is inside Xen's area`;
  }
  const hasEc = (tb.flags & TBF_EXCEPTION_ERRCODE) !== 0;
  const words = hasEc ? 8 : 7;
  const frameSp = sp - words * 8;
  const saved = v.upcallMask;
  let fl = rflags & ~(F_IF | F_IOPL);
  if (!saved) fl |= F_IF;
  if (v.domain?.vmAssistArchitecturalIopl) fl |= v.iopl & F_IOPL;
  const buf = new Uint8Array(words * 8);
  const dv = new DataView(buf.buffer);
  const put = (slot: number, lo: number, hi: number): void => { dv.setInt32(slot * 8, lo, true); dv.setInt32(slot * 8 + 4, hi, true); };
  let k = 0;
  put(k++, rcxLo, rcxHi);
  put(k++, r11Lo, r11Hi);
  if (hasEc) put(k++, tb.errorCode, 0);
  put(k++, rip | 0, Math.floor(rip / TWO32) | 0);
  put(k++, cs, saved & 0xff);
  put(k++, fl, 0);
  put(k++, rspLo, rspHi);
  put(k++, ss, 0);
  if (!copyToGuest(cpu, frameSp, buf)) {
    if (fromUser) toggleGuestMode(v);
    return `create_bounce_frame: #PF writing the ${words * 8}-byte frame at 0x${hexAddr(frameSp)} (guest ${fromUser ? 'kernel stack from stack_switch' : 'stack'} not writable)`;
  }
  if (tb.flags & TBF_INTERRUPT) v.upcallMask = 1;
  if (rec) {
    rec.frameSp = frameSp; rec.fromUser = fromUser; rec.handler = tb.eip;
    rec.frame = [];
    for (let i = 0; i < words; i++) rec.frame.push(dv.getInt32(i * 8 + 4, true) * TWO32 + dv.getUint32(i * 8, true));
  }
  setFlags(cpu, 0, F_AC | F_VM | F_RF | F_NT | F_TF);
  v.loadReserved(SS, FLAT_KERNEL_SS64);
  v.loadReserved(CS, FLAT_KERNEL_CS64);
  cpu.setReg64(RSP, frameSp | 0, Math.floor(frameSp / TWO32) | 0);
  cpu.rip = tb.eip;
  // TRAP_syscall: Xen leaves by sysret, so the handler starts with RCX = its RIP and R11 = RFLAGS (hence the
  // guest's RCX/R11 in the frame).
  cpu.setReg64(RCX, tb.eip | 0, Math.floor(tb.eip / TWO32) | 0);
  cpu.setReg64(R11, (getFlags(cpu) | F_IF) & ~F_IOPL, 0);
  return null;
}

/** Read a guest descriptor for Xen's own use; false when absent (an LDT page that cannot be mapped included). */
export function readGuestDescriptor(v: Vcpu, sel: number, out: Int32Array): boolean {
  if ((sel & 0xfffc) === 0) return false;
  try {
    return v.descriptors.read(v.cpu, (sel >> 2) & 1, sel >> 3, out);
  } catch (e) {
    if (e instanceof CpuFault) return false;
    throw e;
  }
}

/** Load CS or SS for a pv32 delivery from the guest's descriptor of `sel` (Xen loads them on its iret/exit). */
function loadGuestSeg(v: Vcpu, seg: number, sel: number): boolean {
  const out = new Int32Array(2);
  if (!readGuestDescriptor(v, sel, out)) return false;
  if (!(out[1] & 0x8000)) return false;
  v.descriptors.setAccessed(v.cpu, (sel >> 2) & 1, sel >> 3);
  v.cpu.setSegmentFromDescriptor(seg, sel, out[0], out[1] | 0x100);
  return true;
}

function segBaseOf(v: Vcpu, sel: number): number | null {
  const out = new Int32Array(2);
  if (!readGuestDescriptor(v, sel, out)) return null;
  return ((out[0] >>> 16) | ((out[1] & 0xff) << 16) | (out[1] & 0xff000000)) >>> 0;
}

function createBounceFrame32(v: Vcpu, tb: TrapBounce, rec?: BounceRecord): BounceResult {
  const cpu = v.cpu;
  if ((tb.cs & ~3) === 0) return 'compat_create_bounce_frame: null code selector in the trap bounce';
  const cs = cpu.segSel[CS], ss = cpu.segSel[SS];
  const esp = cpu.regs[RSP << 1] >>> 0;
  const eflags = getFlags(cpu);
  const fromUser = (cs & 2) !== 0;
  let newSs: number, sp: number;
  const words: number[] = [];
  if (fromUser) { newSs = v.kernelSs; sp = v.kernelSp >>> 0; } else { newSs = ss; sp = esp; }
  const base = segBaseOf(v, newSs);
  if (base === null) return `compat_create_bounce_frame: unusable stack selector 0x${newSs.toString(16)}`;
  const saved = v.upcallMask;
  let fl = eflags & ~(F_IF | F_IOPL);
  if (!saved) fl |= F_IF;
  if (v.domain?.vmAssistArchitecturalIopl) fl |= v.iopl & F_IOPL;
  if (tb.flags & TBF_EXCEPTION_ERRCODE) words.push(tb.errorCode >>> 0);
  words.push(cpu.rip >>> 0, ((cs & 0xffff) | ((saved & 0xff) << 16)) >>> 0, fl >>> 0);
  if (fromUser) words.push(esp, ss);
  const frameSp = (sp - words.length * 4) >>> 0;
  const buf = new Uint8Array(words.length * 4);
  const dv = new DataView(buf.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  if (!copyToGuest(cpu, (base + frameSp) >>> 0, buf)) {
    return `compat_create_bounce_frame: #PF writing the ${buf.length}-byte frame at 0x${((base + frameSp) >>> 0).toString(16)} ` +
      `(guest ${fromUser ? 'kernel stack from stack_switch' : 'stack'} not writable)`;
  }
  const oldCpl = cpu.cpl;
  cpu.setCpl(tb.cs & 3);
  if (!loadGuestSeg(v, CS, tb.cs)) { cpu.setCpl(oldCpl); return `compat_create_bounce_frame: bad code selector 0x${tb.cs.toString(16)}`; }
  if (!loadGuestSeg(v, SS, newSs)) return `compat_create_bounce_frame: bad stack selector 0x${newSs.toString(16)}`;
  if (tb.flags & TBF_INTERRUPT) v.upcallMask = 1;
  setFlags(cpu, 0, F_VM | F_RF | F_NT | F_TF);
  cpu.setReg32(RSP, frameSp);
  cpu.rip = tb.eip >>> 0;
  cpu.updateMode();
  if (rec) { rec.frameSp = frameSp; rec.fromUser = fromUser; rec.handler = tb.eip; rec.frame = words; }
  return null;
}

/**
 * pv_inject_event: deliver exception/software interrupt `vector` through the trap table. errorCode -1 = none.
 * Returns null when delivered, else the crash diagnostic.
 */
export function injectEvent(v: Vcpu, vector: number, errorCode: number, software: boolean, cr2 = 0,
  rec?: BounceRecord): BounceResult {
  const ti = v.trapCtxt[vector];
  const tb: TrapBounce = { flags: TBF_EXCEPTION, errorCode: 0, cs: ti.cs, eip: ti.address };
  const useEc = !software && hasErrorCode(vector) && errorCode >= 0;
  if (!software && vector === PF) {
    v.setGuestCr2(cr2);
    errorCode &= ~PFEC_USER;
    if (!v.guestKernelMode()) errorCode |= PFEC_USER;
  }
  if (useEc) { tb.flags |= TBF_EXCEPTION_ERRCODE; tb.errorCode = errorCode; }
  if (ti.flags & 4) tb.flags |= TBF_INTERRUPT;
  const isNull = v.is64 ? tb.eip === 0 : (tb.cs & ~3) === 0;
  const name = VECTOR_NAMES[vector] ?? `vector ${vector}`;
  if (isNull) {
    const ec = useEc ? `[${(errorCode >>> 0).toString(16).padStart(4, '0')}]` : '';
    return `no trap handler for ${software ? `int $0x${vector.toString(16)}` : name}${ec}` +
      (vector === PF && !software ? ` at 0x${hexAddr(cr2)}` : '') + ` (rip 0x${hexAddr(v.cpu.rip)})`;
  }
  if (rec) { rec.vector = vector; rec.errorCode = useEc ? errorCode : -1; }
  const rip = v.cpu.rip;
  const r = createBounceFrame(v, tb, rec);
  if (r === null) return null;
  const ec = useEc ? `[${(errorCode >>> 0).toString(16).padStart(4, '0')}]` : '';
  return `double fault: delivering ${software ? `int $0x${vector.toString(16)}` : name}${ec} (rip 0x${hexAddr(rip)}) failed: ${r}`;
}
