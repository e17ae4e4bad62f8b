// Xen's load_segments (domain.c) and the failsafe callback: when a vCPU is scheduled back onto a CPU that ran
// another vCPU, Xen reloads its LDT and DS/ES/FS/GS from the saved selectors; a selector that no longer loads
// (its GDT/LDT entry changed, the LDT went away) is replaced by NUL and the guest enters its failsafe callback:
//
//   pv64, 8-byte slots from the new RSP up: RCX, R11, DS, ES, FS, GS, RIP, CS | mask << 32, RFLAGS, RSP, SS
//        on the current stack (kernel mode, CS RPL cleared) or on stack_switch's stack (after switching from
//        user mode); entered at FLAT_KERNEL_CS:failsafe with RCX = RIP and R11 = RFLAGS (the sysret exit).
//   pv32, 4-byte slots: DS, ES, FS, GS, EIP, CS | mask << 16, EFLAGS, [ESP, SS when not from ring 1]
//        at the ring-1 ESP or stack_switch's kernel_sp (flat addresses, as Xen's put_guest); entered at
//        FLAT_COMPAT_KERNEL_CS:failsafe with SS = FLAT_COMPAT_KERNEL_SS (Xen ignores the registered failsafe CS here).
// The selectors pushed are the ones that were saved (what the guest had loaded), not the NUL replacements.
// Since Xen 4.7 the iret hypercall never uses the failsafe callback: a fault on the final IRET is reported as
// that very exception at the IRET's target (hypercalls/iret.ts).

import { DS, ES, FS, GS, CS, SS, RSP, RCX, R11 } from '../cpu/state';
import { getFlags, setFlags, F_IF, F_IOPL, F_AC, F_VM, F_RF, F_NT, F_TF } from '../cpu/flags';
import type { Vcpu } from './vcpu';
import { copyToGuest } from './guest-access';
import { toggleGuestMode, readGuestDescriptor, BounceRecord } from './traps';
import { FLAT_KERNEL_CS64, FLAT_KERNEL_SS64, FLAT_RING1_CS, FLAT_RING1_DS, VGCF_failsafe_disables_events } from './public';
import { TWO32, hexAddr } from '../common/bits';

/** What load_segments did: the selectors it could not load, and the crash diagnostic when the frame failed. */
export interface LoadSegmentsResult {
  failed: { seg: string; sel: number }[];
  /** Non-null: the failsafe frame could not be written (Xen crashes the domain with this). */
  crash: string | null;
  record: BounceRecord | null;
}

const SEG_NAMES: Record<number, string> = { [DS]: 'ds', [ES]: 'es', [FS]: 'fs', [GS]: 'gs' };

/** TRY_LOAD_SEG: a data-segment load at CPL0 (NUL allowed); false when it would fault. */
function tryLoadSeg(v: Vcpu, seg: number, sel: number): boolean {
  const cpu = v.cpu;
  if ((sel & 0xfffc) === 0) {
    if (v.is64) {
      // A NUL selector keeps the (64-bit) base, which load_segments rewrites below.
      cpu.setSegment(seg, sel, cpu.segBase[seg], 0, 0, false);
    } else {
      cpu.setSegment(seg, sel, 0, 0, 0, false);
    }
    return true;
  }
  const out = new Int32Array(2);
  if (!readGuestDescriptor(v, sel, out)) return false;
  const hi = out[1];
  const s = (hi >> 12) & 1, type = (hi >> 8) & 0xf, present = (hi >> 15) & 1;
  if (!s || ((type & 8) && !(type & 2))) return false; // system, or execute-only code
  if (!present) return false;
  v.descriptors.setAccessed(cpu, (sel >> 2) & 1, sel >> 3);
  const lo64 = cpu.segBaseLo[seg], hi64 = cpu.segBaseHi[seg];
  cpu.setSegmentFromDescriptor(seg, sel, out[0], hi | 0x100);
  if (v.is64 && (seg === FS || seg === GS)) cpu.setSegmentBase64(seg, lo64, hi64);
  return true;
}

/** load_segments for vCPU v: reload DS/ES/FS/GS; on any failure, enter the failsafe callback. */
export function loadSegments(v: Vcpu): LoadSegmentsResult {
  const cpu = v.cpu;
  const saved = [DS, ES, FS, GS].map((s) => cpu.segSel[s] & 0xffff);
  const failed: { seg: string; sel: number }[] = [];
  for (const seg of [FS, GS, DS, ES]) {
    const sel = cpu.segSel[seg] & 0xffff;
    if (!tryLoadSeg(v, seg, sel)) {
      failed.push({ seg: SEG_NAMES[seg], sel });
      tryLoadSeg(v, seg, 0);
    }
  }
  if (failed.length === 0) return { failed, crash: null, record: null };
  const what = failed.map((f) => `${f.seg}=0x${f.sel.toString(16).padStart(4, '0')}`).join(' ');
  const r = v.is64 ? failsafe64(v, saved) : failsafe32(v, saved);
  if (typeof r === 'string') return { failed, crash: `${r} (reloading ${what})`, record: null };
  r.kind = `failsafe callback: could not reload ${what}`;
  return { failed, crash: null, record: r };
}

function virtualFlags(v: Vcpu): number {
  let fl = getFlags(v.cpu) & ~(F_IF | F_IOPL);
  if (!v.upcallMask) fl |= F_IF;
  if (v.domain?.vmAssistArchitecturalIopl) fl |= v.iopl & F_IOPL;
  return fl >>> 0;
}

function failsafe64(v: Vcpu, saved: number[]): BounceRecord | string {
  const cpu = v.cpu;
  const eip = v.failsafe.address;
  if (eip === 0) return 'no failsafe callback registered: Error creating failsafe callback frame';
  const rcx = [cpu.regs[RCX << 1], cpu.regs[(RCX << 1) + 1]], r11 = [cpu.regs[R11 << 1], cpu.regs[(R11 << 1) + 1]];
  const rsp = [cpu.regs[RSP << 1], cpu.regs[(RSP << 1) + 1]];
  const rip = cpu.rip, rflags = virtualFlags(v), ss = cpu.segSel[SS];
  let cs = cpu.segSel[CS];
  const fromUser = !v.kernelMode;
  let sp = fromUser ? v.kernelSp : (rsp[1] | 0) * TWO32 + (rsp[0] >>> 0);
  sp = Math.floor(sp / 16) * 16;
  if (fromUser) toggleGuestMode(v); else cs &= ~3;
  const words: [number, number][] = [
    [rcx[0], rcx[1]], [r11[0], r11[1]], [saved[0], 0], [saved[1], 0], [saved[2], 0], [saved[3], 0],
    [rip | 0, Math.floor(rip / TWO32) | 0], [cs, v.upcallMask], [rflags, 0], [rsp[0], rsp[1]], [ss, 0],
  ];
  const frameSp = sp - words.length * 8;
  const buf = new Uint8Array(words.length * 8);
  const dv = new DataView(buf.buffer);
  words.forEach(([lo, hi], i) => { dv.setInt32(i * 8, lo, true); dv.setInt32(i * 8 + 4, hi, true); });
  if (!copyToGuest(cpu, frameSp, buf)) {
    if (fromUser) toggleGuestMode(v);
    return `Error creating failsafe callback frame: #PF writing ${buf.length} bytes at 0x${hexAddr(frameSp)}`;
  }
  if (v.vgcFlags & VGCF_failsafe_disables_events) v.upcallMask = 1;
  setFlags(cpu, 0, F_AC | F_VM | F_RF | F_NT | F_IOPL | F_TF);
  v.loadReserved(SS, FLAT_KERNEL_SS64);
  v.loadReserved(CS, FLAT_KERNEL_CS64);
  cpu.setReg64(RSP, frameSp | 0, Math.floor(frameSp / TWO32) | 0);
  cpu.rip = eip;
  cpu.setReg64(RCX, eip | 0, Math.floor(eip / TWO32) | 0);
  cpu.setReg64(R11, getFlags(cpu) | F_IF, 0);
  const frame = words.map(([lo, hi]) => (hi | 0) * TWO32 + (lo >>> 0));
  return { vector: -1, kind: 'failsafe', errorCode: -1, frameSp, frame, handler: eip, fromUser };
}

function failsafe32(v: Vcpu, saved: number[]): BounceRecord | string {
  const cpu = v.cpu;
  const eip = v.failsafe.address >>> 0;
  if (eip === 0) return 'no failsafe callback registered: Error creating compat failsafe callback frame';
  const cs = cpu.segSel[CS], ss = cpu.segSel[SS];
  const ring1 = (cs & 3) === 1;
  const esp = cpu.regs[RSP << 1] >>> 0;
  const words = [saved[0], saved[1], saved[2], saved[3], cpu.rip >>> 0, ((cs & 0xffff) | (v.upcallMask << 16)) >>> 0, virtualFlags(v)];
  if (!ring1) words.push(esp, ss);
  const sp = ((ring1 ? esp : v.kernelSp >>> 0) - words.length * 4) >>> 0;
  const buf = new Uint8Array(words.length * 4);
  const dv = new DataView(buf.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  if (!copyToGuest(cpu, sp, buf)) {
    return `Error creating compat failsafe callback frame: #PF writing ${buf.length} bytes at 0x${sp.toString(16)}`;
  }
  if (v.vgcFlags & VGCF_failsafe_disables_events) v.upcallMask = 1;
  setFlags(cpu, 0, F_VM | F_RF | F_NT | F_IOPL | F_TF);
  cpu.setCpl(1);
  v.loadReserved(SS, FLAT_RING1_DS);
  v.loadReserved(CS, FLAT_RING1_CS);
  cpu.setReg32(RSP, sp);
  cpu.rip = eip;
  cpu.updateMode();
  return { vector: -1, kind: 'failsafe', errorCode: -1, frameSp: sp, frame: words, handler: eip, fromUser: !ring1 };
}
