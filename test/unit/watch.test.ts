// CPU data watchpoints (src/cpu/watch.ts): read / write / readWrite hits reported after the instruction, rep string
// instructions stopping after the iteration that hit, page-crossing accesses, TLB entries filled before a watch was
// set, machine-address watches on hypervisor writes (MachineMemory), removal, many watches, paging on and off.

import * as assert from 'assert';
import { assemble } from '../../src/asm';
import { parseElf } from '../../src/common/elf';
import { loadBare, BareMachine } from '../../src/debug/bare-machine';
import { WatchSet, WatchHit, LinearWatch, WATCH_READ, WATCH_WRITE, WATCH_READ_WRITE } from '../../src/cpu/watch';
import { RAX, RCX, RDI, RSI } from '../../src/cpu/state';
import { CR0_PG } from '../../src/cpu/mmu/paging';
import { createDomainFromElf } from '../../src/xen';
import { buildGuest, guestSymbol } from '../guests/build';
import { probe } from '../../src/cpu/mmu/paging';
import { DataBreakpoints, resolveDataTarget } from '../../src/debug/watchpoints';

const MEM = 4 * 1024 * 1024;

interface Prog { m: BareMachine; sym: (name: string) => number; ws: WatchSet; }

/** Assemble a bare program (paging off, CPL0) at 0x1000 and load it with a watch set attached. */
function prog(body: string, bits: 32 | 64 = 64): Prog {
  const src = `${bits === 64 ? '.code64' : '.code32'}\n.text\n.globl _start\n_start:\n${body}\n`;
  const r = assemble(src, { fileName: 't.s', bits, base: 0x1000 });
  assert.ok(r.ok && r.elf, r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  const m = loadBare(parseElf(r.elf), MEM, () => undefined);
  const ws = new WatchSet(m.mem, [m.cpu]);
  const sym = (name: string): number => {
    const s = r.symbols.find((x) => x.name === name);
    assert.ok(s, `symbol ${name}`);
    return Number(s.value);
  };
  return { m, sym, ws };
}

const watch = (id: number, lin: number, len: number, kind: number): LinearWatch => ({ id, lin, len, kind });
const u64 = (p: Prog, a: number): bigint => BigInt(p.m.mem.read32(a)) | (BigInt(p.m.mem.read32(a + 4)) << 32n);
const le = (b: Uint8Array | undefined): bigint => { let v = 0n; if (b) for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]); return v; };

/** Run until a stop other than the budget; returns the reason. */
function run(p: Prog, budget = 10000): string { return p.m.cpu.run(budget); }
function oneHit(p: Prog): WatchHit {
  const h = p.ws.takeHits();
  assert.strictEqual(h.length, 1, `one hit, got ${JSON.stringify(h.map((x) => ({ id: x.id, access: x.access, lin: x.lin })))}`);
  return h[0];
}

describe('cpu watchpoints: data breakpoints in the CPU', () => {
  it('write watch stops after the store with RIP at the next instruction, value before kept', () => {
    const p = prog(`
      movabs $0x1122334455667788, %rax
      mov %rax, var
after:
      mov %rax, var+8
      hlt
      .balign 8
var:  .quad 5, 0`);
    p.ws.setLinear([watch(7, p.sym('var'), 8, WATCH_WRITE)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('after'));
    const h = oneHit(p);
    assert.deepStrictEqual([h.id, h.access, h.lin, h.size, h.source], [7, 'write', p.sym('var'), 8, 'cpu']);
    assert.strictEqual(le(h.before), 5n);
    assert.strictEqual(u64(p, p.sym('var')), 0x1122334455667788n, 'the store happened');
    assert.strictEqual(run(p), 'halt', 'a store beside the watched bytes on the same page does not stop');
    assert.deepStrictEqual(p.ws.takeHits(), []);
  });

  it('read watch: loads hit, stores do not; readWrite: a read-modify-write reports one write hit', () => {
    const p = prog(`
      movq $3, var
      mov var, %rbx
r1:   addq $1, var
r2:   hlt
      .balign 8
var:  .quad 0`);
    p.ws.setLinear([watch(1, p.sym('var'), 8, WATCH_READ)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('r1'));
    const h = oneHit(p);
    assert.deepStrictEqual([h.access, h.size, le(h.before)], ['read', 8, 3n]);
    p.ws.setLinear([watch(2, p.sym('var'), 8, WATCH_READ_WRITE)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('r2'));
    const h2 = oneHit(p);
    assert.deepStrictEqual([h2.id, h2.access, le(h2.before)], [2, 'write', 3n]);
    assert.strictEqual(u64(p, p.sym('var')), 4n);
  });

  it('instruction fetches are not data accesses; a load of the code bytes is', () => {
    const p = prog(`
      nop
      nop
      mov _start, %al
a:    hlt`);
    p.ws.setLinear([watch(1, p.sym('_start'), 2, WATCH_READ_WRITE)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('a'));
    assert.strictEqual(oneHit(p).access, 'read');
  });

  it('rep movsb stops after the iteration that wrote the watched bytes, RIP on the rep, and resumes', () => {
    const p = prog(`
      cld
      lea src, %rsi
      lea dst, %rdi
      mov $64, %ecx
rep_insn:
      rep movsb
done: hlt
      .balign 64
src:  .fill 64, 1, 0xab
dst:  .fill 64, 1, 0`);
    const dst = p.sym('dst');
    p.ws.setLinear([watch(3, dst + 20, 2, WATCH_WRITE)]);
    assert.strictEqual(run(p), 'watchpoint');
    const c = p.m.cpu;
    assert.strictEqual(c.rip, p.sym('rep_insn'), 'RIP stays on the rep instruction');
    assert.strictEqual(c.regNumber(RCX), 64 - 21);
    assert.strictEqual(c.regNumber(RDI), dst + 21);
    assert.strictEqual(c.regNumber(RSI), p.sym('src') + 21);
    assert.strictEqual(p.m.mem.read8(dst + 20), 0xab);
    assert.strictEqual(p.m.mem.read8(dst + 21), 0, 'the next iteration has not run');
    const h = oneHit(p);
    assert.deepStrictEqual([h.lin, h.size, h.access], [dst + 20, 1, 'write']);
    assert.strictEqual(run(p), 'watchpoint', 'the second watched byte');
    assert.strictEqual(c.regNumber(RCX), 64 - 22);
    assert.strictEqual(oneHit(p).lin, dst + 21);
    assert.strictEqual(run(p), 'halt');
    assert.strictEqual(c.rip, p.sym('done') + 1);
    for (let i = 0; i < 64; i++) assert.strictEqual(p.m.mem.read8(dst + i), 0xab, `byte ${i}`);
  });

  it('rep movsq with a read watch on the source completes the iteration (its store) before stopping', () => {
    const p = prog(`
      cld
      lea src, %rsi
      lea dst, %rdi
      mov $8, %ecx
rep_insn:
      rep movsq
      hlt
      .balign 64
src:  .quad 1, 2, 3, 4, 5, 6, 7, 8
dst:  .fill 64, 1, 0`);
    p.ws.setLinear([watch(4, p.sym('src') + 16, 8, WATCH_READ)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('rep_insn'));
    assert.strictEqual(p.m.cpu.regNumber(RCX), 5);
    assert.strictEqual(u64(p, p.sym('dst') + 16), 3n, 'the store of the iteration that read the watched element');
    assert.strictEqual(u64(p, p.sym('dst') + 24), 0n);
    assert.strictEqual(oneHit(p).access, 'read');
    assert.strictEqual(run(p), 'halt');
    assert.strictEqual(u64(p, p.sym('dst') + 56), 8n);
  });

  it('rep stosl and repe cmpsb stop after the hitting iteration', () => {
    const p = prog(`
      cld
      lea buf, %rdi
      mov $0x5a5a5a5a, %eax
      mov $16, %ecx
s1:   rep stosl
      lea a, %rsi
      lea b, %rdi
      mov $16, %ecx
s2:   repe cmpsb
      hlt
      .balign 64
buf:  .fill 64, 1, 0
a:    .fill 16, 1, 7
b:    .fill 16, 1, 7`);
    p.ws.setLinear([watch(1, p.sym('buf') + 40, 4, WATCH_WRITE), watch(2, p.sym('b') + 9, 1, WATCH_READ)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('s1'));
    assert.strictEqual(p.m.cpu.regNumber(RCX), 16 - 11);
    assert.strictEqual(oneHit(p).id, 1);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('s2'));
    assert.strictEqual(p.m.cpu.regNumber(RCX), 16 - 10, 'cmps stopped after comparing byte 9');
    assert.strictEqual(oneHit(p).id, 2);
    assert.strictEqual(run(p), 'halt');
    assert.strictEqual(p.m.cpu.regNumber(RCX), 0);
  });

  it('page-crossing accesses check both pages (a watch on the second page only)', () => {
    const p = prog(`
      movabs $0x0102030405060708, %rax
      mov %rax, 0x2ffc
a:    mov 0x2ffe, %ebx
b:    hlt`);
    p.ws.setLinear([watch(1, 0x3001, 1, WATCH_READ_WRITE)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('a'));
    const h = oneHit(p);
    assert.deepStrictEqual([h.access, h.lin, h.size], ['write', 0x2ffc, 8]);
    assert.strictEqual(p.m.mem.read8(0x3001), 0x03);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('b'));
    assert.deepStrictEqual([oneHit(p).access], ['read']);
  });

  it('a TLB entry filled before the watch was set does not bypass it; removal restores the fast path', () => {
    const p = prog(`
      mov $100, %ecx
1:    mov %rcx, var
      dec %ecx
      jnz 1b
      hlt
      .balign 4096             # data outside the code page (stores to decoded code pages never get write tags)
var:  .quad 0`);
    const c = p.m.cpu, vpn = Math.floor(p.sym('var') / 4096);
    assert.strictEqual(c.run(10), 'budget');
    assert.strictEqual(c.tagW[vpn & 4095], vpn, 'the store filled a write tag');
    p.ws.setLinear([watch(9, p.sym('var'), 8, WATCH_WRITE)]);
    assert.ok(c.watch === p.ws);
    assert.ok(Number.isNaN(c.tagW[vpn & 4095]), 'setting the watch dropped the write tag');
    assert.strictEqual(run(p), 'watchpoint');
    const left = c.regNumber(RCX);
    assert.strictEqual(oneHit(p).id, 9);
    assert.strictEqual(u64(p, p.sym('var')), BigInt(left), 'stopped right after the store of this iteration');
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(c.regNumber(RCX), left - 1);
    p.ws.takeHits();
    p.ws.setLinear([]);
    assert.strictEqual(c.watch, null);
    assert.strictEqual(run(p), 'halt');
    assert.strictEqual(c.tagW[vpn & 4095], vpn, 'write tags come back once no watch covers the page');
  });

  it('many watches: only the one covering the access reports', () => {
    const p = prog(`
      mov $0x77, %al
      mov %al, 0x100144        # in a read watch (id 6): no hit
      mov %al, 0x100104        # in a write watch (id 5)
a:    hlt`);
    const ws: LinearWatch[] = [];
    for (let i = 0; i < 2000; i++) ws.push(watch(i + 1, 0x100000 + i * 0x40, 0x20, i % 2 ? WATCH_READ : WATCH_WRITE));
    p.ws.setLinear(ws);
    assert.strictEqual(p.ws.size, 2000);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('a'));
    assert.strictEqual(oneHit(p).id, 5);
    assert.strictEqual(p.m.mem.read8(0x100144), 0x77);
  });

  it('32-bit code: write watch on a dword', () => {
    const p = prog(`
      movl $0xdeadbeef, var
a:    hlt
      .balign 4
var:  .long 1`, 32);
    p.ws.setLinear([watch(1, p.sym('var'), 4, WATCH_WRITE)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('a'));
    assert.strictEqual(le(oneHit(p).before), 1n);
  });

  it('paging on: a linear watch follows the linear address, not an alias of the same frame', () => {
    const p = prog(`
      movq $1, 0x400010        # alias of machine 0x200010
a:    movq $2, 0x200010        # the identity mapping of the same frame
b:    hlt`);
    enableIdentityPaging(p, { alias: [0x400000, 0x200000] });
    p.ws.setLinear([watch(1, 0x200010, 8, WATCH_WRITE)]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('b'));
    const h = oneHit(p);
    assert.strictEqual(le(h.before), 1n, 'the alias store happened without a hit');
    assert.strictEqual(p.m.mem.read32(0x200010), 2);
  });
});

describe('cpu watchpoints: machine-address watches (hypervisor writes through MachineMemory)', () => {
  it('writes through MachineMemory hit, with the value before; muted writes do not', () => {
    const p = prog('hlt');
    const { mem } = p.m;
    mem.write64(0x5000, 0x1003, 0);
    p.ws.setLinear([watch(1, 0x8000, 8, WATCH_WRITE)]);
    p.ws.setMachine([{ id: 1, pa: 0x5000, len: 8, off: 0 }]);
    p.ws.context = () => 'hypercall test_op()';
    mem.write8(0x5001, 0x22);
    assert.strictEqual(le(oneHit(p).before), 0x1003n);
    p.ws.muted++;
    mem.write8(0x5001, 0x22);
    p.ws.muted--;
    assert.strictEqual(p.ws.pending, false);
    mem.write8(0x4fff, 1); // beside it
    mem.fill(0x5008, 8, 0xee);
    assert.strictEqual(p.ws.pending, false);
    mem.write64(0x5000, 0x2007, 0);
    const h = oneHit(p);
    assert.deepStrictEqual([h.source, h.access, h.lin, h.size, h.by], ['hypervisor', 'write', 0x8000, 8, 'hypercall test_op()']);
    assert.strictEqual(le(h.before), 0x2203n);
    assert.ok(p.m.cpu.stopRequested && p.m.cpu.stopReason === 'watchpoint');
    p.m.cpu.requestStop('blocked'); // e.g. SCHEDOP_block clearing a watched upcall mask: the hit is reported first
    assert.strictEqual(p.m.cpu.stopReason, 'watchpoint');
    mem.writeBytes(0x4ffc, new Uint8Array(8)); // overlaps the first 4 bytes
    const h2 = oneHit(p);
    assert.deepStrictEqual([h2.lin, h2.size], [0x8000, 4]);
    p.ws.setMachine([]);
    assert.strictEqual(mem.watchFrames, null);
    mem.write64(0x5000, 1, 0);
    assert.strictEqual(p.ws.pending, false);
  });

  it('the CPU page walker setting Accessed/Dirty in a watched PTE is not a hit; a store into the PTE frame is', () => {
    const p = prog(`
      movq $1, 0x200010        # first access through PT1 entry 0 sets its A and D bits
      movq $2, 0x13000         # a store to page-table entry 0 of PT0 (identity-mapped)
a:    hlt`);
    enableIdentityPaging(p);
    const pte = 0x14000; // PT1 entry 0 maps 0x200000
    p.ws.setLinear([watch(1, pte, 8, WATCH_WRITE), watch(2, 0x13000, 8, WATCH_WRITE)]);
    p.ws.setMachine([{ id: 1, pa: pte, len: 8, off: 0 }, { id: 2, pa: 0x13000, len: 8, off: 0 }]);
    assert.strictEqual(run(p), 'watchpoint');
    assert.strictEqual(p.m.cpu.rip, p.sym('a'));
    assert.strictEqual(p.m.mem.read32(pte) & 0x60, 0x60, 'the walk set A and D');
    const h = oneHit(p);
    assert.deepStrictEqual([h.id, h.source], [2, 'cpu'], 'only the guest store, reported once');
  });

  it('Xen: mmu_update writing a watched PTE is a hypervisor hit during the hypercall', () => {
    const bytes = buildGuest('pv64-mm', 'pv64');
    const d = createDomainFromElf(bytes, { cmdline: 'A' });
    const cpu = d.vcpus[0].cpu;
    // window's PTE: walk the guest's tables with the side-effect-free probe
    const window = guestSymbol(bytes, 'window');
    const pr = probe(d.mem, cpu, window);
    const l1 = pr.levels[pr.levels.length - 1];
    const ptePa = l1.tableAddr + l1.index * 8;
    const ws = new WatchSet(d.mem, [cpu]);
    ws.setLinear([watch(1, 0x7000, 8, WATCH_WRITE)]); // the linear side is not reached here
    ws.setMachine([{ id: 1, pa: ptePa, len: 8, off: 0 }]);
    const before = d.mem.read64AsNumber(ptePa);
    let stoppedAt = -1;
    for (let n = 0; n < 5000 && d.state === 'running'; n++) {
      d.run(1);
      if (ws.pending) { stoppedAt = d.hypercallCount; break; }
    }
    assert.ok(stoppedAt > 0, 'the PTE write was seen');
    const h = oneHit({ ws } as Prog);
    assert.strictEqual(h.source, 'hypervisor');
    assert.strictEqual(Number(le(h.before)), before);
    assert.notStrictEqual(d.mem.read64AsNumber(ptePa), before, 'mmu_update changed the entry');
    assert.strictEqual(d.hypercallLog[d.hypercallLog.length - 1].name, 'mmu_update');
    assert.ok(cpu.regNumber(RAX) === 0, 'the hypercall returned 0');
    assert.ok(cpu.cr0 & CR0_PG);
  });
});

describe('debug watchpoints: arming, mapping and verification', () => {
  it('an unmapped watch is unverified but armed, verified (and its frame watched) once mapped, moved when remapped', () => {
    const p = prog(`
      movq $7, 0x600008
a:    hlt`);
    enableIdentityPaging(p); // 0x600000 is not mapped yet
    let next = 100;
    const dbs = new DataBreakpoints(() => next++);
    const [bp] = dbs.set([{ dataId: '0x600008:8', accessType: 'write' }]);
    assert.deepStrictEqual(dbs.apply(p.ws, p.m.cpu), [bp]);
    assert.strictEqual(bp.verified, false);
    assert.match(bp.message ?? '', /0x600008 is not mapped \(not present at L2 index 3\); the watch stays armed/);
    assert.strictEqual(p.ws.size, 1, 'the linear watch is armed anyway');
    assert.strictEqual(p.m.mem.watchFrames, null);
    // map 0x600000 -> machine 0x300000 (a new page table at 0x16000)
    p.m.mem.write64(0x12000 + 3 * 8, 0x16000 | 3, 0);
    p.m.mem.write64(0x16000, 0x300000 | 3, 0);
    assert.deepStrictEqual(dbs.apply(p.ws, p.m.cpu).map((b) => b.verified), [true]);
    assert.deepStrictEqual(p.ws.machineRanges(), [{ id: 100, pa: 0x300008, len: 8, off: 0 }]);
    assert.strictEqual(dbs.apply(p.ws, p.m.cpu).length, 0, 'nothing changed');
    p.m.mem.write64(0x16000, 0x380000 | 3, 0);
    dbs.apply(p.ws, p.m.cpu);
    assert.deepStrictEqual(p.ws.machineRanges().map((r) => r.pa), [0x380008], 'the machine watch follows the mapping');
    p.m.mem.write64(0x300008, 1, 0);
    assert.strictEqual(p.ws.pending, false, 'the old frame is no longer watched');
    p.m.cpu.flushTlb();
    assert.strictEqual(run(p), 'watchpoint');
    const h = oneHit(p);
    assert.deepStrictEqual(dbs.decide([h], () => 1n).stop.map((s) => s.bp.id), [100]);
    assert.match(dbs.describe(h, p.ws, p.m.cpu), /^write to 0x600008 \(8 bytes\): 0x0 → 0x7$/);
  });

  it('resolves expressions to ranges; a false condition and a hit count keep running', () => {
    const p = prog('hlt');
    const ctx = {
      register: (n: string) => (n === 'rsp' ? 0x1000n : undefined), symbol: (n: string) => (n === 'var' ? 0x2000n : undefined),
      readMemory: () => 0x3000n, pointerSize: 8,
    };
    const o = { defaultSize: 8, isRegister: (n: string) => n === 'rsp', symbolSize: (n: string) => (n === 'var' ? 16 : undefined) };
    assert.deepStrictEqual(resolveDataTarget('var', ctx, o), { lin: 0x2000, len: 16, what: 'var: 16 bytes at 0x2000' });
    assert.deepStrictEqual(resolveDataTarget('*(u16*)(rsp + 2)', ctx, o), { lin: 0x1002, len: 2, what: '*(u16*)(rsp + 2): 2 bytes at 0x1002' });
    assert.strictEqual((resolveDataTarget('*[rsp]', ctx, o) as { lin: number }).lin, 0x3000);
    assert.match((resolveDataTarget('rsp', ctx, o) as { error: string }).error, /register/);
    assert.strictEqual((resolveDataTarget('0xffffffff80001000', ctx, { ...o, asAddress: true, bytes: 4 }) as { lin: number }).lin, -0x7ffff000);
    let next = 1;
    const dbs = new DataBreakpoints(() => next++);
    const [a, b] = dbs.set([{ dataId: '0x10:1', condition: 'rax == 1' }, { dataId: '0x20:1', hitCondition: '== 2' }]);
    const hit = (id: number): WatchHit => ({ id, access: 'write', lin: 0, size: 1, source: 'cpu', cpu: p.m.cpu, rip: 0 });
    assert.deepStrictEqual(dbs.decide([hit(a.id), hit(b.id)], () => 0n).stop, []);
    assert.deepStrictEqual(dbs.decide([hit(b.id)], () => 0n).stop.map((s) => s.bp.id), [b.id], 'second hit');
    const bad = dbs.decide([hit(a.id)], () => { throw new Error('boom'); });
    assert.deepStrictEqual([bad.stop.length, bad.errors], [1, [`data breakpoint ${a.id}: condition 'rax == 1': boom`]]);
    assert.strictEqual(dbs.set([{ dataId: '0x10:1', condition: 'rax == 2' }])[0].id, a.id, 'same dataId and access keep the id');
  });
});

/** Turn on 4-level paging with 4 KiB identity pages for the first 4 MiB (tables at 0x10000), plus one alias page. */
function enableIdentityPaging(p: Prog, o: { alias?: [number, number] } = {}): void {
  const { mem, cpu } = p.m;
  const pml4 = 0x10000, pdpt = 0x11000, pd = 0x12000, pt0 = 0x13000, pt1 = 0x14000, pt2 = 0x15000;
  mem.write64(pml4, pdpt | 3, 0);
  mem.write64(pdpt, pd | 3, 0);
  mem.write64(pd, pt0 | 3, 0);
  mem.write64(pd + 8, pt1 | 3, 0);
  for (let i = 0; i < 512; i++) { mem.write64(pt0 + i * 8, i * 4096 | 3, 0); mem.write64(pt1 + i * 8, (512 + i) * 4096 | 3, 0); }
  if (o.alias) {
    mem.write64(pd + 16, pt2 | 3, 0);
    mem.write64(pt2 + (((o.alias[0] - 0x400000) >> 12) * 8), o.alias[1] | 3, 0);
  }
  cpu.cr3 = pml4;
  cpu.cr0 = (cpu.cr0 | CR0_PG) >>> 0;
  cpu.flushTlb();
}
