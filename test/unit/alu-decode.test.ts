// ALU handlers reached through the real decoder: handler names are exactly iced Code names and cover every
// ALU code; real byte sequences (incl. 66/REX/LOCK prefixes and the 40-4F forms) run via loadCode/runN.
import * as assert from 'assert';
import { Code } from 'iced-x86';
import { arithHandlers } from '../../src/cpu/exec/arith';
import { logicHandlers } from '../../src/cpu/exec/logic';
import { shiftHandlers } from '../../src/cpu/exec/shift';
import { bitopsHandlers } from '../../src/cpu/exec/bitops';
import { makeMachine, loadCode, runN } from './helpers/machine';
import { getFlags, F_CF, F_OF, F_ZF, F_SF } from '../../src/cpu/flags';
import { reg64, setReg64 } from './alu-common.test';

const ALU_CODE = /^(Add|Adc|Sub|Sbb|Cmp|Inc|Dec|Neg|Mul|Imul|Div|Idiv|Daa|Das|Aaa|Aas|Aam|Aad|And|Or|Xor|Not|Test|Shl|Sal|Shr|Sar|Rol|Ror|Rcl|Rcr|Shld|Shrd|Bt|Bts|Btr|Btc|Bsf|Bsr|Popcnt|Lzcnt|Tzcnt|Set(o|no|b|ae|e|ne|be|a|s|ns|p|np|l|ge|le|g)|Cmov[a-z]+|Lahf|Sahf|Clc|Stc|Cmc|Cld|Std|Salc)(_|$)/;

describe('alu: handler names and coverage', () => {
  const codeNames = Object.keys(Code).filter((k) => isNaN(Number(k)));
  const mine = { ...arithHandlers, ...logicHandlers, ...shiftHandlers, ...bitopsHandlers };
  it('every registered ALU handler is keyed by a real iced Code name', () => {
    const known = new Set(codeNames);
    const bad = Object.keys(mine).filter((k) => !known.has(k));
    assert.deepStrictEqual(bad, []);
  });
  it('every iced Code of the ALU families (legacy encodings) has a handler', () => {
    const missing = codeNames.filter((n) => ALU_CODE.test(n) && !(n in mine));
    assert.deepStrictEqual(missing, []);
  });
});

describe('alu: real instruction bytes through the decoder', () => {
  const flags = (m: ReturnType<typeof makeMachine>): number => getFlags(m.cpu) & (F_CF | F_OF | F_ZF | F_SF);
  it('64-bit: add/adc chains across the halves, imul, div, shifts', () => {
    const m = makeMachine(64), c = m.cpu;
    setReg64(c, 0, 0xffffffffffffffffn); setReg64(c, 3, 1n); setReg64(c, 1, 0n); setReg64(c, 2, 0n);
    // add rax, rbx ; adc rcx, 0 ; 66 add dx, 0xffff (83 /0 ib) ; imul rax, rcx, 0x7f ; shl rcx, 63
    loadCode(m, 0x1000, [0x48, 0x01, 0xd8, 0x48, 0x83, 0xd1, 0x00, 0x66, 0x83, 0xc2, 0xff, 0x48, 0x6b, 0xc1, 0x7f, 0x48, 0xc1, 0xe1, 0x3f]);
    runN(m, 2);
    assert.strictEqual(reg64(c, 0), 0n); assert.strictEqual(reg64(c, 1), 1n);
    runN(m, 1);
    assert.strictEqual(reg64(c, 2), 0xffffn);
    runN(m, 1);
    assert.strictEqual(reg64(c, 0), 0x7fn);
    runN(m, 1);
    assert.strictEqual(reg64(c, 1), 1n << 63n);
    assert.strictEqual(flags(m) & ~F_OF, F_SF); // CF = bit 1 of 1 = 0; OF is undefined for counts != 1
    assert.strictEqual(c.rip, 0x1000 + 19);
  });
  it('64-bit: div r64 by zero raises #DE at the instruction', () => {
    const m = makeMachine(64), c = m.cpu;
    setReg64(c, 3, 0n);
    loadCode(m, 0x2000, [0x48, 0xf7, 0xf3]); // div rbx
    runN(m, 1);
    assert.strictEqual(m.ops.lastException?.vector, 0);
    assert.strictEqual(c.rip, 0x2000);
  });
  it('LOCK prefix: memory destination runs, register destination and cmp raise #UD', () => {
    const m = makeMachine(64), c = m.cpu;
    setReg64(c, 3, 0x3000n); setReg64(c, 0, 5n);
    m.mem.write32(0x3000, 10);
    loadCode(m, 0x1000, [0xf0, 0x01, 0x03]); // lock add [rbx], eax
    runN(m, 1);
    assert.strictEqual(m.mem.read32(0x3000), 15);
    loadCode(m, 0x1100, [0xf0, 0x01, 0xc3]); // lock add ebx, eax
    runN(m, 1);
    assert.strictEqual(m.ops.lastException?.vector, 6);
    loadCode(m, 0x1200, [0xf0, 0x39, 0x03]); // lock cmp [rbx], eax
    runN(m, 1);
    assert.strictEqual(m.ops.lastException?.vector, 6);
  });
  it('32-bit: one-byte inc/dec (40-4F), daa, and a cmp/jcc loop', () => {
    const m = makeMachine(32), c = m.cpu;
    c.setReg32(0, 0x7fffffff); c.setReg32(1, 0);
    loadCode(m, 0x1000, [0x40, 0x49]); // inc eax ; dec ecx
    runN(m, 1);
    assert.strictEqual(c.getReg32(0) >>> 0, 0x80000000);
    assert.strictEqual(flags(m), F_OF | F_SF);
    runN(m, 1);
    assert.strictEqual(c.getReg32(1), -1);
    // mov ecx, 10 ; xor eax, eax ; loop: add eax, ecx ; dec ecx ; jnz loop ; hlt  => eax = 55
    loadCode(m, 0x1100, [0xb9, 10, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x49, 0x75, 0xfb, 0xf4]);
    runN(m, 100);
    assert.strictEqual(c.getReg32(0), 55);
    c.setReg32(0, 0x19); setReg64(c, 3, 0n);
    loadCode(m, 0x1200, [0x04, 0x28, 0x27]); // add al, 0x28 ; daa  => 0x47 (BCD 19 + 28)
    runN(m, 2);
    assert.strictEqual(c.getReg32(0) & 0xff, 0x47);
  });
});
