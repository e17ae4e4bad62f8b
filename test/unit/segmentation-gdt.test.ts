// Segmentation fixtures shared by the segment/far-call/interrupt/system tests (a GDT/LDT/TSS in memory),
// plus tests of the value classes (selector, descriptor, gate) and the default DescriptorSource.
import * as assert from 'assert';
import { makeMachine, loadCode, runN, TestMachine } from './helpers/machine';
import { SegmentSelector, SegmentDescriptor, GateDescriptor, systemTypeName } from '../../src/cpu/mmu/segmentation';
import { readDescriptor, readDescriptor16, markAccessed, markBusy, descriptorLinear } from '../../src/cpu/mmu/descriptor-tables';
import { LDTR, TR } from '../../src/cpu/state';

export const GDT = 0x10000, LDT = 0x11000, TSS = 0x12000, CODE = 0x1000;

/** Access bytes (P, S, type, DPL) and flag nibbles (G, D/B, L, AVL). */
export const codeAcc = (dpl: number): number => 0x9a | (dpl << 5);
export const dataAcc = (dpl: number): number => 0x92 | (dpl << 5);
export const FL32 = 0xc, FL64 = 0xa, FL16 = 0x0;

/** Standard test GDT (selectors with RPL 0). */
export const SEL = {
  code0: 0x08, data0: 0x10, code1: 0x18, data1: 0x20, code3: 0x28, data3: 0x30, confCode0: 0x38, roData3: 0x40,
  xoCode3: 0x48, npData3: 0x50, code64_0: 0x58, code64_3: 0x60, ldt: 0x68, tss: 0x78, gate: 0x88, code64_1: 0x90,
  code16_0: 0x98, data16_1: 0xa0, codeLD: 0xa8, code64_2: 0xb0, data2: 0xb8, code2: 0xc0,
};
const STANDARD: [number, SegmentDescriptor][] = [
  [SEL.code0, SegmentDescriptor.build(0, 0xfffff, codeAcc(0), FL32)],
  [SEL.data0, SegmentDescriptor.build(0, 0xfffff, dataAcc(0), FL32)],
  [SEL.code1, SegmentDescriptor.build(0, 0xfffff, codeAcc(1), FL32)],
  [SEL.data1, SegmentDescriptor.build(0, 0xfffff, dataAcc(1), FL32)],
  [SEL.code3, SegmentDescriptor.build(0, 0xfffff, codeAcc(3), FL32)],
  [SEL.data3, SegmentDescriptor.build(0, 0xfffff, dataAcc(3), FL32)],
  [SEL.confCode0, SegmentDescriptor.build(0, 0xfffff, 0x9e, FL32)],
  [SEL.roData3, SegmentDescriptor.build(0, 0xfffff, 0xf0, FL32)],
  [SEL.xoCode3, SegmentDescriptor.build(0, 0xfffff, 0xf8, FL32)],
  [SEL.npData3, SegmentDescriptor.build(0, 0xfffff, 0x72, FL32)],
  [SEL.code64_0, SegmentDescriptor.build(0, 0xfffff, codeAcc(0), FL64)],
  [SEL.code64_3, SegmentDescriptor.build(0, 0xfffff, codeAcc(3), FL64)],
  [SEL.code64_1, SegmentDescriptor.build(0, 0xfffff, codeAcc(1), FL64)],
  [SEL.code16_0, SegmentDescriptor.build(0, 0xffff, codeAcc(0), FL16)],
  [SEL.data16_1, SegmentDescriptor.build(0, 0xffff, dataAcc(1), FL16)],
  [SEL.codeLD, SegmentDescriptor.build(0, 0xfffff, codeAcc(0), 0xe)], // L=1 and D=1: reserved in IA-32e
  [SEL.code64_2, SegmentDescriptor.build(0, 0xfffff, codeAcc(2), FL64)],
  [SEL.data2, SegmentDescriptor.build(0, 0xfffff, dataAcc(2), FL32)],
  [SEL.code2, SegmentDescriptor.build(0, 0xfffff, codeAcc(2), FL32)],
];

export function putDesc(m: TestMachine, table: number, sel: number, lo: number, hi: number): void {
  m.mem.write32(table + (sel & 0xfff8), lo >>> 0);
  m.mem.write32(table + (sel & 0xfff8) + 4, hi >>> 0);
}
export function putSeg(m: TestMachine, sel: number, d: SegmentDescriptor, table = GDT): void { putDesc(m, table, sel, d.lo, d.hi); }
export function putGate(m: TestMachine, sel: number, g: GateDescriptor, table = GDT): void {
  putDesc(m, table, sel, g.lo, g.hi);
  if (g.size === 64) putDesc(m, table, sel + 8, g.dw2, g.dw3);
}
/** Read back a descriptor's high dword. */
export const descHi = (m: TestMachine, sel: number, table = GDT): number => m.mem.read32(table + (sel & 0xfff8) + 4);

/** A machine with the standard GDT at GDT (limit 0xfff). */
export function gdtMachine(bits: 32 | 64, cpl: number): TestMachine {
  const m = makeMachine(bits, { cpl });
  m.cpu.gdtrBase = GDT; m.cpu.gdtrLimit = 0xfff;
  for (const [sel, d] of STANDARD) putSeg(m, sel, d);
  return m;
}

/** Run the instruction bytes at CODE once; returns the recorded exception (or null). */
export function exec(m: TestMachine, bytes: number[]): { vector: number; errorCode: number; rip: number } | null {
  loadCode(m, CODE, bytes);
  m.ops.lastException = null;
  runN(m, 1);
  return m.ops.lastException;
}
/** Run bytes and assert a fault with vector and error code; RIP stays at the instruction. */
export function expectFault(m: TestMachine, bytes: number[], vector: number, errorCode: number): void {
  const e = exec(m, bytes);
  assert.ok(e, `expected fault ${vector}(${errorCode.toString(16)}) from ${bytes.map((b) => b.toString(16)).join(' ')}`);
  assert.deepStrictEqual([e.vector, e.errorCode >>> 0, e.rip], [vector, errorCode >>> 0, CODE]);
}
export function expectOk(m: TestMachine, bytes: number[]): void {
  const e = exec(m, bytes);
  assert.strictEqual(e, null, `unexpected exception ${JSON.stringify(e)}`);
}

describe('segmentation value classes', () => {
  it('SegmentSelector decodes index, TI, RPL and formats like the debugger shows it', () => {
    const s = new SegmentSelector(0xe019);
    assert.deepStrictEqual([s.index, s.ti, s.rpl, s.isNull, s.errorCode], [0x1c03, 0, 1, false, 0xe018]);
    assert.strictEqual(s.toString(), '0xe019: GDT index 0x1c03, RPL1');
    assert.strictEqual(new SegmentSelector(0x0f).toString(), '0x000f: LDT index 0x1, RPL3');
    assert.ok(new SegmentSelector(3).isNull);
    assert.ok(!new SegmentSelector(4).isNull, 'LDT index 0 is not null');
    assert.strictEqual(new SegmentSelector(0).toString(), '0x0000: null selector');
    assert.strictEqual(s.withRpl(3).value, 0xe01b);
  });

  it('SegmentDescriptor decodes Xen flat descriptors', () => {
    const cs64 = new SegmentDescriptor(0x0000ffff, 0x00affa00); // FLAT_RING3_CS64
    assert.deepStrictEqual([cs64.base, cs64.limit, cs64.type, cs64.dpl, cs64.present, cs64.long, cs64.db, cs64.granularity],
      [0, 0xffffffff, 0xa, 3, true, true, false, true]);
    assert.ok(cs64.isCode && cs64.isReadable && !cs64.isConforming && !cs64.isWritable && !cs64.isSystem);
    const ds = SegmentDescriptor.fromNumber(0x00cfb2000000ffff); // FLAT_RING1_DS
    assert.ok(ds.isData && ds.isWritable && ds.isReadable && !ds.isExpandDown && !ds.isAccessed);
    assert.strictEqual(ds.dpl, 1);
    assert.strictEqual(ds.typeName(), 'data (read/write)');
    assert.strictEqual(ds.withAccessed().typeName(), 'data (read/write, accessed)');
    assert.strictEqual(ds.attr, 0xc0b2);
    const built = SegmentDescriptor.build(0x12345678, 0x00abc, 0x96, 0x4);
    assert.deepStrictEqual([built.base, built.limit, built.isExpandDown, built.db], [0x12345678, 0xabc, true, true]);
    assert.strictEqual(new SegmentDescriptor(0, 0x00009e00).typeName(), 'code (execute/read, conforming)');
    assert.match(cs64.toString(), /code \(execute\/read\), base 0x00000000, limit 0xffffffff, DPL3, L G/);
  });

  it('SegmentDescriptor names system types for legacy and IA-32e tables', () => {
    const tss = SegmentDescriptor.build(0x1000, 0x67, 0x8b, 0);
    assert.ok(tss.isTss && tss.isTssBusy && tss.isSystem && !tss.isGate);
    assert.strictEqual(tss.typeName(), '32-bit TSS (busy)');
    assert.strictEqual(tss.typeName(true), '64-bit TSS (busy)');
    assert.strictEqual(systemTypeName(2), 'LDT');
    assert.strictEqual(systemTypeName(4, true), 'reserved system type 4');
    assert.strictEqual(systemTypeName(0xe), '32-bit interrupt gate');
    assert.ok(SegmentDescriptor.build(0, 0, 0x82, 0).isLdt);
  });

  it('GateDescriptor decodes 32-bit and 64-bit gates', () => {
    const g = GateDescriptor.build('call', 32, 0x08, 0x12345678, 3, { paramCount: 2 });
    assert.deepStrictEqual([g.kind, g.size, g.selector, g.offset, g.dpl, g.present, g.paramCount], ['call', 32, 8, 0x12345678, 3, true, 2]);
    const g2 = GateDescriptor.fromDwords(g.lo, g.hi);
    assert.deepStrictEqual([g2.offset, g2.selector, g2.type], [0x12345678, 8, 0xc]);
    const i64 = GateDescriptor.build('interrupt', 64, 0xe008, -0x7fffffff0000 + 0x1234, 0, { ist: 3 });
    const r = GateDescriptor.fromDwords64(i64.lo, i64.hi, i64.dw2, i64.dw3);
    assert.deepStrictEqual([r.kind, r.offset, r.ist, r.selector, r.upperType], ['interrupt', -0x7fffffff0000 + 0x1234, 3, 0xe008, 0]);
    assert.match(r.toString(), /64-bit interrupt gate → 0xe008:0xffff8000/);
    const g16 = GateDescriptor.build('trap', 16, 0x10, 0x12345, 0);
    assert.deepStrictEqual([g16.kind, g16.size, g16.offset], ['trap', 16, 0x2345]);
    assert.strictEqual(GateDescriptor.fromDwords(0, 0x8500).kind, 'task');
    assert.strictEqual(new SegmentDescriptor(g.lo, g.hi).isCallGate, true);
  });
});

describe('default DescriptorSource', () => {
  it('reads GDT and LDT entries and refuses indexes beyond the limit', () => {
    const m = gdtMachine(32, 0);
    const out = new Int32Array(4);
    assert.ok(readDescriptor(m.cpu, SEL.data3 | 3, out));
    assert.strictEqual(out[1] >>> 0, descHi(m, SEL.data3));
    m.cpu.gdtrLimit = SEL.data3 + 6;
    assert.ok(!readDescriptor(m.cpu, SEL.data3, out), 'last byte beyond the limit');
    m.cpu.gdtrLimit = SEL.data3 + 7;
    assert.ok(readDescriptor(m.cpu, SEL.data3, out));
    // LDT: null LDTR → no LDT; then an LDT with two entries
    assert.ok(!readDescriptor(m.cpu, 0x0c, out));
    m.cpu.setSegment(LDTR, SEL.ldt, LDT, 0x0f, 0x82);
    putSeg(m, 0x08, SegmentDescriptor.build(0x5000, 0xff, dataAcc(3), 0), LDT);
    assert.ok(readDescriptor(m.cpu, 0x0f, out));
    assert.strictEqual(new SegmentDescriptor(out[0], out[1]).base, 0x5000);
    assert.ok(!readDescriptor(m.cpu, 0x17, out));
    assert.ok(Number.isNaN(descriptorLinear(m.cpu, 1, 2)));
  });

  it('sets the accessed and busy bits and reads 16-byte entries', () => {
    const m = gdtMachine(64, 0);
    m.cpu.gdtrLimit = 0xfff;
    markAccessed(m.cpu, SEL.data3);
    assert.strictEqual(descHi(m, SEL.data3) & 0x100, 0x100);
    putSeg(m, SEL.tss, SegmentDescriptor.build(TSS, 0x67, 0x89, 0));
    putDesc(m, GDT, SEL.tss + 8, 0xffff8000, 0);
    markBusy(m.cpu, SEL.tss);
    assert.strictEqual((descHi(m, SEL.tss) >>> 8) & 0xf, 0xb);
    const out = new Int32Array(4);
    assert.ok(readDescriptor16(m.cpu, SEL.tss, out));
    assert.strictEqual(out[2] >>> 0, 0xffff8000);
    m.cpu.gdtrLimit = SEL.tss + 7;
    assert.ok(!readDescriptor16(m.cpu, SEL.tss, out));
    assert.strictEqual(m.cpu.segSel[TR], 0);
  });

  it('uses the CPU override source when one is installed', () => {
    const m = gdtMachine(32, 3);
    const seen: number[] = [];
    m.cpu.descriptors = {
      read(_c, ti, index, out) { seen.push(ti * 1000 + index); out[0] = 0xffff; out[1] = 0x00cff300; return true; },
      setAccessed() { /* read-only view */ },
    };
    m.cpu.setReg32(0, 0xe02b);
    expectOk(m, [0x8e, 0xd8]); // mov ds, eax
    assert.deepStrictEqual(seen, [0x1c05]);
    assert.strictEqual(m.cpu.segSel[3], 0xe02b);
    assert.strictEqual(m.cpu.segAttr[3], 0xc0f3, 'accessed bit set in the loaded cache');
  });
});
