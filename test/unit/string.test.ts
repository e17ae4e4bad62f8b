// Unit tests for the string instructions: every size, rep/repe/repne, DF, address-size widths and wraps,
// overlap semantics of the fast path, faults in the middle (segment limit and #PF), resumption of long reps.
import * as assert from 'assert';
import { Insn } from '../../src/cpu/decoder/insn';
import { stringHandlers } from '../../src/cpu/exec/string';
import { MAX_ITER } from '../../src/cpu/exec/string-fast';
import { CpuFault, GP, PF } from '../../src/cpu/fault';
import { setFlags, getZF, getCF, getFlags, F_DF, F_ARITH, F_ZF } from '../../src/cpu/flags';
import { RAX, RCX, RSI, RDI, DS, ES, FS } from '../../src/cpu/state';
import { CR0_PG } from '../../src/cpu/mmu/paging';
import { makeMachine, TestMachine } from './helpers/machine';

function mk(code: string, f: Partial<Insn> = {}): Insn {
  const h = stringHandlers[code];
  assert.ok(h, `no handler for ${code}`);
  const i = new Insn(h, code);
  i.len = 2;
  Object.assign(i, f);
  return i;
}
function exec(m: TestMachine, i: Insn): CpuFault | null {
  const c = m.cpu;
  c.insnRip = c.rip;
  c.rip = c.mode === 64 ? c.rip + i.len : (c.rip + i.len) >>> 0;
  try { i.exec(c, i); return null; } catch (e) {
    c.rip = c.insnRip;
    if (e instanceof CpuFault) return e;
    throw e;
  }
}
/** Execute until the instruction stops re-executing itself (or faults); returns the fault and call count. */
function execAll(m: TestMachine, i: Insn, maxCalls = 1000): { fault: CpuFault | null; calls: number } {
  const start = m.cpu.rip;
  for (let calls = 1; calls <= maxCalls; calls++) {
    m.cpu.rip = start;
    const fault = exec(m, i);
    if (fault || m.cpu.rip !== start) return { fault, calls };
  }
  throw new Error('rep did not finish');
}
const hex = (m: TestMachine, r: number): string => {
  const c = m.cpu; return (c.regs[2 * r + 1] >>> 0).toString(16).padStart(8, '0') + (c.regs[2 * r] >>> 0).toString(16).padStart(8, '0');
};
const reg = (m: TestMachine, r: number): number => m.cpu.regs[2 * r] >>> 0;
const M64 = { mode: 64, asize: 64 };
const M32 = { mode: 32, asize: 32 };
function setDF(m: TestMachine, on: boolean): void {
  m.cpu.flagsBits = on ? m.cpu.flagsBits | F_DF : m.cpu.flagsBits & ~F_DF;
}
function pattern(m: TestMachine, addr: number, len: number, seed = 1): void {
  for (let k = 0; k < len; k++) m.mem.bytes[addr + k] = (k * 7 + seed) & 0xff;
}
/** Reference: element-wise forward/backward movs on a plain byte array. */
function refMovs(bytes: Uint8Array, src: number, dst: number, n: number, count: number, step: number): void {
  for (let k = 0; k < count; k++) {
    const tmp = bytes.slice(src + k * step, src + k * step + n);
    bytes.set(tmp, dst + k * step);
  }
}

describe('string: single (no rep)', () => {
  it('movs/stos/lods/cmps/scas at every size advance rSI/rDI by the size, DF=0 and DF=1', () => {
    const m = makeMachine(64), c = m.cpu;
    pattern(m, 0x1000, 64);
    for (const [sfx, n] of [['b', 1], ['w', 2], ['d', 4], ['q', 8]] as [string, number][]) {
      for (const df of [false, true]) {
        setDF(m, df);
        const step = df ? -n : n;
        c.setReg64(RSI, 0x1010, 0); c.setReg64(RDI, 0x2010, 0);
        const movs = { b: 'Movsb_m8_m8', w: 'Movsw_m16_m16', d: 'Movsd_m32_m32', q: 'Movsq_m64_m64' }[sfx]!;
        exec(m, mk(movs, M64));
        assert.deepStrictEqual(m.mem.bytes.slice(0x2010, 0x2010 + n), m.mem.bytes.slice(0x1010, 0x1010 + n));
        assert.strictEqual(reg(m, RSI), 0x1010 + step);
        assert.strictEqual(reg(m, RDI), 0x2010 + step);
        const lods = { b: 'Lodsb_AL_m8', w: 'Lodsw_AX_m16', d: 'Lodsd_EAX_m32', q: 'Lodsq_RAX_m64' }[sfx]!;
        c.setReg64(RAX, -1, -1); c.setReg64(RSI, 0x1000, 0);
        exec(m, mk(lods, M64));
        const expectLo = n === 1 ? 0xffffff01 : n === 2 ? 0xffff0801 : 0x160f0801;
        assert.strictEqual(reg(m, RAX), expectLo >>> 0, lods);
        assert.strictEqual(c.regs[1] >>> 0, n === 8 ? 0x322b241d : n === 4 ? 0 : 0xffffffff, lods + ' upper half');
        assert.strictEqual(reg(m, RSI), 0x1000 + step);
        const stos = { b: 'Stosb_m8_AL', w: 'Stosw_m16_AX', d: 'Stosd_m32_EAX', q: 'Stosq_m64_RAX' }[sfx]!;
        c.setReg64(RDI, 0x3000, 0);
        exec(m, mk(stos, M64));
        assert.deepStrictEqual(m.mem.bytes.slice(0x3000, 0x3000 + n), m.mem.bytes.slice(0x1000, 0x1000 + n));
        assert.strictEqual(reg(m, RDI), 0x3000 + step);
        const scas = { b: 'Scasb_AL_m8', w: 'Scasw_AX_m16', d: 'Scasd_EAX_m32', q: 'Scasq_RAX_m64' }[sfx]!;
        c.setReg64(RDI, 0x3000, 0);
        exec(m, mk(scas, M64));
        assert.ok(getZF(c), scas);
        assert.strictEqual(reg(m, RDI), 0x3000 + step);
        const cmps = { b: 'Cmpsb_m8_m8', w: 'Cmpsw_m16_m16', d: 'Cmpsd_m32_m32', q: 'Cmpsq_m64_m64' }[sfx]!;
        c.setReg64(RSI, 0x1001, 0); c.setReg64(RDI, 0x1000, 0);
        exec(m, mk(cmps, M64));
        assert.ok(!getZF(c), cmps);
        assert.ok(!getCF(c), `${cmps}: [rsi] (0x..08) > [rdi] (0x..01)`);
        assert.strictEqual(reg(m, RSI), 0x1001 + step);
        assert.strictEqual(reg(m, RDI), 0x1000 + step);
      }
    }
  });

  it('the source segment override applies to rSI only; ES is always the destination', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setSegmentBase64(FS, 0x10000, 0);
    m.mem.write32(0x10100, 0x11223344);
    c.setReg64(RSI, 0x100, 0); c.setReg64(RDI, 0x200, 0);
    exec(m, mk('Movsd_m32_m32', { ...M64, seg: FS }));
    assert.strictEqual(m.mem.read32(0x200), 0x11223344);
    const m32 = makeMachine(32), c32 = m32.cpu;
    c32.setSegment(ES, 0x20, 0x30000, 0xfffff, 0x4093);
    c32.setSegment(FS, 0x28, 0x40000, 0xfffff, 0x4093);
    m32.mem.write32(0x40010, 0xabcdef01);
    c32.setReg32(RSI, 0x10); c32.setReg32(RDI, 0x20);
    exec(m32, mk('Movsd_m32_m32', { ...M32, seg: FS }));
    assert.strictEqual(m32.mem.read32(0x30020), 0xabcdef01);
    c32.setReg32(RDI, 0x20); c32.setReg32(RAX, 0xabcdef01);
    exec(m32, mk('Scasd_EAX_m32', { ...M32, seg: FS }));
    assert.ok(getZF(c32), 'scas reads ES:edi even with an override');
  });

  it('non-canonical rSI in 64-bit mode -> #GP with nothing changed', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RSI, 0, 0x00010000); c.setReg64(RDI, 0x100, 0);
    const f = exec(m, mk('Movsb_m8_m8', M64));
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(hex(m, RSI), '0001000000000000');
    assert.strictEqual(reg(m, RDI), 0x100);
  });
});

describe('string: rep movs/stos', () => {
  it('rep movsb across several pages matches a byte copy; registers end past the block', () => {
    const m = makeMachine(64), c = m.cpu;
    pattern(m, 0x10123, 10000);
    c.setReg64(RSI, 0x10123, 0); c.setReg64(RDI, 0x20456, 0); c.setReg64(RCX, 10000, 0);
    const i = mk('Movsb_m8_m8', { ...M64, rep: 1 });
    const run = execAll(m, i);
    assert.strictEqual(run.fault, null);
    assert.ok(run.calls > 1, 'a 10000-byte copy is split into bounded chunks');
    assert.deepStrictEqual(m.mem.bytes.slice(0x20456, 0x20456 + 10000), m.mem.bytes.slice(0x10123, 0x10123 + 10000));
    assert.strictEqual(reg(m, RCX), 0);
    assert.strictEqual(reg(m, RSI), 0x10123 + 10000);
    assert.strictEqual(reg(m, RDI), 0x20456 + 10000);
    assert.strictEqual(c.rip, 2, 'finished: RIP at the next instruction');
  });

  for (const [name, n] of [['Movsb_m8_m8', 1], ['Movsw_m16_m16', 2], ['Movsd_m32_m32', 4], ['Movsq_m64_m64', 8]] as [string, number][]) {
    it(`${name}: overlapping forward/backward copies behave element by element`, () => {
      for (const dist of [-9, -1, 1, 2, 3, 4, 5, 8, 12, 64, 3000, 5000]) {
        for (const df of [false, true]) {
          const m = makeMachine(64), c = m.cpu;
          const src = 0x8ff0, dst = src + dist, count = Math.floor(6000 / n);
          const srcStart = df ? src + (count - 1) * n : src, dstStart = df ? dst + (count - 1) * n : dst;
          pattern(m, 0x7000, 0x6000, dist & 0xff);
          const ref = m.mem.bytes.slice();
          refMovs(ref, srcStart, dstStart, n, count, df ? -n : n);
          setDF(m, df);
          c.setReg64(RSI, srcStart, 0); c.setReg64(RDI, dstStart, 0); c.setReg64(RCX, count, 0);
          assert.strictEqual(execAll(m, mk(name, { ...M64, rep: 1 })).fault, null);
          assert.ok(Buffer.from(m.mem.bytes.subarray(0x6000, 0x10000)).equals(Buffer.from(ref.subarray(0x6000, 0x10000))), `dist ${dist} df ${df}`);
          assert.strictEqual(reg(m, RSI), srcStart + (df ? -n : n) * count);
          assert.strictEqual(reg(m, RDI), dstStart + (df ? -n : n) * count);
        }
      }
    });
  }

  it('rep stos fills at every size, forwards and backwards', () => {
    for (const [name, n] of [['Stosb_m8_AL', 1], ['Stosw_m16_AX', 2], ['Stosd_m32_EAX', 4], ['Stosq_m64_RAX', 8]] as [string, number][]) {
      for (const df of [false, true]) {
        const m = makeMachine(64), c = m.cpu;
        c.setReg64(RAX, 0x44332211, 0x88776655);
        const count = 3001, start = 0x5003;
        setDF(m, df);
        c.setReg64(RDI, df ? start + (count - 1) * n : start, 0); c.setReg64(RCX, count, 0);
        exec(m, mk(name, { ...M64, rep: 1 }));
        const value = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
        for (let k = 0; k < count * n; k++) assert.strictEqual(m.mem.bytes[start + k], value[k % n], `${name} df ${df} byte ${k}`);
        assert.strictEqual(m.mem.bytes[start - 1], 0);
        assert.strictEqual(m.mem.bytes[start + count * n], 0);
        assert.strictEqual(reg(m, RDI), df ? start - n : start + count * n);
        assert.strictEqual(reg(m, RCX), 0);
      }
    }
  });

  it('rep with rCX = 0 does nothing (flags untouched for cmps/scas) and falls through', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RSI, 0x1000, 0); c.setReg64(RDI, 0x2000, 0); c.setReg64(RCX, 0, 1);
    setFlags(c, F_ZF, F_ARITH);
    for (const name of Object.keys(stringHandlers)) {
      c.rip = 0x500;
      assert.strictEqual(exec(m, mk(name, { ...M64, asize: 32, rep: 1 })), null);
      assert.strictEqual(c.rip, 0x502, name);
      assert.strictEqual(hex(m, RCX), '0000000100000000', 'ECX = 0: nothing written');
      assert.strictEqual(reg(m, RSI), 0x1000);
      assert.strictEqual(reg(m, RDI), 0x2000);
      assert.strictEqual(getFlags(c) & F_ARITH, F_ZF);
    }
    assert.strictEqual(m.mem.read32(0x2000), 0);
  });

  it('a long rep resumes itself: at most MAX_ITER elements per call, then RIP stays on the instruction', () => {
    const m = makeMachine(64, { memBytes: 8 * 1024 * 1024 }), c = m.cpu;
    const count = 3 * MAX_ITER + 5;
    c.setReg64(RAX, 0x5a, 0); c.setReg64(RDI, 0x100000, 0); c.setReg64(RCX, count, 0);
    c.rip = 0x1000;
    const i = mk('Stosb_m8_AL', { ...M64, rep: 1 });
    exec(m, i);
    assert.strictEqual(c.rip, 0x1000);
    assert.strictEqual(reg(m, RCX), count - MAX_ITER);
    assert.strictEqual(reg(m, RDI), 0x100000 + MAX_ITER);
    const { fault, calls } = execAll(m, i);
    assert.strictEqual(fault, null);
    assert.strictEqual(calls, 3);
    assert.strictEqual(c.rip, 0x1002);
    assert.strictEqual(reg(m, RCX), 0);
    assert.strictEqual(m.mem.bytes[0x100000 + count - 1], 0x5a);
    assert.strictEqual(m.mem.bytes[0x100000 + count], 0);
  });

  it('rCX >= 2^32 (64-bit address size) decrements across the halves without hanging', () => {
    const m = makeMachine(64), c = m.cpu;
    c.setReg64(RCX, 0x10, 1); c.setReg64(RDI, 0x100000, 0); c.setReg64(RAX, 0, 0);
    c.rip = 0x1000;
    exec(m, mk('Stosb_m8_AL', { ...M64, rep: 1 }));
    assert.strictEqual(c.rip, 0x1000);
    assert.strictEqual(hex(m, RCX), (0x100000010 - MAX_ITER).toString(16).padStart(16, '0'));
  });

  it('32-bit address size in 64-bit mode: ESI/EDI/ECX wrap at 4 GiB and zero-extend', () => {
    const m = makeMachine(64), c = m.cpu;
    pattern(m, 0x3000, 16);
    c.setReg64(RSI, 0x3000, 0x7); c.setReg64(RDI, 0x4000, 0x9); c.setReg64(RCX, 16, 0x5);
    exec(m, mk('Movsb_m8_m8', { ...M64, asize: 32, rep: 1 }));
    assert.deepStrictEqual(m.mem.bytes.slice(0x4000, 0x4010), m.mem.bytes.slice(0x3000, 0x3010));
    assert.strictEqual(hex(m, RSI), '0000000000003010');
    assert.strictEqual(hex(m, RDI), '0000000000004010');
    assert.strictEqual(hex(m, RCX), '0000000000000000');
  });

  it('16-bit address size: SI/DI/CX wrap within 16 bits and keep the upper bits', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(DS, 0x20, 0x10000, 0xffff, 0x4093);
    c.setSegment(ES, 0x28, 0x30000, 0xffff, 0x4093);
    pattern(m, 0x10000, 0x10000);
    c.setReg32(RSI, 0xabcdfffe); c.setReg32(RDI, 0x1234fffc); c.setReg32(RCX, 0x77770006);
    exec(m, mk('Movsb_m8_m8', { ...M32, asize: 16, rep: 1 }));
    const got = Array.from(m.mem.bytes.slice(0x3fffc, 0x40000)).concat(Array.from(m.mem.bytes.slice(0x30000, 0x30002)));
    const want = [0x1fffe, 0x1ffff, 0x10000, 0x10001, 0x10002, 0x10003].map((a) => m.mem.bytes[a]);
    assert.deepStrictEqual(got, want);
    assert.strictEqual(reg(m, RSI), 0xabcd0004);
    assert.strictEqual(reg(m, RDI), 0x12340002);
    assert.strictEqual(reg(m, RCX), 0x77770000);
  });
});

describe('string: 16-bit wrap going down', () => {
  it('DF=1 with a 16-bit address size wraps SI/DI below zero to 0xffff', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(DS, 0x20, 0x10000, 0xffff, 0x4093);
    c.setSegment(ES, 0x28, 0x30000, 0xffff, 0x4093);
    pattern(m, 0x10000, 0x10000);
    setDF(m, true);
    c.setReg32(RSI, 0x00050001); c.setReg32(RDI, 0x00060002); c.setReg32(RCX, 0x00070004);
    exec(m, mk('Movsb_m8_m8', { ...M32, asize: 16, rep: 1 }));
    const at = (a: number): number => m.mem.bytes[a];
    assert.deepStrictEqual([at(0x30002), at(0x30001), at(0x30000), at(0x3ffff)], [at(0x10001), at(0x10000), at(0x1ffff), at(0x1fffe)]);
    assert.strictEqual(reg(m, RSI), 0x0005fffd);
    assert.strictEqual(reg(m, RDI), 0x0006fffe);
    assert.strictEqual(reg(m, RCX), 0x00070000);
  });
});

describe('string: faults in the middle', () => {
  it('rep stosd running into the ES limit: completed elements stay, rCX/rDI describe the rest', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(ES, 0x28, 0x40000, 0x0fff, 0x4093);
    c.setReg32(RDI, 0xf00); c.setReg32(RCX, 100); c.setReg32(RAX, 0xdeadbeef);
    c.rip = 0x1000;
    const i = mk('Stosd_m32_EAX', { ...M32, rep: 1 });
    const f = exec(m, i);
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(c.rip, 0x1000);
    assert.strictEqual(reg(m, RCX), 100 - 64);
    assert.strictEqual(reg(m, RDI), 0x1000);
    assert.strictEqual(m.mem.read32(0x40ffc), 0xdeadbeef);
    assert.strictEqual(m.mem.read32(0x41000), 0);
  });

  it('rep movsb with a source segment limit in the middle', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(DS, 0x20, 0x10000, 0x17ff, 0x4093);
    pattern(m, 0x11000, 0x800);
    c.setReg32(RSI, 0x1000); c.setReg32(RDI, 0x50000); c.setReg32(RCX, 0x1000);
    const f = execAll(m, mk('Movsb_m8_m8', { ...M32, rep: 1 })).fault;
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(reg(m, RSI), 0x1800);
    assert.strictEqual(reg(m, RDI), 0x50800);
    assert.strictEqual(reg(m, RCX), 0x800);
    assert.deepStrictEqual(m.mem.bytes.slice(0x50000, 0x50800), m.mem.bytes.slice(0x11000, 0x11800));
    assert.strictEqual(m.mem.bytes[0x50800], 0);
  });

  it('#PF on a not-present page in the middle (64-bit paging): partial progress, CR2-style address', () => {
    const m = makeMachine(64), c = m.cpu;
    // 4-level tables identity-mapping the first 2 MiB, with page 0x25000 not present.
    const pml4 = 0x300000, pdpt = 0x301000, pd = 0x302000, pt = 0x303000;
    m.mem.write32(pml4, pdpt | 7); m.mem.write32(pdpt, pd | 7); m.mem.write32(pd, pt | 7);
    for (let k = 0; k < 512; k++) if (k !== 0x25) m.mem.write32(pt + 8 * k, (k * 4096) | 7);
    c.cr3 = pml4; c.cr0 |= CR0_PG; c.flushTlb();
    pattern(m, 0x10000, 0x3000);
    c.setReg64(RSI, 0x10000, 0); c.setReg64(RDI, 0x23800, 0); c.setReg64(RCX, 0x3000 / 4, 0);
    c.rip = 0x1000;
    const f = exec(m, mk('Movsd_m32_m32', { ...M64, rep: 1 }));
    assert.strictEqual(f?.vector, PF);
    assert.strictEqual(f?.cr2, 0x25000);
    assert.strictEqual(reg(m, RDI), 0x25000);
    assert.strictEqual(reg(m, RSI), 0x11800);
    assert.strictEqual(reg(m, RCX), (0x3000 - 0x1800) / 4);
    assert.deepStrictEqual(m.mem.bytes.slice(0x23800, 0x25000), m.mem.bytes.slice(0x10000, 0x11800));
    // Page-crossing element with the far page missing: nothing of the element is written.
    c.setReg64(RDI, 0x24ffe, 0); c.setReg64(RCX, 4, 0); c.setReg64(RAX, 0x01020304, 0);
    m.mem.write16(0x24ffe, 0);
    const g = exec(m, mk('Stosd_m32_EAX', { ...M64, rep: 1 }));
    assert.strictEqual(g?.vector, PF);
    assert.strictEqual(m.mem.read16(0x24ffe), 0);
    assert.strictEqual(reg(m, RCX), 4);
  });

  it('DF=1: rep stosb walking below offset 0 wraps EDI and faults at the ES limit', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setSegment(ES, 0x28, 0x40000, 0x0fff, 0x4093);
    setDF(m, true);
    c.setReg32(RDI, 0x10); c.setReg32(RCX, 0x20); c.setReg32(RAX, 0xab);
    const f = exec(m, mk('Stosb_m8_AL', { ...M32, rep: 1 }));
    assert.strictEqual(f?.vector, GP);
    assert.strictEqual(reg(m, RCX), 0x20 - 17);
    assert.strictEqual(reg(m, RDI), 0xffffffff);
    for (let k = 0; k <= 0x10; k++) assert.strictEqual(m.mem.bytes[0x40000 + k], 0xab);
    assert.strictEqual(m.mem.bytes[0x40011], 0);
  });

  it('DF=1: rep movsd descending into a not-present page faults with the remaining work described', () => {
    const m = makeMachine(64), c = m.cpu;
    const pml4 = 0x300000, pdpt = 0x301000, pd = 0x302000, pt = 0x303000;
    m.mem.write32(pml4, pdpt | 7); m.mem.write32(pdpt, pd | 7); m.mem.write32(pd, pt | 7);
    for (let k = 0; k < 512; k++) if (k !== 0x25) m.mem.write32(pt + 8 * k, (k * 4096) | 7);
    c.cr3 = pml4; c.cr0 |= CR0_PG; c.flushTlb();
    pattern(m, 0x10000, 0x2000);
    setDF(m, true);
    c.setReg64(RSI, 0x11800, 0); c.setReg64(RDI, 0x26800, 0); c.setReg64(RCX, 1000, 0);
    const f = exec(m, mk('Movsd_m32_m32', { ...M64, rep: 1 }));
    assert.strictEqual(f?.vector, PF);
    assert.strictEqual(f?.cr2, 0x25ffc);
    assert.strictEqual(reg(m, RCX), 1000 - 513);
    assert.strictEqual(reg(m, RDI), 0x25ffc);
    assert.strictEqual(reg(m, RSI), 0x11800 - 513 * 4);
    assert.deepStrictEqual(m.mem.bytes.slice(0x26000, 0x26804), m.mem.bytes.slice(0x11000, 0x11804));
  });

  it('rep stos over decoded code invalidates the decode cache for that frame', () => {
    const m = makeMachine(64), c = m.cpu;
    const frame = 0x40;
    const dummy = mk('Stosb_m8_AL', M64);
    const page = new Array<Insn>(4096); page[0x10] = dummy;
    c.codeCache[frame] = page;
    const cover = new Uint8Array(4096); cover.fill(1, 0x10, 0x12);
    c.codeBytes[frame] = cover;
    m.mem.codeFrames[frame] = 1;
    c.setReg64(RDI, frame * 4096 + 0x100, 0); c.setReg64(RCX, 0x100, 0); c.setReg64(RAX, 0x90, 0);
    exec(m, mk('Stosb_m8_AL', { ...M64, rep: 1 }));
    assert.strictEqual(c.codeCache[frame], page, 'bytes outside the decoded instructions keep the cache');
    c.setReg64(RDI, frame * 4096, 0); c.setReg64(RCX, 0x100, 0);
    exec(m, mk('Stosb_m8_AL', { ...M64, rep: 1 }));
    assert.strictEqual(c.codeCache[frame], undefined);
    assert.strictEqual(m.mem.codeFrames[frame], 0);
    assert.strictEqual(m.mem.bytes[frame * 4096 + 0x10], 0x90);
  });
});

describe('string: repe/repne cmps and scas, rep lods', () => {
  it('repe cmpsb stops after the first mismatch with flags of that compare', () => {
    const m = makeMachine(64), c = m.cpu;
    const a = Buffer.from('hello world, hello'), b = Buffer.from('hello wOrld, hello');
    m.mem.bytes.set(a, 0x1000); m.mem.bytes.set(b, 0x2000);
    c.setReg64(RSI, 0x1000, 0); c.setReg64(RDI, 0x2000, 0); c.setReg64(RCX, a.length, 0);
    c.rip = 0x100;
    exec(m, mk('Cmpsb_m8_m8', { ...M64, rep: 1 }));
    assert.strictEqual(c.rip, 0x102);
    assert.strictEqual(reg(m, RCX), a.length - 8);
    assert.strictEqual(reg(m, RSI), 0x1008);
    assert.strictEqual(reg(m, RDI), 0x2008);
    assert.ok(!getZF(c));
    assert.ok(!getCF(c), "'o' > 'O'");
    // equal buffers: runs to rCX = 0 with ZF=1
    c.setReg64(RSI, 0x1000, 0); c.setReg64(RDI, 0x1000, 0); c.setReg64(RCX, 5, 0);
    exec(m, mk('Cmpsw_m16_m16', { ...M64, rep: 1 }));
    assert.ok(getZF(c));
    assert.strictEqual(reg(m, RCX), 0);
    assert.strictEqual(reg(m, RSI), 0x100a);
  });

  it('repne scasb finds a byte (strlen idiom); repe scasd skips a run', () => {
    const m = makeMachine(32), c = m.cpu;
    m.mem.bytes.set(Buffer.from('abcdef\0'), 0x3000);
    c.setReg32(RDI, 0x3000); c.setReg32(RCX, 0xffffffff); c.setReg32(RAX, 0);
    exec(m, mk('Scasb_AL_m8', { ...M32, rep: 2 }));
    assert.ok(getZF(c));
    assert.strictEqual(reg(m, RCX), 0xffffffff - 7);
    assert.strictEqual(reg(m, RDI), 0x3007);
    for (let k = 0; k < 4; k++) m.mem.write32(0x4000 + 4 * k, k < 3 ? 0x55 : 0x66);
    c.setReg32(RDI, 0x4000); c.setReg32(RCX, 10); c.setReg32(RAX, 0x55);
    exec(m, mk('Scasd_EAX_m32', { ...M32, rep: 1 }));
    assert.ok(!getZF(c));
    assert.strictEqual(reg(m, RDI), 0x4010);
    assert.strictEqual(reg(m, RCX), 6);
    c.setReg32(RDI, 0x4000); c.setReg32(RCX, 10); c.setReg32(RAX, 0x66);
    exec(m, mk('Scasw_AX_m16', { ...M32, rep: 2 }));
    assert.strictEqual(reg(m, RCX), 10 - 7, 'words 0x55,0,0x55,0,0x55,0,0x66');
  });

  it('repne cmpsq and scasq in 64-bit mode compare whole quadwords', () => {
    const m = makeMachine(64), c = m.cpu;
    m.mem.write32(0x1000, 1); m.mem.write32(0x1004, 2); m.mem.write32(0x1008, 3); m.mem.write32(0x100c, 4);
    m.mem.write32(0x2000, 1); m.mem.write32(0x2004, 9); m.mem.write32(0x2008, 3); m.mem.write32(0x200c, 4);
    c.setReg64(RSI, 0x1000, 0); c.setReg64(RDI, 0x2000, 0); c.setReg64(RCX, 4, 0);
    exec(m, mk('Cmpsq_m64_m64', { ...M64, rep: 2 }));
    assert.strictEqual(reg(m, RCX), 2, 'stopped on the equal second quadword');
    assert.ok(getZF(c));
    c.setReg64(RAX, 3, 4); c.setReg64(RDI, 0x2000, 0); c.setReg64(RCX, 4, 0);
    exec(m, mk('Scasq_RAX_m64', { ...M64, rep: 2 }));
    assert.strictEqual(reg(m, RDI), 0x2010);
    assert.ok(getZF(c));
  });

  it('rep lods leaves the last element in the accumulator', () => {
    const m = makeMachine(64), c = m.cpu;
    pattern(m, 0x1000, 64);
    c.setReg64(RSI, 0x1000, 0); c.setReg64(RCX, 5, 0); c.setReg64(RAX, -1, -1);
    exec(m, mk('Lodsw_AX_m16', { ...M64, rep: 1 }));
    assert.strictEqual(hex(m, RAX), 'ffffffffffff' + m.mem.read16(0x1008).toString(16).padStart(4, '0'));
    assert.strictEqual(reg(m, RSI), 0x100a);
    c.setReg64(RSI, 0x1000, 0); c.setReg64(RCX, 3, 0);
    exec(m, mk('Lodsq_RAX_m64', { ...M64, rep: 2 }));
    assert.strictEqual(reg(m, RAX), m.mem.read32(0x1010));
    c.setReg64(RSI, 0x1000, 0); c.setReg64(RCX, 3, 0);
    exec(m, mk('Lodsd_EAX_m32', { ...M64, rep: 1 }));
    assert.strictEqual(hex(m, RAX), '00000000' + m.mem.read32(0x1008).toString(16).padStart(8, '0'));
    exec(m, mk('Lodsb_AL_m8', { ...M64, rep: 1 })); // rcx = 0 now
    assert.strictEqual(reg(m, RSI), 0x100c);
  });
});

describe('string: inside the step loop', () => {
  it('a long rep re-executes through the runner until done, counting one instruction per call', () => {
    const m = makeMachine(64, { memBytes: 8 * 1024 * 1024 }), c = m.cpu;
    // Pre-seed the decode cache: rep stosb at 0x1000 (isBranch as the decoder marks rep string ops), then a marker.
    const rep = mk('Stosb_m8_AL', { ...M64, rep: 1, len: 2, pa: 0x1000, isBranch: true });
    const stop = new Insn((cpu) => cpu.requestStop('marker'), 'Marker');
    stop.len = 1; stop.mode = 64; stop.pa = 0x1002;
    const page = new Array<Insn>(4096); page[0] = rep; page[2] = stop;
    c.codeCache[1] = page;
    rep.next = stop; // a stale straight-line link must not skip the re-execution
    const count = 2 * MAX_ITER + 100;
    c.setReg64(RAX, 0xcc, 0); c.setReg64(RDI, 0x200000, 0); c.setReg64(RCX, count, 0);
    c.rip = 0x1000;
    assert.strictEqual(c.run(1), 'budget');
    assert.strictEqual(c.rip, 0x1000);
    assert.strictEqual(reg(m, RCX), count - MAX_ITER);
    assert.strictEqual(c.run(100), 'marker');
    assert.strictEqual(reg(m, RCX), 0);
    assert.strictEqual(c.rip, 0x1003);
    assert.strictEqual(c.icount, 4);
    assert.strictEqual(m.mem.bytes[0x200000 + count - 1], 0xcc);
  });
});

describe('string: single-stepping', () => {
  it('with TF set a rep performs one iteration per execution', () => {
    const m = makeMachine(64), c = m.cpu;
    c.flagsBits |= 1 << 8; // TF
    c.setReg64(RDI, 0x1000, 0); c.setReg64(RCX, 3, 0); c.setReg64(RAX, 7, 0);
    c.rip = 0x500;
    exec(m, mk('Stosb_m8_AL', { ...M64, rep: 1 }));
    assert.strictEqual(c.rip, 0x500);
    assert.strictEqual(reg(m, RCX), 2);
    assert.strictEqual(reg(m, RDI), 0x1001);
  });
});
