// Header fields of the Xen views (src/views/nodes.ts): counts and the CPU mode read as numbers, addresses follow
// the chosen hex/decimal format.

import * as assert from 'assert';
import { fieldNodes, headerNodes, fieldText } from '../../src/views/nodes';

describe('views: field rows', () => {
  it('cpl, vCPU counts and totals are decimal; the mode reads "64-bit"; addresses stay hex', () => {
    const rows = headerNodes({ segments: [], fsBase: 4096, cpl: 3, mode: 64, vcpus: 2, total: 12 }, 'hex', ['segments']);
    const text = Object.fromEntries(rows.map((r) => [r.label, r.description]));
    assert.deepStrictEqual(text, { fsBase: '0x1000', cpl: '3', mode: '64-bit', vcpus: '2', total: '12' });
  });

  it('decimal format turns addresses and hex strings into decimal; booleans read yes/no', () => {
    assert.strictEqual(fieldText('fsBase', 4096, 'decimal'), '4096');
    assert.strictEqual(fieldText('cr3', '0x1000', 'decimal'), '4096');
    assert.strictEqual(fieldText('pinned', true, 'hex'), 'yes');
    const rows = fieldNodes({ name: 'x', hidden: 1 }, 'hex', ['hidden']);
    assert.deepStrictEqual(rows.map((r) => r.label), ['name']);
  });
});
