// Benchmark workloads as position-independent functions (entry at offset 0, data base in rdi/edi,
// return with ret), identical bytes for the emulator and the native runner, 64-bit and 32-bit.

import { Instruction } from 'iced-x86';
import { Asm, imm } from './asm';

const EAX = 0, ECX = 1, EDX = 2, EBX = 3, EBP = 5, ESI = 6, EDI = 7;

export interface Workload {
  name: string;
  describe: string;
  /** Build the function for a mode, sized by `scale` (1 = default run length). */
  build(bits: 32 | 64, scale: number): Asm;
  /** Bytes moved per run, for throughput workloads. */
  bytesPerRun?(scale: number): number;
}

/** Bytes copied per outer iteration of the copy workloads (source at data, destination at data + COPY_BYTES). */
export const COPY_BYTES = 0x10000;
/** Data area the workloads may use (from the base in rdi/edi). */
export const DATA_BYTES = 2 * COPY_BYTES;

const intLoop: Workload = {
  name: 'int-loop',
  describe: 'ALU ops (add/xor/sub/shr/or/and/inc) + cmp/jcc, ~11 instructions per iteration',
  build(bits, scale) {
    const a = new Asm(bits);
    a.i('Mov_r32_imm32', a.d(ECX), imm(Math.round(1_500_000 * scale)))
      .i('Mov_r32_imm32', a.d(EAX), imm(1))
      .i('Mov_r32_imm32', a.d(EDX), imm(0x12345))
      .i('Xor_r32_rm32', a.d(ESI), a.d(ESI))
      .i('Xor_r32_rm32', a.d(EBX), a.d(EBX))
      .label('loop')
      .i('Add_r32_rm32', a.d(EAX), a.d(EDX))
      .i('Xor_r32_rm32', a.d(EDX), a.d(ECX))
      .i('Sub_r32_rm32', a.d(ESI), a.d(EAX))
      .i('Shr_rm32_imm8', a.d(EDX), imm(3))
      .i('Or_r32_rm32', a.d(EBX), a.d(ESI))
      .i('And_rm32_imm32', a.d(EAX), imm(0x7fffffff))
      .i('Cmp_r32_rm32', a.d(EAX), a.d(EBX))
      .br('Jae_rel8_{P}', 'skip')
      .i('Inc_rm32', a.d(EBX))
      .label('skip')
      .i('Dec_rm32', a.d(ECX))
      .br('Jne_rel32_{P}', 'loop')
      .i('Mov_r32_rm32', a.d(EAX), a.d(EBX))
      .i(bits === 64 ? 'Retnq' : 'Retnd');
    return a;
  },
};

const copyLoop: Workload = {
  name: 'mem-copy',
  describe: `load/store loop copying ${COPY_BYTES / 1024} KiB per pass (word-sized moves)`,
  build(bits, scale) {
    const a = new Asm(bits);
    const W = bits / 8;
    a.i('Mov_r32_imm32', a.d(EDX), imm(Math.max(1, Math.round(12 * scale))))
      .label('outer')
      .i('Mov_r{P}_rm{P}', a.p(ESI), a.p(EDI))
      .i('Lea_r{P}_m', a.p(EBX), a.mem(EDI, COPY_BYTES))
      .i('Mov_r32_imm32', a.d(ECX), imm(COPY_BYTES / W))
      .label('inner')
      .i('Mov_r{P}_rm{P}', a.p(EAX), a.mem(ESI))
      .i('Mov_rm{P}_r{P}', a.mem(EBX), a.p(EAX))
      .i(bits === 64 ? 'Add_rm64_imm8' : 'Add_rm32_imm8', a.p(ESI), imm(W))
      .i(bits === 64 ? 'Add_rm64_imm8' : 'Add_rm32_imm8', a.p(EBX), imm(W))
      .i('Dec_rm32', a.d(ECX))
      .br('Jne_rel32_{P}', 'inner')
      .i('Dec_rm32', a.d(EDX))
      .br('Jne_rel32_{P}', 'outer')
      .i(bits === 64 ? 'Retnq' : 'Retnd');
    return a;
  },
  bytesPerRun: (scale) => Math.max(1, Math.round(12 * scale)) * COPY_BYTES,
};

const repMovsb: Workload = {
  name: 'rep-movsb',
  describe: `rep movsb of ${COPY_BYTES / 1024} KiB per pass`,
  build(bits, scale) {
    const a = new Asm(bits);
    a.i('Mov_r32_imm32', a.d(EDX), imm(Math.max(1, Math.round(40 * scale))))
      .i('Mov_r{P}_rm{P}', a.p(EBX), a.p(EDI))
      .label('outer')
      .i('Mov_r{P}_rm{P}', a.p(ESI), a.p(EBX))
      .i('Lea_r{P}_m', a.p(EDI), a.mem(EBX, COPY_BYTES))
      .i('Mov_r32_imm32', a.d(ECX), imm(COPY_BYTES))
      .raw(() => Instruction.createRepMovsb(bits))
      .i('Dec_rm32', a.d(EDX))
      .br('Jne_rel32_{P}', 'outer')
      .i(bits === 64 ? 'Retnq' : 'Retnd');
    return a;
  },
  bytesPerRun: (scale) => Math.max(1, Math.round(40 * scale)) * COPY_BYTES,
};

const fib: Workload = {
  name: 'call-fib',
  describe: 'recursive fib: call/ret, push/pop, cmp/jcc',
  build(bits, scale) {
    const a = new Asm(bits);
    const n = scale >= 1 ? 25 + Math.round(Math.log(scale) / Math.log(1.618)) : Math.max(10, 25 - Math.round(Math.log(1 / scale) / Math.log(1.618)));
    const ret = bits === 64 ? 'Retnq' : 'Retnd';
    const push = bits === 64 ? 'Push_r64' : 'Push_r32', pop = bits === 64 ? 'Pop_r64' : 'Pop_r32';
    a.i('Mov_r32_imm32', a.d(EDI), imm(n))
      .br('Call_rel32_{P}', 'fib')
      .i(ret)
      .label('fib')
      .i('Cmp_rm32_imm8', a.d(EDI), imm(2))
      .br('Jae_rel8_{P}', 'rec')
      .i('Mov_r32_rm32', a.d(EAX), a.d(EDI))
      .i(ret)
      .label('rec')
      .i(push, a.p(EDI))
      .i('Dec_rm32', a.d(EDI))
      .br('Call_rel32_{P}', 'fib')
      .i(pop, a.p(EDI))
      .i(push, a.p(EAX))
      .i('Sub_rm32_imm8', a.d(EDI), imm(2))
      .br('Call_rel32_{P}', 'fib')
      .i(pop, a.p(EDX))
      .i('Add_r32_rm32', a.d(EAX), a.d(EDX))
      .i(ret);
    void EBP;
    return a;
  },
};

export const WORKLOADS: Workload[] = [intLoop, copyLoop, repMovsb, fib];
