// A bare machine for running a plain x86 program on the CPU without the hypervisor: ELF PT_LOAD segments
// at their physical addresses, flat segments at CPL0, paging off, and the 0xe9 debug port as console.

import { Cpu } from '../cpu/cpu';
import { MachineMemory } from '../cpu/memory';
import { CpuOps } from '../cpu/ops';
import { ElfImage, PT_LOAD } from '../common/elf';
import { CS, SS, DS, ES, FS, GS, RSP } from '../cpu/state';
import { CR0_PE, CR4_PAE, EFER_LMA, EFER_LME } from '../cpu/mmu/paging';
import { VECTOR_NAMES } from '../cpu/fault';

export const DEBUG_PORT = 0xe9;

export class BareOps implements CpuOps {
  constructor(private readonly write: (text: string) => void) {}
  fault: { vector: number; errorCode: number; rip: number } | null = null;
  exception(cpu: Cpu, vector: number, errorCode: number): void {
    this.fault = { vector, errorCode, rip: cpu.rip };
    cpu.requestStop('exception', `${VECTOR_NAMES[vector] ?? `vector ${vector}`}${errorCode >= 0 ? ` error code 0x${errorCode.toString(16)}` : ''}`);
  }
  softwareInterrupt(cpu: Cpu, vector: number): boolean {
    this.fault = { vector, errorCode: -1, rip: cpu.rip };
    cpu.requestStop('exception', `int 0x${vector.toString(16)} with no interrupt handling on a bare machine`);
    return true;
  }
  syscall(): boolean { return false; }
  sysenter(): boolean { return false; }
  halt(cpu: Cpu): void { cpu.halted = true; cpu.requestStop('halt'); }
  ioRead(): number { return 0xffffffff; }
  ioWrite(_cpu: Cpu, port: number, _size: number, value: number): void {
    if (port === DEBUG_PORT) this.write(String.fromCharCode(value & 0xff));
  }
}

export interface BareMachine { cpu: Cpu; mem: MachineMemory; ops: BareOps; }

/** Load an ELF image into a fresh bare machine and point RIP at its entry. */
export function loadBare(img: ElfImage, memBytes: number, write: (text: string) => void): BareMachine {
  const mem = new MachineMemory(memBytes);
  for (const s of img.segments) {
    if (s.type !== PT_LOAD) continue;
    if (s.paddr + s.memsz > memBytes) {
      throw new Error(`segment at physical 0x${s.paddr.toString(16)} (+0x${s.memsz.toString(16)}) does not fit in ${memBytes >> 20} MiB of memory`);
    }
    mem.writeBytes(s.paddr, img.bytes.subarray(s.offset, s.offset + s.filesz));
  }
  const ops = new BareOps(write);
  const cpu = new Cpu(mem, ops);
  cpu.cr0 = CR0_PE | 0x10;
  if (img.bits === 64) {
    cpu.efer = EFER_LME | EFER_LMA;
    cpu.cr4 = CR4_PAE;
    cpu.setSegment(CS, 0x08, 0, 0xffffffff, 0xa09b);
    cpu.setSegment(SS, 0x10, 0, 0xffffffff, 0xc093);
    for (const s of [DS, ES, FS, GS]) cpu.setSegment(s, 0x10, 0, 0xffffffff, 0xc093);
  } else {
    cpu.setSegment(CS, 0x08, 0, 0xffffffff, 0xc09b);
    for (const s of [SS, DS, ES, FS, GS]) cpu.setSegment(s, 0x10, 0, 0xffffffff, 0xc093);
  }
  cpu.setCpl(0);
  cpu.updateMode();
  cpu.rip = img.entry;
  cpu.setReg64(RSP, memBytes - 16, 0);
  return { cpu, mem, ops };
}
