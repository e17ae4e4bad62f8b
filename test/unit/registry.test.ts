// The handler registry: every key is a real iced-x86 Code name, and no Code is claimed by two families.

import * as assert from 'assert';
import { Code } from 'iced-x86';
import { FAMILIES, implementedCodes } from '../../src/cpu/exec/registry';

describe('handler registry', () => {
  it('uses only iced-x86 Code names as keys', () => {
    const bad = implementedCodes().filter((k) => typeof (Code as unknown as Record<string, unknown>)[k] !== 'number');
    assert.deepStrictEqual(bad, []);
  });
  it('has exactly one family per Code', () => {
    const owner = new Map<string, string>();
    const dups: string[] = [];
    for (const [fam, map] of Object.entries(FAMILIES)) {
      for (const k of Object.keys(map)) {
        const prev = owner.get(k);
        if (prev !== undefined) dups.push(`${k}: ${prev} and ${fam}`); else owner.set(k, fam);
      }
    }
    assert.deepStrictEqual(dups, []);
    assert.ok(owner.size > 1000, `only ${owner.size} codes implemented`);
  });
});
