// Test harness: a bare CPU in flat 64-bit or 32-bit mode (paging off unless a test turns it on),
// code loaded at an address, run for N instructions, with the last exception recorded.

import { Cpu } from '../../../src/cpu/cpu';
import { MachineMemory } from '../../../src/cpu/memory';
import { BareOps } from '../../../src/cpu/ops';
import { CS, SS, DS, ES, FS, GS, RSP } from '../../../src/cpu/state';
import { EFER_LMA, EFER_LME, CR4_PAE, CR0_PE } from '../../../src/cpu/mmu/paging';

export interface TestMachine { cpu: Cpu; mem: MachineMemory; ops: BareOps; }

/** Flat machine: 64-bit (CS.L, EFER.LMA, paging off — an emulator convenience) or 32-bit protected mode. cpl defaults to 0. */
export function makeMachine(bits: 32 | 64, opts: { memBytes?: number; cpl?: number } = {}): TestMachine {
  const mem = new MachineMemory(opts.memBytes ?? 4 * 1024 * 1024);
  const ops = new BareOps();
  const cpu = new Cpu(mem, ops);
  const cpl = opts.cpl ?? 0;
  cpu.cr0 = CR0_PE | 0x10;
  const dpl = cpl << 5;
  if (bits === 64) {
    cpu.efer = EFER_LME | EFER_LMA;
    cpu.cr4 = CR4_PAE;
    cpu.setSegment(CS, 0x08 | cpl, 0, 0xffffffff, 0xa09b | dpl);      // 64-bit code (L=1, D=0)
    cpu.setSegment(SS, 0x10 | cpl, 0, 0xffffffff, 0xc093 | dpl);
    for (const s of [DS, ES, FS, GS]) cpu.setSegment(s, 0, 0, 0xffffffff, 0xc093 | dpl, true);
  } else {
    cpu.setSegment(CS, 0x08 | cpl, 0, 0xffffffff, 0xc09b | dpl);      // 32-bit code
    for (const s of [SS, DS, ES, FS, GS]) cpu.setSegment(s, 0x10 | cpl, 0, 0xffffffff, 0xc093 | dpl);
  }
  cpu.setCpl(cpl);
  cpu.updateMode();
  cpu.setReg64(RSP, 0x200000, 0);
  return { cpu, mem, ops };
}

/** Copy code to addr and point RIP at it. */
export function loadCode(m: TestMachine, addr: number, code: Uint8Array | number[]): void {
  m.mem.writeBytes(addr, code instanceof Uint8Array ? code : Uint8Array.from(code));
  m.cpu.rip = addr;
}

/** Run n instructions (stops early on an exception, which BareOps records in m.ops.lastException). */
export function runN(m: TestMachine, n: number): string { return m.cpu.run(n); }
