// Group-1 ALU ops (add or adc sbb and sub xor cmp) and TEST in every encoding and size, against a BigInt
// reference: exact results, upper-register preservation / zero-extension, every arithmetic flag, LOCK #UD.
import * as assert from 'assert';
import {
  mk, memAt, exec, u, s, edges, refAlu, presetFlags, arith, eqFlags, newMachine, reg64, setReg64, putReg, getRegU,
  writeMem, readMem, DATA, F_CF, F_ARITH, F_AF,
} from './alu-common.test';

const GARBAGE = 0xdeadbeefcafebaben;
const OPS = ['Add', 'Or', 'Adc', 'Sbb', 'And', 'Sub', 'Xor', 'Cmp', 'Test'];
const ACC: Record<number, string> = { 8: 'AL_imm8', 16: 'AX_imm16', 32: 'EAX_imm32', 64: 'RAX_imm32' };
const RM = 3, REG = 6;

function stores(op: string): boolean { return op !== 'Cmp' && op !== 'Test'; }
/** Full 64-bit register after writing `v` at `size` into `before`. */
function merged(before: bigint, size: number, v: bigint): bigint {
  if (size === 64) return u(v, 64);
  if (size === 32) return u(v, 32);
  const m = (1n << BigInt(size)) - 1n;
  return (before & ~m) | (v & m);
}
/** The flags a logic op defines (AF is undefined for AND/OR/XOR/TEST). */
function definedMask(op: string): number { return ['And', 'Or', 'Xor', 'Test'].includes(op) ? F_ARITH & ~F_AF : F_ARITH; }
/** Whether b is encodable as the sign-extended immediate of this size. */
function immOk(size: number, b: bigint): boolean { return size !== 64 || s(b, 64) === s(b & 0xffffffffn, 32); }
function immVal(size: number, b: bigint): number { return size === 64 ? Number(s(b & 0xffffffffn, 32)) : Number(s(b, Math.min(size, 32))); }

describe('alu: group-1 ops and TEST, all sizes and encodings', () => {
  for (const op of OPS) {
    for (const size of [8, 16, 32, 64]) {
      it(`${op} ${size}-bit`, () => {
        const m = newMachine(), c = m.cpu;
        const cfs = op === 'Adc' || op === 'Sbb' ? [false, true] : [true];
        let n = 0;
        for (const a of edges(size)) for (const b of edges(size)) for (const cf of cfs) {
          const ref = refAlu(op, size, a, b, cf);
          const dm = definedMask(op);
          const check = (what: string): void => { eqFlags(arith(c), ref.f, dm, `${op}${size} ${what} a=${a.toString(16)} b=${b.toString(16)} cf=${cf}`); n++; };
          // r/m, reg (register destination)
          {
            setReg64(c, RM, GARBAGE); setReg64(c, REG, GARBAGE ^ 0xffn);
            putReg(c, size, RM, a); putReg(c, size, REG, b);
            const before = reg64(c, RM);
            presetFlags(c, cf ? F_CF : 0);
            assert.strictEqual(exec(m, mk(`${op}_rm${size}_r${size}`, { rm: RM, reg: REG })), -1);
            assert.strictEqual(reg64(c, RM), stores(op) ? merged(before, size, ref.r) : before, `${op}_rm_r result`);
            check('rm,r');
            // r/m, reg (memory destination)
            writeMem(m, DATA, 64, GARBAGE); writeMem(m, DATA, size, a);
            presetFlags(c, cf ? F_CF : 0);
            assert.strictEqual(exec(m, mk(`${op}_rm${size}_r${size}`, { reg: REG, ...memAt(DATA) })), -1);
            assert.strictEqual(readMem(m, DATA, size), stores(op) ? ref.r : a, `${op}_m_r result`);
            if (size < 64) assert.strictEqual(readMem(m, DATA + size / 8, 8), GARBAGE >> BigInt(size) & 0xffn, 'byte after operand kept');
            check('m,r');
          }
          if (op !== 'Test') {
            // reg, r/m with register and memory source
            setReg64(c, REG, GARBAGE); putReg(c, size, REG, a); putReg(c, size, RM, b);
            const before = reg64(c, REG);
            presetFlags(c, cf ? F_CF : 0);
            assert.strictEqual(exec(m, mk(`${op}_r${size}_rm${size}`, { rm: RM, reg: REG })), -1);
            assert.strictEqual(reg64(c, REG), stores(op) ? merged(before, size, ref.r) : before, `${op}_r_rm result`);
            check('r,rm');
            setReg64(c, REG, GARBAGE); putReg(c, size, REG, a); writeMem(m, DATA, size, b);
            presetFlags(c, cf ? F_CF : 0);
            assert.strictEqual(exec(m, mk(`${op}_r${size}_rm${size}`, { reg: REG, ...memAt(DATA) })), -1);
            assert.strictEqual(reg64(c, REG), stores(op) ? merged(before, size, ref.r) : before, `${op}_r_m result`);
            check('r,m');
          }
          if (immOk(size, b)) {
            // accumulator, imm
            setReg64(c, 0, GARBAGE); putReg(c, size, 0, a);
            const before = reg64(c, 0);
            presetFlags(c, cf ? F_CF : 0);
            assert.strictEqual(exec(m, mk(`${op}_${ACC[size]}`, { imm: immVal(size, b), immHi: immVal(size, b) >> 31 })), -1);
            assert.strictEqual(reg64(c, 0), stores(op) ? merged(before, size, ref.r) : before, `${op} acc result`);
            check('acc,imm');
            // r/m, imm (both the full-width and the sign-extended imm8 code when it exists)
            const names = [`${op}_rm${size}_imm${Math.min(size, 32)}`];
            if (op !== 'Test' && size > 8) names.push(`${op}_rm${size}_imm8`);
            if (size === 8) names.push(op === 'Test' ? 'Test_rm8_imm8_F6r1' : `${op}_rm8_imm8_82`);
            else if (op === 'Test') names.push(`Test_rm${size}_imm${Math.min(size, 32)}_F7r1`);
            for (const name of names) {
              setReg64(c, RM, GARBAGE); putReg(c, size, RM, a);
              const beforeRm = reg64(c, RM);
              presetFlags(c, cf ? F_CF : 0);
              assert.strictEqual(exec(m, mk(name, { rm: RM, imm: immVal(size, b), immHi: immVal(size, b) >> 31 })), -1);
              assert.strictEqual(reg64(c, RM), stores(op) ? merged(beforeRm, size, ref.r) : beforeRm, `${name} result`);
              check(name);
              writeMem(m, DATA, size, a);
              presetFlags(c, cf ? F_CF : 0);
              assert.strictEqual(exec(m, mk(name, { imm: immVal(size, b), ...memAt(DATA) })), -1);
              assert.strictEqual(readMem(m, DATA, size), stores(op) ? ref.r : a, `${name} mem result`);
              check(`${name} mem`);
            }
          }
        }
        assert.ok(n > 100);
      });
    }
  }

  it('8-bit forms address AH/CH/DH/BH through REG8 numbers 16..19', () => {
    const m = newMachine(), c = m.cpu;
    setReg64(c, 0, 0x1234n); setReg64(c, 3, 0x0500n);
    exec(m, mk('Add_rm8_r8', { rm: 16, reg: 19 })); // add ah, bh
    assert.strictEqual(reg64(c, 0), 0x1734n);
    assert.strictEqual(getRegU(c, 8, 16), 0x17n);
  });

  it('LOCK: allowed with a memory destination, #UD with a register destination or on CMP/TEST', () => {
    const m = newMachine(), c = m.cpu;
    writeMem(m, DATA, 32, 5n);
    setReg64(c, REG, 2n);
    assert.strictEqual(exec(m, mk('Add_rm32_r32', { reg: REG, lock: true, ...memAt(DATA) })), -1);
    assert.strictEqual(readMem(m, DATA, 32), 7n);
    for (const op of ['Add', 'Or', 'Adc', 'Sbb', 'And', 'Sub', 'Xor']) {
      for (const size of [8, 16, 32, 64]) {
        assert.strictEqual(exec(m, mk(`${op}_rm${size}_r${size}`, { rm: RM, reg: REG, lock: true })), 6, `${op}${size} reg`);
        assert.strictEqual(exec(m, mk(`${op}_r${size}_rm${size}`, { reg: REG, lock: true, ...memAt(DATA) })), 6, `${op}${size} r,m`);
        assert.strictEqual(exec(m, mk(`${op}_${ACC[size]}`, { imm: 1, lock: true })), 6);
        assert.strictEqual(exec(m, mk(`${op}_rm${size}_imm${Math.min(size, 32)}`, { imm: 1, lock: true, ...memAt(DATA) })), -1);
      }
    }
    for (const size of [8, 16, 32, 64]) {
      assert.strictEqual(exec(m, mk(`Cmp_rm${size}_r${size}`, { reg: REG, lock: true, ...memAt(DATA) })), 6);
      assert.strictEqual(exec(m, mk(`Test_rm${size}_r${size}`, { reg: REG, lock: true, ...memAt(DATA) })), 6);
    }
  });

  it('a faulting memory write leaves flags and registers untouched', () => {
    const m = newMachine(), c = m.cpu;
    presetFlags(c, F_CF);
    setReg64(c, REG, 1n);
    // An address beyond 48 bits is non-canonical: #GP before anything changes.
    const i = mk('Add_rm64_r64', { reg: REG, isMem: true, base: -1, index: -1, disp: 0, dispHi: 0x00800000, seg: 3 });
    assert.strictEqual(exec(m, i), 13);
    assert.strictEqual(arith(c), F_CF);
  });
});
