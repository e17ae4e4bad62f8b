// pfn:/mfn: qualifiers in debugger expressions and memory references: parsing and arithmetic, reads through the
// p2m (pv64, pv32pae) or straight from machine memory, no faults and no A/D bits, writes all-or-nothing.

import * as assert from 'assert';
import { XenDebugMachine } from '../../src/debug/xen-machine';
import { SymbolTable } from '../../src/debug/symbols';
import { EvalContext, evaluateExpression, evaluateAddress, spaceReference, ExprError } from '../../src/debug/expressions';
import { physicalReader, readReference, writeReference, physicalMap } from '../../src/debug/address-spaces';
import { readRegister } from '../../src/debug/registers';
import { readValue } from '../../src/debug/guest-memory';
import { probe } from '../../src/cpu/mmu/paging';
import { mmuGuest } from './debug-guests';

const addrNumber = (v: bigint): number => { const u = BigInt.asUintN(64, v); return u >= 1n << 63n ? Number(BigInt.asIntN(64, u)) : Number(u); };

function context(m: XenDebugMachine, sym: SymbolTable, withPhys = true): EvalContext {
  const cpu = m.vcpus[0];
  return {
    register: (n) => readRegister(cpu, n),
    symbol: (n) => { const a = sym.address(n); return a === undefined ? undefined : BigInt.asUintN(64, BigInt(a)); },
    readMemory: (a, size) => readValue(cpu, addrNumber(a), size),
    pointerSize: cpu.mode === 64 ? 8 : 4,
    ...(withPhys ? { readPhysical: physicalReader(m) } : {}),
  };
}

describe('debug: pfn:/mfn: expressions (parsing, no machine)', () => {
  const ctx: EvalContext = {
    register: () => undefined, symbol: (n) => (n === 'pfn' ? 0x77n : undefined), pointerSize: 8,
    readMemory: () => { throw new Error('linear read'); },
    readPhysical: (space, addr, size) => BigInt(space === 'mfn' ? 1 : 2) * 0x1000000n + addr + BigInt(size),
  };
  it('qualifier = frame * 4096, offsets keep the space, differences are plain numbers', () => {
    assert.deepStrictEqual(evaluateExpression('pfn:0x12+0x10', ctx), { value: 0x12010n, size: 8, signed: false, space: 'pfn' });
    assert.strictEqual(evaluateExpression('mfn:0x3f42 + 8', ctx).space, 'mfn');
    assert.strictEqual(evaluateExpression('mfn:0x3f42 + 8', ctx).value, 0x3f42008n);
    assert.strictEqual(evaluateExpression('8 + mfn:2', ctx).space, 'mfn');
    assert.strictEqual(evaluateExpression('mfn:2 - 8', ctx).space, 'mfn');
    const diff = evaluateExpression('mfn:3 - mfn:2', ctx);
    assert.deepStrictEqual([diff.value, diff.space], [0x1000n, undefined]);
    assert.strictEqual(evaluateExpression('(mfn:1 == mfn:1)', ctx).value, 1n);
    assert.deepStrictEqual(evaluateAddress('pfn:1+4', ctx), { space: 'pfn', address: 0x1004n });
    assert.deepStrictEqual(evaluateAddress('0x1000', ctx), { space: 'linear', address: 0x1000n });
    assert.strictEqual(spaceReference('mfn', 0x3f42008n), 'mfn:0x3f42+0x8');
    assert.strictEqual(spaceReference('pfn', 0x12000n), 'pfn:0x12');
    // a symbol named pfn still works where no qualifier is meant; a ternary with spaces is not a qualifier
    assert.strictEqual(evaluateExpression('pfn + 1', ctx).value, 0x78n);
    assert.strictEqual(evaluateExpression('1 ? pfn : 2', ctx).value, 0x77n);
  });
  it('dereference goes to readPhysical with the byte address and size', () => {
    assert.strictEqual(evaluateExpression('*(u64*)(mfn:0x3f42 + 8)', ctx).value, 0x1000000n + 0x3f42008n + 8n);
    assert.strictEqual(evaluateExpression('*(u8*)pfn:1', ctx).value, (0x2000000n + 0x1000n + 1n) & 0xffn);
    assert.strictEqual(evaluateExpression('[pfn:1]', ctx).value, 0x2000000n + 0x1000n + 8n);
  });
  it('errors: bad operands, double qualifiers, too-large frames, no physical reader', () => {
    assert.throws(() => evaluateExpression('mfn:1 + mfn:2', ctx), /cannot add two mfn: addresses/);
    assert.throws(() => evaluateExpression('mfn:1 - pfn:2', ctx), /cannot subtract a pfn: address from a mfn: address/);
    assert.throws(() => evaluateExpression('pfn:mfn:1', ctx), /already has a space/);
    assert.throws(() => evaluateExpression('mfn:0x10000000000000', ctx), /too large/);
    assert.throws(() => evaluateExpression('mfn:', ctx), ExprError);
    const noPhys = { ...ctx, readPhysical: undefined };
    assert.throws(() => evaluateExpression('*(u32*)pfn:1', noPhys), /pfn: addresses need a machine with a p2m/);
  });
});

for (const kind of ['pv64', 'pv32'] as const) {
  describe(`debug: pfn:/mfn: reads and writes on a ${kind} guest`, () => {
    const setup = (): { m: XenDebugMachine; sym: SymbolTable; ctx: EvalContext; target: number; tpfn: number; tmfn: number } => {
      const img = mmuGuest(kind);
      const m = new XenDebugMachine(img, { memoryMiB: 16 });
      const sym = SymbolTable.fromImage(img);
      const target = sym.address('target')!;
      const tpfn = (target - m.domain.image.virtBase) / 4096;
      return { m, sym, ctx: context(m, sym), target, tpfn, tmfn: m.domain.image.p2m[tpfn] };
    };

    it('pfn: goes through the p2m, mfn: is machine memory; both equal the linear view', () => {
      const { m, ctx, target, tpfn, tmfn } = setup();
      const lin = evaluateExpression(`*(u64*)0x${(kind === 'pv64' ? target : target >>> 0).toString(16)}`, ctx).value;
      assert.strictEqual(lin, 0x1111111111111111n);
      assert.strictEqual(evaluateExpression(`*(u64*)(pfn:0x${tpfn.toString(16)} + 8)`, ctx).value, lin);
      assert.strictEqual(evaluateExpression(`*(u32*)(mfn:0x${tmfn.toString(16)} + 0xffc)`, ctx).value, 0x11111111n);
      // the m2p read by the guest-visible mfn_list: p2m list entry for pfn 0 is p2m[0]
      const img = m.domain.image;
      const listPfn = (img.mfnListVa - img.virtBase) / 4096;
      assert.strictEqual(evaluateExpression(`*(u32*)pfn:0x${listPfn.toString(16)}`, ctx).value, BigInt(img.p2m[0]));
    });

    it('reads never fault and never set accessed/dirty bits', () => {
      const { m, ctx, target, tmfn } = setup();
      const cpu = m.vcpus[0];
      const l1 = probe(cpu.mem, cpu, target).levels.find((l) => l.level === 1)!;
      const before = cpu.mem.read32(l1.tableAddr + l1.index * 8);
      cpu.mem.write32(l1.tableAddr + l1.index * 8, before & ~0x60); // clear A and D
      const icount = cpu.icount;
      evaluateExpression(`*(u64*)mfn:0x${tmfn.toString(16)}`, ctx);
      evaluateExpression(`*(u64*)0x${(kind === 'pv64' ? target : target >>> 0).toString(16)}`, ctx);
      assert.strictEqual(cpu.mem.read32(l1.tableAddr + l1.index * 8) & 0x60, 0, 'A/D untouched');
      assert.strictEqual(cpu.icount, icount);
      assert.throws(() => evaluateExpression(`*(u8*)pfn:0x${m.domain.image.nrPages.toString(16)}`, ctx), /outside the guest's pseudo-physical memory/);
      assert.throws(() => evaluateExpression(`*(u8*)mfn:0x${m.mem.frames.toString(16)}`, ctx), /outside machine memory/);
      // reads straddling two pfns use each pfn's own frame
      const pm = physicalMap(m)!;
      assert.notStrictEqual(pm.machineFrame('pfn', 1), (pm.machineFrame('pfn', 0) as number) + 1, 'p2m is not identity');
    });

    it('memory references: read and write in each space; a failing write writes nothing', () => {
      const { m, ctx, tpfn, tmfn } = setup();
      const cpu = m.vcpus[0];
      const r = readReference(m, cpu, ctx, `pfn:0x${tpfn.toString(16)}`, 16, 8);
      assert.deepStrictEqual([...r.data], new Array(8).fill(0x11));
      assert.strictEqual(r.unreadable, 0);
      assert.strictEqual(r.address, `pfn:0x${tpfn.toString(16)}+0x10`);
      writeReference(m, cpu, ctx, `mfn:0x${tmfn.toString(16)}`, 4, new Uint8Array([1, 2, 3, 4]));
      assert.strictEqual(m.mem.read32(tmfn * 4096 + 4), 0x04030201);
      const last = m.domain.image.nrPages - 1;
      assert.throws(() => writeReference(m, cpu, ctx, `pfn:0x${last.toString(16)}`, 4094, new Uint8Array(4).fill(0xee)), /cannot write pfn memory/);
      assert.notStrictEqual(m.mem.read8(m.domain.image.p2m[last] * 4096 + 4094), 0xee, 'nothing written');
      const edge = readReference(m, cpu, ctx, `pfn:0x${last.toString(16)}`, 4094, 4);
      assert.deepStrictEqual([edge.data.length, edge.unreadable], [2, 2]);
      const linear = readReference(m, cpu, ctx, 'target', 0, 2);
      assert.deepStrictEqual([...linear.data], [0x11, 0x11]);
    });
  });
}
