// A PV vCPU (struct vcpu + arch.pv): its CPU, trap table, callbacks, kernel stack, kernel/user mode
// (TF_kernel_mode for pv64), guest page-table roots, up/down and blocked/polling state, timers, runstate,
// where its vcpu_info lives (shared_info slot or VCPUOP_register_vcpu_info), and the start-of-day register state.

import { Cpu } from '../cpu/cpu';
import type { MachineMemory } from '../cpu/memory';
import { CS, SS, DS, ES, FS, GS, RSP, RSI } from '../cpu/state';
import { CR0_PE, CR0_WP, CR0_PG, CR4_PAE, EFER_SCE, EFER_LME, EFER_LMA, EFER_NXE } from '../cpu/mmu/paging';
import { F_IF, setFlags } from '../cpu/flags';
import { setCpuidFilter } from '../cpu/exec/cpuid';
import type { GuestKind } from './builder/elf-notes';
import { XenDescriptorSource } from './descriptors';
import {
  FLAT_KERNEL_CS64, FLAT_KERNEL_SS64, FLAT_RING1_CS, FLAT_RING1_DS, LAST_RESERVED_GDT_BYTE, VCPU_INFO,
} from './public';
import { pvCpuidPolicy } from './cpuid-policy';
import type { Domain } from './domain';
import type { MmDomain, MmVcpu } from './mm';
import { makeMmVcpu } from './domain-mm';
import { VcpuTimers } from './timers';
import { Runstate } from './runstate';

export const CR0_MP = 1 << 1, CR0_ET = 1 << 4, CR0_NE = 1 << 5;
export const CR4_OSFXSR = 1 << 9, CR4_OSXMMEXCPT = 1 << 10;

/** One trap_info entry: flags bits 0-1 DPL, bit 2 IF (clear events on entry). address 0 = no handler. */
export interface TrapInfo { vector: number; flags: number; cs: number; address: number; }

/** A registered callback: pv32 has a selector, pv64 only an address. address 0 = none. */
export interface Callback { cs: number; address: number; flags: number; }

export class Vcpu {
  readonly cpu: Cpu;
  readonly descriptors: XenDescriptorSource;
  /** TF_kernel_mode (pv64): the guest kernel is running (both kernel and user run at CPL3). */
  kernelMode = true;
  readonly trapCtxt: TrapInfo[] = [];
  event: Callback = { cs: 0, address: 0, flags: 0 };
  failsafe: Callback = { cs: 0, address: 0, flags: 0 };
  syscall: Callback = { cs: 0, address: 0, flags: 0 };
  syscall32: Callback = { cs: 0, address: 0, flags: 0 };
  sysenter: Callback = { cs: 0, address: 0, flags: 0 };
  nmi: Callback = { cs: 0, address: 0, flags: 0 };
  /** VGCF_* flags (syscall_disables_events, failsafe_disables_events). */
  vgcFlags = 0;
  /** stack_switch: the guest kernel stack used when a bounce switches from user to kernel. */
  kernelSs = 0;
  kernelSp = 0;
  /** mm's view of this vCPU (base pointers with their references, LDT). */
  readonly mmv: MmVcpu;
  /** Machine frame of the kernel root page table (guest_table) and of the user one (guest_table_user, 0 = none). */
  get guestTable(): number { return this.mmv.guestTable; }
  set guestTable(mfn: number) { this.mmv.guestTable = mfn; }
  get guestTableUser(): number { return this.mmv.guestTableUser; }
  set guestTableUser(mfn: number) { this.mmv.guestTableUser = mfn; }
  /** Virtual IOPL (VMASST architectural_iopl). */
  iopl = 0;
  /** fpu_taskswitch: virtual CR0.TS. */
  fpuTs = false;
  /** _VPF_blocked: waiting in SCHEDOP_block / SCHEDOP_poll until an event (or a poll timeout). */
  blocked = false;
  /** !_VPF_down: the vCPU may run (VCPUOP_up / VCPUOP_down). Secondary vCPUs start down. */
  online = false;
  /** is_initialised: has a context (start of day for vCPU 0, VCPUOP_initialise for the others). */
  initialised = false;
  /** poll_evtchn while in SCHEDOP_poll: the single polled port, -1 = several ports, 0 = not polling. */
  pollEvtchn = 0;
  /** Single-shot, periodic and poll timers. */
  readonly timers = new VcpuTimers();
  /** RUNSTATE_* accounting (VCPUOP_get_runstate_info). */
  readonly runstate = new Runstate();
  /** VCPUOP_register_runstate_memory_area / register_vcpu_time_memory_area: guest virtual addresses (null = none). */
  runstateAreaVa: number | null = null;
  timeAreaVa: number | null = null;
  /** VCPUOP_register_vcpu_info: the machine frame (holding a writable type ref) and offset, or null. */
  vcpuInfoArea: { mfn: number; offset: number } | null = null;
  /** Guest-visible CR2 (arch.pv.ctrlreg[2]). */
  cr2 = 0;
  /** The owning domain (set by the Domain constructor). */
  domain: Domain | null = null;

  constructor(readonly id: number, readonly kind: GuestKind, mem: MachineMemory, readonly sharedInfoPa: number,
    mmDomain?: MmDomain) {
    this.mmv = makeMmVcpu(mmDomain ?? { domid: 0, kind, p2m: new Uint32Array(0), m2p: new Uint32Array(0), vmAssist: 0, vcpus: [] }, id);
    this.cpu = new Cpu(mem);
    this.descriptors = new XenDescriptorSource(kind);
    this.cpu.descriptors = this.descriptors;
    for (let v = 0; v < 256; v++) this.trapCtxt.push({ vector: v, flags: 0, cs: 0, address: 0 });
    setCpuidFilter(this.cpu, pvCpuidPolicy(kind));
  }

  get is64(): boolean { return this.kind === 'pv64'; }
  /** Machine address of this vCPU's vcpu_info: its shared_info slot, or where VCPUOP_register_vcpu_info moved it. */
  get vcpuInfoPa(): number {
    const a = this.vcpuInfoArea;
    return a === null ? this.sharedInfoPa + this.id * VCPU_INFO[this.kind].size : a.mfn * 4096 + a.offset;
  }
  get upcallMask(): number { return this.cpu.mem.read8(this.vcpuInfoPa + VCPU_INFO[this.kind].fields.evtchn_upcall_mask); }
  set upcallMask(v: number) { this.cpu.mem.write8(this.vcpuInfoPa + VCPU_INFO[this.kind].fields.evtchn_upcall_mask, v); }
  get upcallPending(): number { return this.cpu.mem.read8(this.vcpuInfoPa + VCPU_INFO[this.kind].fields.evtchn_upcall_pending); }

  /** arch_set_cr2: the fault address in the guest-visible vcpu_info.arch.cr2. */
  setGuestCr2(addr: number): void {
    this.cr2 = addr;
    const pa = this.vcpuInfoPa + VCPU_INFO[this.kind].fields['arch.cr2'];
    this.cpu.mem.write32(pa, addr >>> 0);
    if (this.is64) this.cpu.mem.write32(pa + 4, Math.floor(addr / 2 ** 32) >>> 0);
  }

  /** guest_kernel_mode(): pv64 TF_kernel_mode; pv32 ring 1. */
  guestKernelMode(): boolean { return this.is64 ? this.kernelMode : (this.cpu.segSel[CS] & 3) === 1; }

  /** Point CR3 at the active root (pv64: kernel or user table by TF_kernel_mode) and flush the TLB. */
  reloadCr3(): void {
    const root = this.is64 && !this.kernelMode ? this.guestTableUser : this.guestTable;
    this.cpu.cr3 = root * 4096;
    this.cpu.flushTlb();
  }

  /** Load a segment register's cache from Xen's reserved entry for `sel` (no checks: Xen's own descriptors). */
  loadReserved(seg: number, sel: number): void {
    this.descriptors.setAccessed(this.cpu, 0, sel >> 3);
    const [lo, hi] = this.descriptors.reservedEntry(sel);
    this.cpu.setSegmentFromDescriptor(seg, sel, lo, hi);
  }

  /** The control state Xen runs every PV vCPU with: paging, PAE, long mode for pv64, the reserved GDT limit. */
  archReset(): void {
    const cpu = this.cpu;
    cpu.cr0 = (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG) >>> 0;
    cpu.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    cpu.gdtrBase = 0; cpu.gdtrLimit = LAST_RESERVED_GDT_BYTE;
    cpu.efer = this.is64 ? EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE : EFER_NXE;
  }

  /** Start-of-day state (xen.h "start of day", vcpu_x86_64/vcpu_x86_32 in xg_dom_x86.c). */
  startOfDay(entry: number, stackTop: number, startInfoVa: number, rootMfn: number): void {
    const cpu = this.cpu;
    this.archReset();
    cpu.cr3 = rootMfn * 4096;
    this.guestTable = rootMfn;
    this.initialised = true;
    this.online = true;
    if (this.is64) {
      cpu.setCpl(3);
      this.loadReserved(CS, FLAT_KERNEL_CS64);
      this.loadReserved(SS, FLAT_KERNEL_SS64);
      for (const s of [DS, ES, FS, GS]) cpu.setSegment(s, 0, 0, 0, 0, false);
      this.kernelMode = true;
      cpu.setReg64(RSP, stackTop | 0, Math.floor(stackTop / 2 ** 32) | 0);
      cpu.setReg64(RSI, startInfoVa | 0, Math.floor(startInfoVa / 2 ** 32) | 0);
    } else {
      cpu.setCpl(1);
      this.loadReserved(CS, FLAT_RING1_CS);
      for (const s of [SS, DS, ES, FS, GS]) this.loadReserved(s, FLAT_RING1_DS);
      cpu.setReg32(RSP, stackTop);
      cpu.setReg32(RSI, startInfoVa);
      this.kernelSs = FLAT_RING1_DS;
    }
    cpu.updateMode();
    setFlags(cpu, F_IF, 0xffffffff);
    cpu.rip = entry;
    cpu.flushTlb();
  }
}
