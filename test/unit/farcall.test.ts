// Far JMP/CALL/RETF with protection checks: direct code targets, call gates (32-bit with the TSS stack
// switch and parameter copy, 64-bit), returns to outer privilege levels — from real instruction bytes.
import * as assert from 'assert';
import { gdtMachine, expectFault, expectOk, putGate, putSeg, SEL, CODE, TSS, codeAcc } from './segmentation-gdt.test';
import { GateDescriptor, SegmentDescriptor } from '../../src/cpu/mmu/segmentation';
import { GP, NP, TS } from '../../src/cpu/fault';
import { CS, SS, DS, ES, TR, RBX, RSP } from '../../src/cpu/state';

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const jmpFar = (sel: number, off: number): number[] => [0xea, ...le32(off), ...le16(sel)];
const callFar = (sel: number, off: number): number[] => [0x9a, ...le32(off), ...le16(sel)];
const TARGET = 0x5000;

describe('far JMP/CALL to code segments', () => {
  it('jmp far ptr16:32 to a same-privilege code segment', () => {
    const m = gdtMachine(32, 0);
    expectOk(m, jmpFar(SEL.code0, TARGET));
    assert.deepStrictEqual([m.cpu.segSel[CS], m.cpu.rip, m.cpu.cpl, m.cpu.mode], [0x08, TARGET, 0, 32]);
  });
  it('non-conforming: RPL > CPL or DPL != CPL → #GP(sel); null → #GP(0); not present → #NP(sel)', () => {
    expectFault(gdtMachine(32, 3), jmpFar(SEL.code0, TARGET), GP, SEL.code0);
    expectFault(gdtMachine(32, 0), jmpFar(SEL.code0 | 3, TARGET), GP, SEL.code0);
    expectFault(gdtMachine(32, 0), jmpFar(SEL.code3, TARGET), GP, SEL.code3);
    expectFault(gdtMachine(32, 0), jmpFar(0, TARGET), GP, 0);
    expectFault(gdtMachine(32, 0), jmpFar(SEL.data0, TARGET), GP, SEL.data0);
    const m = gdtMachine(32, 0);
    putSeg(m, 0x100, SegmentDescriptor.build(0, 0xfffff, 0x1a, 0xc)); // code, not present
    expectFault(m, jmpFar(0x100, TARGET), NP, 0x100);
  });
  it('conforming: DPL <= CPL allowed, CPL unchanged and CS.RPL = CPL; DPL > CPL → #GP', () => {
    const m = gdtMachine(32, 3);
    expectOk(m, jmpFar(SEL.confCode0, TARGET));
    assert.deepStrictEqual([m.cpu.segSel[CS], m.cpu.cpl], [SEL.confCode0 | 3, 3]);
    const m0 = gdtMachine(32, 0);
    putSeg(m0, 0x100, SegmentDescriptor.build(0, 0xfffff, 0xfe, 0xc)); // conforming DPL3
    expectFault(m0, jmpFar(0x100, TARGET), GP, 0x100);
  });
  it('target offset beyond the limit → #GP(0)', () => {
    const m = gdtMachine(32, 0);
    putSeg(m, 0x100, SegmentDescriptor.build(0, 0xfff, codeAcc(0), 0x4));
    expectFault(m, jmpFar(0x100, 0x1000), GP, 0);
    expectOk(m, jmpFar(0x100, 0xfff));
  });
  it('call far pushes CS:EIP; retf returns', () => {
    const m = gdtMachine(32, 0);
    m.cpu.setReg32(RSP, 0x100000);
    expectOk(m, callFar(SEL.code0, TARGET));
    assert.deepStrictEqual([m.mem.read32(0xffff8), m.mem.read32(0xffffc), m.cpu.getReg32(RSP)], [CODE + 7, 0x08, 0xffff8]);
    m.mem.writeBytes(TARGET, Uint8Array.from([0xcb]));
    m.ops.lastException = null;
    m.cpu.run(1);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.getReg32(RSP)], [CODE + 7, 0x100000]);
  });
  it('call far m16:32 switches to a 16-bit code segment', () => {
    const m = gdtMachine(32, 0);
    m.cpu.setReg32(RBX, 0x3000);
    m.mem.write32(0x3000, 0x1234); m.mem.write16(0x3004, SEL.code16_0);
    m.cpu.setReg32(RSP, 0x100000);
    expectOk(m, [0xff, 0x1b]);
    assert.deepStrictEqual([m.cpu.mode, m.cpu.rip, m.cpu.getReg32(RSP)], [16, 0x1234, 0xffff8]);
  });
  it('64-bit: jmp far m16:64 to 64-bit code; L=1,D=1 code → #GP(sel)', () => {
    const m = gdtMachine(64, 3);
    m.cpu.setReg64(RBX, 0x3000, 0);
    m.mem.write32(0x3000, 0x5000); m.mem.write32(0x3004, 0xffff8000); m.mem.write16(0x3008, SEL.code64_3 | 3);
    expectOk(m, [0x48, 0xff, 0x2b]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.mode], [-0x800000000000 + 0x5000, 64]);
    expectFault(gdtMachine(64, 0), [0xff, 0x2b], GP, 0); // jmp far [rbx=0]: null selector
    const m0 = gdtMachine(64, 0);
    m0.cpu.setReg64(RBX, 0x3000, 0);
    m0.mem.write32(0x3000, 0x5000); m0.mem.write16(0x3004, SEL.codeLD);
    expectFault(m0, [0xff, 0x2b], GP, SEL.codeLD);
    m0.mem.write16(0x3004, SEL.code0); // 32-bit compatibility-mode code
    expectOk(m0, [0xff, 0x2b]);
    assert.strictEqual(m0.cpu.mode, 32);
  });
});

/** A 32-bit TSS with ring-0 stack 0x10:0x180000 and ring-1 stack 0x21:0x170000. */
function withTss32(m: ReturnType<typeof gdtMachine>): void {
  m.mem.write32(TSS + 4, 0x180000); m.mem.write32(TSS + 8, SEL.data0);
  m.mem.write32(TSS + 12, 0x170000); m.mem.write32(TSS + 16, SEL.data1 | 1);
  m.cpu.setSegment(TR, SEL.tss, TSS, 0x67, 0x8b);
}

describe('call gates', () => {
  it('32-bit gate to an inner ring: TSS stack switch, parameters copied, retf imm16 back to CPL3', () => {
    const m = gdtMachine(32, 3);
    withTss32(m);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.code0, TARGET, 3, { paramCount: 2 }));
    m.cpu.setSegment(SS, SEL.data3 | 3, 0, 0xffffffff, 0xc0f3);
    m.cpu.setSegment(DS, SEL.data3 | 3, 0, 0xffffffff, 0xc0f3);
    m.cpu.setSegment(CS, SEL.code3 | 3, 0, 0xffffffff, 0xc0fb);
    m.cpu.setReg32(RSP, 0x100000 - 8);
    m.mem.write32(0x100000 - 8, 0x1111); m.mem.write32(0x100000 - 4, 0x2222); // param0 (top), param1
    expectOk(m, callFar(SEL.gate | 3, 0xdeadbeef));
    assert.deepStrictEqual([m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.rip], [0, SEL.code0, SEL.data0, TARGET]);
    const sp = 0x180000 - 24;
    assert.strictEqual(m.cpu.getReg32(RSP), sp);
    const frame = [0, 4, 8, 12, 16, 20].map((o) => m.mem.read32(sp + o));
    assert.deepStrictEqual(frame, [CODE + 7, SEL.code3 | 3, 0x1111, 0x2222, 0x100000 - 8, SEL.data3 | 3]);
    // the return: ring 0 has DS = data0 which ring 3 may not use
    m.cpu.setSegment(DS, SEL.data0, 0, 0xffffffff, 0xc093);
    m.cpu.setSegment(ES, SEL.data3 | 3, 0, 0xffffffff, 0xc0f3);
    m.mem.writeBytes(TARGET, Uint8Array.from([0xca, 0x08, 0x00])); // retf 8
    m.ops.lastException = null;
    m.cpu.run(1);
    assert.strictEqual(m.ops.lastException, null);
    assert.deepStrictEqual([m.cpu.cpl, m.cpu.segSel[SS], m.cpu.getReg32(RSP), m.cpu.rip], [3, SEL.data3 | 3, 0x100000, CODE + 7]);
    assert.deepStrictEqual([m.cpu.segSel[DS], m.cpu.segValid[DS], m.cpu.segSel[ES]], [0, 0, SEL.data3 | 3]);
  });

  it('records the caller CS in the inner frame', () => {
    const m = gdtMachine(32, 3);
    withTss32(m);
    m.cpu.setSegment(CS, SEL.code3 | 3, 0, 0xffffffff, 0xc0fb);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.code1, TARGET, 3));
    m.cpu.setReg32(RSP, 0x100000);
    expectOk(m, callFar(SEL.gate, 0));
    const sp = m.cpu.getReg32(RSP);
    assert.deepStrictEqual([sp, m.cpu.cpl, m.cpu.segSel[SS]], [0x170000 - 16, 1, SEL.data1 | 1]);
    assert.deepStrictEqual([0, 4, 8, 12].map((o) => m.mem.read32(sp + o)), [CODE + 7, SEL.code3 | 3, 0x100000, 0x10 | 3]);
  });

  it('gate checks: gate DPL < CPL or < RPL → #GP(gate); not present → #NP(gate); bad target → #GP(code sel)', () => {
    const m = gdtMachine(32, 3);
    withTss32(m);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.code0, TARGET, 0));
    expectFault(m, callFar(SEL.gate | 3, 0), GP, SEL.gate);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.code0, TARGET, 3, { present: false }));
    expectFault(m, callFar(SEL.gate | 3, 0), NP, SEL.gate);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.data0, TARGET, 3));
    expectFault(m, callFar(SEL.gate | 3, 0), GP, SEL.data0);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, 0, TARGET, 3));
    expectFault(m, callFar(SEL.gate | 3, 0), GP, 0);
    const m1 = gdtMachine(32, 1);
    putGate(m1, SEL.gate, GateDescriptor.build('call', 32, SEL.code3, TARGET, 3));
    expectFault(m1, callFar(SEL.gate | 1, 0), GP, SEL.code3); // code DPL 3 > CPL 1
  });

  it('JMP through a gate never changes privilege: non-conforming DPL != CPL → #GP(code sel)', () => {
    const m = gdtMachine(32, 3);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.code0, TARGET, 3));
    expectFault(m, jmpFar(SEL.gate | 3, 0), GP, SEL.code0);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.code3, TARGET, 3));
    expectOk(m, jmpFar(SEL.gate | 3, 0));
    assert.deepStrictEqual([m.cpu.rip, m.cpu.segSel[CS]], [TARGET, SEL.code3 | 3]);
  });

  it('inner call with a bad TSS stack segment → #TS(SS selector)', () => {
    const m = gdtMachine(32, 3);
    withTss32(m);
    m.mem.write32(TSS + 8, SEL.data3);
    putGate(m, SEL.gate, GateDescriptor.build('call', 32, SEL.code0, TARGET, 3));
    expectFault(m, callFar(SEL.gate | 3, 0), TS, SEL.data3);
    m.mem.write32(TSS + 8, 0);
    expectFault(m, callFar(SEL.gate | 3, 0), TS, 0);
    m.cpu.setSegment(TR, SEL.tss, TSS, 0x8, 0x8b);
    expectFault(m, callFar(SEL.gate | 3, 0), TS, SEL.tss);
  });

  it('task gates and TSS targets are rejected (no task switching)', () => {
    const m = gdtMachine(32, 0);
    putSeg(m, 0x100, SegmentDescriptor.build(TSS, 0x67, 0x89, 0));
    expectFault(m, jmpFar(0x100, 0), GP, 0x100);
  });

  it('64-bit call gate from CPL3 to ring 0: RSP0 from the TSS, null SS, 8-byte frame; retfq back', () => {
    const m = gdtMachine(64, 3);
    m.mem.write32(TSS + 4, 0x180000); m.mem.write32(TSS + 8, 0);
    m.cpu.setSegment(TR, SEL.tss, TSS, 0x67, 0x8b);
    putGate(m, SEL.gate, GateDescriptor.build('call', 64, SEL.code64_0, -0x800000000000 + TARGET, 3));
    m.cpu.setSegment(SS, SEL.data3 | 3, 0, 0xffffffff, 0xc0f3);
    m.cpu.setReg64(RBX, 0x3000, 0);
    m.mem.write32(0x3000, 0); m.mem.write16(0x3004, SEL.gate | 3);
    m.cpu.setReg64(RSP, 0x100000, 0);
    expectOk(m, [0xff, 0x1b]); // call far [rbx] (m16:32; the offset is ignored through a gate)
    assert.deepStrictEqual([m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.rip, m.cpu.getReg32(RSP)],
      [0, SEL.code64_0, 0, -0x800000000000 + TARGET, 0x180000 - 32]);
    const f = (k: number): number => m.mem.read32(0x180000 - 32 + 8 * k);
    assert.deepStrictEqual([f(0), f(1), f(2), f(3)], [CODE + 2, 0x08 | 3, 0x100000, SEL.data3 | 3]);
    // retfq from ring 0 (code at the canonical high address is not in memory: run it via RIP in low memory)
    m.cpu.rip = TARGET;
    m.mem.writeBytes(TARGET, Uint8Array.from([0x48, 0xcb]));
    m.mem.write32(0x180000 - 24, SEL.code64_3 | 3);
    m.cpu.run(1);
    assert.strictEqual(m.ops.lastException, null);
    assert.deepStrictEqual([m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.rip, m.cpu.getReg32(RSP)],
      [3, SEL.code64_3 | 3, SEL.data3 | 3, CODE + 2, 0x100000]);
  });

  it('IA-32e: a 16-bit gate type or a 64-bit gate to non-64-bit code → #GP', () => {
    const m = gdtMachine(64, 3);
    putGate(m, SEL.gate, GateDescriptor.build('call', 16, SEL.code64_0, TARGET, 3));
    m.cpu.setReg64(RBX, 0x3000, 0);
    m.mem.write16(0x3004, SEL.gate | 3);
    expectFault(m, [0xff, 0x1b], GP, SEL.gate);
    putGate(m, SEL.gate, GateDescriptor.build('call', 64, SEL.code0, TARGET, 3));
    expectFault(m, [0xff, 0x1b], GP, SEL.code0);
  });
});

describe('RETF checks', () => {
  it('return CS with RPL < CPL → #GP(sel); outer return with a bad SS → #GP(ss sel)', () => {
    const m = gdtMachine(32, 3);
    m.cpu.setReg32(RSP, 0x100000);
    m.mem.write32(0x100000, TARGET); m.mem.write32(0x100004, SEL.code0);
    expectFault(m, [0xcb], GP, SEL.code0);
    const m0 = gdtMachine(32, 0);
    m0.cpu.setReg32(RSP, 0x100000);
    m0.mem.write32(0x100000, TARGET); m0.mem.write32(0x100004, SEL.code3 | 3);
    m0.mem.write32(0x100008, 0x90000); m0.mem.write32(0x10000c, SEL.data1 | 1);
    expectFault(m0, [0xcb], GP, SEL.data1);
    m0.mem.write32(0x10000c, 3);
    expectFault(m0, [0xcb], GP, 0);
    m0.mem.write32(0x10000c, SEL.npData3 | 3);
    expectFault(m0, [0xcb], 12, SEL.npData3);
    assert.strictEqual(m0.cpu.getReg32(RSP), 0x100000);
    m0.mem.write32(0x10000c, SEL.data3 | 3);
    expectOk(m0, [0xcb]);
    assert.deepStrictEqual([m0.cpu.cpl, m0.cpu.getReg32(RSP), m0.cpu.rip], [3, 0x90000, TARGET]);
  });
});
