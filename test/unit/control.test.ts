// Unit tests for near control transfers: jmp/jcc/call/ret/loop/jcxz, target truncation by operand size,
// CS-limit and canonical #GP with nothing changed, counter widths by address size.
import * as assert from 'assert';
import { Insn } from '../../src/cpu/decoder/insn';
import { controlHandlers } from '../../src/cpu/exec/control';
import { CpuFault, GP } from '../../src/cpu/fault';
import { setFlags, F_CF, F_ZF, F_SF, F_OF, F_PF, F_ARITH } from '../../src/cpu/flags';
import { RAX, RCX, RSP, RBX, CS } from '../../src/cpu/state';
import { makeMachine, TestMachine, loadCode, runN } from './helpers/machine';
import { makeInsn, execInsn } from './helpers/insn';

const mk = (code: string, f: Partial<Insn> = {}): Insn => makeInsn(controlHandlers, code, f);
const exec = (m: TestMachine, i: Insn, len = 2): CpuFault | null => execInsn(m, i, len);
const sp = (m: TestMachine): number => m.cpu.regs[2 * RSP] >>> 0;
const hex = (m: TestMachine, r: number): string => {
  const c = m.cpu; return (c.regs[2 * r + 1] >>> 0).toString(16).padStart(8, '0') + (c.regs[2 * r] >>> 0).toString(16).padStart(8, '0');
};

describe('control: jmp', () => {
  it('relative jumps in 64-bit mode, forward and backward; non-canonical target -> #GP, RIP unchanged', () => {
    const m = makeMachine(64), c = m.cpu;
    c.rip = 0x1000;
    exec(m, mk('Jmp_rel8_64', { imm: -0x12 }), 2);
    assert.strictEqual(c.rip, 0x1002 - 0x12);
    exec(m, mk('Jmp_rel32_64', { imm: 0x10000 }), 5);
    assert.strictEqual(c.rip, 0xff0 + 5 + 0x10000);
    c.rip = 0x7ffffffffff0;
    const f = exec(m, mk('Jmp_rel32_64', { imm: 0x100 }), 5);
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(c.rip, 0x7ffffffffff0);
    c.rip = -0x800000000000 + 0x10; // 0xffff800000000010
    exec(m, mk('Jmp_rel8_64', { imm: -0x12 }), 2);
    assert.strictEqual(c.rip, -0x800000000000);
  });

  it('16-bit operand size truncates the target; 32-bit mode checks the CS limit', () => {
    const m = makeMachine(32), c = m.cpu;
    c.rip = 0x1fff0;
    exec(m, mk('Jmp_rel16', { imm: 0x20 }), 3);
    assert.strictEqual(c.rip, 0x0013);
    c.rip = 0x1000;
    exec(m, mk('Jmp_rel8_16', { imm: -0x1010 }), 2);
    assert.strictEqual(c.rip, 0xfff2);
    c.rip = 0xfffffff0;
    exec(m, mk('Jmp_rel32_32', { imm: 0x20 }), 5);
    assert.strictEqual(c.rip, 0x15, 'EIP wraps at 4 GiB');
    c.setSegment(CS, 0x08, 0, 0xffff, 0xc09b);
    c.rip = 0x1000;
    const f = exec(m, mk('Jmp_rel32_32', { imm: 0x10000 }), 5);
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(f?.errorCode, 0);
    assert.strictEqual(c.rip, 0x1000);
    exec(m, mk('Jmp_rel8_32', { imm: 0x10 }), 2);
    assert.strictEqual(c.rip, 0x1012);
  });

  it('indirect jmp through registers and memory at 64/32/16 bits', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, 0x12345678, 0x00007fff);
    exec(m, mk('Jmp_rm64', { isMem: false, rm: RAX }));
    assert.strictEqual(c.rip, 0x7fff12345678);
    c.setReg64(RAX, 0, 0x00008000);
    const rip = c.rip;
    assert.strictEqual(exec(m, mk('Jmp_rm64', { isMem: false, rm: RAX }))?.vector, GP);
    assert.strictEqual(c.rip, rip);
    m.mem.write32(0x3000, 0x4000); m.mem.write32(0x3004, 0);
    c.setReg64(RBX, 0x3000, 0);
    exec(m, mk('Jmp_rm64', { mode: 64, asize: 64, isMem: true, base: RBX, disp: 0 }));
    assert.strictEqual(c.rip, 0x4000);
    exec(m, mk('Jmp_rm16', { isMem: false, rm: RAX }));
    assert.strictEqual(c.rip, 0);
    const m32 = makeMachine(32), c32 = m32.cpu;
    c32.setReg32(RAX, 0x80001234);
    exec(m32, mk('Jmp_rm32', { isMem: false, rm: RAX }));
    assert.strictEqual(c32.rip, 0x80001234);
    exec(m32, mk('Jmp_rm16', { isMem: false, rm: RAX }));
    assert.strictEqual(c32.rip, 0x1234);
  });
});

describe('control: jcc', () => {
  const CC = ['Jo', 'Jno', 'Jb', 'Jae', 'Je', 'Jne', 'Jbe', 'Ja', 'Js', 'Jns', 'Jp', 'Jnp', 'Jl', 'Jge', 'Jle', 'Jg'];
  const cases: [number, string[]][] = [
    [0, ['Jno', 'Jae', 'Jne', 'Ja', 'Jns', 'Jnp', 'Jge', 'Jg']],
    [F_OF, ['Jo', 'Jae', 'Jne', 'Ja', 'Jns', 'Jnp', 'Jl', 'Jle']],
    [F_CF, ['Jno', 'Jb', 'Jne', 'Jbe', 'Jns', 'Jnp', 'Jge', 'Jg']],
    [F_ZF | F_PF, ['Jno', 'Jae', 'Je', 'Jbe', 'Jns', 'Jp', 'Jge', 'Jle']],
    [F_SF | F_OF, ['Jo', 'Jae', 'Jne', 'Ja', 'Js', 'Jnp', 'Jge', 'Jg']],
    [F_SF, ['Jno', 'Jae', 'Jne', 'Ja', 'Js', 'Jnp', 'Jl', 'Jle']],
  ];
  it('all 16 conditions, every size variant', () => {
    const m = makeMachine(64), c = m.cpu;
    for (const [flags, taken] of cases) {
      for (const name of CC) {
        for (const [suffix, len] of [['_rel8_64', 2], ['_rel32_64', 6], ['_rel8_16', 3], ['_rel16', 4], ['_rel8_32', 2], ['_rel32_32', 6]] as [string, number][]) {
          setFlags(c, flags, F_ARITH);
          c.rip = 0x1000;
          const fault = exec(m, mk(name + suffix, { imm: 0x40 }), len);
          assert.strictEqual(fault, null);
          const expect = taken.includes(name) ? 0x1000 + len + 0x40 : 0x1000 + len;
          assert.strictEqual(c.rip, expect, `${name}${suffix} flags=${flags.toString(16)}`);
        }
      }
    }
  });
  it('a taken jcc with a 16-bit operand size truncates; a not-taken one never faults', () => {
    const m = makeMachine(32), c = m.cpu;
    setFlags(c, F_ZF, F_ARITH);
    c.rip = 0xfff0;
    exec(m, mk('Je_rel16', { imm: 0x20 }), 4);
    assert.strictEqual(c.rip, 0x14);
    c.setSegment(CS, 0x08, 0, 0xfff, 0xc09b);
    c.rip = 0x100;
    assert.strictEqual(exec(m, mk('Jne_rel32_32', { imm: 0x10000 }), 6), null);
    assert.strictEqual(c.rip, 0x106);
    c.rip = 0x100;
    assert.strictEqual(exec(m, mk('Je_rel32_32', { imm: 0x10000 }), 6)?.vector, GP);
    assert.strictEqual(c.rip, 0x100);
  });
});

describe('control: call/ret', () => {
  it('call rel32 / ret in 64-bit mode', () => {
    const m = makeMachine(64), c = m.cpu;
    c.rip = 0x1000;
    exec(m, mk('Call_rel32_64', { imm: 0x100 }), 5);
    assert.strictEqual(c.rip, 0x1105);
    assert.strictEqual(sp(m), 0x1ffff8);
    assert.strictEqual(m.mem.read32(0x1ffff8), 0x1005);
    assert.strictEqual(m.mem.read32(0x1ffffc), 0);
    exec(m, mk('Retnq'), 1);
    assert.strictEqual(c.rip, 0x1005);
    assert.strictEqual(sp(m), 0x200000);
  });
  it('call with a non-canonical target faults before pushing', () => {
    const m = makeMachine(64), c = m.cpu;
    c.rip = 0x7ffffffffff0;
    assert.strictEqual(exec(m, mk('Call_rel32_64', { imm: 0x100 }), 5)?.vector, GP);
    assert.strictEqual(sp(m), 0x200000);
    assert.strictEqual(m.mem.read32(0x1ffff8), 0);
    c.setReg64(RAX, 0, 0x10000);
    assert.strictEqual(exec(m, mk('Call_rm64', { isMem: false, rm: RAX }))?.vector, GP);
    assert.strictEqual(sp(m), 0x200000);
  });
  it('call [rsp] reads the target before the push; a high 64-bit return address round-trips', () => {
    const m = makeMachine(64), c = m.cpu;
    m.mem.write32(0x200000, 0x5000); m.mem.write32(0x200004, 0);
    c.rip = -0x10000000; // 0xfffffffff0000000
    exec(m, mk('Call_rm64', { mode: 64, asize: 64, isMem: true, base: RSP, disp: 0 }), 3);
    assert.strictEqual(c.rip, 0x5000);
    assert.strictEqual(m.mem.read32(0x1ffff8), 0xf0000003);
    assert.strictEqual(m.mem.read32(0x1ffffc), 0xffffffff);
    exec(m, mk('Retnq_imm16', { imm: 0x18 }), 3);
    assert.strictEqual(c.rip, -0x10000000 + 3);
    assert.strictEqual(sp(m), 0x200018);
  });
  it('ret with a non-canonical return address faults with rsp unchanged', () => {
    const m = makeMachine(64), c = m.cpu;
    m.mem.write32(0x200000, 0); m.mem.write32(0x200004, 0x8000);
    c.rip = 0x1000;
    assert.strictEqual(exec(m, mk('Retnq'), 1)?.vector, GP);
    assert.strictEqual(sp(m), 0x200000);
    assert.strictEqual(c.rip, 0x1000);
  });
  it('32-bit and 16-bit calls/returns; ret beyond the CS limit -> #GP', () => {
    const m = makeMachine(32), c = m.cpu;
    c.rip = 0x1000;
    exec(m, mk('Call_rel32_32', { imm: -0x800 }), 5);
    assert.strictEqual(c.rip, 0x805);
    assert.strictEqual(m.mem.read32(0x1ffffc), 0x1005);
    exec(m, mk('Retnd_imm16', { imm: 8 }), 3);
    assert.strictEqual(c.rip, 0x1005);
    assert.strictEqual(sp(m), 0x200008);
    c.rip = 0x12340;
    exec(m, mk('Call_rel16', { imm: 0x10 }), 3);
    assert.strictEqual(c.rip, 0x2353);
    assert.strictEqual(sp(m), 0x200006);
    assert.strictEqual(m.mem.read16(0x200006), 0x2343);
    exec(m, mk('Retnw'), 2);
    assert.strictEqual(c.rip, 0x2343);
    assert.strictEqual(sp(m), 0x200008);
    c.setReg32(RBX, 0x4000);
    exec(m, mk('Call_rm32', { isMem: false, rm: RBX }), 2);
    assert.strictEqual(c.rip, 0x4000);
    assert.strictEqual(m.mem.read32(0x200004), 0x2345);
    exec(m, mk('Call_rm16', { isMem: false, rm: RBX }), 2);
    assert.strictEqual(m.mem.read16(0x200002), 0x4002);
    exec(m, mk('Retnw_imm16', { imm: 0 }), 3);
    assert.strictEqual(c.rip, 0x4002);
    c.setSegment(CS, 0x08, 0, 0x3fff, 0xc09b);
    c.rip = 0x100;
    m.mem.write32(0x200004, 0x5000);
    assert.strictEqual(exec(m, mk('Retnd'), 1)?.vector, GP);
    assert.strictEqual(sp(m), 0x200004);
    assert.strictEqual(c.rip, 0x100);
    m.mem.write32(0x200004, 0x3000);
    exec(m, mk('Retnd'), 1);
    assert.strictEqual(c.rip, 0x3000);
  });
});

describe('control: loop and jcxz', () => {
  it('loop decrements the counter at the address size', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RCX, 0x10000, 1);
    c.rip = 0x1000;
    exec(m, mk('Loop_rel8_64_RCX', { imm: -2 }), 2);
    assert.strictEqual(c.rip, 0x1000);
    assert.strictEqual(hex(m, RCX), '000000010000ffff');
    c.setReg64(RCX, 0, 1);
    exec(m, mk('Loop_rel8_64_RCX', { imm: -2 }), 2);
    assert.strictEqual(hex(m, RCX), '00000000ffffffff', 'borrow across halves');
    c.setReg64(RCX, 1, 5);
    exec(m, mk('Loop_rel8_64_ECX', { imm: -2 }), 3);
    assert.strictEqual(hex(m, RCX), '0000000000000000', 'ECX counter zero-extends and does not branch');
    assert.strictEqual(c.rip, 0x1003);
    c.setReg64(RCX, 0x10000, 7);
    exec(m, mk('Loop_rel8_16_CX', { imm: 4 }), 3);
    assert.strictEqual(hex(m, RCX), '000000070001ffff', 'only CX changes');
    assert.strictEqual(c.rip, 0x1003 + 3 + 4);
    c.setReg64(RCX, 0, 0);
    exec(m, mk('Loop_rel8_16_RCX', { imm: 4 }), 2);
    assert.strictEqual(hex(m, RCX), 'ffffffffffffffff');
  });
  it('loope / loopne honour ZF', () => {
    const m = makeMachine(32), c = m.cpu;
    for (const [name, zf, taken] of [['Loope', F_ZF, true], ['Loope', 0, false], ['Loopne', 0, true], ['Loopne', F_ZF, false]] as [string, number, boolean][]) {
      for (const suffix of ['_rel8_32_ECX', '_rel8_16_ECX', '_rel8_32_CX', '_rel8_16_CX', '_rel8_64_ECX', '_rel8_16_RCX', '_rel8_64_RCX']) {
        setFlags(c, zf, F_ARITH);
        c.setReg32(RCX, 5);
        c.rip = 0x2000;
        exec(m, mk(name + suffix, { imm: 0x10 }), 2);
        assert.strictEqual(c.regs[2], 4);
        assert.strictEqual(c.rip, taken ? 0x2012 : 0x2002, name + suffix);
      }
    }
  });
  it('a loop whose target faults changes nothing', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(CS, 0x08, 0, 0xfff, 0xc09b);
    c.setReg32(RCX, 3);
    c.rip = 0xff0;
    assert.strictEqual(exec(m, mk('Loop_rel8_32_ECX', { imm: 0x40 }), 2)?.vector, GP);
    assert.strictEqual(c.regs[2], 3);
    assert.strictEqual(c.rip, 0xff0);
  });
  it('jcxz / jecxz / jrcxz test the counter of their width', () => {
    const m = makeMachine(64), c = m.cpu;
    const run = (name: string, lo: number, hi: number): boolean => {
      c.setReg64(RCX, lo, hi); c.rip = 0x1000;
      exec(m, mk(name, { imm: 0x20 }), 2);
      assert.strictEqual(hex(m, RCX), (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0'), 'counter unchanged');
      return c.rip === 0x1022;
    };
    assert.strictEqual(run('Jrcxz_rel8_64', 0, 1), false);
    assert.strictEqual(run('Jrcxz_rel8_64', 0, 0), true);
    assert.strictEqual(run('Jrcxz_rel8_16', 0, 0), true);
    assert.strictEqual(run('Jecxz_rel8_64', 0, 1), true);
    assert.strictEqual(run('Jecxz_rel8_64', 0x10000, 0), false);
    assert.strictEqual(run('Jecxz_rel8_32', 0, 0), true);
    assert.strictEqual(run('Jecxz_rel8_16', 0, 0), true);
    assert.strictEqual(run('Jcxz_rel8_16', 0x10000, 0), true);
    assert.strictEqual(run('Jcxz_rel8_32', 0x10001, 0), false);
    void RAX;
  });
});

describe('control: bound and CET landing pads', () => {
  it('bound raises #BR outside [lower, upper] (signed) and passes inside', () => {
    // bound eax, [0x3000] ; 62 05 00 30 00 00
    const code = [0x62, 0x05, 0x00, 0x30, 0x00, 0x00];
    for (const [idx, ok] of [[5, true], [-3, true], [-4, false], [10, true], [11, false]] as [number, boolean][]) {
      const m = makeMachine(32);
      m.mem.write32(0x3000, -3); m.mem.write32(0x3004, 10);
      loadCode(m, 0x1000, code);
      m.cpu.setReg32(0, idx);
      runN(m, 1);
      if (ok) { assert.strictEqual(m.ops.lastException, null, `index ${idx}`); assert.strictEqual(m.cpu.rip, 0x1006); }
      else { assert.strictEqual(m.ops.lastException?.vector, 5, `index ${idx}`); assert.strictEqual(m.cpu.rip, 0x1000); }
    }
  });
  it('endbr64 and endbr32 execute as no-ops', () => {
    const m = makeMachine(64);
    loadCode(m, 0x1000, [0xf3, 0x0f, 0x1e, 0xfa, 0xf3, 0x0f, 0x1e, 0xfb, 0x90]);
    runN(m, 3);
    assert.strictEqual(m.ops.lastException, null);
    assert.strictEqual(m.cpu.rip, 0x1009);
  });
});
