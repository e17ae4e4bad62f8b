// VCPUOP_initialise for a PV vCPU: arch_set_info_guest (xen/arch/x86/domain.c) on a struct vcpu_guest_context of
// the guest's ABI. Checks as Xen (canonical addresses, LDT, VGCF flags, selector RPL fix-ups), then the mm work in
// Xen's order with full rollback: GDT frames (PGT_seg_desc_page refs), ctrlreg[3] as guest_table (root type ref,
// via new_guest_cr3), pv64 ctrlreg[1] as the user table, the LDT; then registers, trap table, callbacks, kernel stack.

import type { HypercallContext } from './types';
import type { Vcpu, TrapInfo } from '../vcpu';
import { fixupGuestSelector } from './vcpu-setup';
import { GuestBuf } from '../guest-access';
import { putPageAndType, newGuestCr3, doMmuextOp, addrOk } from '../mm';
import { pvSetGdt, destroyGdt } from './descriptor-tables';
import { CS, SS, DS, ES, FS, GS, RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 } from '../../cpu/state';
import { setFlags, F_IF, F_IOPL, F_VM } from '../../cpu/flags';
import { loadSegment } from '../../cpu/exec/segments-load';
import { CpuFault } from '../../cpu/fault';
import { isCanonical, hexAddr } from '../../common/bits';
import {
  VCPU_GUEST_CONTEXT, CPU_USER_REGS, TRAP_INFO, VGCF_in_kernel, VGCF_online, VGCF_i387_valid,
  MMUEXT_NEW_USER_BASEPTR, MMUEXT_SET_LDT, EINVAL,
} from '../public';

const EFLAGS_ALL = 0x3f7fd5, EFLAGS_MBS = 0x2, CR0_TS = 1 << 3;
const hex = (v: number): string => '0x' + hexAddr(v);

/** A 64-bit (pv64) or 32-bit (pv32) register value as halves plus its number (signed for pv64). */
interface Reg { lo: number; hi: number; n: number; }

/** The parts of vcpu_guest_context we use, ABI-independent. */
interface GuestContext {
  flags: number;
  gpr: Reg[];
  rip: Reg; rsp: Reg; rflags: number;
  cs: number; ss: number; ds: number; es: number; fs: number; gs: number;
  trap: TrapInfo[];
  ldtBase: number; ldtEnts: number;
  gdtFrames: number[]; gdtEnts: number;
  kernelSs: number; kernelSp: number;
  ctrlreg: number[]; debugreg: Reg[];
  eventCs: number; eventEip: number; failsafeCs: number; failsafeEip: number; syscallEip: number;
  fsBase: Reg; gsBaseKernel: Reg; gsBaseUser: Reg;
}

const GPRS_64: [string, number][] = [['r15', R15], ['r14', R14], ['r13', R13], ['r12', R12], ['rbp', RBP], ['rbx', RBX],
  ['r11', R11], ['r10', R10], ['r9', R9], ['r8', R8], ['rax', RAX], ['rcx', RCX], ['rdx', RDX], ['rsi', RSI], ['rdi', RDI]];
const GPRS_32: [string, number][] = [['ebx', RBX], ['ecx', RCX], ['edx', RDX], ['esi', RSI], ['edi', RDI], ['ebp', RBP], ['eax', RAX]];

/** Parse the guest's struct vcpu_guest_context. */
export function parseGuestContext(v: Vcpu, b: Uint8Array): GuestContext {
  const g = new GuestBuf(b), k = v.kind, L = VCPU_GUEST_CONTEXT[k].fields, R = CPU_USER_REGS[k].fields;
  const is64 = v.is64, w = is64 ? 8 : 4;
  const reg = (o: number): Reg => is64 ? { lo: g.lo(o), hi: g.hi(o), n: g.s64(o) } : { lo: g.lo(o), hi: 0, n: g.u32(o) };
  const word = (o: number): number => is64 ? g.s64(o) : g.u32(o);
  const ur = L.user_regs;
  const trap: TrapInfo[] = [];
  const ts = TRAP_INFO[k].size;
  for (let i = 0; i < 256; i++) {
    const o = L.trap_ctxt + i * ts;
    trap.push({ vector: g.u8(o), flags: g.u8(o + 1), cs: g.u16(o + 2), address: word(o + TRAP_INFO[k].fields.address) });
  }
  const ctx: GuestContext = {
    flags: g.u32(L.flags),
    gpr: (is64 ? GPRS_64 : GPRS_32).map(([name]) => reg(ur + R[name])),
    rip: reg(ur + R[is64 ? 'rip' : 'eip']), rsp: reg(ur + R[is64 ? 'rsp' : 'esp']), rflags: g.u32(ur + R[is64 ? 'rflags' : 'eflags']),
    cs: g.u16(ur + R.cs), ss: g.u16(ur + R.ss), ds: g.u16(ur + R.ds), es: g.u16(ur + R.es), fs: g.u16(ur + R.fs), gs: g.u16(ur + R.gs),
    trap,
    ldtBase: word(L.ldt_base), ldtEnts: word(L.ldt_ents),
    gdtFrames: Array.from({ length: 16 }, (_, i) => word(L.gdt_frames + i * w)), gdtEnts: word(L.gdt_ents),
    kernelSs: word(L.kernel_ss) & 0xffff, kernelSp: word(L.kernel_sp),
    ctrlreg: Array.from({ length: 8 }, (_, i) => word(L.ctrlreg + i * w)),
    debugreg: Array.from({ length: 8 }, (_, i) => reg(L.debugreg + i * w)),
    eventCs: is64 ? 0 : g.u32(L.event_callback_cs) & 0xffff, eventEip: word(L.event_callback_eip),
    failsafeCs: is64 ? 0 : g.u32(L.failsafe_callback_cs) & 0xffff, failsafeEip: word(L.failsafe_callback_eip),
    syscallEip: is64 ? word(L.syscall_callback_eip) : 0,
    fsBase: is64 ? reg(L.fs_base) : { lo: 0, hi: 0, n: 0 },
    gsBaseKernel: is64 ? reg(L.gs_base_kernel) : { lo: 0, hi: 0, n: 0 },
    gsBaseUser: is64 ? reg(L.gs_base_user) : { lo: 0, hi: 0, n: 0 },
  };
  return ctx;
}

/** The argument checks of arch_set_info_guest; returns an explanation of the first failure, or null. */
function checkContext(v: Vcpu, x: GuestContext): string | null {
  if (v.is64) {
    if (x.debugreg[6].hi !== 0 || x.debugreg[7].hi !== 0) return 'debugreg[6]/[7] have bits above 31 set';
    for (let i = 0; i < 4; i++) if (!addrOk(x.debugreg[i].n)) return `debugreg[${i}] ${hex(x.debugreg[i].n)} is not a guest address`;
    const canon: [string, number][] = [['user_regs.rip', x.rip.n], ['user_regs.rsp', x.rsp.n], ['kernel_sp', x.kernelSp],
      ['fs_base', x.fsBase.n], ['gs_base_kernel', x.gsBaseKernel.n], ['gs_base_user', x.gsBaseUser.n],
      ['event_callback_eip', x.eventEip], ['syscall_callback_eip', x.syscallEip], ['failsafe_callback_eip', x.failsafeEip]];
    if (x.ldtEnts) canon.push(['ldt_base', x.ldtBase]);
    for (const [name, a] of canon) if (!isCanonical(a)) return `${name} ${hex(a)} is not canonical`;
    for (const t of x.trap) if (!isCanonical(t.address)) return `trap_ctxt[${t.vector}].address ${hex(t.address)} is not canonical`;
    if (!addrOk(x.ldtBase)) return `ldt_base ${hex(x.ldtBase)} is inside Xen's area`;
  } else if (x.rflags & F_VM) return 'user_regs.eflags has VM set (no vm86 for PV guests on 64-bit Xen)';
  if (x.ldtBase % 4096 !== 0 || x.ldtEnts > 8192 || x.ldtEnts < 0) return `LDT base ${hex(x.ldtBase)} not page aligned or ldt_ents ${x.ldtEnts} > 8192`;
  if (Math.ceil(x.gdtEnts / 512) > 16) return `gdt_ents ${x.gdtEnts} needs more than 16 frames`;
  if (v.is64 && !(x.flags & VGCF_in_kernel) && !x.ctrlreg[1]) return 'starting in user mode (no VGCF_in_kernel) needs a user page table in ctrlreg[1]';
  return null;
}

/** xen_cr3_to_pfn: pv64 cr3 >> 12; pv32 the extended-cr3 format ((cr3 >> 12) | (cr3 << 20)). */
export function cr3ToMfn(v: Vcpu, cr3: number): number {
  if (v.is64) return Math.floor(cr3 / 4096);
  const c = cr3 >>> 0;
  return ((c >>> 12) | (c << 20)) >>> 0;
}

/** Undo list for the mm references taken so far. */
type Undo = (() => void)[];

/** pv_set_gdt for the new context; the undo list releases the frames again. */
function setGdt(c: HypercallContext, v: Vcpu, frames: number[], entries: number, undo: Undo): number {
  const r = pvSetGdt(c.domain, v, frames, entries);
  if (r.rc !== 0) {
    c.noteMm(r.mm);
    c.diag = r.frame < 0 ? `gdt_ents ${entries} reach Xen's reserved entries`
      : `gdt_frames[${r.frame}] (mfn ${hex(frames[r.frame])}) cannot become a descriptor page`;
    return r.rc;
  }
  undo.push(() => destroyGdt(c.domain, v));
  return 0;
}

/** Load CS from the (new) tables: a present code segment whose DPL matches its RPL. */
function loadCs(v: Vcpu, sel: number): string | null {
  const out = new Int32Array(2);
  if ((sel & 0xfffc) === 0) return `cs 0x${sel.toString(16)} is null`;
  if (!v.descriptors.read(v.cpu, (sel >> 2) & 1, sel >> 3, out)) return `cs 0x${sel.toString(16)} is beyond the GDT/LDT`;
  const hi = out[1];
  if (!(hi & 0x8000) || (hi & 0x1800) !== 0x1800) return `cs 0x${sel.toString(16)} is not a present code segment`;
  if (((hi >>> 13) & 3) !== (sel & 3) && !(hi & 0x400)) return `cs 0x${sel.toString(16)}: DPL ${(hi >>> 13) & 3} != RPL ${sel & 3}`;
  v.descriptors.setAccessed(v.cpu, (sel >> 2) & 1, sel >> 3);
  v.cpu.setSegmentFromDescriptor(CS, sel, out[0], hi | 0x100);
  return null;
}

/** Load a data/stack segment with the SDM checks at the new CPL; null selector on failure (reported). */
function loadData(v: Vcpu, seg: number, sel: number): boolean {
  try { loadSegment(v.cpu, seg, sel); return true; } catch (e) {
    if (!(e instanceof CpuFault)) throw e;
    v.cpu.setSegment(seg, 0, 0, 0, 0, false);
    return false;
  }
}

/** arch_set_info_guest for a not yet initialised vCPU. Returns 0 or -errno (c.diag explains). */
export function setInfoGuest(c: HypercallContext, v: Vcpu, b: Uint8Array): number {
  const x = parseGuestContext(v, b);
  const bad = checkContext(v, x);
  if (bad !== null) { c.diag = `vcpu_guest_context: ${bad}`; return -EINVAL; }
  x.ss = fixupGuestSelector(v, x.ss);
  x.cs = fixupGuestSelector(v, x.cs);
  x.kernelSs = fixupGuestSelector(v, x.kernelSs);
  for (const t of x.trap) t.cs = fixupGuestSelector(v, t.cs);
  if (!v.is64) { x.eventCs = fixupGuestSelector(v, x.eventCs); x.failsafeCs = fixupGuestSelector(v, x.failsafeCs); }

  // A fresh context starts without shadow LDT mappings (nothing of an earlier LDT stays typed seg_desc).
  v.descriptors.destroyLdt();
  const mm = c.domain.mm, undo: Undo = [];
  const rollback = (rc: number): number => { while (undo.length) (undo.pop() as () => void)(); return rc; };
  let rc = setGdt(c, v, x.gdtFrames, x.gdtEnts, undo);
  if (rc) return rc;
  const cr3Mfn = cr3ToMfn(v, x.ctrlreg[3]);
  let mark = mm.diag.mark();
  rc = newGuestCr3(mm, v.mmv, cr3Mfn);
  if (rc) {
    c.noteMm(mm.diag.firstSince(mark));
    c.diag = `ctrlreg[3] ${hex(x.ctrlreg[3])}: mfn ${hex(cr3Mfn)} cannot be this vCPU's ${v.is64 ? 'L4' : 'PAE L3'} page table`;
    return rollback(-EINVAL);
  }
  undo.push(() => { putPageAndType(mm, cr3Mfn); v.guestTable = 0; });
  if (v.is64 && x.ctrlreg[1]) {
    const um = cr3ToMfn(v, x.ctrlreg[1]);
    mark = mm.diag.mark();
    const r = doMmuextOp(mm, v.mmv, [{ cmd: MMUEXT_NEW_USER_BASEPTR, arg1: um, arg2: 0 }]);
    if (r.rc) {
      c.noteMm(r.diag ?? mm.diag.firstSince(mark));
      c.diag = `ctrlreg[1] ${hex(x.ctrlreg[1])}: mfn ${hex(um)} cannot be the user page table`;
      return rollback(-EINVAL);
    }
    undo.push(() => { doMmuextOp(mm, v.mmv, [{ cmd: MMUEXT_NEW_USER_BASEPTR, arg1: 0, arg2: 0 }]); });
  }
  if (x.ldtEnts) {
    const r = doMmuextOp(mm, v.mmv, [{ cmd: MMUEXT_SET_LDT, arg1: x.ldtBase, arg2: x.ldtEnts }]);
    if (r.rc) { c.noteMm(r.diag); c.diag = `LDT ${hex(x.ldtBase)}/${x.ldtEnts} refused`; return rollback(r.rc); }
    undo.push(() => { doMmuextOp(mm, v.mmv, [{ cmd: MMUEXT_SET_LDT, arg1: 0, arg2: 0 }]); });
  }

  // Registers: control state, mode and page table first (selector loads read the new GDT/LDT through it).
  const cpu = v.cpu;
  v.archReset();
  v.kernelMode = !v.is64 || (x.flags & VGCF_in_kernel) !== 0;
  v.reloadCr3();
  cpu.setCpl(v.is64 ? 3 : x.cs & 3);
  const csErr = loadCs(v, x.cs);
  if (csErr !== null) {
    c.diag = `vcpu_guest_context: ${csErr} (Xen would crash the domain when the vCPU first runs)`;
    return rollback(-EINVAL);
  }
  cpu.updateMode();
  if (!loadData(v, SS, x.ss)) {
    c.diag = `vcpu_guest_context: ss 0x${x.ss.toString(16)} is not a usable stack segment at CPL${cpu.cpl} (Xen would crash the domain when the vCPU first runs)`;
    return rollback(-EINVAL);
  }
  const nulled: string[] = [];
  for (const [seg, sel, name] of [[DS, x.ds, 'ds'], [ES, x.es, 'es'], [FS, x.fs, 'fs'], [GS, x.gs, 'gs']] as [number, number, string][]) {
    if (!loadData(v, seg, sel)) nulled.push(`${name} 0x${sel.toString(16)}`);
  }
  x.gpr.forEach((r, i) => cpu.setReg64((v.is64 ? GPRS_64 : GPRS_32)[i][1], r.lo, r.hi));
  cpu.setReg64(RSP, x.rsp.lo, x.rsp.hi);
  if (v.is64) {
    cpu.setSegmentBase64(FS, x.fsBase.lo, x.fsBase.hi);
    const [k, u] = v.kernelMode ? [x.gsBaseKernel, x.gsBaseUser] : [x.gsBaseUser, x.gsBaseKernel];
    cpu.setSegmentBase64(GS, k.lo, k.hi);
    cpu.kernelGsBaseLo = u.lo; cpu.kernelGsBaseHi = u.hi;
  }
  let fl = (x.rflags & EFLAGS_ALL) | EFLAGS_MBS;
  if (v.is64) fl &= ~F_VM;
  v.iopl = fl & F_IOPL;
  fl = (fl & ~F_IOPL) | F_IF;
  setFlags(cpu, fl >>> 0, 0xffffffff);
  cpu.rip = x.rip.n;
  for (const t of x.trap) { const d = v.trapCtxt[t.vector]; d.flags = t.flags; d.cs = t.cs; d.address = t.address; }
  v.event = { cs: x.eventCs, address: x.eventEip, flags: 0 };
  v.failsafe = { cs: x.failsafeCs, address: x.failsafeEip, flags: 0 };
  if (v.is64) v.syscall = { cs: 0, address: x.syscallEip, flags: 0 };
  v.vgcFlags = x.flags;
  v.kernelSs = x.kernelSs;
  v.kernelSp = x.kernelSp;
  v.fpuTs = (x.ctrlreg[0] & CR0_TS) !== 0;
  if (v.fpuTs) cpu.cr0 = (cpu.cr0 | CR0_TS) >>> 0;
  cpu.flushTlb();
  v.initialised = true;
  if (x.flags & VGCF_online) c.domain.vcpuUp(v);
  const notes: string[] = [];
  if (nulled.length) notes.push(`unusable ${nulled.join(', ')} loaded as null`);
  if (x.flags & VGCF_i387_valid) notes.push('fpu_ctxt not loaded (FPU starts in its reset state)');
  c.diag = `vCPU ${v.id}: ${v.is64 ? '' : `0x${x.cs.toString(16)}:`}${hex(x.rip.n)} sp ${hex(x.rsp.n)}, cr3 mfn ${hex(cr3Mfn)}` +
    `${x.gdtEnts ? `, ${x.gdtEnts} GDT entries` : ''}${v.kernelMode ? '' : ', user mode'}${notes.length ? `; ${notes.join('; ')}` : ''}`;
  return 0;
}
