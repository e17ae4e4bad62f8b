// Hypervisor entry for one vCPU (CpuOps): pv64 `syscall` from guest kernel mode and pv32 `int $0x82` from
// ring 1 are hypercalls; `syscall` from pv64 user mode bounces to the syscall callback; software interrupts
// and CPU exceptions go through the guest's trap table (do_general_protection / pv_inject_event rules);
// a #GP(0) first tries privileged-instruction emulation (emulate-privop.ts), logged as an 'emulated' record.

import type { Cpu } from '../cpu/cpu';
import type { CpuOps } from '../cpu/ops';
import { RAX, RCX, R11, CS } from '../cpu/state';
import { UD, GP, PF, BP, OF, DB, VECTOR_NAMES } from '../cpu/fault';
import { getFlags, setFlags, F_DF, F_RF, F_TF } from '../cpu/flags';
import { cpuid } from '../cpu/exec/cpuid';
import type { Vcpu } from './vcpu';
import type { Domain } from './domain';
import { dispatchHypercall } from './hypercalls/table';
import { injectEvent, createBounceFrame, TBF_EXCEPTION, TBF_INTERRUPT, BounceRecord } from './traps';
import { copyFromGuest } from './guest-access';
import { HYPERCALL_VECTOR } from './builder/hypercall-page';
import { VGCF_syscall_disables_events, CALLBACKF_mask_events } from './public';
import { TWO32, hexAddr } from '../common/bits';
import { emulatePrivilegedOp, PrivOpState } from './emulate-privop';

/** `ud2; .ascii "xen"` — Xen's forced-emulation prefix (the next instruction, cpuid, is emulated). */
const FORCED_EMUL = [0x0f, 0x0b, 0x78, 0x65, 0x6e];
const CPUID_BYTES = [0x0f, 0xa2];

const cpuidOut = new Int32Array(4);

export class PvHypervisorOps implements CpuOps {
  /** Guest-visible CR4, debug registers and MSR state behind privileged-op emulation. */
  readonly privop: PrivOpState;

  constructor(readonly domain: Domain, readonly vcpu: Vcpu) {
    this.privop = new PrivOpState();
    vcpu.descriptors.attachMm(domain.mm, vcpu.mmv);
  }

  private record(kind: string, vector: number): BounceRecord {
    return { vector, kind, errorCode: -1, frameSp: 0, frame: [], handler: 0, fromUser: false };
  }

  /** Deliver through the trap table, or crash the domain with Xen's diagnostic. `note` says why (log only). */
  private deliver(vector: number, errorCode: number, software: boolean, cr2 = 0, note = ''): void {
    const rec = this.record(software ? 'software-interrupt' : 'exception', vector);
    const rip = this.vcpu.cpu.rip;
    const r = injectEvent(this.vcpu, vector, errorCode, software, cr2, rec);
    if (r !== null) { this.domain.crash(note ? `${r} [${note}]` : r); return; }
    rec.kind += ` at 0x${hexAddr(rip)}${note ? ` (${note})` : ''}`;
    this.domain.logBounce(rec);
  }

  exception(cpu: Cpu, vector: number, errorCode: number): void {
    if (this.domain.state !== 'running') { cpu.requestStop(this.domain.state); return; }
    if (vector === UD && this.tryForcedEmulation(cpu)) return;
    const ldt = vector === PF || vector === GP ? this.vcpu.descriptors.takeLdtFailure() : null;
    if (ldt !== null) { this.deliver(vector, errorCode, false, vector === PF ? cpu.cr2 : 0, ldt); return; }
    if (vector === GP && errorCode === 0) { this.privilegedOp(cpu); return; }
    this.deliver(vector, errorCode, false, vector === PF ? cpu.cr2 : 0);
  }

  /** do_general_protection's pv_emulate_privileged_op step; what is not emulated goes on as #GP(0). */
  private privilegedOp(cpu: Cpu): void {
    const v = this.vcpu;
    const rip = cpu.rip;
    const r = emulatePrivilegedOp(v, this.privop);
    if (r.kind === 'exception') { this.deliver(r.vector, r.errorCode, false, r.cr2, `emulating: ${r.text}`); return; }
    if (r.kind === 'unhandled') { this.deliver(GP, 0, false, 0, `not emulated: ${r.text}`); return; }
    const rec = this.record(`emulated ${r.text} at 0x${hexAddr(rip)}`, GP);
    rec.errorCode = 0;
    rec.fromUser = !v.guestKernelMode();
    this.domain.logBounce(rec);
    if (getFlags(cpu) & F_TF) {
      // The emulated instruction retired with TF set: single-step trap (pv_inject_DB(DR_STEP)).
      cpu.dr[6] = (cpu.dr[6] | 0x4000) >>> 0;
      this.deliver(DB, -1, false, 0, 'single step over an emulated instruction');
    }
  }

  /** #UD at `ud2; .ascii "xen"; cpuid`: emulate cpuid with the PV policy and skip both. */
  private tryForcedEmulation(cpu: Cpu): boolean {
    const b = copyFromGuest(cpu, cpu.rip, FORCED_EMUL.length + CPUID_BYTES.length);
    if (b === null) return false;
    for (let i = 0; i < FORCED_EMUL.length; i++) if (b[i] !== FORCED_EMUL[i]) return false;
    if (b[5] !== CPUID_BYTES[0] || b[6] !== CPUID_BYTES[1]) return false;
    cpuid(cpu, cpu.getReg32(RAX), cpu.getReg32(RCX), cpuidOut);
    cpu.setReg32(RAX, cpuidOut[0]); cpu.setReg32(3 /* RBX */, cpuidOut[1]);
    cpu.setReg32(RCX, cpuidOut[2]); cpu.setReg32(2 /* RDX */, cpuidOut[3]);
    const next = cpu.rip + 7;
    cpu.rip = cpu.mode === 64 ? next : next >>> 0;
    return true;
  }

  softwareInterrupt(cpu: Cpu, vector: number): boolean {
    const v = this.vcpu;
    if (!v.is64 && vector === HYPERCALL_VECTOR && v.guestKernelMode()) {
      this.hypercall(cpu.getReg32(RAX) >>> 0);
      return true;
    }
    // Vectors 1, 3 and 4 have DPL3 gates in Xen's IDT: they arrive as the exception, the guest's DPL unchecked.
    if (vector === BP || vector === OF || vector === DB) {
      this.deliver(vector, -1, false);
      return true;
    }
    const dpl = v.trapCtxt[vector].flags & 3;
    if (dpl >= (v.guestKernelMode() ? 1 : 3)) {
      this.deliver(vector, -1, true);
      return true;
    }
    return false; // the CPU raises #GP(vector*8+2), which exception() passes on to the guest
  }

  syscall(cpu: Cpu): boolean {
    const v = this.vcpu;
    if (v.is64 && v.kernelMode) {
      // Hardware syscall state: rcx = next rip, r11 = rflags (Xen's exit path restores them on return).
      const rip = cpu.rip, fl = getFlags(cpu) & ~F_RF;
      cpu.setReg64(RCX, rip | 0, Math.floor(rip / TWO32) | 0);
      cpu.setReg64(R11, fl, 0);
      this.hypercall(cpu.getReg32(RAX) >>> 0);
      return true;
    }
    if (v.is64) {
      this.syscallFromUser(cpu);
      return true;
    }
    // 32-bit PV: syscall32 callback when registered (AMD '32-on-64'), else #UD.
    if (v.syscall32.address !== 0 && !v.guestKernelMode()) {
      const tb = { flags: TBF_EXCEPTION | (v.syscall32.flags & CALLBACKF_mask_events ? TBF_INTERRUPT : 0), errorCode: 0, cs: v.syscall32.cs, eip: v.syscall32.address };
      const r = createBounceFrame(v, tb);
      if (r !== null) this.domain.crash(r);
      return true;
    }
    cpu.rip = cpu.insnRip;
    this.deliver(UD, -1, false);
    return true;
  }

  /** switch_to_kernel (entry.S): syscall from pv64 guest user mode → the registered syscall callback. */
  private syscallFromUser(cpu: Cpu): void {
    const v = this.vcpu;
    const rip = cpu.rip, fl = getFlags(cpu) & ~F_RF;
    cpu.setReg64(RCX, rip | 0, Math.floor(rip / TWO32) | 0);
    cpu.setReg64(R11, fl, 0);
    const compat = cpu.segSel[CS] === 0xe023;
    const cb = compat ? v.syscall32 : v.syscall;
    if (cb.address === 0) {
      // No callback: #UD at the syscall instruction.
      cpu.rip = cpu.insnRip;
      this.deliver(UD, -1, false);
      return;
    }
    const tb = { flags: TBF_EXCEPTION | (v.vgcFlags & VGCF_syscall_disables_events ? TBF_INTERRUPT : 0), errorCode: 0, cs: 0, eip: cb.address };
    const rec = this.record(`syscall from user at 0x${hexAddr(rip)}`, -1);
    const r = createBounceFrame(v, tb, rec);
    if (r !== null) { this.domain.crash(`syscall callback: ${r}`); return; }
    setFlags(cpu, 0, F_DF);
    this.domain.logBounce(rec);
  }

  sysenter(cpu: Cpu): boolean {
    const v = this.vcpu;
    if (v.sysenter.address === 0) {
      cpu.rip = cpu.insnRip;
      this.deliver(GP, 0, false);
      return true;
    }
    const tb = { flags: TBF_EXCEPTION | (v.sysenter.flags & CALLBACKF_mask_events ? TBF_INTERRUPT : 0), errorCode: 0, cs: v.sysenter.cs, eip: v.sysenter.address };
    const r = createBounceFrame(v, tb);
    if (r !== null) this.domain.crash(`sysenter callback: ${r}`);
    return true;
  }

  halt(cpu: Cpu): void {
    // PV guests never run at CPL0; hlt at CPL>0 arrives as #GP.
    this.domain.crash(`hlt executed at CPL${cpu.cpl}`);
  }

  ioRead(): number { return 0xffffffff; }
  ioWrite(): void {}

  private hypercall(nr: number): void {
    dispatchHypercall(this.domain, this.vcpu, nr);
    this.domain.afterHypercall(this.vcpu);
  }
}

export { VECTOR_NAMES };
