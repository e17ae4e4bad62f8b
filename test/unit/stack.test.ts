// Unit tests for the stack handlers: push/pop forms and RSP adjustment, pop r/m addressing after the
// increment, pusha/popa, enter with nesting levels, leave, and fault precision.
import * as assert from 'assert';
import { Insn } from '../../src/cpu/decoder/insn';
import { stackHandlers } from '../../src/cpu/exec/stack';
import { CpuFault, SS as SS_FAULT, GP } from '../../src/cpu/fault';
import { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, SS, DS } from '../../src/cpu/state';
import { makeMachine, TestMachine } from './helpers/machine';
import { makeInsn, execInsn } from './helpers/insn';

const mk = (code: string, f: Partial<Insn> = {}): Insn => makeInsn(stackHandlers, code, f);
const exec = (m: TestMachine, i: Insn, len = 2): CpuFault | null => execInsn(m, i, len);
const hex = (m: TestMachine, r: number): string => {
  const c = m.cpu; return (c.regs[2 * r + 1] >>> 0).toString(16).padStart(8, '0') + (c.regs[2 * r] >>> 0).toString(16).padStart(8, '0');
};
const sp = (m: TestMachine): number => m.cpu.regs[2 * RSP] >>> 0;
const M64 = { mode: 64, asize: 64 };
const M32 = { mode: 32, asize: 32 };

describe('stack: push/pop', () => {
  it('push/pop registers at 64/16 bits in 64-bit mode; push rsp pushes the old value', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, 0x11111111, 0x22222222);
    exec(m, mk('Push_r64', { reg: RAX }), 1);
    assert.strictEqual(sp(m), 0x200000 - 8);
    assert.strictEqual(m.mem.read32(0x1ffff8), 0x11111111);
    assert.strictEqual(m.mem.read32(0x1ffffc), 0x22222222);
    exec(m, mk('Push_r64', { reg: RSP }), 1);
    assert.strictEqual(m.mem.read32(0x1ffff0), 0x1ffff8, 'old rsp');
    exec(m, mk('Push_r16', { reg: RAX }), 2);
    assert.strictEqual(sp(m), 0x1fffee);
    assert.strictEqual(m.mem.read16(0x1fffee), 0x1111);
    exec(m, mk('Pop_r16', { reg: RCX }), 2);
    assert.strictEqual(c.regs[2 * RCX], 0x1111);
    exec(m, mk('Pop_r64', { reg: RDX }), 1);
    assert.strictEqual(hex(m, RDX), '00000000001ffff8');
    exec(m, mk('Pop_r64', { reg: R8 }), 2);
    assert.strictEqual(hex(m, R8), '2222222211111111');
    assert.strictEqual(sp(m), 0x200000);
    // pop rsp: rsp receives the popped value
    m.mem.write32(0x200000, 0x12340); m.mem.write32(0x200004, 0);
    exec(m, mk('Pop_r64', { reg: RSP }), 1);
    assert.strictEqual(hex(m, RSP), '0000000000012340');
  });

  it('push immediates at every width (sign-extended)', () => {
    const m = makeMachine(64);
    exec(m, mk('Pushq_imm8', { imm: -2 }));
    assert.strictEqual(m.mem.read32(0x1ffff8), 0xfffffffe);
    assert.strictEqual(m.mem.read32(0x1ffffc), 0xffffffff);
    exec(m, mk('Pushq_imm32', { imm: 0x12345678 }), 5);
    assert.strictEqual(m.mem.read32(0x1ffff0), 0x12345678);
    assert.strictEqual(m.mem.read32(0x1ffff4), 0);
    exec(m, mk('Push_imm16', { imm: 0xabcd }), 4);
    exec(m, mk('Pushw_imm8', { imm: -1 }), 3);
    assert.strictEqual(m.mem.read32(0x1fffec), 0xabcdffff);
    assert.strictEqual(sp(m), 0x1fffec);
    const m32 = makeMachine(32);
    exec(m32, mk('Pushd_imm32', { imm: 0x7 }), 5);
    exec(m32, mk('Pushd_imm8', { imm: -128 }), 2);
    assert.strictEqual(m32.mem.read32(0x1ffffc), 7);
    assert.strictEqual(m32.mem.read32(0x1ffff8), 0xffffff80);
    assert.strictEqual(sp(m32), 0x1ffff8);
  });

  it('push r/m reads with the old rsp; pop r/m addresses with the incremented rsp', () => {
    const m = makeMachine(64), c = m.cpu;
    m.mem.write32(0x200000, 0xaaaa5555);
    exec(m, mk('Push_rm64', { ...M64, isMem: true, base: RSP, disp: 0 }));
    assert.strictEqual(m.mem.read32(0x1ffff8), 0xaaaa5555);
    // pop [rsp]: value popped from 0x1ffff8, stored at new rsp (0x200000) + 0
    m.mem.write32(0x1ffff8, 0x13579bdf);
    exec(m, mk('Pop_rm64', { ...M64, isMem: true, base: RSP, disp: 0 }));
    assert.strictEqual(sp(m), 0x200000);
    assert.strictEqual(m.mem.read32(0x200000), 0x13579bdf);
    exec(m, mk('Push_rm16', { ...M64, isMem: true, base: RSP, disp: 0 }));
    assert.strictEqual(m.mem.read16(0x1ffffe), 0x9bdf);
    exec(m, mk('Pop_rm16', { ...M64, isMem: false, rm: RBX }));
    assert.strictEqual(c.regs[2 * RBX], 0x9bdf);
    const m32 = makeMachine(32), c32 = m32.cpu;
    c32.setReg32(RSI, 0x3000);
    m32.mem.write32(0x3000, 0x600d);
    exec(m32, mk('Push_rm32', { ...M32, isMem: true, base: RSI, disp: 0 }));
    exec(m32, mk('Pop_rm32', { ...M32, isMem: true, base: RSI, disp: 4 }));
    assert.strictEqual(m32.mem.read32(0x3004), 0x600d);
    exec(m32, mk('Push_r32', { reg: RSI }), 1);
    exec(m32, mk('Pop_r32', { reg: RDI }), 1);
    assert.strictEqual(c32.regs[2 * RDI], 0x3000);
  });

  it('pop r/m with a faulting destination leaves rsp unchanged', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(DS, 0x20, 0, 0xfff, 0x4093);
    c.setReg32(RSI, 0x2000);
    const f = exec(m, mk('Pop_rm32', { ...M32, isMem: true, base: RSI, disp: 0 }));
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(sp(m), 0x200000);
  });

  it('push beyond the SS limit raises #SS with rsp unchanged; 16-bit stack wraps SP only', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(SS, 0x10, 0x10000, 0xfffff, 0x0093); // 16-bit stack (B=0)
    c.setReg32(RSP, 0xabcd0002);
    exec(m, mk('Push_r32', { reg: RSP }), 1);
    assert.strictEqual(c.regs[2 * RSP] >>> 0, 0xabcdfffe, 'SP wrapped, upper ESP kept');
    assert.strictEqual(m.mem.read32(0x1fffe), 0xabcd0002);
    c.setSegment(SS, 0x10, 0x10000, 0xfff, 0x4093);
    c.setReg32(RSP, 0x2000);
    const f = exec(m, mk('Push_r32', { reg: RAX }), 1);
    assert.strictEqual(f?.vector, SS_FAULT);
    assert.strictEqual(sp(m), 0x2000);
  });
});

describe('stack: pusha/popa', () => {
  it('pushad order (esp as before) and popad skipping esp', () => {
    const m = makeMachine(32), c = m.cpu;
    for (let r = 0; r < 8; r++) if (r !== RSP) c.setReg32(r, 0x100 + r);
    exec(m, mk('Pushad'), 1);
    assert.strictEqual(sp(m), 0x200000 - 32);
    const got = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => m.mem.read32(0x200000 - 4 * (k + 1)));
    assert.deepStrictEqual(got, [0x100, 0x101, 0x102, 0x103, 0x200000, 0x105, 0x106, 0x107]);
    for (let r = 0; r < 8; r++) if (r !== RSP) c.setReg32(r, 0);
    m.mem.write32(0x200000 - 20, 0xdead); // saved esp slot: ignored
    exec(m, mk('Popad'), 1);
    for (let r = 0; r < 8; r++) if (r !== RSP) assert.strictEqual(c.regs[2 * r], 0x100 + r);
    assert.strictEqual(sp(m), 0x200000);
    c.setReg32(RAX, 0xffff1234);
    exec(m, mk('Pushaw'), 2);
    assert.strictEqual(sp(m), 0x200000 - 16);
    assert.strictEqual(m.mem.read16(0x200000 - 2), 0x1234);
    assert.strictEqual(m.mem.read16(0x200000 - 10), 0x0000, 'sp as before (low word of 0x200000)');
    c.setReg32(RAX, 0xffff0000);
    exec(m, mk('Popaw'), 2);
    assert.strictEqual(c.regs[0] >>> 0, 0xffff1234);
    assert.strictEqual(sp(m), 0x200000);
  });
});

describe('stack: enter/leave', () => {
  it('enter with nesting level 0 and 1 (64-bit)', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RBP, 0x1234, 0);
    exec(m, mk('Enterq_imm16_imm8', { imm: 0x20, imm2: 0 }), 4);
    assert.strictEqual(m.mem.read32(0x1ffff8), 0x1234);
    assert.strictEqual(hex(m, RBP), '00000000001ffff8');
    assert.strictEqual(sp(m), 0x1ffff8 - 0x20);
    exec(m, mk('Leaveq'), 1);
    assert.strictEqual(hex(m, RBP), '0000000000001234');
    assert.strictEqual(sp(m), 0x200000);
    exec(m, mk('Enterq_imm16_imm8', { imm: 0x10, imm2: 1 }), 4);
    assert.strictEqual(m.mem.read32(0x1ffff0), 0x1ffff8, 'frame pointer pushed');
    assert.strictEqual(hex(m, RBP), '00000000001ffff8');
    assert.strictEqual(sp(m), 0x1ffff0 - 0x10);
  });

  it('enter with nesting level 3 copies the outer frame pointers (32-bit)', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setReg32(RBP, 0x1000);
    m.mem.write32(0x1000 - 4, 0xaaaa0001);
    m.mem.write32(0x1000 - 8, 0xaaaa0002);
    exec(m, mk('Enterd_imm16_imm8', { imm: 8, imm2: 3 + 32 /* level is mod 32 */ }), 4);
    const s = 0x200000;
    assert.strictEqual(m.mem.read32(s - 4), 0x1000, 'old ebp');
    assert.strictEqual(m.mem.read32(s - 8), 0xaaaa0001);
    assert.strictEqual(m.mem.read32(s - 12), 0xaaaa0002);
    assert.strictEqual(m.mem.read32(s - 16), s - 4, 'frame temp');
    assert.strictEqual(c.regs[2 * RBP] >>> 0, s - 4);
    assert.strictEqual(sp(m), s - 16 - 8);
    exec(m, mk('Leaved'), 1);
    assert.strictEqual(c.regs[2 * RBP], 0x1000);
    assert.strictEqual(sp(m), s);
  });

  it('enterw/leavew use 16-bit operands', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setReg32(RBP, 0x12345678);
    exec(m, mk('Enterw_imm16_imm8', { imm: 4, imm2: 0 }), 5);
    assert.strictEqual(m.mem.read16(0x1ffffe), 0x5678);
    assert.strictEqual(c.regs[2 * RBP] >>> 0, 0x1234fffe);
    assert.strictEqual(sp(m), 0x1ffffe - 4);
    c.setReg32(RBP, 0x1ffffe);
    exec(m, mk('Leavew'), 2);
    assert.strictEqual(c.regs[2 * RBP] >>> 0, 0x1f5678, 'pop bp keeps the upper half of ebp');
    assert.strictEqual(sp(m), 0x200000);
  });

  it('enter faulting on the stack changes nothing', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(SS, 0x10, 0, 0xfff, 0x4093);
    c.setReg32(RSP, 0x1000 + 2); c.setReg32(RBP, 0x100);
    const f = exec(m, mk('Enterd_imm16_imm8', { imm: 0, imm2: 2 }), 4);
    assert.strictEqual(f?.vector, SS_FAULT);
    assert.strictEqual(sp(m), 0x1002);
    assert.strictEqual(c.regs[2 * RBP], 0x100);
    void RDX;
  });
});
