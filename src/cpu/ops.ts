// The CPU's window on its host (struct x86_emulate_ops in spirit): what happens when guest code
// leaves the CPU's own semantics — exceptions, software interrupts, syscall/sysenter, hlt, port I/O.

import type { Cpu } from './cpu';

export interface CpuOps {
  /**
   * A fault or trap raised by guest code (vector, error code or -1). RIP is the faulting instruction
   * (or the next one for traps such as #BP from int3 and #OF from into). The host delivers it
   * (Xen: bounce to the guest's trap table) or stops the machine.
   */
  exception(cpu: Cpu, vector: number, errorCode: number): void;
  /** `int n` that passed the CPU's checks; RIP already points after the instruction. Return false to raise #GP(n*8+2). */
  softwareInterrupt(cpu: Cpu, vector: number): boolean;
  /** `syscall`; RIP already after the instruction. Return false to use the architectural MSR-based semantics. */
  syscall(cpu: Cpu): boolean;
  /** `sysenter`; return false for architectural semantics. */
  sysenter(cpu: Cpu): boolean;
  /** `hlt` at CPL0 (at CPL>0 hlt raises #GP and goes through exception()). */
  halt(cpu: Cpu): void;
  /** Port I/O permitted by IOPL (at CPL <= IOPL); size in bytes. */
  ioRead(cpu: Cpu, port: number, size: number): number;
  ioWrite(cpu: Cpu, port: number, size: number, value: number): void;
}

/** Ops for a bare CPU: records exceptions and stops; used by tests and the standalone runner. */
export class BareOps implements CpuOps {
  lastException: { vector: number; errorCode: number; rip: number } | null = null;
  exception(cpu: Cpu, vector: number, errorCode: number): void {
    this.lastException = { vector, errorCode, rip: cpu.rip };
    cpu.requestStop('exception');
  }
  softwareInterrupt(cpu: Cpu, vector: number): boolean {
    this.lastException = { vector, errorCode: -1, rip: cpu.rip };
    cpu.requestStop('interrupt');
    return true;
  }
  syscall(): boolean { return false; }
  sysenter(): boolean { return false; }
  halt(cpu: Cpu): void { cpu.requestStop('halt'); }
  ioRead(): number { return 0xffffffff; }
  ioWrite(): void {}
}

/**
 * Where segment loads read descriptors. The default reads the GDT/LDT through GDTR/LDTR linear addresses;
 * the hypervisor substitutes its own (guest GDT frames plus Xen's reserved entries).
 * Returns false when the index is beyond the table limit; otherwise stores the dwords in out[0], out[1].
 * May throw a CpuFault (e.g. #PF while reading the table).
 */
export interface DescriptorSource {
  read(cpu: Cpu, ti: number, index: number, out: Int32Array): boolean;
  /** Set the accessed bit of a descriptor after a successful load (may be a no-op). */
  setAccessed(cpu: Cpu, ti: number, index: number): void;
  /** Mark a TSS descriptor busy (ltr); optional for sources whose tables hold no TSS. */
  setBusy?(cpu: Cpu, ti: number, index: number): void;
}
