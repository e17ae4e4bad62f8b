// Unit tests for the data-transfer handlers (mov family, movzx/movsx, lea, xchg/cmpxchg/xadd, bswap,
// conversions, xlat, nops), driven through hand-built decoded-instruction records.
import * as assert from 'assert';
import { Insn, REG_RIP } from '../../src/cpu/decoder/insn';
import { dataHandlers } from '../../src/cpu/exec/data';
import { stackHandlers } from '../../src/cpu/exec/stack';
import { controlHandlers } from '../../src/cpu/exec/control';
import { stringHandlers } from '../../src/cpu/exec/string';
import { Code as IcedCode } from 'iced-x86';
import { CpuFault, GP } from '../../src/cpu/fault';
import { getCF, getZF, getSF, getOF, getFlags, F_ZF, F_CF } from '../../src/cpu/flags';
import { RAX, RCX, RDX, RBX, RSP, RSI, RDI, R8, DS, FS, ES } from '../../src/cpu/state';
import { makeMachine, TestMachine } from './helpers/machine';
import { makeInsn, execInsn } from './helpers/insn';

const mk = (code: string, f: Partial<Insn> = {}): Insn => makeInsn(dataHandlers, code, f);
const exec = (m: TestMachine, i: Insn, len = 3): CpuFault | null => execInsn(m, i, len);
const M64 = { mode: 64, asize: 64, opsize: 64 };
const M32 = { mode: 32, asize: 32, opsize: 32 };
const mem = (base: number, disp = 0, extra: Partial<Insn> = {}): Partial<Insn> =>
  ({ isMem: true, rm: -1, base, disp, dispHi: disp < 0 ? -1 : 0, ...extra });
const hex = (m: TestMachine, r: number): string => {
  const c = m.cpu; return (c.regs[2 * r + 1] >>> 0).toString(16).padStart(8, '0') + (c.regs[2 * r] >>> 0).toString(16).padStart(8, '0');
};

describe('data: mov', () => {
  it('mov r/m <-> r at every size, registers and memory (64-bit)', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, 0x11223344, 0x55667788);
    c.setReg64(RBX, 0x1000, 0);
    exec(m, mk('Mov_rm64_r64', { ...M64, ...mem(RBX, 8), reg: RAX }));
    assert.strictEqual(m.mem.read32(0x1008), 0x11223344);
    assert.strictEqual(m.mem.read32(0x100c), 0x55667788);
    exec(m, mk('Mov_r64_rm64', { ...M64, ...mem(RBX, 8), reg: R8 }));
    assert.strictEqual(hex(m, R8), '5566778811223344');
    exec(m, mk('Mov_r32_rm32', { ...M64, isMem: false, rm: RAX, reg: RCX }));
    assert.strictEqual(hex(m, RCX), '0000000011223344', '32-bit write zero-extends');
    c.setReg64(RDX, -1, -1);
    exec(m, mk('Mov_r16_rm16', { ...M64, opsize: 16, isMem: false, rm: RAX, reg: RDX }));
    assert.strictEqual(hex(m, RDX), 'ffffffffffff3344', '16-bit write keeps upper bits');
    exec(m, mk('Mov_r8_rm8', { ...M64, opsize: 8, isMem: false, rm: 16 /* ah */, reg: RDX }));
    assert.strictEqual(hex(m, RDX), 'ffffffffffff3333');
    exec(m, mk('Mov_rm8_r8', { ...M64, opsize: 8, ...mem(RBX, 0), reg: 16 + 3 /* bh */ }));
    assert.strictEqual(m.mem.read8(0x1000), 0x10);
    exec(m, mk('Mov_rm16_r16', { ...M64, opsize: 16, ...mem(RBX, 2), reg: RAX }));
    assert.strictEqual(m.mem.read16(0x1002), 0x3344);
    exec(m, mk('Mov_rm32_r32', { ...M64, opsize: 32, ...mem(RBX, 0x20), reg: RAX }));
    assert.strictEqual(m.mem.read32(0x1020), 0x11223344);
  });

  it('mov with immediates: imm8/16/32, imm64, and r/m64 with a sign-extended imm32', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, -1, -1);
    exec(m, mk('Mov_r8_imm8', { reg: 16, imm: 0x5a }));
    assert.strictEqual(hex(m, RAX), 'ffffffffffff5aff');
    exec(m, mk('Mov_r16_imm16', { reg: RAX, imm: 0x1234 }));
    assert.strictEqual(hex(m, RAX), 'ffffffffffff1234');
    exec(m, mk('Mov_r32_imm32', { reg: RAX, imm: -2 }));
    assert.strictEqual(hex(m, RAX), '00000000fffffffe');
    exec(m, mk('Mov_r64_imm64', { reg: R8, imm: 0x9abcdef0 | 0, immHi: 0x12345678 }));
    assert.strictEqual(hex(m, R8), '123456789abcdef0');
    exec(m, mk('Mov_rm64_imm32', { isMem: false, rm: RCX, imm: -5, immHi: -1 }));
    assert.strictEqual(hex(m, RCX), 'fffffffffffffffb');
    c.setReg64(RBX, 0x2000, 0);
    exec(m, mk('Mov_rm64_imm32', { ...M64, ...mem(RBX), imm: -5 }));
    assert.strictEqual(m.mem.read32(0x2004), 0xffffffff);
    exec(m, mk('Mov_rm8_imm8', { ...M64, ...mem(RBX, 0x10), imm: 0x77 }));
    exec(m, mk('Mov_rm16_imm16', { ...M64, ...mem(RBX, 0x12), imm: 0xbeef }));
    exec(m, mk('Mov_rm32_imm32', { ...M64, ...mem(RBX, 0x14), imm: 0x01020304 }));
    assert.strictEqual(m.mem.read8(0x2010), 0x77);
    assert.strictEqual(m.mem.read16(0x2012), 0xbeef);
    assert.strictEqual(m.mem.read32(0x2014), 0x01020304);
  });

  it('RIP-relative operands use the address of the next instruction', () => {
    const m = makeMachine(64), c = m.cpu;
    c.rip = 0x3000;
    m.mem.write32(0x3000 + 7 + 0x100, 0xcafef00d);
    exec(m, mk('Mov_r32_rm32', { ...M64, ...mem(REG_RIP, 0x100), reg: RAX }), 7);
    assert.strictEqual(c.regs[0] >>> 0, 0xcafef00d);
  });

  it('moffs forms in 64-bit mode (64-bit offset) and 32-bit mode (segment base applies)', () => {
    const m = makeMachine(64), c = m.cpu;
    m.mem.write32(0x4000, 0x89abcdef); m.mem.write32(0x4004, 0x01234567);
    const moffs = { isMem: true, base: -1, index: -1, disp: 0x4000, dispHi: 0 };
    exec(m, mk('Mov_RAX_moffs64', { ...M64, ...moffs }), 10);
    assert.strictEqual(hex(m, RAX), '0123456789abcdef');
    exec(m, mk('Mov_AL_moffs8', { ...M64, ...moffs, opsize: 8 }), 10);
    exec(m, mk('Mov_EAX_moffs32', { ...M64, ...moffs, opsize: 32 }), 10);
    assert.strictEqual(hex(m, RAX), '0000000089abcdef');
    exec(m, mk('Mov_AX_moffs16', { ...M64, ...moffs, disp: 0x4004, opsize: 16 }), 10);
    assert.strictEqual(hex(m, RAX), '0000000089ab4567');
    exec(m, mk('Mov_moffs64_RAX', { ...M64, ...moffs, disp: 0x4010 }), 10);
    assert.strictEqual(m.mem.read32(0x4010), 0x89ab4567);
    // non-canonical moffs64 -> #GP
    const f = exec(m, mk('Mov_moffs8_AL', { ...M64, ...moffs, dispHi: 0x00010000 }), 10);
    assert.strictEqual(f?.vector, GP);

    const m32 = makeMachine(32), c32 = m32.cpu;
    c32.setSegment(FS, 0x18, 0x10000, 0xffff, 0x4093);
    c32.setReg32(RAX, 0xa1b2c3d4);
    exec(m32, mk('Mov_moffs32_EAX', { ...M32, ...moffs, disp: 0x20, seg: FS }), 6);
    assert.strictEqual(m32.mem.read32(0x10020), 0xa1b2c3d4);
    exec(m32, mk('Mov_moffs16_AX', { ...M32, ...moffs, disp: 0x30, seg: FS }), 6);
    exec(m32, mk('Mov_moffs8_AL', { ...M32, ...moffs, disp: 0x32, seg: FS }), 6);
    assert.strictEqual(m32.mem.read32(0x10030), 0xd4c3d4);
    const g = exec(m32, mk('Mov_AL_moffs8', { ...M32, ...moffs, disp: 0x10000, seg: FS }), 6);
    assert.strictEqual(g?.vector, GP, 'beyond the FS limit');
    // 16-bit address size wraps the offset
    exec(m32, mk('Mov_EAX_moffs32', { ...M32, asize: 16, ...moffs, disp: 0x30, seg: FS }), 4);
    assert.strictEqual(c32.regs[0], 0xd4c3d4);
    void c;
  });

  it('movzx / movsx / movsxd', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, 0x8080f0f0 | 0, 0);
    c.setReg64(RBX, -1, -1);
    const src = (rm: number) => ({ isMem: false, rm });
    exec(m, mk('Movzx_r32_rm8', { ...src(RAX), reg: RBX }));
    assert.strictEqual(hex(m, RBX), '00000000000000f0');
    c.setReg64(RBX, -1, -1);
    exec(m, mk('Movzx_r16_rm8', { ...src(16), reg: RBX }));
    assert.strictEqual(hex(m, RBX), 'ffffffffffff00f0');
    exec(m, mk('Movzx_r64_rm16', { ...src(RAX), reg: RBX }));
    assert.strictEqual(hex(m, RBX), '000000000000f0f0');
    exec(m, mk('Movzx_r16_rm16', { ...src(RAX), reg: RBX }));
    exec(m, mk('Movzx_r64_rm8', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '00000000000000f0');
    exec(m, mk('Movzx_r32_rm16', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '000000000000f0f0');
    exec(m, mk('Movsx_r64_rm8', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), 'fffffffffffffff0');
    exec(m, mk('Movsx_r32_rm8', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '00000000fffffff0');
    c.setReg64(RCX, 0, 0);
    exec(m, mk('Movsx_r16_rm8', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '000000000000fff0');
    exec(m, mk('Movsx_r32_rm16', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '00000000fffff0f0');
    exec(m, mk('Movsx_r64_rm16', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), 'fffffffffffff0f0');
    exec(m, mk('Movsx_r16_rm16', { ...src(RBX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), 'fffffffffffff0f0');
    exec(m, mk('Movsxd_r64_rm32', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), 'ffffffff8080f0f0');
    exec(m, mk('Movsxd_r32_rm32', { ...src(RAX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '000000008080f0f0');
    exec(m, mk('Movsxd_r16_rm16', { ...src(RBX), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '000000008080f0f0');
    m.mem.write8(0x5000, 0x80);
    c.setReg64(RSI, 0x5000, 0);
    exec(m, mk('Movsx_r64_rm8', { ...M64, ...mem(RSI), reg: RDX }));
    assert.strictEqual(hex(m, RDX), 'ffffffffffffff80');
  });
});

describe('data: lea', () => {
  it('computes base + index*scale + disp without segment bases or canonical checks', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setSegmentBase64(FS, 0x100000, 0);
    c.setReg64(RBX, 0xfffffff0 | 0, 0x7fffffff);
    c.setReg64(RSI, 4, 0);
    exec(m, mk('Lea_r64_m', { ...M64, ...mem(RBX, 0x20), index: RSI, scale: 3, seg: FS, reg: RAX }));
    assert.strictEqual(hex(m, RAX), '8000000000000030', 'non-canonical result, no FS base, no fault');
    exec(m, mk('Lea_r32_m', { ...M64, ...mem(RBX, 0x20), index: RSI, scale: 3, reg: RCX }));
    assert.strictEqual(hex(m, RCX), '0000000000000030', 'truncated to 32 bits');
    exec(m, mk('Lea_r16_m', { ...M64, ...mem(RBX, -0x20), reg: RDX }));
    assert.strictEqual(c.regs[2 * RDX] & 0xffff, 0xffd0);
    c.rip = 0x401000;
    exec(m, mk('Lea_r64_m', { ...M64, ...mem(REG_RIP, -0x10), reg: RDI }), 7);
    assert.strictEqual(hex(m, RDI), '0000000000400ff7');
    // 32-bit address size in 64-bit mode: wraps at 4 GiB and zero-extends into a 64-bit destination
    exec(m, mk('Lea_r64_m', { ...M64, asize: 32, ...mem(RBX, 0x20), reg: RAX }));
    assert.strictEqual(hex(m, RAX), '0000000000000010');
  });
  it('16-bit addressing ([bx+si+disp]) wraps at 64 KiB', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setReg32(RBX, 0x1fff0); c.setReg32(RSI, 0x20);
    exec(m, mk('Lea_r32_m', { ...M32, asize: 16, ...mem(RBX, 0x5), index: RSI, scale: 0, reg: RAX }));
    assert.strictEqual(c.regs[0], 0x15);
    c.setReg32(RBX, 0x12345678);
    exec(m, mk('Lea_r16_m', { ...M32, opsize: 16, ...mem(RBX, 8), reg: RAX }));
    assert.strictEqual(c.regs[0] >>> 0, 0x00005680);
  });
});

describe('data: exchanges', () => {
  it('xchg register/register, register/memory, and the 90+r accumulator forms', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, 1, 2); c.setReg64(RBX, 3, 4);
    exec(m, mk('Xchg_rm64_r64', { isMem: false, rm: RAX, reg: RBX }));
    assert.strictEqual(hex(m, RAX), '0000000400000003');
    assert.strictEqual(hex(m, RBX), '0000000200000001');
    exec(m, mk('Xchg_rm8_r8', { isMem: false, rm: 16, reg: RBX })); // ah <-> bl
    assert.strictEqual(hex(m, RAX), '0000000400000103');
    assert.strictEqual(hex(m, RBX), '0000000200000000');
    c.setReg64(RSI, 0x6000, 0);
    m.mem.write32(0x6000, 0xdeadbeef);
    exec(m, mk('Xchg_rm32_r32', { ...M64, ...mem(RSI), reg: RAX }));
    assert.strictEqual(hex(m, RAX), '00000000deadbeef');
    assert.strictEqual(m.mem.read32(0x6000), 0x103);
    exec(m, mk('Xchg_rm16_r16', { ...M64, ...mem(RSI), reg: RAX }));
    assert.strictEqual(hex(m, RAX), '00000000dead0103');
    assert.strictEqual(m.mem.read32(0x6000), 0xbeef);
    c.setReg64(R8, 7, 8);
    exec(m, mk('Xchg_r64_RAX', { reg: R8 }), 2);
    assert.strictEqual(hex(m, RAX), '0000000800000007');
    exec(m, mk('Xchg_r32_EAX', { reg: R8 }), 2);
    assert.strictEqual(hex(m, R8), '0000000000000007');
    exec(m, mk('Xchg_r16_AX', { reg: RCX }), 2);
    for (const n of ['Nopw', 'Nopd', 'Nopq', 'Pause']) exec(m, mk(n), 1);
  });

  it('xchg with memory beyond the segment limit faults with registers unchanged', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(DS, 0x20, 0, 0xfff, 0x4093);
    c.setReg32(RAX, 0x1234); c.setReg32(RSI, 0xffe);
    const f = exec(m, mk('Xchg_rm32_r32', { ...M32, ...mem(RSI), reg: RAX }));
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(c.regs[0], 0x1234);
  });

  it('cmpxchg: equal stores the source; unequal loads the accumulator; flags as cmp', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RSI, 0x7000, 0);
    m.mem.write32(0x7000, 5);
    c.setReg32(RAX, 5); c.setReg32(RCX, 9);
    exec(m, mk('Cmpxchg_rm32_r32', { ...M64, ...mem(RSI), reg: RCX }));
    assert.ok(getZF(c));
    assert.strictEqual(m.mem.read32(0x7000), 9);
    assert.strictEqual(c.regs[0], 5);
    exec(m, mk('Cmpxchg_rm32_r32', { ...M64, ...mem(RSI), reg: RCX }));
    assert.ok(!getZF(c));
    assert.ok(getCF(c), '5 - 9 borrows');
    assert.strictEqual(c.regs[0], 9);
    assert.strictEqual(m.mem.read32(0x7000), 9);
    // 8-bit with ah
    c.setReg64(RAX, 0x4200, 0); c.setReg64(RDX, 0x4200, 0);
    m.mem.write8(0x7010, 0x42);
    exec(m, mk('Cmpxchg_rm8_r8', { ...M64, ...mem(RSI, 0x10), reg: 16 }));
    assert.ok(!getZF(c), 'al=0 vs 0x42');
    assert.strictEqual(c.regs[0] & 0xff, 0x42);
    exec(m, mk('Cmpxchg_rm8_r8', { ...M64, ...mem(RSI, 0x10), reg: 16 + 2 /* dh */ }));
    assert.ok(getZF(c));
    assert.strictEqual(m.mem.read8(0x7010), 0x42);
    // 64-bit registers, differing only in the high half
    c.setReg64(RAX, 1, 1); c.setReg64(RBX, 1, 2); c.setReg64(RCX, 0xaa, 0xbb);
    exec(m, mk('Cmpxchg_rm64_r64', { isMem: false, rm: RBX, reg: RCX }));
    assert.ok(!getZF(c));
    assert.strictEqual(hex(m, RAX), '0000000200000001');
    exec(m, mk('Cmpxchg_rm64_r64', { isMem: false, rm: RBX, reg: RCX }));
    assert.ok(getZF(c));
    assert.strictEqual(hex(m, RBX), '000000bb000000aa');
    c.setReg64(RAX, 0xffff, 0); c.setReg64(RDX, 0x8000, 0);
    exec(m, mk('Cmpxchg_rm16_r16', { isMem: false, rm: RDX, reg: RCX }));
    assert.ok(!getZF(c));
    assert.ok(getSF(c) === false && getOF(c) === false);
    assert.strictEqual(c.regs[0], 0x8000);
    exec(m, mk('Cmpxchg486_rm16_r16', { isMem: false, rm: RDX, reg: RCX }));
    assert.ok(getZF(c));
  });

  it('xadd exchanges and adds with add flags', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RSI, 0x7100, 0);
    m.mem.write32(0x7100, 0xffffffff);
    c.setReg32(RCX, 1);
    exec(m, mk('Xadd_rm32_r32', { ...M64, ...mem(RSI), reg: RCX }));
    assert.strictEqual(m.mem.read32(0x7100), 0);
    assert.strictEqual(c.regs[2] >>> 0, 0xffffffff);
    assert.ok(getZF(c) && getCF(c));
    c.setReg64(RAX, -1, 0); c.setReg64(RBX, 1, 0);
    exec(m, mk('Xadd_rm64_r64', { isMem: false, rm: RAX, reg: RBX }));
    assert.strictEqual(hex(m, RAX), '0000000100000000');
    assert.strictEqual(hex(m, RBX), '00000000ffffffff');
    c.setReg64(RAX, 3, 0);
    exec(m, mk('Xadd_rm64_r64', { isMem: false, rm: RAX, reg: RAX }));
    assert.strictEqual(hex(m, RAX), '0000000000000006', 'same register: the sum wins');
    c.setReg64(RAX, 0x7f, 0); c.setReg64(RBX, 1, 0);
    exec(m, mk('Xadd_rm8_r8', { isMem: false, rm: RAX, reg: RBX }));
    assert.strictEqual(c.regs[0], 0x80);
    assert.ok(getOF(c));
    exec(m, mk('Xadd_rm16_r16', { isMem: false, rm: RAX, reg: RBX }));
    assert.strictEqual(c.regs[0], 0x80 + 0x7f);
  });

  it('xadd to a read-only limit faults with flags and registers untouched', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(DS, 0x20, 0, 0xffff, 0x4091); // read-only data
    c.setReg32(RSI, 0x100); c.setReg32(RCX, 7);
    c.lop = 0; c.flagsBits = 0x202;
    const f = exec(m, mk('Xadd_rm32_r32', { ...M32, ...mem(RSI), reg: RCX }));
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(c.regs[2], 7);
    assert.strictEqual(getFlags(c), 0x202);
  });

  it('cmpxchg8b and cmpxchg16b (16b requires 16-byte alignment)', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RSI, 0x7200, 0);
    m.mem.write32(0x7200, 0x11111111); m.mem.write32(0x7204, 0x22222222);
    c.setReg64(RAX, 0x11111111, 0x5); c.setReg64(RDX, 0x22222222, 0x5);
    c.setReg64(RBX, 0x33333333, 0); c.setReg64(RCX, 0x44444444, 0);
    exec(m, mk('Cmpxchg8b_m64', { ...M64, ...mem(RSI) }));
    assert.ok(getZF(c));
    assert.strictEqual(m.mem.read32(0x7200), 0x33333333);
    assert.strictEqual(m.mem.read32(0x7204), 0x44444444);
    exec(m, mk('Cmpxchg8b_m64', { ...M64, ...mem(RSI) }));
    assert.ok(!getZF(c));
    assert.strictEqual(hex(m, RAX), '0000000033333333');
    assert.strictEqual(hex(m, RDX), '0000000044444444');

    for (let k = 0; k < 4; k++) m.mem.write32(0x7300 + 4 * k, k + 1);
    c.setReg64(RAX, 1, 2); c.setReg64(RDX, 3, 4); c.setReg64(RBX, 5, 6); c.setReg64(RCX, 7, 8);
    c.setReg64(RSI, 0x7300, 0);
    c.flagsBits |= F_CF; c.lop = 0;
    exec(m, mk('Cmpxchg16b_m128', { ...M64, ...mem(RSI) }));
    assert.ok(getZF(c));
    assert.ok(getCF(c), 'only ZF changes');
    assert.deepStrictEqual([0, 1, 2, 3].map((k) => m.mem.read32(0x7300 + 4 * k)), [5, 6, 7, 8]);
    exec(m, mk('Cmpxchg16b_m128', { ...M64, ...mem(RSI) }));
    assert.ok(!getZF(c));
    assert.strictEqual(hex(m, RAX), '0000000600000005');
    assert.strictEqual(hex(m, RDX), '0000000800000007');
    const f = exec(m, mk('Cmpxchg16b_m128', { ...M64, ...mem(RSI, 8) }));
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(f?.errorCode, 0);
    void F_ZF;
  });
});

describe('data: bswap, movbe, conversions, xlat, nop', () => {
  it('bswap 16/32/64', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, 0x12345678, 0x9abcdef0 | 0);
    exec(m, mk('Bswap_r64', { reg: RAX }), 3);
    assert.strictEqual(hex(m, RAX), '78563412f0debc9a');
    exec(m, mk('Bswap_r32', { reg: RAX }), 2);
    assert.strictEqual(hex(m, RAX), '000000009abcdef0');
    exec(m, mk('Bswap_r16', { reg: RAX }), 3);
    assert.strictEqual(hex(m, RAX), '000000009abc0000');
  });
  it('movbe loads and stores byte-swapped', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RSI, 0x7400, 0);
    m.mem.write32(0x7400, 0x11223344); m.mem.write32(0x7404, 0x55667788);
    exec(m, mk('Movbe_r64_m64', { ...M64, ...mem(RSI), reg: RAX }));
    assert.strictEqual(hex(m, RAX), '4433221188776655');
    exec(m, mk('Movbe_r32_m32', { ...M64, ...mem(RSI), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '0000000044332211');
    exec(m, mk('Movbe_r16_m16', { ...M64, ...mem(RSI), reg: RCX }));
    assert.strictEqual(hex(m, RCX), '0000000044334433');
    exec(m, mk('Movbe_m64_r64', { ...M64, ...mem(RSI, 0x10), reg: RAX }));
    assert.strictEqual(m.mem.read32(0x7410), 0x11223344);
    exec(m, mk('Movbe_m32_r32', { ...M64, ...mem(RSI, 0x20), reg: RCX }));
    assert.strictEqual(m.mem.read32(0x7420), 0x33443344);
    exec(m, mk('Movbe_m16_r16', { ...M64, ...mem(RSI, 0x30), reg: RCX }));
    assert.strictEqual(m.mem.read16(0x7430), 0x3344);
  });
  it('cbw/cwde/cdqe and cwd/cdq/cqo', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RAX, 0xffff1280 | 0, 7);
    exec(m, mk('Cbw'), 2); assert.strictEqual(hex(m, RAX), '00000007ffffff80');
    exec(m, mk('Cwde'), 1); assert.strictEqual(hex(m, RAX), '00000000ffffff80');
    exec(m, mk('Cdqe'), 2); assert.strictEqual(hex(m, RAX), 'ffffffffffffff80');
    c.setReg64(RDX, 0x12345678, 0x12345678);
    exec(m, mk('Cwd'), 2); assert.strictEqual(hex(m, RDX), '123456781234ffff');
    exec(m, mk('Cdq'), 1); assert.strictEqual(hex(m, RDX), '00000000ffffffff');
    c.setReg64(RAX, -1, 0x7fffffff);
    exec(m, mk('Cqo'), 2); assert.strictEqual(hex(m, RDX), '0000000000000000');
    c.setReg64(RAX, 0, -1);
    exec(m, mk('Cqo'), 2); assert.strictEqual(hex(m, RDX), 'ffffffffffffffff');
    c.setReg64(RAX, 0x7f, 0);
    exec(m, mk('Cbw'), 2); assert.strictEqual(hex(m, RAX), '000000000000007f');
  });
  it('xlat at 64/32/16-bit address sizes with a segment override', () => {
    const m = makeMachine(64), c = m.cpu;
    m.mem.write8(0x8000 + 0xf0, 0x99);
    c.setReg64(RBX, 0x8000, 0); c.setReg64(RAX, 0xf0, 0);
    exec(m, mk('Xlat_m8', { ...M64 }), 1);
    assert.strictEqual(c.regs[0], 0x99);
    c.setReg64(RBX, 0x8000, 1); c.setReg64(RAX, 0xf0, 0);
    exec(m, mk('Xlat_m8', { ...M64, asize: 32 }), 2);
    assert.strictEqual(c.regs[0], 0x99, 'upper half of rbx ignored');
    const m32 = makeMachine(32), c32 = m32.cpu;
    c32.setSegment(ES, 0x20, 0x20000, 0xfffff, 0x4093);
    m32.mem.write8(0x20000 + 0x10, 0x5a);
    c32.setReg32(RBX, 0x3fff0); c32.setReg32(RAX, 0x20);
    exec(m32, mk('Xlat_m8', { ...M32, asize: 16, seg: ES }), 2);
    assert.strictEqual(c32.regs[0], 0x5a, '(bx + al) wraps at 64 KiB');
    // 64-bit: rbx non-canonical -> #GP
    c.setReg64(RBX, 0, 0x00010000); c.setReg64(RAX, 1, 0);
    assert.strictEqual(exec(m, mk('Xlat_m8', { ...M64 }), 1)?.vector, GP);
  });
  it('nop r/m does not access memory', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RBX, 0, 0x00010000);
    for (const n of ['Nop_rm16', 'Nop_rm32', 'Nop_rm64']) assert.strictEqual(exec(m, mk(n, { ...M64, ...mem(RBX) })), null);
    void RSP; void RDI;
  });
});

describe('data/stack/control/string: handler coverage', () => {
  it('every iced Code name of these families has a handler, and every handler key is an iced Code name', () => {
    const Code = IcedCode as unknown as Record<string, number | string>;
    const mine: Record<string, unknown> = { ...dataHandlers, ...stackHandlers, ...controlHandlers, ...stringHandlers };
    const notIced = Object.keys(mine).filter((k) => typeof Code[k] !== 'number');
    assert.deepStrictEqual(notIced, []);
    const pats = [/^Mov_(r|rm|AL|AX|EAX|RAX|moffs)/, /^Movzx/, /^Movsx/, /^Lea_/, /^Xchg_/, /^Nop/, /^Cmpxchg/, /^Xadd/,
      /^Bswap/, /^(Cbw|Cwde|Cdqe|Cwd|Cdq|Cqo)$/, /^Xlat/, /^Pause$/, /^Movbe/, /^Push(_|[wdq]_imm|aw|ad)/, /^Pop(_|aw|ad)/,
      /^Enter/, /^Leave/, /^Jmp_(rel|rm)/, /^J[a-z]+_rel/, /^Call_(rel|rm)/, /^Retn/, /^Loop/, /^(Movs|Stos|Lods|Cmps|Scas)[bwdq]_/];
    const others = /Sreg|_cr|_dr|_tr|xmm/;
    const family = Object.keys(Code).filter((n) => isNaN(Number(n)) && pats.some((p) => p.test(n)) && !others.test(n));
    assert.ok(family.length > 250, `${family.length} names matched`);
    assert.deepStrictEqual(family.filter((n) => !mine[n]), []);
  });
});
