// Segment-register loads (MOV/POP/LDS family) with every SDM rule and its exact error code, the Sreg
// stores/pushes, and the non-faulting queries LAR/LSL/VERR/VERW/ARPL — all run from real instruction bytes.
import * as assert from 'assert';
import { gdtMachine, expectFault, expectOk, putSeg, descHi, SEL, GDT, LDT, dataAcc } from './segmentation-gdt.test';
import { SegmentDescriptor } from '../../src/cpu/mmu/segmentation';
import { loadSegment } from '../../src/cpu/exec/segments-load';
import { inInterruptShadow } from '../../src/cpu/exec/segments';
import { CpuFault, GP, NP, SS as SSF, UD } from '../../src/cpu/fault';
import { CS, SS, DS, ES, FS, GS, LDTR, RAX, RCX, RBX, RSP } from '../../src/cpu/state';
import { getFlags, F_ZF } from '../../src/cpu/flags';

const MOV_DS_AX = [0x8e, 0xd8], MOV_SS_AX = [0x8e, 0xd0], MOV_ES_AX = [0x8e, 0xc0], MOV_FS_AX = [0x8e, 0xe0];

function movDs(cpl: number, sel: number): ReturnType<typeof gdtMachine> {
  const m = gdtMachine(32, cpl);
  m.cpu.setReg32(RAX, sel);
  return m;
}

describe('segment loads: MOV Sreg (DS/ES/FS/GS rules)', () => {
  it('loads a data segment at CPL1, sets the accessed bit in the GDT and the cache', () => {
    const m = movDs(1, SEL.data1 | 1);
    expectOk(m, MOV_DS_AX);
    assert.strictEqual(m.cpu.segSel[DS], 0x21);
    assert.deepStrictEqual([m.cpu.segBase[DS], m.cpu.segLimit[DS], m.cpu.segAttr[DS], m.cpu.segValid[DS]], [0, 0xffffffff, 0xc0b3, 1]);
    assert.strictEqual(descHi(m, SEL.data1) & 0x100, 0x100);
    assert.strictEqual(m.cpu.rip, 0x1002);
  });

  it('null selectors load as unusable; a later access through them is #GP(0)', () => {
    const m = movDs(1, 3);
    expectOk(m, MOV_DS_AX);
    assert.deepStrictEqual([m.cpu.segSel[DS], m.cpu.segValid[DS]], [3, 0]);
    expectFault(m, [0x8b, 0x03], GP, 0); // mov eax, [ebx]
  });

  it('index beyond the GDT limit → #GP(selector & ~3)', () => {
    expectFault(movDs(1, 0x1003), MOV_DS_AX, GP, 0x1000);
  });

  it('LDT selector with a null LDTR → #GP(selector)', () => {
    expectFault(movDs(1, 0x0f), MOV_DS_AX, GP, 0x0c);
  });

  it('loads from the LDT', () => {
    const m = movDs(3, 0x0f);
    m.cpu.setSegment(LDTR, SEL.ldt, LDT, 0xff, 0x82);
    putSeg(m, 0x08, SegmentDescriptor.build(0x4000, 0xff, dataAcc(3), 0), LDT);
    expectOk(m, MOV_DS_AX);
    assert.deepStrictEqual([m.cpu.segBase[DS], m.cpu.segLimit[DS]], [0x4000, 0xff]);
  });

  it('privilege: DPL < CPL or DPL < RPL → #GP(selector) for data and non-conforming code', () => {
    expectFault(movDs(1, SEL.data0 | 1), MOV_DS_AX, GP, SEL.data0);
    expectFault(movDs(1, SEL.data1 | 3), MOV_DS_AX, GP, SEL.data1);
    expectFault(movDs(3, SEL.code1 | 3), MOV_DS_AX, GP, SEL.code1);
    expectOk(movDs(1, SEL.code3 | 1), MOV_DS_AX); // readable non-conforming code, DPL3 >= CPL1
    expectOk(movDs(3, SEL.confCode0 | 3), MOV_DS_AX); // conforming readable code: no privilege check
  });

  it('type: execute-only code and system descriptors → #GP(selector)', () => {
    expectFault(movDs(3, SEL.xoCode3 | 3), MOV_DS_AX, GP, SEL.xoCode3);
    const m = movDs(0, SEL.ldt);
    putSeg(m, SEL.ldt, SegmentDescriptor.build(LDT, 0xff, 0x82, 0));
    expectFault(m, MOV_DS_AX, GP, SEL.ldt);
  });

  it('not present → #NP(selector), after the type and privilege checks', () => {
    expectFault(movDs(3, SEL.npData3 | 3), MOV_DS_AX, NP, SEL.npData3);
    expectFault(movDs(3, SEL.npData3 | 3), MOV_FS_AX, NP, SEL.npData3);
  });

  it('MOV CS is #UD', () => {
    expectFault(movDs(0, SEL.code0), [0x8e, 0xc8], UD, 0xffffffff);
  });

  it('ES loads follow the same rules; FS/GS too', () => {
    const m = movDs(3, SEL.roData3 | 3);
    expectOk(m, MOV_ES_AX);
    assert.strictEqual(m.cpu.segSel[ES], 0x43);
    expectOk(m, [0x8e, 0xe8]); // mov gs, eax
    assert.strictEqual(m.cpu.segSel[GS], 0x43);
  });
});

describe('segment loads: SS rules', () => {
  it('loads a writable data segment with RPL = DPL = CPL and opens the interrupt shadow', () => {
    const m = movDs(1, SEL.data1 | 1);
    expectOk(m, MOV_SS_AX);
    assert.strictEqual(m.cpu.segSel[SS], 0x21);
    assert.ok(inInterruptShadow(m.cpu));
  });
  it('null SS → #GP(0) outside 64-bit mode', () => {
    expectFault(movDs(1, 1), MOV_SS_AX, GP, 0);
    expectFault(movDs(0, 0), MOV_SS_AX, GP, 0);
  });
  it('RPL != CPL, DPL != CPL, read-only data, code → #GP(selector)', () => {
    expectFault(movDs(1, SEL.data1 | 3), MOV_SS_AX, GP, SEL.data1);
    expectFault(movDs(1, SEL.data3 | 1), MOV_SS_AX, GP, SEL.data3);
    expectFault(movDs(3, SEL.roData3 | 3), MOV_SS_AX, GP, SEL.roData3);
    expectFault(movDs(3, SEL.code3 | 3), MOV_SS_AX, GP, SEL.code3);
  });
  it('not present → #SS(selector)', () => {
    expectFault(movDs(3, SEL.npData3 | 3), MOV_SS_AX, SSF, SEL.npData3);
  });
  it('64-bit mode: null SS allowed at CPL<3 with RPL == CPL, else #GP(0)', () => {
    const m = gdtMachine(64, 0);
    m.cpu.setReg32(RAX, 0);
    expectOk(m, MOV_SS_AX);
    assert.deepStrictEqual([m.cpu.segSel[SS], m.cpu.segValid[SS], m.cpu.stackSize], [0, 0, 64]);
    expectOk(m, [0x50]); // push rax still works
    const m1 = gdtMachine(64, 1);
    m1.cpu.setReg32(RAX, 0);
    expectFault(m1, MOV_SS_AX, GP, 0);
    m1.cpu.setReg32(RAX, 1);
    expectOk(m1, MOV_SS_AX);
    const m3 = gdtMachine(64, 3);
    m3.cpu.setReg32(RAX, 3);
    expectFault(m3, MOV_SS_AX, GP, 0);
  });
  it('loadSegment throws before touching the cache', () => {
    const m = movDs(1, 0);
    const before = [m.cpu.segSel[SS], m.cpu.segAttr[SS]];
    assert.throws(() => loadSegment(m.cpu, SS, SEL.data0), (e: unknown) => e instanceof CpuFault && e.vector === GP && e.errorCode === SEL.data0);
    assert.deepStrictEqual([m.cpu.segSel[SS], m.cpu.segAttr[SS]], before);
  });
});

describe('POP Sreg, PUSH Sreg, MOV r/m,Sreg, LDS family', () => {
  it('pop ds loads and releases the slot; a faulting pop leaves ESP unchanged', () => {
    const m = gdtMachine(32, 3);
    m.cpu.setReg32(RSP, 0x1000fc);
    m.mem.write32(0x1000fc, SEL.data3 | 3);
    expectOk(m, [0x1f]);
    assert.deepStrictEqual([m.cpu.segSel[DS], m.cpu.getReg32(RSP)], [0x33, 0x100100]);
    m.cpu.setReg32(RSP, 0x1000fc);
    m.mem.write32(0x1000fc, SEL.data0);
    expectFault(m, [0x07], GP, SEL.data0); // pop es
    assert.strictEqual(m.cpu.getReg32(RSP), 0x1000fc);
  });
  it('pop ss / pop fs / pop gs; 64-bit popq fs', () => {
    const m = gdtMachine(32, 1);
    m.cpu.setReg32(RSP, 0x100000);
    m.mem.write32(0x100000, SEL.data1 | 1);
    expectOk(m, [0x17]);
    assert.strictEqual(m.cpu.segSel[SS], 0x21);
    m.mem.write32(0x100004, SEL.data3 | 3);
    expectOk(m, [0x0f, 0xa1]);
    assert.strictEqual(m.cpu.segSel[FS], 0x33);
    const m64 = gdtMachine(64, 3);
    m64.cpu.setReg64(RSP, 0x100000, 0);
    m64.mem.write32(0x100000, SEL.data3 | 3);
    expectOk(m64, [0x0f, 0xa9]); // pop gs
    assert.deepStrictEqual([m64.cpu.segSel[GS], m64.cpu.getReg32(RSP)], [0x33, 0x100008]);
  });
  it('push sreg and mov r/m, sreg store the selector', () => {
    const m = gdtMachine(32, 0);
    m.cpu.setSegment(FS, 0x1234, 0, 0xffffffff, 0xc093);
    m.cpu.setReg32(RSP, 0x100000);
    expectOk(m, [0x0f, 0xa0]); // push fs
    assert.deepStrictEqual([m.cpu.getReg32(RSP), m.mem.read32(0xffffc)], [0xffffc, 0x1234]);
    m.cpu.setReg32(RAX, -1);
    expectOk(m, [0x8c, 0xe0]); // mov eax, fs
    assert.strictEqual(m.cpu.getReg32(RAX), 0x1234);
    m.cpu.setReg32(RBX, 0x3000);
    m.mem.write32(0x3000, 0xaaaaaaaa);
    expectOk(m, [0x8c, 0x23]); // mov [ebx], fs
    assert.strictEqual(m.mem.read32(0x3000), 0xaaaa1234);
    expectOk(m, [0x66, 0x8c, 0xc8]); // mov ax, cs
    assert.strictEqual(m.cpu.getReg32(RAX) & 0xffff, m.cpu.segSel[CS]);
  });
  it('lds/lss/lfs load the pointer; a failing segment load leaves the register unchanged', () => {
    const m = gdtMachine(32, 1);
    m.cpu.setReg32(RBX, 0x3000);
    m.mem.write32(0x3000, 0xdeadbeef);
    m.mem.write16(0x3004, SEL.data1 | 1);
    expectOk(m, [0xc5, 0x03]); // lds eax, [ebx]
    assert.deepStrictEqual([m.cpu.getReg32(RAX) >>> 0, m.cpu.segSel[DS]], [0xdeadbeef, 0x21]);
    expectOk(m, [0x0f, 0xb2, 0x0b]); // lss ecx, [ebx]
    assert.deepStrictEqual([m.cpu.getReg32(RCX) >>> 0, m.cpu.segSel[SS]], [0xdeadbeef, 0x21]);
    m.mem.write16(0x3004, SEL.data0);
    m.cpu.setReg32(RCX, 5);
    expectFault(m, [0x0f, 0xb4, 0x0b], GP, SEL.data0); // lfs ecx, [ebx]
    assert.strictEqual(m.cpu.getReg32(RCX), 5);
    expectFault(m, [0x0f, 0xb2, 0xc1], UD, 0xffffffff); // lss with a register operand
  });
});

describe('LAR, LSL, VERR, VERW, ARPL', () => {
  const zf = (m: ReturnType<typeof gdtMachine>): boolean => (getFlags(m.cpu) & F_ZF) !== 0;
  const LAR = [0x0f, 0x02, 0xc1], LSL = [0x0f, 0x03, 0xc1], VERR = [0x0f, 0x00, 0xe1], VERW = [0x0f, 0x00, 0xe9];

  it('LAR returns the access rights of visible descriptors and clears ZF otherwise (no faults)', () => {
    const m = gdtMachine(32, 3);
    m.cpu.setReg32(RCX, SEL.code3 | 3);
    expectOk(m, LAR);
    assert.ok(zf(m));
    assert.strictEqual(m.cpu.getReg32(RAX) >>> 0, descHi(m, SEL.code3) & 0x00ffff00);
    for (const sel of [SEL.data0, 0, 0x1003, 0x0f]) {
      m.cpu.setReg32(RAX, 0x77);
      m.cpu.setReg32(RCX, sel);
      expectOk(m, LAR);
      assert.ok(!zf(m), `selector ${sel.toString(16)}`);
      assert.strictEqual(m.cpu.getReg32(RAX), 0x77);
    }
    m.cpu.setReg32(RCX, SEL.confCode0 | 3);
    expectOk(m, LAR);
    assert.ok(zf(m), 'conforming code is visible at any CPL');
    m.cpu.setReg32(RCX, SEL.data3 | 3);
    expectOk(m, [0x66, 0x0f, 0x02, 0xc1]);
    assert.strictEqual(m.cpu.getReg32(RAX) & 0xffff, 0xf200);
  });

  it('LSL returns the byte-granular limit; gates are rejected', () => {
    const m = gdtMachine(32, 0);
    putSeg(m, 0x100, SegmentDescriptor.build(0, 0x1234, dataAcc(0), 0));
    m.cpu.setReg32(RCX, 0x100);
    expectOk(m, LSL);
    assert.ok(zf(m));
    assert.strictEqual(m.cpu.getReg32(RAX), 0x1234);
    m.cpu.setReg32(RCX, SEL.data3);
    expectOk(m, LSL);
    assert.strictEqual(m.cpu.getReg32(RAX) >>> 0, 0xffffffff);
    m.mem.write32(GDT + 0x108, 0x00080000); m.mem.write32(GDT + 0x10c, 0x0000ec00); // call gate DPL3
    m.cpu.setReg32(RCX, 0x108);
    expectOk(m, LSL);
    assert.ok(!zf(m));
    expectOk(m, LAR);
    assert.ok(zf(m), 'LAR accepts call gates');
  });

  it('VERR/VERW check readability/writability and privilege', () => {
    const m = gdtMachine(32, 3);
    const check = (bytes: number[], sel: number, want: boolean): void => {
      m.cpu.setReg32(RCX, sel);
      expectOk(m, bytes);
      assert.strictEqual(zf(m), want, `${bytes[2].toString(16)} ${sel.toString(16)}`);
    };
    check(VERR, SEL.code3 | 3, true);
    check(VERR, SEL.xoCode3 | 3, false);
    check(VERR, SEL.data0, false);
    check(VERR, SEL.confCode0 | 3, true);
    check(VERW, SEL.data3 | 3, true);
    check(VERW, SEL.roData3 | 3, false);
    check(VERW, SEL.code3 | 3, false);
    check(VERW, 0, false);
  });

  it('ARPL raises the RPL and reports it in ZF', () => {
    const m = gdtMachine(32, 3);
    m.cpu.setReg32(RAX, 0x10); m.cpu.setReg32(RCX, 0x3);
    expectOk(m, [0x63, 0xc8]); // arpl ax, cx
    assert.ok(zf(m));
    assert.strictEqual(m.cpu.getReg32(RAX), 0x13);
    expectOk(m, [0x63, 0xc8]);
    assert.ok(!zf(m));
  });
});
