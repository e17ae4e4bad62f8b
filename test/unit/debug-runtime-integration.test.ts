// DebugRuntime integration of pfn:/mfn: (expressions, breakpoint conditions, memory references, the 'memory' event,
// guest-linear-only places refusing a space) and the launch progress callback.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildGuest } from '../guests/build';
import { DebugRuntime, StoppedInfo } from '../../src/debug/runtime';
import { XenDebugMachine } from '../../src/debug/xen-machine';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-rt-'));
function pv64File(): string {
  const file = path.join(dir, 'pv64.elf');
  if (!fs.existsSync(file)) fs.writeFileSync(file, buildGuest('pv64-guest', 'pv64'));
  return file;
}

/** The pfn and offset of a guest-linear address, from the runtime's own machine (page walk + m2p). */
function pfnOf(rt: DebugRuntime, expr: string): { pfn: number; mfn: number; off: number } {
  const m = rt.machine as XenDebugMachine;
  const walk = rt.customRequest('xen/pageWalk', { address: expr }) as { machineAddress: string };
  const ma = parseInt(walk.machineAddress, 16);
  const mfn = Math.floor(ma / 4096);
  const pfn = m.domain.image.p2m.indexOf(mfn);
  assert.ok(pfn >= 0);
  return { pfn, mfn, off: ma % 4096 };
}

describe('debug: runtime pfn:/mfn: integration', () => {
  it('evaluate: values read through pfn:/mfn: equal guest-virtual reads; a spaced address carries its reference', () => {
    const rt = new DebugRuntime();
    rt.launch({ program: pv64File(), console: false });
    const w = pfnOf(rt, 'msg1');
    const virt = rt.evaluate('*(u64*)msg1', 1, 'watch').result;
    assert.strictEqual(rt.evaluate(`*(u64*)(pfn:0x${w.pfn.toString(16)} + (msg1 & 0xfff))`, 1, 'repl').result, virt);
    assert.strictEqual(rt.evaluate(`*(u64*)(mfn:0x${w.mfn.toString(16)} + ${w.off})`, 1, 'hover').result, virt);
    const a = rt.evaluate(`pfn:0x${w.pfn.toString(16)} + ${w.off}`, 1, 'watch');
    assert.strictEqual(a.memoryReference, `pfn:0x${w.pfn.toString(16)}${w.off ? `+0x${w.off.toString(16)}` : ''}`);
    assert.ok(a.result.endsWith(` (${a.memoryReference})`));
    assert.throws(() => rt.addressOf('pfn:1'), /pfn: address, not guest-linear/);
    assert.throws(() => rt.disassemble(rt.addressOf('mfn:2 + 4'), 0, 1), /mfn: address, not guest-linear/);
    rt.dispose();
  });

  it('readMemoryRef / writeMemoryRef: all spaces, the memory event names the client reference for pfn:/mfn:', () => {
    const rt = new DebugRuntime();
    rt.launch({ program: pv64File(), console: false });
    const w = pfnOf(rt, 'msg1');
    const events: unknown[][] = [];
    rt.on('memory', (...a: unknown[]) => events.push(a));
    const ref = `pfn:0x${w.pfn.toString(16)}`;
    assert.strictEqual(Buffer.from(rt.readMemoryRef(ref, w.off, 5).data).toString('latin1'), 'hello');
    rt.writeMemoryRef(ref, w.off, new Uint8Array([0x4a]));
    assert.deepStrictEqual(events, [[ref, w.off, 1]]);
    assert.strictEqual(Buffer.from(rt.readMemoryRef('msg1', 0, 5).data).toString('latin1'), 'Jello');
    rt.writeMemoryRef('msg1', 1, new Uint8Array([0x41]));
    const lin = rt.addressOf('msg1 + 1');
    assert.deepStrictEqual(events[1], [`0x${(BigInt(lin) & ((1n << 64n) - 1n)).toString(16)}`, 0, 1]);
    assert.strictEqual(Buffer.from(rt.readMemoryRef(`mfn:0x${w.mfn.toString(16)}`, w.off, 5).data).toString('latin1'), 'JAllo');
    assert.throws(() => rt.writeMemoryRef('pfn:0x7ffff', 0, new Uint8Array(1)), /cannot write pfn memory/);
    assert.strictEqual(events.length, 2, 'no event for a failed write');
    rt.dispose();
  });

  it('breakpoint conditions can read pfn:/mfn: memory', async () => {
    const rt = new DebugRuntime();
    rt.launch({ program: pv64File(), console: false });
    const w = pfnOf(rt, 'msg1');
    const first = rt.evaluate('*(u8*)msg1', 1, 'watch').result; // 'h'
    const stops: StoppedInfo[] = [];
    let exited: number | undefined;
    rt.on('stopped', (s: StoppedInfo) => stops.push(s));
    rt.on('exited', (c: number) => { exited = c; });
    const [never, hit] = rt.setFunctionBreakpoints([
      { name: 'hypercall:console_io', condition: `*(u8*)(pfn:0x${w.pfn.toString(16)} + ${w.off}) != ${first}` },
      { name: 'hypercall:sched_op', condition: `*(u8*)(mfn:0x${w.mfn.toString(16)} + ${w.off}) == ${first}` },
    ]);
    rt.start();
    const t0 = Date.now();
    while (stops.length === 0 && exited === undefined && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(stops.length, 1, 'stopped');
    assert.deepStrictEqual(stops[0].hitBreakpointIds, [hit.id]);
    assert.notStrictEqual(never.id, hit.id);
    rt.dispose();
  });
});

describe('debug: runtime launch progress', () => {
  it('reports each stage with a percentage; a failure stops at the stage that failed', () => {
    const rt = new DebugRuntime();
    const seen: [string, number][] = [];
    rt.launch({ program: pv64File(), console: false, vcpus: 2 }, (m, p) => seen.push([m, p]));
    assert.deepStrictEqual(seen, [['reading pv64.elf', 0], ['building the Xen domain (64 MiB, 2 vCPUs)', 50], ['reading symbols and line information', 90]]);
    seen.length = 0;
    assert.throws(() => rt.launch({ program: pv64File(), memory: 3000 }, (m, p) => seen.push([m, p])), /4\.\.2048 MiB/);
    assert.deepStrictEqual(seen.map((s) => s[1]), [0, 50]);
    seen.length = 0;
    assert.throws(() => rt.launch({ program: path.join(dir, 'missing.s') }, (m, p) => seen.push([m, p])), /does not exist/);
    assert.deepStrictEqual(seen, [['assembling missing.s', 0]]);
    rt.dispose();
  });
});
