// Unit tests for the x86 paging walker (SDM Vol 3 ch. 4): hand-built tables in each mode, every #PF error
// code combination, A/D updates, the debugger probe, and a differential fuzz against a BigInt reference walk.
import * as assert from 'assert';
import { MachineMemory } from '../../src/cpu/memory';
import { CpuFault, PF, PFEC_PRESENT as P, PFEC_WRITE as W, PFEC_USER as U, PFEC_RSVD as R, PFEC_INSN as I } from '../../src/cpu/fault';
import {
  walk, probe, pagingMode, PagingRegs, Translation, MAXPHYADDR,
  CR0_PE, CR0_WP, CR0_PG, CR4_PSE, CR4_PAE, CR4_PGE, CR4_SMEP, CR4_SMAP, EFER_LME, EFER_LMA, EFER_NXE,
  ACC_READ, ACC_WRITE, ACC_EXEC,
} from '../../src/cpu/mmu/paging';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
const TWO32 = 0x1_0000_0000;
const KB4 = 0x1000, MB2 = 0x200000, MB4 = 0x400000, GB1 = 0x40000000;
const EP = 1, ERW = 2, EUS = 4, EA = 0x20, ED = 0x40, EPS = 0x80, EG = 0x100;
const XD = 0x80000000; // bit 63 in the high half
const URW = EP | ERW | EUS;

/** Linear address as the CPU passes it (sign-extended in long mode) from an unsigned 64-bit BigInt. */
function lin64(u: bigint): number { return u >= 1n << 63n ? Number(u - (1n << 64n)) : Number(u); }

/** Run fn, expect a #PF; return its error code (and check CR2). */
function pfCode(lin: number, fn: () => unknown): number {
  try { fn(); } catch (e) {
    assert.ok(e instanceof CpuFault, `expected CpuFault, got ${String(e)}`);
    assert.strictEqual(e.vector, PF);
    assert.strictEqual(e.cr2, lin);
    return e.errorCode;
  }
  assert.fail('expected #PF, walk succeeded');
}

class Pt {
  readonly mem: MachineMemory;
  private next = 0x10000;
  constructor(size = 0x100000) { this.mem = new MachineMemory(size); }
  alloc(): number { const a = this.next; this.next += 4096; return a; }
  set64(table: number, idx: number, lo: number, hi = 0): number { this.mem.write64(table + idx * 8, lo, hi); return table + idx * 8; }
  set32(table: number, idx: number, v: number): number { this.mem.write32(table + idx * 4, v); return table + idx * 4; }
  lo(ea: number): number { return this.mem.read32(ea); }
  hi(ea: number): number { return this.mem.read32(ea + 4); }
  snapshot(): Uint8Array { return this.mem.bytes.slice(); }
}

interface Lvl { flags?: number; hi?: number }
interface Built { regs: PagingRegs; lin: number; ea: Record<string, number> }
interface RegOpts { wp?: boolean; nxe?: boolean; smep?: boolean; smap?: boolean; pge?: boolean; pse?: boolean }

function makeRegs(mode: 'long4' | 'pae' | '32bit', cr3: number, o: RegOpts = {}): PagingRegs {
  let cr0 = CR0_PE | CR0_PG, cr4 = 0, efer = 0;
  if (o.wp) cr0 |= CR0_WP;
  if (mode !== '32bit') cr4 |= CR4_PAE;
  if (mode === 'long4') efer |= EFER_LME | EFER_LMA;
  if (o.nxe) efer |= EFER_NXE;
  if (o.smep) cr4 |= CR4_SMEP;
  if (o.smap) cr4 |= CR4_SMAP;
  if (o.pge) cr4 |= CR4_PGE;
  if (o.pse) cr4 |= CR4_PSE;
  return { cr0: cr0 >>> 0, cr3, cr4, efer };
}

/** Map one page in 4-level paging. size: 4K/2M/1G; page: machine address of the page. Levels default to P|RW|US. */
function long4(pt: Pt, u: bigint, size: number, page: number, lv: { l4?: Lvl; l3?: Lvl; l2?: Lvl; l1?: Lvl } = {}, o: RegOpts = {}): Built {
  const i4 = Number((u >> 39n) & 0x1ffn), i3 = Number((u >> 30n) & 0x1ffn);
  const i2 = Number((u >> 21n) & 0x1ffn), i1 = Number((u >> 12n) & 0x1ffn);
  const pml4 = pt.alloc(), pdpt = pt.alloc();
  const ea: Record<string, number> = {};
  const leafHi = Math.floor(page / TWO32);
  const leafLo = (page % TWO32) >>> 0;
  ea.l4 = pt.set64(pml4, i4, pdpt | (lv.l4?.flags ?? URW), lv.l4?.hi ?? 0);
  if (size === GB1) {
    ea.l3 = pt.set64(pdpt, i3, (leafLo | (lv.l3?.flags ?? URW) | EPS) >>> 0, leafHi | (lv.l3?.hi ?? 0));
  } else {
    const pd = pt.alloc();
    ea.l3 = pt.set64(pdpt, i3, pd | (lv.l3?.flags ?? URW), lv.l3?.hi ?? 0);
    if (size === MB2) {
      ea.l2 = pt.set64(pd, i2, (leafLo | (lv.l2?.flags ?? URW) | EPS) >>> 0, leafHi | (lv.l2?.hi ?? 0));
    } else {
      const ptab = pt.alloc();
      ea.l2 = pt.set64(pd, i2, ptab | (lv.l2?.flags ?? URW), lv.l2?.hi ?? 0);
      ea.l1 = pt.set64(ptab, i1, (leafLo | (lv.l1?.flags ?? URW)) >>> 0, leafHi | (lv.l1?.hi ?? 0));
    }
  }
  return { regs: makeRegs('long4', pml4, o), lin: lin64(u), ea };
}

/** Map one page in PAE paging (PDPT at a 32-byte-aligned, not page-aligned, address). PDPTE defaults to P only. */
function pae(pt: Pt, lin: number, size: number, page: number, lv: { l3?: Lvl; l2?: Lvl; l1?: Lvl } = {}, o: RegOpts = {}): Built {
  const i3 = lin >>> 30, i2 = (lin >>> 21) & 0x1ff, i1 = (lin >>> 12) & 0x1ff;
  const pdpt = pt.alloc() + 0x60;
  const pd = pt.alloc();
  const ea: Record<string, number> = {};
  const leafHi = Math.floor(page / TWO32), leafLo = (page % TWO32) >>> 0;
  ea.l3 = pt.set64(pdpt, i3, pd | (lv.l3?.flags ?? EP), lv.l3?.hi ?? 0);
  if (size === MB2) {
    ea.l2 = pt.set64(pd, i2, (leafLo | (lv.l2?.flags ?? URW) | EPS) >>> 0, leafHi | (lv.l2?.hi ?? 0));
  } else {
    const ptab = pt.alloc();
    ea.l2 = pt.set64(pd, i2, ptab | (lv.l2?.flags ?? URW), lv.l2?.hi ?? 0);
    ea.l1 = pt.set64(ptab, i1, (leafLo | (lv.l1?.flags ?? URW)) >>> 0, leafHi | (lv.l1?.hi ?? 0));
  }
  return { regs: makeRegs('pae', pdpt, o), lin, ea };
}

/** Map one page in 32-bit paging. size 4M needs o.pse for the PDE to be a leaf. pdeExtra: raw bits for a 4M PDE. */
function legacy(pt: Pt, lin: number, size: number, page: number, lv: { l2?: Lvl; l1?: Lvl } = {}, o: RegOpts = {}): Built {
  const i2 = lin >>> 22, i1 = (lin >>> 12) & 0x3ff;
  const pd = pt.alloc();
  const ea: Record<string, number> = {};
  if (size === MB4) {
    ea.l2 = pt.set32(pd, i2, ((page % TWO32) | (lv.l2?.flags ?? URW) | EPS | ((Math.floor(page / TWO32) & 0xff) << 13)) >>> 0);
  } else {
    const ptab = pt.alloc();
    ea.l2 = pt.set32(pd, i2, ptab | (lv.l2?.flags ?? URW));
    ea.l1 = pt.set32(ptab, i1, (page | (lv.l1?.flags ?? URW)) >>> 0);
  }
  return { regs: makeRegs('32bit', pd, o), lin, ea };
}

const build = {
  long4: (pt: Pt, lv: { l4?: Lvl; l3?: Lvl; l2?: Lvl; l1?: Lvl } = {}, o: RegOpts = {}) => long4(pt, 0x0000_1234_5678_9000n, KB4, 0x7_6543_2000, lv, o),
  pae: (pt: Pt, lv: { l3?: Lvl; l2?: Lvl; l1?: Lvl } = {}, o: RegOpts = {}) => pae(pt, 0xc123_4000, KB4, 0x98_7654_3000, lv, o),
  legacy: (pt: Pt, lv: { l2?: Lvl; l1?: Lvl } = {}, o: RegOpts = {}) => legacy(pt, 0x8040_3000, KB4, 0x0055_6000, lv, o),
};

// ---------------------------------------------------------------------------------------------
describe('paging: modes', () => {
  it('pagingMode follows CR0.PG, CR4.PAE and EFER.LMA', () => {
    assert.strictEqual(pagingMode({ cr0: CR0_PE, cr3: 0, cr4: CR4_PAE, efer: EFER_LMA }), 'none');
    assert.strictEqual(pagingMode(makeRegs('32bit', 0)), '32bit');
    assert.strictEqual(pagingMode(makeRegs('32bit', 0, { pse: true })), '32bit');
    assert.strictEqual(pagingMode(makeRegs('pae', 0)), 'pae');
    assert.strictEqual(pagingMode({ cr0: CR0_PE | CR0_PG, cr3: 0, cr4: CR4_PAE, efer: EFER_LME }), 'pae');
    assert.strictEqual(pagingMode(makeRegs('long4', 0)), 'long4');
    assert.strictEqual(pagingMode({ cr0: (CR0_PG | CR0_PE) | 0, cr3: 0, cr4: CR4_PAE, efer: EFER_LMA }), 'long4', 'signed cr0');
  });
  it('paging off is the identity, everything allowed, and touches no memory', () => {
    const pt = new Pt();
    const before = pt.snapshot();
    const regs: PagingRegs = { cr0: CR0_PE, cr3: 0x12345000, cr4: CR4_PAE | CR4_SMEP | CR4_SMAP, efer: EFER_NXE };
    const t = walk(pt.mem, regs, 0xfedc_b123, ACC_WRITE, true);
    assert.deepStrictEqual(t, { frame: 0xfedc_b000, writable: true, user: true, nx: false, global: false, pageSize: KB4 });
    assert.strictEqual(walk(pt.mem, regs, 0x5555, ACC_EXEC, false).frame, 0x5000);
    const p = probe(pt.mem, regs, 0x1234_5678);
    assert.strictEqual(p.phys, 0x1234_5678);
    assert.deepStrictEqual(p.levels, []);
    assert.deepStrictEqual(pt.snapshot(), before);
  });
});

describe('paging: translations', () => {
  it('4-level 4 KiB page, frame above 4 GiB', () => {
    const pt = new Pt();
    const b = build.long4(pt);
    const t = walk(pt.mem, b.regs, b.lin + 0xabc, ACC_READ, true);
    assert.deepStrictEqual(t, { frame: 0x7_6543_2000, writable: true, user: true, nx: false, global: false, pageSize: KB4 });
  });
  it('4-level 2 MiB page gives the 4K slice', () => {
    const pt = new Pt();
    const b = long4(pt, 0x0000_0040_0020_0000n, MB2, 0x12_3440_0000);
    const t = walk(pt.mem, b.regs, b.lin + 0x1f_5abc, ACC_READ, false);
    assert.strictEqual(t.frame, 0x12_3440_0000 + 0x1f_5000);
    assert.strictEqual(t.pageSize, MB2);
    assert.strictEqual(walk(pt.mem, b.regs, b.lin, ACC_READ, false).frame, 0x12_3440_0000);
  });
  it('4-level 1 GiB page gives the 4K slice', () => {
    const pt = new Pt();
    const b = long4(pt, 0x0000_7fff_c000_0000n, GB1, 0xab_c000_0000);
    const t = walk(pt.mem, b.regs, b.lin + 0x3fff_f123, ACC_WRITE, true);
    assert.strictEqual(t.frame, 0xab_c000_0000 + 0x3fff_f000);
    assert.strictEqual(t.pageSize, GB1);
  });
  it('large-page PAT bit (bit 12) is not part of the address and not reserved', () => {
    const pt = new Pt();
    const b = long4(pt, 0x4000_0000n, MB2, 0x60_0000, { l2: { flags: URW | 0x1000 } });
    assert.strictEqual(walk(pt.mem, b.regs, b.lin + 0x3000, ACC_READ, false).frame, 0x60_3000);
    const c = long4(pt, 0x80_0000_0000n, GB1, 0x80_0000_0000, { l3: { flags: URW | 0x1000 } });
    assert.strictEqual(walk(pt.mem, c.regs, c.lin + 0x5000, ACC_READ, false).frame, 0x80_0000_5000);
  });
  it('top of the canonical range: 0xffff800000000000 (L4 index 256) and 0xfffffffffffff000 (all 511)', () => {
    const pt = new Pt();
    const b = long4(pt, 0xffff_8000_0000_0000n, KB4, 0x33_3000);
    assert.strictEqual(b.lin, -0x8000_0000_0000);
    assert.strictEqual((b.ea.l4 % 4096) / 8, 256);
    assert.strictEqual(walk(pt.mem, b.regs, b.lin + 0x10, ACC_READ, false).frame, 0x33_3000);
    const c = long4(pt, 0xffff_ffff_ffff_f000n, KB4, 0x44_4000);
    assert.strictEqual(c.lin, -4096);
    for (const k of ['l4', 'l3', 'l2', 'l1']) assert.strictEqual((c.ea[k] % 4096) / 8, 511, k);
    assert.strictEqual(walk(pt.mem, c.regs, -1, ACC_READ, false).frame, 0x44_4000);
    assert.strictEqual(walk(pt.mem, c.regs, -4096, ACC_WRITE, false).frame, 0x44_4000);
    // Lower-half top, and sign-extension: the same low 47 bits in the lower half do not alias.
    const d = long4(pt, 0x0000_7fff_ffff_f000n, KB4, 0x55_5000);
    assert.strictEqual(walk(pt.mem, d.regs, 0x7fff_ffff_f000, ACC_READ, false).frame, 0x55_5000);
    assert.strictEqual(pfCode(0x7fff_ffff_f000, () => walk(pt.mem, c.regs, 0x7fff_ffff_f000, ACC_READ, false)), 0);
  });
  it('the unsigned 64-bit form of a high address walks the same entries (probe accepts it too)', () => {
    const pt = new Pt();
    const b = long4(pt, 0xffff_ffff_ffe0_0000n, KB4, 0x66_6000);
    const unsigned = 0xffff_ffff_ffe0_0000; // exactly representable
    assert.strictEqual(walk(pt.mem, b.regs, unsigned, ACC_READ, false).frame, 0x66_6000);
    assert.strictEqual(probe(pt.mem, b.regs, unsigned).phys, 0x66_6000);
    assert.strictEqual(probe(pt.mem, b.regs, b.lin + 0x123).phys, 0x66_6123);
  });
  it('CR3 low bits (PCD/PWT/ignored) do not move the PML4', () => {
    const pt = new Pt();
    const b = build.long4(pt);
    const regs = { ...b.regs, cr3: b.regs.cr3 | 0x18 | 0xfe0 };
    assert.strictEqual(walk(pt.mem, regs, b.lin, ACC_READ, false).frame, 0x7_6543_2000);
  });
  it('PAE 4 KiB page with a 32-byte-aligned PDPT and a frame above 4 GiB', () => {
    const pt = new Pt();
    const b = build.pae(pt);
    assert.strictEqual(b.regs.cr3 % 4096, 0x60);
    const t = walk(pt.mem, b.regs, b.lin + 0x321, ACC_READ, true);
    assert.deepStrictEqual(t, { frame: 0x98_7654_3000, writable: true, user: true, nx: false, global: false, pageSize: KB4 });
  });
  it('PAE 2 MiB page, and each PDPTE selects a 1 GiB quarter', () => {
    const pt = new Pt();
    const b = pae(pt, 0x4060_0000, MB2, 0x1_2340_0000);
    assert.strictEqual((b.ea.l3 - b.regs.cr3) / 8, 1);
    const t = walk(pt.mem, b.regs, 0x4060_0000 + 0x1a_b000, ACC_READ, false);
    assert.strictEqual(t.frame, 0x1_2340_0000 + 0x1a_b000);
    assert.strictEqual(t.pageSize, MB2);
    assert.strictEqual(pfCode(0x0060_0000, () => walk(pt.mem, b.regs, 0x0060_0000, ACC_READ, false)), 0);
  });
  it('PAE ignores CR4.PSE: PS in a PDE always means 2 MiB', () => {
    const pt = new Pt();
    const b = pae(pt, 0x0020_0000, MB2, 0x40_0000, {}, { pse: false });
    assert.strictEqual(walk(pt.mem, b.regs, 0x0020_1000, ACC_READ, false).frame, 0x40_1000);
  });
  it('32-bit 4 KiB page', () => {
    const pt = new Pt();
    const b = build.legacy(pt);
    const t = walk(pt.mem, b.regs, b.lin + 0xfff, ACC_WRITE, true);
    assert.deepStrictEqual(t, { frame: 0x55_6000, writable: true, user: true, nx: false, global: false, pageSize: KB4 });
  });
  it('32-bit 4 MiB page with CR4.PSE, including PSE-36 address bits 39:32', () => {
    const pt = new Pt();
    const b = legacy(pt, 0xc040_0000, MB4, 0xc0_0080_0000, {}, { pse: true });
    const t = walk(pt.mem, b.regs, 0xc07f_f123, ACC_READ, false);
    assert.strictEqual(t.frame, 0xc0_00bf_f000);
    assert.strictEqual(t.pageSize, MB4);
  });
  it('32-bit PS is ignored without CR4.PSE: the PDE points to a page table', () => {
    const pt = new Pt();
    const ptab = pt.alloc();
    const pd = pt.alloc();
    pt.set32(pd, 1, ptab | EPS | URW);
    pt.set32(ptab, 2, 0x77_7000 | URW);
    const regs = makeRegs('32bit', pd);
    const t = walk(pt.mem, regs, 0x0040_2000, ACC_READ, false);
    assert.strictEqual(t.frame, 0x77_7000);
    assert.strictEqual(t.pageSize, KB4);
  });
  it('32-bit PTEs have no reserved bits; 64-bit ignored bits 62:52 in long mode are not reserved', () => {
    const pt = new Pt();
    const b = legacy(pt, 0x1000, KB4, 0xffff_f000, { l1: { flags: 0xfff } });
    assert.strictEqual(walk(pt.mem, b.regs, 0x1000, ACC_READ, false).frame, 0xffff_f000);
    const c = build.long4(pt, { l4: { hi: 0x7ff0_0000 }, l3: { hi: 0x7ff0_0000 }, l2: { hi: 0x7ff0_0000 }, l1: { hi: 0x7ff0_0000 } });
    assert.strictEqual(walk(pt.mem, c.regs, c.lin, ACC_READ, false).frame, 0x7_6543_2000);
  });
  it('global is the leaf G bit and only with CR4.PGE', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l1: { flags: URW | EG } }, { pge: true });
    assert.strictEqual(walk(pt.mem, b.regs, b.lin, ACC_READ, false).global, true);
    assert.strictEqual(walk(pt.mem, { ...b.regs, cr4: CR4_PAE }, b.lin, ACC_READ, false).global, false);
    const c = build.long4(pt, { l2: { flags: URW | EG } }, { pge: true }); // G on a non-leaf is ignored
    assert.strictEqual(walk(pt.mem, c.regs, c.lin, ACC_READ, false).global, false);
    const d = legacy(pt, 0x40_0000, MB4, 0x80_0000, { l2: { flags: URW | EG } }, { pse: true, pge: true });
    assert.strictEqual(walk(pt.mem, d.regs, d.lin, ACC_READ, false).global, true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('paging: #PF error codes', () => {
  const accesses: [string, number, boolean, number][] = [
    ['supervisor read', ACC_READ, false, 0], ['supervisor write', ACC_WRITE, false, W],
    ['user read', ACC_READ, true, U], ['user write', ACC_WRITE, true, W | U],
  ];
  for (const mode of ['long4', 'pae', 'legacy'] as const) {
    const levels = mode === 'long4' ? ['l4', 'l3', 'l2', 'l1'] : mode === 'pae' ? ['l3', 'l2', 'l1'] : ['l2', 'l1'];
    for (const lvl of levels) {
      it(`${mode}: not present at ${lvl} for reads, writes, user and supervisor`, () => {
        for (const [what, acc, user, ec] of accesses) {
          const pt = new Pt();
          const b = build[mode](pt, { [lvl]: { flags: (mode === 'pae' && lvl === 'l3' ? 0 : URW & ~EP) } });
          assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, acc, user)), ec, what);
        }
      });
    }
  }
  it('not-present fetch: I/D only with NXE under PAE/long, or with SMEP', () => {
    const pt = new Pt();
    const l = build.long4(pt, { l1: { flags: 0 } });
    assert.strictEqual(pfCode(l.lin, () => walk(pt.mem, l.regs, l.lin, ACC_EXEC, false)), 0);
    assert.strictEqual(pfCode(l.lin, () => walk(pt.mem, { ...l.regs, efer: l.regs.efer | EFER_NXE }, l.lin, ACC_EXEC, false)), I);
    assert.strictEqual(pfCode(l.lin, () => walk(pt.mem, { ...l.regs, efer: l.regs.efer | EFER_NXE }, l.lin, ACC_EXEC, true)), I | U);
    assert.strictEqual(pfCode(l.lin, () => walk(pt.mem, { ...l.regs, cr4: l.regs.cr4 | CR4_SMEP }, l.lin, ACC_EXEC, true)), I | U);
    const p = build.pae(pt, { l2: { flags: 0 } }, { nxe: true });
    assert.strictEqual(pfCode(p.lin, () => walk(pt.mem, p.regs, p.lin, ACC_EXEC, true)), I | U);
    // 32-bit paging: NXE alone does not set I/D (CR4.PAE=0); SMEP does.
    const g = build.legacy(pt, { l1: { flags: 0 } }, { nxe: true });
    assert.strictEqual(pfCode(g.lin, () => walk(pt.mem, g.regs, g.lin, ACC_EXEC, true)), U);
    assert.strictEqual(pfCode(g.lin, () => walk(pt.mem, { ...g.regs, cr4: g.regs.cr4 | CR4_SMEP }, g.lin, ACC_EXEC, false)), I);
  });
  for (const mode of ['long4', 'pae', 'legacy'] as const) {
    const levels = mode === 'long4' ? ['l4', 'l3', 'l2', 'l1'] : mode === 'pae' ? ['l2', 'l1'] : ['l2', 'l1'];
    for (const lvl of levels) {
      it(`${mode}: U/S=0 at ${lvl} faults user accesses (P|U) but not supervisor ones`, () => {
        const pt = new Pt();
        const b = build[mode](pt, { [lvl]: { flags: EP | ERW } }, { wp: true });
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_READ, true)), P | U);
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_WRITE, true)), P | W | U);
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_EXEC, true)), P | U);
        const t = walk(pt.mem, b.regs, b.lin, ACC_WRITE, false);
        assert.strictEqual(t.user, false);
        assert.strictEqual(t.writable, true);
        walk(pt.mem, b.regs, b.lin, ACC_EXEC, false);
      });
      it(`${mode}: R/W=0 at ${lvl}: user write P|W|U; supervisor write P|W only with CR0.WP`, () => {
        const pt = new Pt();
        const b = build[mode](pt, { [lvl]: { flags: EP | EUS } });
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_WRITE, true)), P | W | U);
        const t = walk(pt.mem, b.regs, b.lin, ACC_WRITE, false); // WP=0: supervisor may write
        assert.strictEqual(t.writable, false);
        const wp = { ...b.regs, cr0: (b.regs.cr0 | CR0_WP) >>> 0 };
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, wp, b.lin, ACC_WRITE, false)), P | W);
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, wp, b.lin, ACC_WRITE, true)), P | W | U);
        walk(pt.mem, wp, b.lin, ACC_READ, true);
        walk(pt.mem, wp, b.lin, ACC_EXEC, true);
      });
    }
  }
  for (const mode of ['long4', 'pae'] as const) {
    const levels = mode === 'long4' ? ['l4', 'l3', 'l2', 'l1'] : ['l2', 'l1'];
    for (const lvl of levels) {
      it(`${mode}: XD at ${lvl} with NXE faults fetches (P|I, P|U|I) only`, () => {
        const pt = new Pt();
        const b = build[mode](pt, { [lvl]: { hi: XD } }, { nxe: true });
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_EXEC, false)), P | I);
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_EXEC, true)), P | U | I);
        const t = walk(pt.mem, b.regs, b.lin, ACC_WRITE, true);
        assert.strictEqual(t.nx, true);
      });
      it(`${mode}: XD at ${lvl} with NXE=0 is a reserved bit (P|RSVD)`, () => {
        const pt = new Pt();
        const b = build[mode](pt, { [lvl]: { hi: XD } });
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_READ, false)), P | R);
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_WRITE, true)), P | R | W | U);
        assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_EXEC, true)), P | R | U);
      });
    }
  }
  it('NX is honoured on large pages and user fetches with NXE report I/D on rights faults too', () => {
    const pt = new Pt();
    const b = long4(pt, 0x4000_0000n, MB2, 0x20_0000, { l2: { flags: EP | ERW, hi: XD } }, { nxe: true });
    assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_EXEC, true)), P | U | I);
    const c = long4(pt, 0x80_0000_0000n, GB1, 0x4000_0000, { l3: { hi: XD } }, { nxe: true });
    assert.strictEqual(pfCode(c.lin, () => walk(pt.mem, c.regs, c.lin, ACC_EXEC, false)), P | I);
    // Without NXE a rights fault on fetch has no I/D bit.
    const d = build.long4(pt, { l1: { flags: EP } });
    assert.strictEqual(pfCode(d.lin, () => walk(pt.mem, d.regs, d.lin, ACC_EXEC, true)), P | U);
  });
  it('SMEP: supervisor fetch from a user page faults P|I; supervisor page fine; 32-bit paging too', () => {
    const pt = new Pt();
    const b = build.long4(pt, {}, { smep: true });
    assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_EXEC, false)), P | I);
    walk(pt.mem, b.regs, b.lin, ACC_EXEC, true);
    walk(pt.mem, b.regs, b.lin, ACC_READ, false);
    const c = build.long4(pt, { l3: { flags: EP | ERW } }, { smep: true });
    walk(pt.mem, c.regs, c.lin, ACC_EXEC, false);
    const g = build.legacy(pt, {}, { smep: true });
    assert.strictEqual(pfCode(g.lin, () => walk(pt.mem, g.regs, g.lin, ACC_EXEC, false)), P | I);
    const p = build.pae(pt, {}, { smep: true }); // PAE PDPTE counts as user: the page is a user page
    assert.strictEqual(pfCode(p.lin, () => walk(pt.mem, p.regs, p.lin, ACC_EXEC, false)), P | I);
  });
  it('SMAP: supervisor data access to a user page faults unless explicitly allowed (EFLAGS.AC)', () => {
    const pt = new Pt();
    const b = build.long4(pt, {}, { smap: true });
    assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_READ, false)), P);
    assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_WRITE, false)), P | W);
    walk(pt.mem, b.regs, b.lin, ACC_READ, false, true);
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, false, true);
    walk(pt.mem, b.regs, b.lin, ACC_EXEC, false);   // SMAP does not govern fetches
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, true);   // nor user accesses
    const c = build.long4(pt, { l1: { flags: EP | ERW } }, { smap: true });
    walk(pt.mem, c.regs, c.lin, ACC_READ, false);   // supervisor page
    // With AC but a read-only user page and WP, the write still faults.
    const d = build.long4(pt, { l1: { flags: EP | EUS } }, { smap: true, wp: true });
    assert.strictEqual(pfCode(d.lin, () => walk(pt.mem, d.regs, d.lin, ACC_WRITE, false, true)), P | W);
  });
});

describe('paging: reserved bits', () => {
  const rsvd = (pt: Pt, b: Built, acc = ACC_READ, user = false): number => pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, acc, user));
  for (const lvl of ['l4', 'l3', 'l2', 'l1']) {
    it(`long4: physical-address bits ${MAXPHYADDR}..51 at ${lvl}`, () => {
      for (let bit = MAXPHYADDR; bit <= 51; bit++) {
        const pt = new Pt();
        const b = build.long4(pt, { [lvl]: { hi: 1 << (bit - 32) } });
        assert.strictEqual(rsvd(pt, b), P | R, `bit ${bit}`);
      }
      const pt = new Pt();
      const b = build.long4(pt, { [lvl]: { hi: 1 << 19 } }, { nxe: true }); // bit 51
      assert.strictEqual(rsvd(pt, b, ACC_EXEC, true), P | R | U | I);
      assert.strictEqual(rsvd(pt, b, ACC_WRITE, true), P | R | W | U);
      assert.strictEqual(rsvd(pt, b, ACC_WRITE, false), P | R | W);
    });
  }
  it('long4: PS in an L4 entry is reserved', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l4: { flags: URW | EPS } });
    assert.strictEqual(rsvd(pt, b), P | R);
  });
  it('long4: bits 13..20 of a 2 MiB PDE and 13..29 of a 1 GiB PDPTE are reserved; bit 12 (PAT) is not', () => {
    for (let bit = 13; bit <= 20; bit++) {
      const pt = new Pt();
      const b = long4(pt, 0x4000_0000n, MB2, 0x20_0000, { l2: { flags: URW | (1 << bit) } });
      assert.strictEqual(rsvd(pt, b, ACC_WRITE), P | R | W, `2M bit ${bit}`);
    }
    for (let bit = 13; bit <= 29; bit++) {
      const pt = new Pt();
      const b = long4(pt, 0x80_0000_0000n, GB1, 0x4000_0000, { l3: { flags: URW | (1 << bit) } });
      assert.strictEqual(rsvd(pt, b, ACC_READ, true), P | R | U, `1G bit ${bit}`);
    }
  });
  it('long4: 4K page-table pointers may use bits 12..20 (they are address bits there)', () => {
    const pt = new Pt(0x400000);
    const b = build.long4(pt);
    // Move the L1 table to a frame whose address sets bits 13..20 and point L2 at it.
    const newPt = 0x1fe000;
    pt.mem.writeBytes(newPt, pt.mem.readBytes(pt.lo(b.ea.l2) & ~0xfff, 4096));
    pt.mem.write32(b.ea.l2, newPt | URW);
    assert.strictEqual(walk(pt.mem, b.regs, b.lin, ACC_READ, false).frame, 0x7_6543_2000);
  });
  it('PAE: PDPTE bits 1, 2, 5..8 and 40..63 are reserved (even XD with NXE=1)', () => {
    for (const bit of [1, 2, 5, 6, 7, 8]) {
      const pt = new Pt();
      const b = build.pae(pt, { l3: { flags: EP | (1 << bit) } });
      assert.strictEqual(rsvd(pt, b), P | R, `bit ${bit}`);
    }
    for (let bit = MAXPHYADDR; bit <= 63; bit++) {
      const pt = new Pt();
      const b = build.pae(pt, { l3: { hi: (1 << (bit - 32)) >>> 0 } }, { nxe: true });
      assert.strictEqual(rsvd(pt, b, ACC_EXEC, true), P | R | U | I, `bit ${bit}`);
    }
    const pt = new Pt(); // ignored bits 9..11 and PWT/PCD are fine
    const b = build.pae(pt, { l3: { flags: EP | 0xe18 } });
    walk(pt.mem, b.regs, b.lin, ACC_READ, false);
  });
  it('PAE: PDE/PTE bits 40..62 are reserved (unlike 4-level, where 52..62 are ignored)', () => {
    for (const lvl of ['l2', 'l1']) {
      for (let bit = MAXPHYADDR; bit <= 62; bit++) {
        const pt = new Pt();
        const b = build.pae(pt, { [lvl]: { hi: 1 << (bit - 32) } }, { nxe: true });
        assert.strictEqual(rsvd(pt, b, ACC_WRITE, true), P | R | W | U, `${lvl} bit ${bit}`);
      }
    }
  });
  it('PAE: bits 13..20 of a 2 MiB PDE are reserved', () => {
    for (let bit = 13; bit <= 20; bit++) {
      const pt = new Pt();
      const b = pae(pt, 0x20_0000, MB2, 0x40_0000, { l2: { flags: URW | (1 << bit) } });
      assert.strictEqual(rsvd(pt, b), P | R, `bit ${bit}`);
    }
  });
  it('32-bit: bit 21 of a 4 MiB PDE is reserved (PSE only); bits 13..20 are PSE-36 address bits', () => {
    const pt = new Pt();
    const b = legacy(pt, 0x40_0000, MB4, 0x80_0000, { l2: { flags: URW | 0x20_0000 } }, { pse: true });
    assert.strictEqual(rsvd(pt, b, ACC_WRITE, true), P | R | W | U);
    // PSE-36: bits 20:13 hold address bits 39:32 and are not reserved with MAXPHYADDR 40.
    const c = legacy(pt, 0x40_0000, MB4, 0xff_ffc0_0000, {}, { pse: true });
    assert.strictEqual(pt.lo(c.ea.l2) & 0x1fe000, 0x1fe000);
    assert.strictEqual(walk(pt.mem, c.regs, c.lin + 0x3f_f000, ACC_READ, false).frame, 0xff_ffff_f000);
  });
  it('a reserved bit at an upper level wins over a not-present entry below it', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l3: { hi: 0x100 }, l1: { flags: 0 } });
    assert.strictEqual(rsvd(pt, b), P | R);
  });
  it('reserved bits in a not-present entry are ignored (plain not-present fault)', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l2: { flags: 0xfffffffe, hi: 0xffffffff } });
    assert.strictEqual(rsvd(pt, b, ACC_WRITE), W);
    const p = build.pae(pt, { l3: { flags: 0x1e6, hi: 0xffffffff } });
    assert.strictEqual(rsvd(pt, p, ACC_READ, true), U);
  });
  it('tables outside machine memory read as all-ones: reserved-bit fault in 64-bit modes', () => {
    const pt = new Pt();
    const pml4 = pt.alloc();
    pt.set64(pml4, 0, 0x8000_0000 | URW, 0); // L3 table beyond the 1 MiB of memory
    const regs = makeRegs('long4', pml4);
    assert.strictEqual(pfCode(0x1000, () => walk(pt.mem, regs, 0x1000, ACC_READ, false)), P | R);
  });
});

// ---------------------------------------------------------------------------------------------
describe('paging: effective permissions', () => {
  it('R/W and U/S are ANDed and XD ORed across every level (long4)', () => {
    for (const lvl of ['l4', 'l3', 'l2', 'l1']) {
      const pt = new Pt();
      const ro = build.long4(pt, { [lvl]: { flags: EP | EUS } }, { nxe: true });
      const tr = walk(pt.mem, ro.regs, ro.lin, ACC_READ, false);
      assert.deepStrictEqual([tr.writable, tr.user, tr.nx], [false, true, false], `ro ${lvl}`);
      const su = build.long4(pt, { [lvl]: { flags: EP | ERW } }, { nxe: true });
      const ts = walk(pt.mem, su.regs, su.lin, ACC_READ, false);
      assert.deepStrictEqual([ts.writable, ts.user, ts.nx], [true, false, false], `sup ${lvl}`);
      const nx = build.long4(pt, { [lvl]: { hi: XD } }, { nxe: true });
      const tn = walk(pt.mem, nx.regs, nx.lin, ACC_READ, false);
      assert.deepStrictEqual([tn.writable, tn.user, tn.nx], [true, true, true], `nx ${lvl}`);
    }
  });
  it('PAE PDPTE has no R/W, U/S or XD: they come from the PD and PT', () => {
    const pt = new Pt();
    const b = build.pae(pt, { l2: { flags: EP | ERW }, l1: { flags: EP | EUS, hi: XD } }, { nxe: true });
    const t = walk(pt.mem, b.regs, b.lin, ACC_READ, false);
    assert.deepStrictEqual([t.writable, t.user, t.nx], [false, false, true]);
  });
  it('32-bit: AND over PDE and PTE, nx always false', () => {
    const pt = new Pt();
    const b = build.legacy(pt, { l2: { flags: EP | EUS }, l1: { flags: EP | ERW } }, { nxe: true });
    const t = walk(pt.mem, b.regs, b.lin, ACC_EXEC, false);
    assert.deepStrictEqual([t.writable, t.user, t.nx], [false, false, false]);
  });
});

describe('paging: accessed and dirty bits', () => {
  const A = EA, D = ED;
  it('long4 read sets A on every level, D nowhere; write then sets D on the leaf only', () => {
    const pt = new Pt();
    const b = build.long4(pt);
    walk(pt.mem, b.regs, b.lin, ACC_READ, true);
    for (const k of ['l4', 'l3', 'l2', 'l1']) assert.strictEqual(pt.lo(b.ea[k]) & (A | D), A, k);
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, true);
    for (const k of ['l4', 'l3', 'l2']) assert.strictEqual(pt.lo(b.ea[k]) & (A | D), A, k);
    assert.strictEqual(pt.lo(b.ea.l1) & (A | D), A | D);
    assert.strictEqual(pt.hi(b.ea.l1), 7, 'high half untouched');
  });
  it('a first-access write sets A everywhere and D on the leaf; fetch sets only A', () => {
    const pt = new Pt();
    const b = build.long4(pt);
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, false);
    assert.deepStrictEqual(['l4', 'l3', 'l2', 'l1'].map((k) => pt.lo(b.ea[k]) & (A | D)), [A, A, A, A | D]);
    const c = build.long4(pt);
    walk(pt.mem, c.regs, c.lin, ACC_EXEC, false);
    assert.deepStrictEqual(['l4', 'l3', 'l2', 'l1'].map((k) => pt.lo(c.ea[k]) & (A | D)), [A, A, A, A]);
  });
  it('large pages: D goes on the PS=1 entry', () => {
    const pt = new Pt();
    const b = long4(pt, 0x4000_0000n, MB2, 0x20_0000);
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, false);
    assert.deepStrictEqual(['l4', 'l3', 'l2'].map((k) => pt.lo(b.ea[k]) & (A | D)), [A, A, A | D]);
    const c = long4(pt, 0x80_0000_0000n, GB1, 0x4000_0000);
    walk(pt.mem, c.regs, c.lin, ACC_WRITE, false);
    assert.deepStrictEqual(['l4', 'l3'].map((k) => pt.lo(c.ea[k]) & (A | D)), [A, A | D]);
    const g = legacy(pt, 0x40_0000, MB4, 0x80_0000, {}, { pse: true });
    walk(pt.mem, g.regs, g.lin, ACC_WRITE, false);
    assert.strictEqual(pt.lo(g.ea.l2) & (A | D), A | D);
  });
  it('PAE: the PDPTE is never modified (bit 5 is reserved there); PD and PT get A, PT gets D', () => {
    const pt = new Pt();
    const b = build.pae(pt);
    const pdpte = pt.lo(b.ea.l3);
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, true);
    assert.strictEqual(pt.lo(b.ea.l3), pdpte);
    assert.strictEqual(pt.lo(b.ea.l2) & (A | D), A);
    assert.strictEqual(pt.lo(b.ea.l1) & (A | D), A | D);
    walk(pt.mem, b.regs, b.lin, ACC_READ, true); // PDPTE still not reserved-faulting
  });
  it('32-bit: PDE gets A, PTE gets A and D', () => {
    const pt = new Pt();
    const b = build.legacy(pt);
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, true);
    assert.strictEqual(pt.lo(b.ea.l2) & (A | D), A);
    assert.strictEqual(pt.lo(b.ea.l1) & (A | D), A | D);
  });
  it('supervisor write to a read-only page with WP=0 sets D', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l1: { flags: EP } });
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, false);
    assert.strictEqual(pt.lo(b.ea.l1) & (A | D), A | D);
  });
  it('a faulting walk sets no bits (not present, reserved, rights, NX, SMEP, SMAP)', () => {
    const cases: [string, (pt: Pt) => Built, number, boolean][] = [
      ['not present l1', (pt) => build.long4(pt, { l1: { flags: 0 } }), ACC_WRITE, false],
      ['reserved l1', (pt) => build.long4(pt, { l1: { hi: 0x100 } }), ACC_WRITE, false],
      ['reserved l2 2M', (pt) => long4(pt, 0x4000_0000n, MB2, 0x20_0000, { l2: { flags: URW | 0x2000 } }), ACC_READ, false],
      ['user to supervisor', (pt) => build.long4(pt, { l2: { flags: EP | ERW } }), ACC_READ, true],
      ['user write RO', (pt) => build.long4(pt, { l1: { flags: EP | EUS } }), ACC_WRITE, true],
      ['sup write RO WP', (pt) => build.long4(pt, { l3: { flags: EP | EUS } }, { wp: true }), ACC_WRITE, false],
      ['NX', (pt) => build.long4(pt, { l4: { hi: XD } }, { nxe: true }), ACC_EXEC, true],
      ['SMEP', (pt) => build.long4(pt, {}, { smep: true }), ACC_EXEC, false],
      ['SMAP', (pt) => build.long4(pt, {}, { smap: true }), ACC_WRITE, false],
      ['PAE not present l2', (pt) => build.pae(pt, { l2: { flags: 0 } }), ACC_WRITE, false],
      ['PAE rights', (pt) => build.pae(pt, { l1: { flags: EP } }), ACC_READ, true],
      ['32-bit rights', (pt) => build.legacy(pt, { l1: { flags: EP | EUS } }), ACC_WRITE, true],
      ['32-bit 4M reserved', (pt) => legacy(pt, 0x40_0000, MB4, 0x80_0000, { l2: { flags: URW | 0x20_0000 } }, { pse: true }), ACC_READ, false],
    ];
    for (const [what, mk, acc, user] of cases) {
      const pt = new Pt();
      const b = mk(pt);
      const before = pt.snapshot();
      pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, acc, user));
      assert.ok(Buffer.compare(Buffer.from(before), Buffer.from(pt.snapshot())) === 0, what);
    }
  });
  it('entries already A/D are not rewritten (no code-frame invalidation)', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l4: { flags: URW | A }, l3: { flags: URW | A }, l2: { flags: URW | A }, l1: { flags: URW | A | D } });
    const touched: number[] = [];
    for (let f = 0; f < pt.mem.frames; f++) pt.mem.codeFrames[f] = 1;
    pt.mem.onCodeWrite = (f) => touched.push(f);
    walk(pt.mem, b.regs, b.lin, ACC_WRITE, true);
    assert.deepStrictEqual(touched, []);
  });
  it('recursive (self-referencing) L4 entry: A set once, leaf D kept', () => {
    const pt = new Pt();
    const pml4 = pt.alloc();
    pt.set64(pml4, 0x1ed, pml4 | URW); // L4[493] -> the PML4 itself
    const regs = makeRegs('long4', pml4);
    // lin with all four indices 493 maps the PML4 page itself through the L4 entry as the leaf.
    const u = (0xffffn << 48n) | (0x1edn << 39n) | (0x1edn << 30n) | (0x1edn << 21n) | (0x1edn << 12n);
    const t = walk(pt.mem, regs, lin64(u), ACC_WRITE, false);
    assert.strictEqual(t.frame, pml4);
    assert.strictEqual(pt.lo(pml4 + 0x1ed * 8), (pml4 | URW | A | D) >>> 0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('paging: probe', () => {
  it('reports every level with Xen names, entries, leaf and the translation', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l1: { flags: URW | EG, hi: XD } }, { nxe: true, pge: true });
    const before = pt.snapshot();
    const r = probe(pt.mem, b.regs, b.lin + 0x9a);
    assert.deepStrictEqual(pt.snapshot(), before);
    assert.deepStrictEqual(r.levels.map((l) => [l.level, l.name, l.present, l.leaf]),
      [[4, 'L4', true, false], [3, 'L3', true, false], [2, 'L2', true, false], [1, 'L1', true, true]]);
    assert.strictEqual(r.levels[0].tableAddr, b.regs.cr3);
    assert.strictEqual(r.levels[3].tableAddr + r.levels[3].index * 8, b.ea.l1);
    assert.strictEqual(r.levels[3].entryLo, 0x6543_2000 | URW | EG);
    assert.strictEqual(r.levels[3].entryHi, (XD | 7) >>> 0);
    assert.strictEqual(r.phys, 0x7_6543_209a);
    assert.deepStrictEqual(r.translation, { frame: 0x7_6543_2000, writable: true, user: true, nx: true, global: true, pageSize: KB4 });
    assert.strictEqual(r.stop, undefined);
  });
  it('checks no access rights and sets no A/D', () => {
    const pt = new Pt();
    const b = build.long4(pt, { l2: { flags: EP } }, { smap: true, smep: true, wp: true });
    const before = pt.snapshot();
    const r = probe(pt.mem, b.regs, b.lin);
    assert.deepStrictEqual(pt.snapshot(), before);
    assert.strictEqual(r.translation?.writable, false);
    assert.strictEqual(r.translation?.user, false);
  });
  it('stops with a reason: not present, reserved bits, non-canonical', () => {
    const pt = new Pt();
    const b = long4(pt, 0x4000_0000n | (5n << 21n), KB4, 0x1000, { l2: { flags: 0 } });
    const r = probe(pt.mem, b.regs, b.lin);
    assert.strictEqual(r.stop, 'not present at L2 index 5');
    assert.strictEqual(r.levels.length, 3);
    assert.strictEqual(r.levels[2].present, false);
    assert.strictEqual(r.translation, undefined);
    assert.strictEqual(r.phys, undefined);
    const c = long4(pt, 3n << 12n, KB4, 0x1000, { l1: { hi: 0x100 } });
    const rc = probe(pt.mem, c.regs, c.lin);
    assert.match(rc.stop ?? '', /^reserved bits set at L1 index 3 .*reserved 0x10000000000\)/);
    assert.strictEqual(rc.levels.every((l) => !l.leaf), true);
    assert.strictEqual(probe(pt.mem, c.regs, 0x8000_0000_0000).stop, 'non-canonical address');
    assert.strictEqual(probe(pt.mem, c.regs, -0x8000_0000_0001).stop, 'non-canonical address');
    assert.ok(probe(pt.mem, c.regs, NaN).stop);
    assert.ok(probe(pt.mem, c.regs, 1.5).stop);
  });
  it('PAE and 32-bit levels are named L3/L2/L1 and L2/L1', () => {
    const pt = new Pt();
    const p = build.pae(pt);
    assert.deepStrictEqual(probe(pt.mem, p.regs, p.lin).levels.map((l) => l.name), ['L3', 'L2', 'L1']);
    assert.strictEqual(probe(pt.mem, p.regs, p.lin).levels[0].tableAddr, p.regs.cr3);
    const g = build.legacy(pt);
    const r = probe(pt.mem, g.regs, g.lin + 5);
    assert.deepStrictEqual(r.levels.map((l) => [l.level, l.name, l.entryHi]), [[2, 'L2', 0], [1, 'L1', 0]]);
    assert.strictEqual(r.phys, 0x55_6005);
    const m = legacy(pt, 0x40_0000, MB4, 0x80_0000, {}, { pse: true });
    const rm = probe(pt.mem, m.regs, 0x40_1234);
    assert.deepStrictEqual(rm.levels.map((l) => l.leaf), [true]);
    assert.strictEqual(rm.phys, 0x80_1234);
    assert.ok(probe(pt.mem, g.regs, -1).stop);
  });
  it('agrees with walk and reports the same reasons walk faults on', () => {
    const pt = new Pt();
    const b = build.pae(pt, { l3: { flags: EP | 2 } });
    assert.match(probe(pt.mem, b.regs, b.lin).stop ?? '', /^reserved bits set at L3 index 3/);
    assert.strictEqual(pfCode(b.lin, () => walk(pt.mem, b.regs, b.lin, ACC_READ, false)), P | R);
  });
  it('fuzz: random bytes as tables, 2000 random addresses per mode: never throws, never writes', () => {
    const rnd = mulberry32(0x5eed);
    const pt = new Pt(0x40000);
    for (let i = 0; i < pt.mem.size; i++) pt.mem.bytes[i] = (rnd() * 256) | 0;
    // Make the top-level entries mostly point back into the small memory so walks go deep.
    for (let i = 0; i < pt.mem.size; i += 8) {
      if (rnd() < 0.7) pt.mem.write32(i, (pt.mem.read32(i) & 0x00000fff) | ((rnd() * 0x40) << 12) | 1);
      if (rnd() < 0.6) pt.mem.write32(i + 4, pt.mem.read32(i + 4) & 0x800000ff & (rnd() < 0.5 ? 0x80000000 : 0xffffffff));
    }
    const before = pt.snapshot();
    const modes: PagingRegs[] = [
      makeRegs('long4', 0x3000, { nxe: true, pge: true }), makeRegs('long4', 0x5000),
      makeRegs('pae', 0x7fe0, { nxe: true }), makeRegs('pae', 0x20),
      makeRegs('32bit', 0x9000, { pse: true }), makeRegs('32bit', 0xa000),
      { cr0: CR0_PG, cr3: 0xffffffff, cr4: 0xffffffff, efer: 0xffffffff },
      { cr0: 0xffffffff, cr3: 2 ** 52 - 1, cr4: CR4_PAE, efer: EFER_LMA },
    ];
    let ok = 0, stops = 0;
    for (const regs of modes) {
      for (let i = 0; i < 2000; i++) {
        const r = rnd();
        const lin = r < 0.45 ? Math.floor(rnd() * TWO32)
          : r < 0.9 ? Math.floor(rnd() * 2 ** 48) - 2 ** 47
          : r < 0.95 ? Math.floor(rnd() * 2 ** 64) : [NaN, -Infinity, 2 ** 70, -(2 ** 60), 0.5][i % 5];
        const res = probe(pt.mem, regs, lin);
        assert.ok(Array.isArray(res.levels));
        if (res.translation) {
          ok++;
          assert.strictEqual(res.stop, undefined);
          assert.ok(Number.isInteger(res.phys) && (res.phys as number) >= 0 && (res.phys as number) < 2 ** 52);
          assert.strictEqual(res.levels.filter((l) => l.leaf).length, pagingMode(regs) === 'none' ? 0 : 1);
        } else {
          stops++;
          assert.strictEqual(typeof res.stop, 'string');
        }
      }
    }
    assert.ok(ok > 100 && stops > 100, `ok=${ok} stops=${stops}`);
    assert.ok(Buffer.compare(Buffer.from(before), Buffer.from(pt.snapshot())) === 0, 'probe wrote memory');
  });
});

// ---------------------------------------------------------------------------------------------
// Differential fuzz: walk() against a reference walk written directly from the SDM with BigInt entries.
// ---------------------------------------------------------------------------------------------
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type RefResult = { fault: number } | { frame: number; writable: boolean; user: boolean; nx: boolean; global: boolean; pageSize: number };

const M = BigInt(MAXPHYADDR);
const bitRange = (hi: number, lo: number): bigint => ((1n << BigInt(hi + 1)) - 1n) & ~((1n << BigInt(lo)) - 1n);
const ADDR_MASK = bitRange(MAXPHYADDR - 1, 12);

/** Reference walk: SDM 4.3 (32-bit), 4.4 (PAE), 4.5 (4-level), 4.6 (rights), 4.7 (error code), 4.8 (A/D). */
function refWalk(mem: MachineMemory, regs: PagingRegs, lin: number, acc: number, user: boolean, smapOk: boolean): RefResult {
  const cr0 = BigInt(regs.cr0 >>> 0), cr4 = BigInt(regs.cr4 >>> 0), efer = BigInt(regs.efer >>> 0);
  const has = (v: bigint, m: number): boolean => (v & BigInt(m >>> 0)) !== 0n;
  const paeOn = has(cr4, CR4_PAE), nxe = has(efer, EFER_NXE), lma = has(efer, EFER_LMA);
  const write = acc === ACC_WRITE, fetch = acc === ACC_EXEC;
  let ec = (write ? W : 0) | (user ? U : 0);
  if (fetch && (has(cr4, CR4_SMEP) || (paeOn && nxe))) ec |= I;
  const la = lin < 0 ? BigInt(lin) + (1n << 64n) : BigInt(lin);
  const rd64 = (a: bigint): bigint => BigInt(mem.read32(Number(a))) | (BigInt(mem.read32(Number(a) + 4)) << 32n);
  const rd32 = (a: bigint): bigint => BigInt(mem.read32(Number(a)));
  // Walk plan: list of {shift, bits, size} levels.
  interface Used { addr: bigint; hasA: boolean }
  const used: Used[] = [];
  let rw = true, us = true, xd = false, leaf = 0n, pageShift = 12n;
  if (!paeOn) {
    let table = BigInt(regs.cr3 >>> 0) & 0xfffff000n;
    const pdeA = table + ((la >> 22n) & 0x3ffn) * 4n;
    const pde = rd32(pdeA);
    used.push({ addr: pdeA, hasA: true });
    if (!(pde & 1n)) return { fault: ec };
    rw &&= has(pde, ERW); us &&= has(pde, EUS);
    if (has(pde, EPS) && has(cr4, CR4_PSE)) {
      if (pde & (1n << 21n)) return { fault: ec | P | R };
      leaf = pde; pageShift = 22n;
      const phys = (pde & 0xffc00000n) | (((pde >> 13n) & 0xffn) << 32n) | (la & 0x3fffffn);
      return finish(phys);
    }
    table = pde & 0xfffff000n;
    const pteA = table + ((la >> 12n) & 0x3ffn) * 4n;
    const pte = rd32(pteA);
    used.push({ addr: pteA, hasA: true });
    if (!(pte & 1n)) return { fault: ec };
    rw &&= has(pte, ERW); us &&= has(pte, EUS);
    leaf = pte;
    return finish((pte & 0xfffff000n) | (la & 0xfffn));
  }
  const xdRsvd = nxe ? 0n : 1n << 63n;
  let table: bigint;
  let first: number;
  if (!lma) {
    const pdpteA = (BigInt(regs.cr3 >>> 0) & 0xffffffe0n) + ((la >> 30n) & 3n) * 8n;
    const e = rd64(pdpteA);
    used.push({ addr: pdpteA, hasA: false });
    if (!(e & 1n)) return { fault: ec };
    if (e & (0x6n | 0x1e0n | bitRange(63, MAXPHYADDR))) return { fault: ec | P | R };
    table = e & ADDR_MASK;
    first = 2;
  } else {
    table = BigInt(Math.floor(regs.cr3 / 4096)) * 4096n & ADDR_MASK;
    first = 4;
  }
  for (let lvl = first; lvl >= 1; lvl--) {
    const shift = BigInt(12 + 9 * (lvl - 1));
    const ea = table + ((la >> shift) & 0x1ffn) * 8n;
    const e = rd64(ea);
    used.push({ addr: ea, hasA: true });
    if (!(e & 1n)) return { fault: ec };
    let rsvd = (lma ? bitRange(51, MAXPHYADDR) : bitRange(62, MAXPHYADDR)) | xdRsvd;
    const ps = has(e, EPS);
    if (lvl === 4) rsvd |= BigInt(EPS);
    if (lvl === 3 && ps) rsvd |= bitRange(29, 13);
    if (lvl === 2 && ps) rsvd |= bitRange(20, 13);
    if (e & rsvd) return { fault: ec | P | R };
    rw &&= has(e, ERW); us &&= has(e, EUS); xd ||= (e >> 63n) === 1n;
    if (lvl === 1 || (ps && lvl <= 3)) {
      leaf = e; pageShift = shift;
      const mask = (1n << shift) - 1n;
      return finish(((e & ADDR_MASK) & ~mask) | (la & mask));
    }
    table = e & ADDR_MASK;
  }
  throw new Error('unreachable');

  function finish(phys: bigint): RefResult {
    let allowed: boolean;
    if (user) allowed = us && (!write || rw) && !(fetch && nxe && paeOn && xd);
    else if (fetch) allowed = !(has(cr4, CR4_SMEP) && us) && !(nxe && paeOn && xd);
    else allowed = !(write && !rw && has(cr0, CR0_WP)) && !(has(cr4, CR4_SMAP) && us && !smapOk);
    if (!allowed) return { fault: ec | P };
    used.forEach((u, i) => {
      if (!u.hasA) return;
      const bits = BigInt(EA | (write && i === used.length - 1 ? ED : 0));
      const v = rd32(u.addr);
      if ((v & bits) !== bits) mem.write32(Number(u.addr), Number(v | bits));
    });
    return {
      frame: Number(phys & ~0xfffn), writable: rw, user: us, nx: paeOn && xd,
      global: has(leaf, EG) && has(cr4, CR4_PGE), pageSize: Number(1n << pageShift),
    };
  }
}

describe('paging: differential fuzz against a BigInt reference walk', () => {
  it('agrees on faults, error codes, translations and A/D writes (30 table sets x 600 walks)', () => {
    const rnd = mulberry32(0xc0ffee);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const FRAMES = 24, SIZE = FRAMES * 4096;
    let successes = 0, faults = 0;
    const ecSeen = new Set<number>();
    for (let set = 0; set < 30; set++) {
      const mA = new MachineMemory(SIZE);
      // Random but meaningful entries: mostly present, pointing at table frames, random rights/flags.
      for (let off = 0; off < SIZE; off += 8) {
        let lo = (Math.floor(rnd() * FRAMES) << 12) | (rnd() < 0.85 ? EP : 0);
        if (rnd() < 0.8) lo |= ERW;
        if (rnd() < 0.8) lo |= EUS;
        if (rnd() < 0.25) lo |= EPS;
        if (rnd() < 0.3) lo |= EA;
        if (rnd() < 0.2) lo |= ED;
        if (rnd() < 0.2) lo |= EG;
        if (rnd() < 0.05) lo |= 1 << (1 + Math.floor(rnd() * 31)); // any stray bit, reserved or not
        let hi = 0;
        if (rnd() < 0.3) hi |= XD;
        if (rnd() < 0.05) hi |= 1 << Math.floor(rnd() * 31);
        if (rnd() < 0.2) hi |= Math.floor(rnd() * 256); // address bits 39:32 (pages may be above memory)
        mA.write64(off, lo >>> 0, hi >>> 0);
      }
      const mB = new MachineMemory(SIZE);
      mB.bytes.set(mA.bytes);
      for (let n = 0; n < 600; n++) {
        const mode = pick(['long4', 'pae', '32bit'] as const);
        const regs = makeRegs(mode, mode === 'pae' ? Math.floor(rnd() * SIZE / 32) * 32 : Math.floor(rnd() * FRAMES) * 4096,
          { wp: rnd() < 0.5, nxe: rnd() < 0.6, smep: rnd() < 0.2, smap: rnd() < 0.2, pge: rnd() < 0.5, pse: rnd() < 0.6 });
        const lin = mode === 'long4' ? Math.floor(rnd() * 2 ** 48) - 2 ** 47 : Math.floor(rnd() * TWO32);
        const acc = pick([ACC_READ, ACC_WRITE, ACC_EXEC]);
        const user = rnd() < 0.5, smapOk = rnd() < 0.2;
        let got: RefResult;
        try {
          got = walk(mA, regs, lin, acc, user, smapOk);
        } catch (e) {
          assert.ok(e instanceof CpuFault);
          assert.strictEqual(e.cr2, lin);
          got = { fault: e.errorCode };
        }
        const want = refWalk(mB, regs, lin, acc, user, smapOk);
        const ctx = `set ${set} n ${n} ${mode} lin=${lin.toString(16)} acc=${acc} user=${user} regs=${JSON.stringify(regs)}`;
        assert.deepStrictEqual(got, want, ctx);
        if ('fault' in want) { faults++; ecSeen.add(want.fault); } else successes++;
        if (n % 50 === 0) assert.ok(Buffer.compare(Buffer.from(mA.bytes), Buffer.from(mB.bytes)) === 0, ctx);
        // probe agrees with walk on the mapping whenever walk succeeds.
        if (!('fault' in got)) {
          const pr = probe(mA, regs, lin);
          assert.deepStrictEqual(pr.translation, got as Translation, ctx);
        }
      }
      assert.ok(Buffer.compare(Buffer.from(mA.bytes), Buffer.from(mB.bytes)) === 0, `A/D mismatch in set ${set}`);
    }
    assert.ok(successes > 1000 && faults > 1000, `successes=${successes} faults=${faults}`);
    for (const ec of [0, W, U, W | U, I, P, P | W, P | U, P | W | U, P | I, P | U | I, P | R, P | R | W, P | R | U | I]) {
      assert.ok(ecSeen.has(ec), `error code 0x${ec.toString(16)} never exercised`);
    }
  });
});
