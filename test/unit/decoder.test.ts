// Hand-written decoder cases per family: every Insn field is checked (unlisted fields must hold their defaults):
// ModRM/SIB, RIP-relative, 16-bit addressing, moffs, imm64, far pointers, prefixes, REX.W vs 66, segments, lock, rep.

import * as assert from 'node:assert';
import { decode, execTooLong } from '../../src/cpu/decoder/decode';
import { Insn } from '../../src/cpu/decoder/insn';
import { execInvalid, execUnimplemented, handlerFor } from '../../src/cpu/exec/registry';

type Fields = Partial<Pick<Insn, 'code' | 'len' | 'opsize' | 'asize' | 'reg' | 'rm' | 'isMem' | 'seg' | 'base' | 'index' |
  'scale' | 'disp' | 'dispHi' | 'imm' | 'immHi' | 'imm2' | 'rep' | 'lock' | 'isBranch'>>;

function bytesOf(hex: string): Uint8Array {
  const h = hex.replace(/\s+/g, '');
  return new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));
}

/** Decode and compare every field against `want` (defaults for fields not given). */
function check(mode: number, hex: string, want: Fields & { code: string; opsize: number }): Insn {
  const b = bytesOf(hex);
  const buf = new Uint8Array(16);
  buf.set(b);
  const i = decode(buf, Math.min(15, b.length), mode);
  assert.ok(i !== null, `${hex}: null`);
  const full: Required<Fields> = {
    len: b.length, asize: mode,
    reg: -1, rm: -1, isMem: false, seg: 3, base: -1, index: -1, scale: 0, disp: 0, dispHi: 0, imm: 0, immHi: 0, imm2: 0,
    rep: 0, lock: false, isBranch: false, ...want,
  };
  const got: Record<string, unknown> = {};
  for (const k of Object.keys(full)) got[k] = (i as unknown as Record<string, unknown>)[k];
  assert.deepStrictEqual(got, full, `${mode}-bit ${hex}`);
  assert.strictEqual(i.mode, mode);
  assert.deepStrictEqual(Array.from(i.bytes!), Array.from(buf.subarray(0, i.len)));
  if (i.code === 'INVALID') assert.strictEqual(i.exec, i.len === 15 ? execTooLong : execInvalid);
  else assert.strictEqual(i.exec, handlerFor(i.code) ?? execUnimplemented);
  return i;
}

describe('decoder: 64-bit ModRM / SIB / RIP-relative', () => {
  it('register forms and REX.W', () => {
    check(64, '48 01 c8', { code: 'Add_rm64_r64', opsize: 64, reg: 1, rm: 0 });
    check(64, '4d 01 c8', { code: 'Add_rm64_r64', opsize: 64, reg: 9, rm: 8 });
    check(64, '01 c8', { code: 'Add_rm32_r32', opsize: 32, reg: 1, rm: 0 });
  });
  it('SIB, base rsp/rbp default to SS, r12/r13 to DS', () => {
    check(64, '8b 44 24 04', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 4, seg: 2, disp: 4 });
    check(64, '8b 45 f8', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 5, seg: 2, disp: -8, dispHi: -1 });
    check(64, '41 8b 45 08', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 13, disp: 8 });
    check(64, '41 8b 04 24', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 12 });
  });
  it('SIB index with scale, REX.X, no-index (100) and no-base (mod 00 base 101)', () => {
    check(64, '4a 8b 04 c5 00 10 00 00', { code: 'Mov_r64_rm64', opsize: 64, reg: 0, isMem: true, index: 8, scale: 3, disp: 0x1000 });
    check(64, '42 8b 04 25 78 56 34 12', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, index: 12, disp: 0x12345678 });
    check(64, '8b 04 25 78 56 34 12', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, disp: 0x12345678 });
    check(64, '8b 0c 8b', { code: 'Mov_r32_rm32', opsize: 32, reg: 1, isMem: true, base: 3, index: 1, scale: 2 });
    check(64, '8b 54 24 f0', { code: 'Mov_r32_rm32', opsize: 32, reg: 2, isMem: true, base: 4, seg: 2, disp: -16, dispHi: -1 });
  });
  it('RIP-relative, also with 0x67 (EIP-relative)', () => {
    check(64, '8b 0d 78 56 34 12', { code: 'Mov_r32_rm32', opsize: 32, reg: 1, isMem: true, base: 16, disp: 0x12345678 });
    check(64, '67 8b 0d f0 ff ff ff', { code: 'Mov_r32_rm32', opsize: 32, asize: 32, reg: 1, isMem: true, base: 16, disp: -16, dispHi: -1 });
    check(64, '48 8d 05 00 00 00 80', { code: 'Lea_r64_m', opsize: 64, reg: 0, isMem: true, base: 16, disp: -0x80000000, dispHi: -1 });
  });
  it('8-bit registers: ah..bh without REX, spl..dil with any REX', () => {
    check(64, '88 e0', { code: 'Mov_rm8_r8', opsize: 8, reg: 16, rm: 0 });
    check(64, '40 88 e0', { code: 'Mov_rm8_r8', opsize: 8, reg: 4, rm: 0 });
    check(64, '44 88 c7', { code: 'Mov_rm8_r8', opsize: 8, reg: 8, rm: 7 });
    check(64, 'b4 12', { code: 'Mov_r8_imm8', opsize: 8, reg: 16, imm: 0x12 });
    check(64, '41 b4 12', { code: 'Mov_r8_imm8', opsize: 8, reg: 12, imm: 0x12 });
  });
});

describe('decoder: 64-bit immediates, branches, moffs', () => {
  it('mov r64, imm64 and sign-extended imm32/imm8', () => {
    check(64, '48 b8 88 77 66 55 44 33 22 11', { code: 'Mov_r64_imm64', opsize: 64, reg: 0, imm: 0x55667788, immHi: 0x11223344 });
    check(64, '49 bf ff ff ff ff ff ff ff ff', { code: 'Mov_r64_imm64', opsize: 64, reg: 15, imm: -1, immHi: -1 });
    check(64, 'b8 ff ff ff ff', { code: 'Mov_r32_imm32', opsize: 32, reg: 0, imm: -1, immHi: -1 });
    check(64, '48 c7 c0 ff ff ff ff', { code: 'Mov_rm64_imm32', opsize: 64, rm: 0, imm: -1, immHi: -1 });
    check(64, '48 83 c4 f8', { code: 'Add_rm64_imm8', opsize: 64, rm: 4, imm: -8, immHi: -1 });
    check(64, '48 05 00 00 00 80', { code: 'Add_RAX_imm32', opsize: 64, imm: -0x80000000, immHi: -1 });
    check(64, '6a ff', { code: 'Pushq_imm8', opsize: 64, imm: -1, immHi: -1 });
    check(64, '66 6a 80', { code: 'Pushw_imm8', opsize: 16, imm: -128, immHi: -1 });
    check(64, '68 00 00 00 80', { code: 'Pushq_imm32', opsize: 64, imm: -0x80000000, immHi: -1 });
  });
  it('zero-extended imm8 of shifts / int / in / out, imul imm8 sign-extended, enter level', () => {
    check(64, 'c1 e0 84', { code: 'Shl_rm32_imm8', opsize: 32, rm: 0, imm: 0x84 });
    check(64, 'cd 80', { code: 'Int_imm8', opsize: 32, imm: 0x80, isBranch: true });
    check(64, 'e4 f0', { code: 'In_AL_imm8', opsize: 8, imm: 0xf0, isBranch: true });
    check(64, '6b c1 ff', { code: 'Imul_r32_rm32_imm8', opsize: 32, reg: 0, rm: 1, imm: -1, immHi: -1 });
    check(64, 'c8 10 00 02', { code: 'Enterq_imm16_imm8', opsize: 64, imm: 16, imm2: 2 });
    check(64, 'c2 08 80', { code: 'Retnq_imm16', opsize: 64, imm: 0x8008, isBranch: true });
  });
  it('relative branches: near, short, operand-size prefix ignored in 64-bit mode', () => {
    check(64, 'e8 fb ff ff ff', { code: 'Call_rel32_64', opsize: 64, imm: -5, immHi: -1, isBranch: true });
    check(64, '66 e8 fb ff ff ff', { code: 'Call_rel32_64', opsize: 64, imm: -5, immHi: -1, isBranch: true });
    check(64, '75 fe', { code: 'Jne_rel8_64', opsize: 64, imm: -2, immHi: -1, isBranch: true });
    check(64, '0f 84 10 00 00 00', { code: 'Je_rel32_64', opsize: 64, imm: 16, isBranch: true });
    check(64, 'e3 02', { code: 'Jrcxz_rel8_64', opsize: 64, imm: 2, isBranch: true });
    check(64, '67 e2 02', { code: 'Loop_rel8_64_ECX', opsize: 64, asize: 32, imm: 2, isBranch: true });
    check(64, 'ff d0', { code: 'Call_rm64', opsize: 64, rm: 0, isBranch: true });
    check(64, 'c3', { code: 'Retnq', opsize: 64, isBranch: true });
  });
  it('moffs: 64-bit offset, 0x67 32-bit offset, segment override', () => {
    check(64, 'a1 88 77 66 55 44 33 22 11', { code: 'Mov_EAX_moffs32', opsize: 32, isMem: true, disp: 0x55667788, dispHi: 0x11223344 });
    check(64, '48 a3 00 00 00 00 00 80 ff ff', { code: 'Mov_moffs64_RAX', opsize: 64, isMem: true, disp: 0, dispHi: -0x8000 });
    check(64, '67 a1 78 56 34 12', { code: 'Mov_EAX_moffs32', opsize: 32, asize: 32, isMem: true, disp: 0x12345678 });
    check(64, '65 a0 10 00 00 00 00 00 00 00', { code: 'Mov_AL_moffs8', opsize: 8, isMem: true, seg: 5, disp: 16 });
  });
});

describe('decoder: prefixes in 64-bit mode', () => {
  it('REX.W beats 66; REX before a legacy prefix is ignored', () => {
    check(64, '66 48 8b 00', { code: 'Mov_r64_rm64', opsize: 64, reg: 0, isMem: true, base: 0 });
    check(64, '48 66 8b 00', { code: 'Mov_r16_rm16', opsize: 16, reg: 0, isMem: true, base: 0 });
    check(64, '66 8b 00', { code: 'Mov_r16_rm16', opsize: 16, reg: 0, isMem: true, base: 0 });
  });
  it('only FS/GS overrides are effective; ES/CS/SS/DS leave the default and do not cancel FS/GS', () => {
    check(64, '64 48 8b 04 25 28 00 00 00', { code: 'Mov_r64_rm64', opsize: 64, reg: 0, isMem: true, seg: 4, disp: 0x28 });
    check(64, '2e 8b 00', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 0 });
    check(64, '36 8b 00', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 0 });
    check(64, '3e 8b 45 00', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 5, seg: 2 });
    check(64, '65 2e 8b 00', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 0, seg: 5 });
  });
  it('lock: accepted on lockable memory forms, INVALID otherwise', () => {
    check(64, 'f0 0f b1 0a', { code: 'Cmpxchg_rm32_r32', opsize: 32, reg: 1, isMem: true, base: 2, lock: true });
    check(64, 'f0 48 0f c7 0e', { code: 'Cmpxchg16b_m128', opsize: 64, isMem: true, base: 6, lock: true });
    check(64, 'f0 01 c0', { code: 'INVALID', opsize: 32, asize: 64, len: 3 });
    check(64, 'f0 8b 00', { code: 'INVALID', opsize: 32, asize: 64, len: 3 });
  });
  it('rep/repne on string instructions; string source segment override', () => {
    check(64, 'f3 48 a5', { code: 'Movsq_m64_m64', opsize: 64, rep: 1, isBranch: true });
    check(64, '64 f3 a4', { code: 'Movsb_m8_m8', opsize: 8, rep: 1, seg: 4, isBranch: true });
    check(64, 'f2 ae', { code: 'Scasb_AL_m8', opsize: 8, rep: 2, isBranch: true });
    check(64, 'f3 ab', { code: 'Stosd_m32_EAX', opsize: 32, rep: 1, isBranch: true });
    check(64, '66 ad', { code: 'Lodsw_AX_m16', opsize: 16 });
  });
  it('mandatory prefixes: pause, popcnt/tzcnt/lzcnt vs bsf/bsr, SSE forms', () => {
    check(64, 'f3 90', { code: 'Pause', opsize: 32, rep: 1 });
    check(64, '90', { code: 'Nopd', opsize: 32 });
    check(64, '41 90', { code: 'Xchg_r32_EAX', opsize: 32, reg: 8 });
    check(64, 'f3 0f b8 c1', { code: 'Popcnt_r32_rm32', opsize: 32, reg: 0, rm: 1, rep: 1 });
    check(64, '66 f3 0f b8 c1', { code: 'Popcnt_r16_rm16', opsize: 16, reg: 0, rm: 1, rep: 1 });
    check(64, 'f3 48 0f bc c1', { code: 'Tzcnt_r64_rm64', opsize: 64, reg: 0, rm: 1, rep: 1 });
    check(64, '0f bc c1', { code: 'Bsf_r32_rm32', opsize: 32, reg: 0, rm: 1 });
    check(64, '66 0f 6f c1', { code: 'Movdqa_xmm_xmmm128', opsize: 32, reg: 0, rm: 1 });
    check(64, 'f3 44 0f 6f 00', { code: 'Movdqu_xmm_xmmm128', opsize: 32, reg: 8, isMem: true, base: 0, rep: 1 });
    check(64, '66 48 0f 7e c0', { code: 'Movq_rm64_xmm', opsize: 64, reg: 0, rm: 0 });
    check(64, '66 41 0f 73 d8 04', { code: 'Psrldq_xmm_imm8', opsize: 32, rm: 8, imm: 4 });
    check(64, '0f fc c1', { code: 'Paddb_mm_mmm64', opsize: 32, reg: 0, rm: 1 });
    check(64, 'f3 0f 28 c1', { code: 'INVALID', opsize: 32, len: 4 });
  });
  it('15-byte limit', () => {
    check(64, '66'.repeat(14) + '90', { code: 'Nopw', opsize: 16 });
    check(64, '66'.repeat(15), { code: 'INVALID', opsize: 32, len: 15 });
  });
});

describe('decoder: system, x87 and invalid-in-64 forms', () => {
  it('control/debug registers, segment registers, group 7', () => {
    check(64, '0f 20 d8', { code: 'Mov_r64_cr', opsize: 64, reg: 3, rm: 0 });
    check(64, '44 0f 22 c0', { code: 'Mov_cr_r64', opsize: 64, reg: 8, rm: 0, isBranch: true });
    check(64, '0f 22 08', { code: 'INVALID', opsize: 32, len: 3 });
    check(64, '0f 23 f8', { code: 'Mov_dr_r64', opsize: 64, reg: 7, rm: 0, isBranch: true });
    check(64, '8e d0', { code: 'Mov_Sreg_r32m16', opsize: 16, reg: 2, rm: 0, isBranch: true });
    check(64, '8c e8', { code: 'Mov_r32m16_Sreg', opsize: 32, reg: 5, rm: 0 });
    check(64, '8e c8', { code: 'INVALID', opsize: 32, len: 2 });
    check(64, '0f 01 f8', { code: 'Swapgs', opsize: 32, isBranch: true });
    check(64, '0f 01 10', { code: 'Lgdt_m1664', opsize: 64, isMem: true, base: 0, isBranch: true });
    check(64, '0f 01 38', { code: 'Invlpg_m', opsize: 8, isMem: true, base: 0, isBranch: true });
    check(64, '0f 05', { code: 'Syscall', opsize: 32, isBranch: true });
    check(64, '48 0f 07', { code: 'Sysretq', opsize: 64, isBranch: true });
    check(64, '0f 0b', { code: 'Ud2', opsize: 32, isBranch: true });
    check(64, 'f3 48 0f ae c0', { code: 'Rdfsbase_r64', opsize: 64, rm: 0, rep: 1 });
    check(64, '0f ae f0', { code: 'Mfence', opsize: 32 });
  });
  it('x87', () => {
    check(64, 'd9 e8', { code: 'Fld1', opsize: 32 });
    check(64, 'dd 1c 24', { code: 'Fstp_m64fp', opsize: 64, isMem: true, base: 4, seg: 2 });
    check(64, 'de c1', { code: 'Faddp_sti_st0', opsize: 32, rm: 1 });
    check(64, 'df e0', { code: 'Fnstsw_AX', opsize: 16 });
    check(64, '66 d9 30', { code: 'Fnstenv_m14byte', opsize: 16, isMem: true, base: 0 });
  });
  it('one-byte opcodes invalid in 64-bit mode; VEX/EVEX are INVALID', () => {
    for (const op of ['06', '07', '0e', '16', '17', '1e', '1f', '27', '2f', '37', '3f', '60', '61', 'ce', 'd4 0a', 'd5 0a', 'd6']) {
      const i = decode(bytesOf(op + ' 00 00 00'), 4, 64)!;
      assert.strictEqual(i.code, 'INVALID', op);
    }
    for (const h of ['82 c0 01', '9a 00 00 00 00 00 00', 'ea 00 00 00 00 00 00', 'c4 e2 79 00 c0', 'c5 f8 77', '62 f1 7c 48 58 c0']) {
      assert.strictEqual(decode(bytesOf(h), bytesOf(h).length, 64)!.code, 'INVALID', h);
    }
  });
});

describe('decoder: 32-bit and 16-bit modes', () => {
  it('32-bit: far pointers, moffs, sreg push/pop, inc/dec, jecxz', () => {
    check(32, '9a 78 56 34 12 34 12', { code: 'Call_ptr1632', opsize: 32, imm: 0x12345678, imm2: 0x1234, isBranch: true });
    check(32, '66 ea 34 12 78 56', { code: 'Jmp_ptr1616', opsize: 16, imm: 0x1234, imm2: 0x5678, isBranch: true });
    check(32, 'a1 78 56 34 f2', { code: 'Mov_EAX_moffs32', opsize: 32, isMem: true, disp: 0xf2345678 | 0, dispHi: -1 });
    check(32, '8b 05 78 56 34 12', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, disp: 0x12345678 });
    check(32, '26 8b 04 24', { code: 'Mov_r32_rm32', opsize: 32, reg: 0, isMem: true, base: 4, seg: 0 });
    check(32, '40', { code: 'Inc_r32', opsize: 32, reg: 0 });
    check(32, '4f', { code: 'Dec_r32', opsize: 32, reg: 7 });
    check(32, '1e', { code: 'Pushd_DS', opsize: 32 });
    check(32, '17', { code: 'Popd_SS', opsize: 32, isBranch: true });
    check(32, 'e3 fe', { code: 'Jecxz_rel8_32', opsize: 32, imm: -2, immHi: -1, isBranch: true });
    check(32, 'cd 82', { code: 'Int_imm8', opsize: 32, imm: 0x82, isBranch: true });
    check(32, '0f 22 d8', { code: 'Mov_cr_r32', opsize: 32, reg: 3, rm: 0, isBranch: true });
    check(32, '0f 00 d0', { code: 'Lldt_r32m16', opsize: 16, rm: 0, isBranch: true });
    check(32, '0f 01 f8', { code: 'INVALID', opsize: 32, len: 3 });
    check(32, 'c4 00', { code: 'Les_r32_m1632', opsize: 32, reg: 0, isMem: true, base: 0, isBranch: true });
    check(32, '66 75 fe', { code: 'Jne_rel8_16', opsize: 16, imm: -2, immHi: -1, isBranch: true });
  });
  it('16-bit addressing forms map to base/index with scale 0; BP forms default to SS', () => {
    check(16, '8b 00', { code: 'Mov_r16_rm16', opsize: 16, reg: 0, isMem: true, base: 3, index: 6 });
    check(16, '8b 46 fe', { code: 'Mov_r16_rm16', opsize: 16, reg: 0, isMem: true, base: 5, seg: 2, disp: -2, dispHi: -1 });
    check(16, '8b 06 34 12', { code: 'Mov_r16_rm16', opsize: 16, reg: 0, isMem: true, disp: 0x1234 });
    check(16, '8b 82 00 80', { code: 'Mov_r16_rm16', opsize: 16, reg: 0, isMem: true, base: 5, index: 6, seg: 2, disp: -0x8000, dispHi: -1 });
    check(16, '3e 8b 03', { code: 'Mov_r16_rm16', opsize: 16, reg: 0, isMem: true, base: 5, index: 7, seg: 3 });
    check(16, '66 b8 78 56 34 12', { code: 'Mov_r32_imm32', opsize: 32, reg: 0, imm: 0x12345678 });
    check(16, '67 8b 04 24', { code: 'Mov_r16_rm16', opsize: 16, asize: 32, reg: 0, isMem: true, base: 4, seg: 2 });
    check(16, 'ea 34 12 00 10', { code: 'Jmp_ptr1616', opsize: 16, imm: 0x1234, imm2: 0x1000, isBranch: true });
    check(16, 'c3', { code: 'Retnw', opsize: 16, isBranch: true });
    check(16, 'e3 02', { code: 'Jcxz_rel8_16', opsize: 16, imm: 2, isBranch: true });
  });
});

describe('decoder: straight-line run boundaries', () => {
  it('marks rep-prefixed string instructions as ending a straight-line run (they re-execute in chunks)', () => {
    const cases: [number[], number, boolean][] = [
      [[0xf3, 0xa4], 64, true], [[0xf2, 0xae], 32, true], [[0xf3, 0x48, 0xab], 64, true], [[0xf3, 0x6c], 64, true],
      [[0xa4], 64, false], [[0xaa], 32, false],
    ];
    for (const [bytes, mode, branch] of cases) {
      const i = decode(Uint8Array.from(bytes), bytes.length, mode) as Insn;
      assert.strictEqual(i.isBranch, branch, `${i.code} rep=${i.rep}`);
    }
  });
});

describe('decoder: truncation contract', () => {
  it('returns null when bytes run out, and decodes once avail suffices', () => {
    const b = bytesOf('48 8b 84 24 00 01 00 00 00 00 00 00 00 00 00');
    for (let k = 0; k < 8; k++) assert.strictEqual(decode(b, k, 64), null, `avail ${k}`);
    const i = decode(b, 8, 64)!;
    assert.strictEqual(i.code, 'Mov_r64_rm64');
    assert.strictEqual(i.len, 8);
    assert.strictEqual(decode(b, 0, 32), null);
  });
});
