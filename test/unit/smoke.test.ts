// Smoke test: the machine memory model reads back what it wrote and drops out-of-range writes.
import * as assert from 'assert';
import { MachineMemory } from '../../src/cpu/memory';

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
