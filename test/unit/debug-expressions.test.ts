// Debugger expression language: numbers, registers, symbols, operators, casts and memory dereference,
// and readable errors for garbage.

import * as assert from 'assert';
import { evaluateExpression, formatValue, EvalContext, ExprError } from '../../src/debug/expressions';
import { parseHitCondition, interpolateMessage } from '../../src/debug/breakpoints';

const mem = new Map<bigint, number>();
for (let i = 0; i < 16; i++) mem.set(0x1000n + BigInt(i), 0x10 + i);
const ctx: EvalContext = {
  register: (n) => ({ rax: 0x2an, rsp: 0x1000n, eax: 0x2an, rip: 0xffffffff80001000n } as Record<string, bigint>)[n],
  symbol: (n) => (n === 'main' ? 0x400000n : n === 'my.sym' ? 0x10n : undefined),
  readMemory: (addr, size) => {
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) {
      const b = mem.get(addr + BigInt(k));
      if (b === undefined) throw new Error(`cannot read memory at 0x${(addr + BigInt(k)).toString(16)}`);
      v = (v << 8n) | BigInt(b);
    }
    return v;
  },
  pointerSize: 8,
};
const ev = (s: string): bigint => evaluateExpression(s, ctx).value;

describe('debug: expressions', () => {
  it('numbers and arithmetic with C precedence', () => {
    assert.strictEqual(ev('1 + 2 * 3'), 7n);
    assert.strictEqual(ev('(1 + 2) * 3'), 9n);
    assert.strictEqual(ev('0x10 | 0b1 ^ 0o7'), 0x10n | (1n ^ 7n));
    assert.strictEqual(ev('1 << 40 >> 8'), 1n << 32n);
    assert.strictEqual(ev('10 % 3'), 1n);
    assert.strictEqual(ev('-1'), (1n << 64n) - 1n);
    assert.strictEqual(ev('~0 == 0xffffffffffffffff'), 1n);
    assert.strictEqual(ev('3 > 2 && 1 ? 5 : 6'), 5n);
    assert.strictEqual(ev('1_000'), 1000n);
  });
  it('registers with and without $/% prefixes, symbols', () => {
    assert.strictEqual(ev('rax'), 0x2an);
    assert.strictEqual(ev('$rax + %rax'), 0x54n);
    assert.strictEqual(ev('RAX'), 0x2an);
    assert.strictEqual(ev('main + 4'), 0x400004n);
    assert.strictEqual(ev('my.sym'), 0x10n);
    assert.strictEqual(ev('rip'), 0xffffffff80001000n);
  });
  it('memory dereference with casts, brackets and pointer-sized default', () => {
    assert.strictEqual(ev('*(u8*)rsp'), 0x10n);
    assert.strictEqual(ev('*(u16*)(rsp+1)'), 0x1211n);
    assert.strictEqual(ev('*(u32*)0x1000'), 0x13121110n);
    assert.strictEqual(ev('*(u64*)(rsp+8)'), 0x1f1e1d1c1b1a1918n);
    assert.strictEqual(ev('*rsp'), 0x1716151413121110n);
    assert.strictEqual(ev('[rsp+4]') & 0xffn, 0x14n);
    assert.strictEqual(ev('*(uint32_t*)rsp'), 0x13121110n);
    assert.strictEqual(evaluateExpression('*(s8*)(rsp+15)', { ...ctx, readMemory: () => 0xffn }).value, -1n);
    assert.strictEqual(ev('(u8)0x1234'), 0x34n);
  });
  it('formats values', () => {
    assert.strictEqual(formatValue(evaluateExpression('0x2a', ctx)), '0x2a');
    assert.strictEqual(formatValue(evaluateExpression('(s32)-5', ctx)), '-5 (0xfffffffb)');
  });
  it('garbage gives ExprError with a position, never another exception', () => {
    const bad = ['', '1 +', '(1', '1)', 'nosuchreg', '*(u64*)0x5000', '1 / 0', '0x', '12abc', '#', '*(u32)rsp', '[1', '? :', '1 2', '$'];
    for (const b of bad) assert.throws(() => evaluateExpression(b, ctx), ExprError, b);
    assert.throws(() => evaluateExpression('nosuchreg', ctx), /unknown register or symbol 'nosuchreg'/);
    assert.throws(() => evaluateExpression('*(u64*)0x5000', ctx), /cannot read memory at 0x500[0-7]/);
    const chars = '()*+-[]$%0x1 raxu64&|<>!~?:';
    for (let seed = 1; seed < 3000; seed++) {
      let s = '', x = seed;
      for (let k = 0; k < 8; k++) { x = (x * 1103515245 + 12345) & 0x7fffffff; s += chars[x % chars.length]; }
      try { evaluateExpression(s, ctx); } catch (e) { assert.ok(e instanceof ExprError, `${JSON.stringify(s)}: ${(e as Error).stack}`); }
    }
  });
  it('hit conditions and logpoint interpolation', () => {
    const ge = parseHitCondition('3');
    assert.ok(typeof ge === 'function' && !ge(2) && ge(3) && ge(4));
    const eq = parseHitCondition('== 2');
    assert.ok(typeof eq === 'function' && eq(2) && !eq(3));
    const mod = parseHitCondition('%2');
    assert.ok(typeof mod === 'function' && mod(4) && !mod(3));
    assert.strictEqual(typeof parseHitCondition('banana'), 'string');
    assert.strictEqual(interpolateMessage('a={rax} {{x}} {bad', (e) => (e === 'rax' ? '42' : '?')), 'a=42 {x} {bad');
    assert.strictEqual(interpolateMessage('{boom}', () => { throw new Error('nope'); }), '<nope>');
  });
});
