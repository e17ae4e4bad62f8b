// ALU micro-benchmark (not run by mocha): `node -r esbuild-register test/unit/alu-bench.ts` (or bundle it with
// esbuild first: esbuild-register turns every imported constant into a getter call and distorts the numbers).
// Part 1 runs a tight add/sub/xor/cmp/dec/jcc loop through the real decoder and step loop (paging off) and
// prints MIPS; part 2 calls the ALU handlers directly on pre-built Insns to show their cost without the runner.

import { makeMachine, loadCode } from './helpers/machine';
import { Insn } from '../../src/cpu/decoder/insn';
import { handlerFor } from '../../src/cpu/exec/registry';

function loopBytes(iterations: number): number[] {
  // mov ecx, N; loop: add eax, ebx; sub edx, eax; xor esi, edx; and edi, 0x7fffffff; cmp eax, esi;
  //                   setb bl... (kept simple: no setcc) ; add rax, r8 ; dec ecx ; jne loop ; hlt
  const n = iterations;
  return [
    0xb9, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, // mov ecx, imm32
    0x01, 0xd8,                   // add eax, ebx
    0x29, 0xc2,                   // sub edx, eax
    0x31, 0xd6,                   // xor esi, edx
    0x81, 0xe7, 0xff, 0xff, 0xff, 0x7f, // and edi, 0x7fffffff
    0x39, 0xf0,                   // cmp eax, esi
    0x4c, 0x01, 0xc0,             // add rax, r8
    0x83, 0xc3, 0x07,             // add ebx, 7
    0xff, 0xc9,                   // dec ecx
    0x75, 0xe8,                   // jne loop (-24)
    0xf4,                         // hlt
  ];
}

function runnerBench(): void {
  const m = makeMachine(64);
  const iters = 3_000_000;
  const code = loopBytes(iters);
  for (let rep = 0; rep < 4; rep++) {
    loadCode(m, 0x1000, code);
    m.cpu.halted = false;
    const before = m.cpu.icount;
    const t0 = process.hrtime.bigint(), u0 = process.cpuUsage();
    let reason = '';
    for (let k = 0; k < 1000; k++) { reason = m.cpu.run(100_000_000); if (reason !== 'budget') break; }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6, cpuMs = process.cpuUsage(u0).user / 1000;
    const n = m.cpu.icount - before;
    const ex = m.ops.lastException;
    console.log(`runner loop: ${n} insns in ${ms.toFixed(1)} ms = ${(n / ms / 1000).toFixed(1)} MIPS wall, ${(n / cpuMs / 1000).toFixed(1)} MIPS per CPU second (stop: ${reason}${ex ? ` vector ${ex.vector}` : ''}${m.cpu.lastUnimplemented ? ` unimplemented ${m.cpu.lastUnimplemented}` : ''})`);
  }
}

function handlerBench(): void {
  const m = makeMachine(64), c = m.cpu;
  const mk = (code: string, f: Partial<Insn>): Insn => {
    const h = handlerFor(code);
    if (!h) throw new Error(code);
    const i = new Insn(h, code); i.mode = 64; Object.assign(i, f); return i;
  };
  const prog = [
    mk('Add_rm32_r32', { rm: 0, reg: 3 }), mk('Sub_rm32_r32', { rm: 2, reg: 0 }), mk('Xor_r32_rm32', { reg: 6, rm: 2 }),
    mk('And_rm32_imm32', { rm: 7, imm: 0x7fffffff }), mk('Cmp_rm32_r32', { rm: 0, reg: 6 }), mk('Add_rm64_r64', { rm: 0, reg: 8 }),
    mk('Add_rm32_imm8', { rm: 3, imm: 7 }), mk('Shr_rm32_imm8', { rm: 2, imm: 3 }), mk('Inc_rm32', { rm: 5 }), mk('Dec_rm32', { rm: 1 }),
    mk('Sub_rm64_imm8', { rm: 9, imm: 1 }), mk('Test_rm64_r64', { rm: 9, reg: 9 }),
  ];
  for (let rep = 0; rep < 4; rep++) {
    const rounds = 2_000_000;
    const t0 = process.hrtime.bigint(), u0 = process.cpuUsage();
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < prog.length; k++) { const i = prog[k]; i.exec(c, i); }
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6, n = rounds * prog.length, cpuMs = process.cpuUsage(u0).user / 1000;
    console.log(`handlers only: ${n} calls in ${ms.toFixed(1)} ms = ${(n / ms / 1000).toFixed(1)} M calls/s wall, ${(n / cpuMs / 1000).toFixed(1)} M calls per CPU second`);
  }
}

runnerBench();
handlerBench();
