// Machine memory reads back what it wrote and drops out-of-range writes; the step loop contains host failures.
import * as assert from 'assert';
import { MachineMemory } from '../../src/cpu/memory';
import { makeMachine, loadCode } from './helpers/machine';

describe('MachineMemory', () => {
  it('reads back little-endian values and returns all-ones outside memory', () => {
    const m = new MachineMemory(8192);
    m.write32(100, 0xdeadbeef);
    assert.strictEqual(m.read32(100), 0xdeadbeef);
    assert.strictEqual(m.read8(100), 0xef);
    assert.strictEqual(m.read32(8190), 0xffffffff);
    m.write32(9000, 1);
    assert.strictEqual(m.read8(9000), 0xff);
  });
  it('notifies code-frame writes once per marked frame', () => {
    const m = new MachineMemory(8192);
    const seen: number[] = [];
    m.onCodeWrite = (f) => seen.push(f);
    m.codeFrames[1] = 1;
    m.write8(4096 + 5, 1);
    m.write8(4096 + 6, 1);
    assert.deepStrictEqual(seen, [1]);
  });
});

describe('step loop containment', () => {
  it('a host that throws while delivering a fault stops the CPU with an internal diagnostic', () => {
    const m = makeMachine(64);
    m.cpu.ops.exception = () => { throw new Error('bounce frame write failed'); };
    loadCode(m, 0x1000, [0x0f, 0x0b]); // ud2
    const reason = m.cpu.run(10);
    assert.strictEqual(reason, 'internal');
    assert.match(m.cpu.stopDetail, /delivering #UD at rip 0x1000 failed: bounce frame write failed/);
  });
});
