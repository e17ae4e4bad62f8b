// Software interrupts handed to the host (INT n, INT3, INTO, INT1) and IRET/IRETD/IRETQ: same-level and
// outer-level returns, 64-bit returns to 64-bit and compatibility mode, RFLAGS rules, NT — from real bytes.
import * as assert from 'assert';
import { gdtMachine, exec, expectFault, expectOk, SEL, CODE } from './segmentation-gdt.test';
import { GP, UD } from '../../src/cpu/fault';
import { CS, SS, DS, RSP } from '../../src/cpu/state';
import { getFlags, setFlags, F_IF, F_IOPL, F_NT, F_OF, F_CF } from '../../src/cpu/flags';

describe('INT n / INT3 / INTO / INT1', () => {
  it('int 0x82 goes to the host with RIP after the instruction', () => {
    const m = gdtMachine(32, 1);
    const e = exec(m, [0xcd, 0x82]);
    assert.deepStrictEqual(e, { vector: 0x82, errorCode: -1, rip: CODE + 2 });
  });
  it('a refused vector raises #GP(vector*8+2) at the instruction', () => {
    const m = gdtMachine(32, 3);
    m.ops.softwareInterrupt = () => false;
    expectFault(m, [0xcd, 0x80], GP, 0x80 * 8 + 2);
  });
  it('int3, int1, into', () => {
    const m = gdtMachine(32, 3);
    assert.deepStrictEqual(exec(m, [0xcc]), { vector: 3, errorCode: -1, rip: CODE + 1 });
    assert.deepStrictEqual(exec(m, [0xf1]), { vector: 1, errorCode: -1, rip: CODE + 1 });
    setFlags(m.cpu, 0, F_OF);
    assert.strictEqual(exec(m, [0xce]), null);
    assert.strictEqual(m.cpu.rip, CODE + 1);
    setFlags(m.cpu, F_OF, F_OF);
    assert.deepStrictEqual(exec(m, [0xce]), { vector: 4, errorCode: -1, rip: CODE + 1 });
    expectFault(gdtMachine(64, 3), [0xce], UD, 0xffffffff);
  });
});

function frame32(m: ReturnType<typeof gdtMachine>, at: number, vals: number[]): void {
  vals.forEach((v, k) => m.mem.write32(at + 4 * k, v >>> 0));
  m.cpu.setReg32(RSP, at);
}
function frame64(m: ReturnType<typeof gdtMachine>, at: number, vals: number[]): void {
  vals.forEach((v, k) => { m.mem.write32(at + 8 * k, v >>> 0); m.mem.write32(at + 8 * k + 4, Math.floor(v / 4294967296) >>> 0); });
  m.cpu.setReg64(RSP, at, 0);
}

describe('IRET', () => {
  it('same-privilege iretd at CPL0 loads EIP, CS, EFLAGS (IOPL and IF allowed)', () => {
    const m = gdtMachine(32, 0);
    frame32(m, 0x100000, [0x5000, SEL.code0, 0x3002 | F_CF]);
    expectOk(m, [0xcf]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.segSel[CS], getFlags(m.cpu), m.cpu.getReg32(RSP)], [0x5000, SEL.code0, 0x3003, 0x10000c]);
  });
  it('at CPL3 with IOPL0: IF and IOPL are not changed by the popped image', () => {
    const m = gdtMachine(32, 3);
    m.cpu.setSegment(CS, SEL.code3 | 3, 0, 0xffffffff, 0xc0fb);
    setFlags(m.cpu, F_IF, F_IF | F_IOPL);
    frame32(m, 0x100000, [0x5000, SEL.code3 | 3, 0x3002]);
    expectOk(m, [0xcf]);
    assert.strictEqual(getFlags(m.cpu) & (F_IF | F_IOPL), F_IF);
  });
  it('at CPL1 with IOPL1: IF follows the image, IOPL does not', () => {
    const m = gdtMachine(32, 1);
    setFlags(m.cpu, F_IF | 0x1000, F_IF | F_IOPL);
    frame32(m, 0x100000, [0x5000, SEL.code1 | 1, 0x3002]);
    expectOk(m, [0xcf]);
    assert.strictEqual(getFlags(m.cpu) & (F_IF | F_IOPL), 0x1000);
  });
  it('return to an outer level pops SS:ESP, switches CPL and nulls DS if DPL < CPL', () => {
    const m = gdtMachine(32, 1);
    m.cpu.setSegment(DS, SEL.data1 | 1, 0, 0xffffffff, 0xc0b3);
    frame32(m, 0x100000, [0x5000, SEL.code3 | 3, 0x202, 0x90000, SEL.data3 | 3]);
    expectOk(m, [0xcf]);
    assert.deepStrictEqual([m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.getReg32(RSP), m.cpu.rip],
      [3, SEL.code3 | 3, SEL.data3 | 3, 0x90000, 0x5000]);
    assert.deepStrictEqual([m.cpu.segSel[DS], m.cpu.segValid[DS]], [0, 0]);
    assert.strictEqual(getFlags(m.cpu) & F_IF, F_IF);
  });
  it('checks: NT=1 → #GP(0); CS RPL < CPL → #GP(cs); bad SS → #GP(ss)', () => {
    const m = gdtMachine(32, 1);
    setFlags(m.cpu, F_NT, F_NT);
    frame32(m, 0x100000, [0x5000, SEL.code1 | 1, 0x2]);
    expectFault(m, [0xcf], GP, 0);
    const m1 = gdtMachine(32, 1);
    frame32(m1, 0x100000, [0x5000, SEL.code0, 0x2]);
    expectFault(m1, [0xcf], GP, SEL.code0);
    frame32(m1, 0x100000, [0x5000, SEL.code3 | 3, 0x2, 0x90000, SEL.data1 | 1]);
    expectFault(m1, [0xcf], GP, SEL.data1);
    assert.strictEqual(m1.cpu.cpl, 1);
  });
  it('16-bit iret pops 16-bit items and only touches FLAGS bits 0-15', () => {
    const m = gdtMachine(32, 0);
    m.mem.write16(0x100000, 0x5000); m.mem.write16(0x100002, SEL.code0); m.mem.write16(0x100004, 0x0046);
    m.cpu.setReg32(RSP, 0x100000);
    expectOk(m, [0x66, 0xcf]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.getReg32(RSP), getFlags(m.cpu) & 0xff], [0x5000, 0x100006, 0x46]);
  });
  it('iretq in 64-bit mode at CPL3 always pops SS:RSP', () => {
    const m = gdtMachine(64, 3);
    frame64(m, 0x100000, [-0x800000000000 + 0x5000, SEL.code64_3 | 3, 0x202, 0x90000, SEL.data3 | 3]);
    expectOk(m, [0x48, 0xcf]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.getReg32(RSP), m.cpu.segSel[SS], m.cpu.cpl, m.cpu.mode],
      [-0x800000000000 + 0x5000, 0x90000, SEL.data3 | 3, 3, 64]);
  });
  it('iretq from ring 0 to compatibility-mode ring 3; null SS allowed only for 64-bit ring<3 targets', () => {
    const m = gdtMachine(64, 0);
    frame64(m, 0x100000, [0x5000, SEL.code3 | 3, 0x202, 0x90000, SEL.data3 | 3]);
    expectOk(m, [0x48, 0xcf]);
    assert.deepStrictEqual([m.cpu.mode, m.cpu.cpl, m.cpu.rip, m.cpu.stackSize, m.cpu.getReg32(RSP)], [32, 3, 0x5000, 32, 0x90000]);
    const m0 = gdtMachine(64, 0);
    frame64(m0, 0x100000, [0x5000, SEL.code64_0, 0x2, 0x90000, 0]);
    expectOk(m0, [0x48, 0xcf]);
    assert.deepStrictEqual([m0.cpu.segSel[SS], m0.cpu.mode], [0, 64]);
    const m3 = gdtMachine(64, 0);
    frame64(m3, 0x100000, [0x5000, SEL.code64_3 | 3, 0x2, 0x90000, 3]);
    expectFault(m3, [0x48, 0xcf], GP, 0);
  });
  it('iretq to a non-canonical RIP → #GP(0) with no state change', () => {
    const m = gdtMachine(64, 3);
    m.mem.write32(0x100000, 0); m.mem.write32(0x100004, 0x00010000);
    m.mem.write32(0x100008, SEL.code64_3 | 3);
    m.mem.write32(0x100010, 0x2); m.mem.write32(0x100018, 0x90000); m.mem.write32(0x100020, SEL.data3 | 3);
    m.cpu.setReg64(RSP, 0x100000, 0);
    expectFault(m, [0x48, 0xcf], GP, 0);
    assert.strictEqual(m.cpu.getReg32(RSP), 0x100000);
  });
});
