// The guest-faults exception filter also stops at int3 and `int $n` bounces (software interrupts Xen delivers through
// the trap table): stop on the instruction before delivery, continue delivers exactly once; pv64 and pv32pae guests.
// Underneath, the machine's softwareInterruptEntry hook (watch.softwareInterrupt) on its own.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildGuest, guestSymbol } from '../guests/build';
import { DebugRuntime, StoppedInfo } from '../../src/debug/runtime';
import { XenDebugMachine } from '../../src/debug/xen-machine';
import { pcLinear } from '../../src/debug/guest-memory';
import { parseElf } from '../../src/common/elf';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-stops-'));

function guestFile(kind: 'pv64' | 'pv32'): { file: string; bytes: Uint8Array } {
  const bytes = buildGuest(`${kind}-guest`, kind);
  const file = path.join(dir, `${kind}.elf`);
  fs.writeFileSync(file, bytes);
  return { file, bytes };
}

type Ev = { kind: 'stopped'; info: StoppedInfo } | { kind: 'exited'; code: number };

/** Launch with the filters, run, and collect the next event each time `next()` is called. */
function session(file: string, cmdline: string, filters: string[]): { rt: DebugRuntime; next: () => Promise<Ev> } {
  const rt = new DebugRuntime();
  const queue: Ev[] = [];
  let wake: (() => void) | null = null;
  const push = (e: Ev): void => { queue.push(e); wake?.(); };
  rt.on('stopped', (info: StoppedInfo) => push({ kind: 'stopped', info }));
  rt.on('exited', (code: number) => push({ kind: 'exited', code }));
  rt.launch({ program: file, cmdline, console: false, stopOnEntry: false });
  rt.setExceptionFilters(filters);
  rt.start();
  const next = async (): Promise<Ev> => {
    const t0 = Date.now();
    while (queue.length === 0) {
      if (Date.now() - t0 > 20000) throw new Error('no debug event');
      await new Promise<void>((r) => { wake = r; setTimeout(r, 50); });
    }
    return queue.shift()!;
  };
  return { rt, next };
}

for (const kind of ['pv64', 'pv32'] as const) {
  describe(`debug: guest-faults filter and software interrupts (${kind})`, () => {
    it('int3: stops on the int3 before the bounce; continue delivers #BP once', async () => {
      const { file, bytes } = guestFile(kind);
      const { rt, next } = session(file, 'b', ['guest-faults']);
      const ev = await next();
      assert.strictEqual(ev.kind, 'stopped');
      assert.strictEqual(ev.kind === 'stopped' && ev.info.reason, 'exception');
      const info = rt.exceptionInfo()!;
      assert.strictEqual(info.id, '#BP');
      assert.match(info.text, /#BP at rip 0x[0-9a-f]+; Xen will bounce it to the guest's handler 0x[0-9a-f]+ <bp_handler>/);
      const m = rt.machine as XenDebugMachine;
      const cpu = m.vcpus[0];
      if (kind === 'pv64') assert.strictEqual(pcLinear(cpu), guestSymbol(bytes, 'int3_insn'), 'stopped on the int3 itself');
      assert.strictEqual(rt.readMemory(pcLinear(cpu), 1).data[0], 0xcc, 'rip is on an int3');
      assert.strictEqual(m.domain.bounceLog.length, 0, 'nothing delivered yet');
      rt.continue();
      const end = await next();
      assert.deepStrictEqual(end, { kind: 'exited', code: 0 });
      assert.strictEqual(m.domain.bounceLog.filter((b) => b.vector === 3).length, 1, 'delivered exactly once');
      rt.dispose();
    });

    if (kind === 'pv64') it('int $0x80 through a DPL3 gate: stops as a software interrupt with the handler named', async () => {
      const { file } = guestFile(kind);
      const { rt, next } = session(file, 'x', ['guest-faults']);
      const ev = await next();
      assert.strictEqual(ev.kind, 'stopped');
      const info = rt.exceptionInfo()!;
      assert.strictEqual(info.id, 'int $0x80');
      assert.match(info.text, /^software interrupt int \$0x80 at rip 0x[0-9a-f]+; Xen will bounce it to the guest's handler 0x[0-9a-f]+ <int80_handler>/);
      rt.continue();
      assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 });
      const m = rt.machine as XenDebugMachine;
      assert.strictEqual(m.domain.bounceLog.filter((b) => b.vector === 0x80).length, 1);
      rt.dispose();
    });

    if (kind === 'pv64') it('int $0x81 through a DPL0 gate stays a #GP(0x40a) fault; a vector condition filters', async () => {
      const { file } = guestFile(kind);
      const { rt, next } = session(file, 'X', ['guest-faults']);
      const ev = await next();
      assert.strictEqual(ev.kind, 'stopped');
      assert.strictEqual(rt.exceptionInfo()!.id, '#GP');
      assert.match(rt.exceptionInfo()!.text, /error code 0x40a/);
      rt.continue();
      assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 });
      rt.dispose();
      // the condition sees the vector: int3 filtered out when asking for page faults only
      const s2 = session(file, 'b', []);
      s2.rt.setExceptionFilters([], [{ filterId: 'guest-faults', condition: 'vector == 14' }]);
      assert.deepStrictEqual(await s2.next(), { kind: 'exited', code: 0 });
      s2.rt.dispose();
    });

    it('without the filter int3 is delivered without a stop', async () => {
      const { file } = guestFile(kind);
      const { rt, next } = session(file, 'b', []);
      assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 });
      rt.dispose();
    });
  });
}

for (const kind of ['pv64', 'pv32'] as const) {
  describe(`debug: XenDebugMachine.softwareInterruptEntry and the watch.softwareInterrupt hook (${kind})`, () => {
    it('asks before delivery with vector and rip, stops with RIP on the int3, asks once, then delivers once', () => {
      const { bytes } = guestFile(kind);
      const m = new XenDebugMachine(parseElf(bytes), { memoryMiB: 64, cmdline: 'b' });
      const asked: { vector: number; rip: number }[] = [];
      let hypercalls = 0;
      m.watch.hypercallEntry = () => { hypercalls++; return null; };
      m.watch.softwareInterrupt = (e) => { asked.push({ vector: e.vector, rip: e.rip }); return { kind: 'event', reason: 'pause', text: `int ${e.vector}` }; };
      let reason = m.run(0, 1_000_000);
      assert.strictEqual(reason, 'xen-watch');
      assert.deepStrictEqual(m.classify(0, reason), { kind: 'event', reason: 'pause', text: 'int 3' });
      const cpu = m.vcpus[0];
      assert.strictEqual(asked.length, 1);
      assert.strictEqual(asked[0].vector, 3);
      assert.strictEqual(asked[0].rip, cpu.rip, 'RIP rewound onto the instruction');
      if (kind === 'pv64') assert.strictEqual(pcLinear(cpu), guestSymbol(bytes, 'int3_insn'));
      assert.strictEqual(m.domain.bounceLog.length, 0, 'nothing delivered');
      assert.ok(hypercalls > 0, 'hypercalls (pv32: int $0x82) went to hypercallEntry, not the software-interrupt hook');
      // resumed: the same instruction is not asked about again and #BP is bounced exactly once
      m.watch.softwareInterrupt = (e) => { asked.push({ vector: e.vector, rip: e.rip }); return null; };
      reason = m.run(0, 10_000_000);
      assert.strictEqual(reason, 'shutdown');
      assert.deepStrictEqual(asked.map((a) => a.vector), [3]);
      assert.strictEqual(m.domain.bounceLog.filter((b) => b.vector === 3).length, 1);
    });
  });
}
