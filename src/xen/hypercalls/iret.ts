// The iret hypercall (pv/iret.c do_iret, compat_iret). pv64 pops struct iret_context
// {rax, r11, rcx, flags, rip, cs, rflags, rsp, ss} from the guest stack (the hypercall page pushed rcx, r11, rax),
// switching to user mode and the user page table when cs has RPL 3. pv32 pops {eax, eip, cs, eflags[, esp, ss]}.
// A frame Xen cannot read crashes the domain. A CS/SS the final IRET cannot load is reported, as Xen has done
// since 4.7 (no failsafe callback here), as that very fault (#GP/#NP/#SS with the selector) at the IRET's target:
// the guest's handler sees the target state in its frame. If that delivery fails too, the domain crashes.

import type { HypercallContext } from './types';
import { copyFromGuest, GuestBuf } from '../guest-access';
import { toggleGuestMode, injectEvent, readGuestDescriptor, BounceRecord } from '../traps';
import { CS, SS, DS, ES, FS, GS, RAX, RCX, R11, RSP } from '../../cpu/state';
import { GP, NP, SS as SS_VEC, VECTOR_NAMES } from '../../cpu/fault';
import { setFlags, getFlags, F_IF, F_IOPL, F_VM } from '../../cpu/flags';
import { IRET_CONTEXT_64, VGCF_in_syscall } from '../public';
import { hexAddr } from '../../common/bits';
import type { Vcpu } from '../vcpu';

/** X86_EFLAGS_ALL (arithmetic, TF, IF, DF, IOPL, NT, RF, VM, AC, VIF, VIP, ID). */
const EFLAGS_ALL = 0x3f7fd5;
const EFLAGS_MBS = 0x2;

/**
 * Load a CS/SS cache for a return to the guest as the IRET would. Returns null when loaded, else the fault the IRET
 * raises: [vector, error code] (null selector #GP(0); absent or wrong type #GP(sel); not present #NP / #SS(sel)).
 */
function loadSel(v: Vcpu, seg: number, sel: number): [number, number] | null {
  const out = new Int32Array(2);
  if ((sel & 0xfffc) === 0) {
    if (seg === SS && v.is64) { v.cpu.setSegment(SS, sel, 0, 0xffffffff, 0, false); return null; }
    return [GP, 0];
  }
  const ec = sel & 0xfffc;
  if (!readGuestDescriptor(v, sel, out)) return [GP, ec];
  const hi = out[1], type = (hi >> 8) & 0xf, s = (hi >> 12) & 1;
  if (!s) return [GP, ec];
  if (seg === CS ? !(type & 8) : (type & 8) || !(type & 2)) return [GP, ec];
  if (!(hi & 0x8000)) return [seg === CS ? NP : SS_VEC, ec];
  v.descriptors.setAccessed(v.cpu, (sel >> 2) & 1, sel >> 3);
  v.cpu.setSegmentFromDescriptor(seg, sel, out[0], hi | 0x100);
  return null;
}

/** IRET to an outer ring: data (and non-conforming code) segments with DPL below the new CPL become NUL (SDM). */
function nullInaccessibleSegments(v: Vcpu, cpl: number): void {
  const cpu = v.cpu;
  for (const seg of [ES, DS, FS, GS]) {
    if (!cpu.segValid[seg]) continue;
    const attr = cpu.segAttr[seg], dpl = (attr >> 5) & 3;
    const conformingCode = (attr & 0x18) === 0x18 && (attr & 0x4) !== 0;
    if (!conformingCode && dpl < cpl) cpu.setSegment(seg, 0, 0, 0, 0, false);
  }
}

/** The IRET to the guest faulted: deliver the fault as if raised at the target (the state is already in place). */
function faultAtTarget(c: HypercallContext, f: [number, number], what: string): number {
  const v = c.vcpu;
  const rec: BounceRecord = { vector: f[0], kind: `exception on iret to ${what}`, errorCode: f[1], frameSp: 0, frame: [], handler: 0, fromUser: false };
  const name = `${VECTOR_NAMES[f[0]]}[${f[1].toString(16).padStart(4, '0')}]`;
  const r = injectEvent(v, f[0], f[1], false, 0, rec);
  if (r !== null) { c.domain.crash(`iret to ${what} raised ${name}; ${r}`); return 0; }
  c.domain.logBounce(rec);
  c.diag = `iret to ${what}: the return raised ${name}, delivered to the guest's handler at the iret target`;
  return 0;
}

export function doIret(c: HypercallContext): number {
  c.setsRax = true;
  return c.is64 ? doIret64(c) : compatIret(c);
}

function doIret64(c: HypercallContext): number {
  const v = c.vcpu, cpu = c.cpu;
  const sp = cpu.getSP();
  const b = copyFromGuest(cpu, sp, IRET_CONTEXT_64.size);
  if (b === null) { c.domain.crash(`Fault while reading IRET context from guest stack at 0x${hexAddr(sp)}`); return 0; }
  const g = new GuestBuf(b);
  const cs = g.u32(40) & 0xffff, ss = g.u32(64) & 0xffff;
  const flags = g.u32(24), rflags = g.u32(48);
  if ((cs & 3) === 3 && v.kernelMode) {
    if (v.guestTableUser === 0) { c.domain.crash('Guest switching to user mode with no user page tables'); return 0; }
    toggleGuestMode(v);
  }
  if (c.domain.vmAssistArchitecturalIopl) v.iopl = rflags & F_IOPL;
  const bad = loadSel(v, CS, cs | 3) ?? loadSel(v, SS, ss | 3);
  if (bad) {
    // regs now hold the target: rip, cs, rflags, rsp, ss (the selectors as the guest gave them, RPL forced to 3).
    cpu.segSel[CS] = cs | 3; cpu.segSel[SS] = ss | 3;
  }
  cpu.rip = g.s64(32);
  setFlags(cpu, ((rflags & EFLAGS_ALL & ~(F_IOPL | F_VM)) | F_IF | EFLAGS_MBS) >>> 0, 0xffffffff);
  cpu.setReg64(RSP, g.lo(56), g.hi(56));
  if (!(flags & VGCF_in_syscall)) {
    cpu.setReg64(R11, g.lo(8), g.hi(8));
    cpu.setReg64(RCX, g.lo(16), g.hi(16));
  } else {
    // Return by sysret: rcx = rip, r11 = rflags.
    cpu.setReg64(RCX, g.lo(32), g.hi(32));
    cpu.setReg64(R11, getFlags(cpu), 0);
  }
  v.upcallMask = rflags & F_IF ? 0 : 1;
  cpu.setReg64(RAX, g.lo(0), g.hi(0));
  const to = `${(cs & 3) === 3 ? 'user' : 'kernel'} 0x${(cs | 3).toString(16)}:0x${hexAddr(cpu.rip)}`;
  if (bad) return faultAtTarget(c, bad, `${to} (ss 0x${(ss | 3).toString(16)})`);
  c.diag = `to ${to}`;
  return 0;
}

function compatIret(c: HypercallContext): number {
  const v = c.vcpu, cpu = c.cpu;
  const esp = cpu.regs[RSP << 1] >>> 0;
  const b = copyFromGuest(cpu, esp, 16);
  if (b === null) { c.domain.crash(`Fault while reading IRET context from guest stack at 0x${esp.toString(16)}`); return 0; }
  const g = new GuestBuf(b);
  const eax = g.u32(0), eip = g.u32(4), cs = g.u32(8) & 0xffff, eflags = g.u32(12);
  if (c.domain.vmAssistArchitecturalIopl) v.iopl = eflags & F_IOPL;
  if (eflags & F_VM) { c.domain.crash('iret to VM86 mode is not supported'); return 0; }
  const rpl = cs & 3;
  if (rpl === 0) { c.domain.crash(`iret to ring 0 (cs 0x${cs.toString(16)})`); return 0; }
  let newEsp = (esp + 16) >>> 0, newSs = cpu.segSel[SS];
  if (rpl !== 1) {
    const o = copyFromGuest(cpu, (esp + 16) >>> 0, 8);
    if (o === null) { c.domain.crash('Fault while reading the outer esp/ss of the IRET frame'); return 0; }
    const og = new GuestBuf(o);
    newEsp = og.u32(0); newSs = og.u32(4) & 0xffff;
  }
  const oldCpl = cpu.cpl;
  const bad = loadSel(v, CS, cs) ?? loadSel(v, SS, newSs);
  if (bad) {
    cpu.setCpl(oldCpl);
    cpu.segSel[CS] = cs; cpu.segSel[SS] = newSs;
  } else {
    cpu.setCpl(rpl);
    if (rpl > oldCpl) nullInaccessibleSegments(v, rpl);
  }
  cpu.rip = eip;
  setFlags(cpu, ((eflags & EFLAGS_ALL & ~F_IOPL) | F_IF | EFLAGS_MBS) >>> 0, 0xffffffff);
  cpu.setReg32(RSP, newEsp);
  cpu.updateMode();
  v.upcallMask = eflags & F_IF ? 0 : 1;
  cpu.setReg32(RAX, eax);
  const to = `ring ${rpl} 0x${cs.toString(16)}:0x${eip.toString(16)}`;
  if (bad) return faultAtTarget(c, bad, `${to} (ss 0x${newSs.toString(16)})`);
  c.diag = `to ${to}`;
  return 0;
}
