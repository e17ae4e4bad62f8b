// The machine a debug session drives, as an interface so machine kinds plug in: the bare machine today,
// the Xen PV domain later (vCPUs become DAP threads; console, shutdown reasons and hypercall stops map here).

import type { Cpu, StopReason } from '../cpu/cpu';
import type { MachineMemory } from '../cpu/memory';
import type { WatchSet } from '../cpu/watch';
import type { ElfImage } from '../common/elf';
import { hexAddr } from '../common/bits';
import { loadBare, BareMachine } from './bare-machine';
import type { Scope } from './variables';

/** How a non-budget, non-breakpoint stop of a vCPU is presented. */
export type MachineStop =
  /** The guest finished (hlt on the bare machine, SCHEDOP_shutdown under Xen): the session ends with this exit code. */
  | { kind: 'exit'; exitCode: number; text: string }
  /**
   * A guest fault or emulator error: stop with reason 'exception'; continuing from the same place ends the session
   * with exitCode (fatal: continuing always ends it; resumable: an exception filter hit, continuing goes on).
   */
  | { kind: 'exception'; id: string; text: string; exitCode: number; fatal?: boolean; resumable?: boolean; description?: string }
  /** A machine event the user asked to stop at (e.g. a hypercall breakpoint): stop with this reason and text. */
  | { kind: 'event'; reason: string; text: string; hitBreakpointIds?: number[] }
  /** Nothing to report (the machine handled it): keep running. */
  | { kind: 'continue' };

export interface DebugMachine {
  /** 'bare' now; 'pv64' / 'pv32pae' for Xen domains. */
  readonly kind: string;
  readonly image: ElfImage;
  readonly mem: MachineMemory;
  /** One per vCPU; DAP thread ids are index + 1. */
  readonly vcpus: readonly Cpu[];
  /** Guest console text goes here (set by the runtime). */
  console: (text: string) => void;
  /** Run one vCPU for up to budget instructions and return why it stopped (the CPU's StopReason or the machine's own). */
  run(vcpu: number, budget: number): StopReason;
  /** Classify a stop other than 'budget' / 'breakpoint'. */
  classify(vcpu: number, reason: StopReason): MachineStop;
  threadName(vcpu: number): string;
  /** Extra variable scopes the machine contributes (Xen: hypercall log, event channels...). */
  extraScopes?(vcpu: number): Scope[];
  /** The vCPU the last run() stopped on when the machine schedules vCPUs itself (Xen round-robin). */
  readonly stoppedVcpu?: number;
  /**
   * The data watchpoints of all vCPUs (set by the runtime). run() returns 'watchpoint' when one hit: a CPU access
   * stops after its instruction; a hypervisor write after the hypercall or delivery that made it.
   */
  watchSet?: WatchSet | null;
}

/** The bare machine (see bare-machine.ts) as a debug machine with one vCPU. */
export class BareDebugMachine implements DebugMachine {
  readonly kind = 'bare';
  readonly mem: MachineMemory;
  readonly vcpus: readonly Cpu[];
  private readonly m: BareMachine;
  console: (text: string) => void = () => {};
  watchSet: WatchSet | null = null;

  constructor(readonly image: ElfImage, memBytes: number) {
    this.m = loadBare(image, memBytes, (t) => this.console(t));
    this.mem = this.m.mem;
    this.vcpus = [this.m.cpu];
  }

  run(vcpu: number, budget: number): StopReason { return this.vcpus[vcpu].run(budget); }

  classify(vcpu: number, reason: StopReason): MachineStop {
    const cpu = this.vcpus[vcpu];
    switch (reason) {
      case 'halt': return { kind: 'exit', exitCode: 0, text: `guest halted at rip 0x${hexAddr(cpu.rip)} after ${cpu.icount} instructions` };
      case 'exception': {
        const f = this.m.ops.fault;
        const id = cpu.stopDetail.split(' ')[0] || 'exception';
        const cr2 = f && f.vector === 14 ? ` (cr2 0x${hexAddr(cpu.cr2)})` : '';
        return { kind: 'exception', id, exitCode: 2, text: `guest fault ${cpu.stopDetail}${cr2} at rip 0x${hexAddr(f ? f.rip : cpu.rip)}` };
      }
      case 'internal': return { kind: 'exception', id: 'internal', exitCode: 70, text: `emulator error: ${cpu.stopDetail}` };
      default: return { kind: 'event', reason: 'pause', text: `${reason}${cpu.stopDetail ? ': ' + cpu.stopDetail : ''}` };
    }
  }

  threadName(vcpu: number): string { return `vCPU ${vcpu}`; }
}
