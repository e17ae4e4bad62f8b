// Table-driven x86 decoder: prefixes, opcode maps, form selection from the single opcode table (table.ts),
// ModRM/SIB (modrm.ts) and immediates, producing an Insn named with iced-x86 Code names.
//
// Conventions beyond insn.ts: INVALID records have len = bytes examined so far (>= 1) and raise #UD; an instruction
// that would exceed 15 bytes decodes as code 'INVALID' with len 15 whose handler raises #GP(0) as CPUs do. 16-bit Iz/Iv
// immediates are sign-extended to int32 like 32-bit ones (handlers mask to the operand size); Ib/Iw are
// zero-extended; moffs16/32 offsets are zero-extended into disp. immHi is imm >> 31 for sign-extended kinds.

import { Insn, REG_NONE } from './insn';
import { handlerFor, execInvalid, execUnimplemented } from '../exec/registry';
import {
  FORMS, Form, PFX_66, PFX_F2, PFX_F3, PFX_NP, MOD_MEM, MOD_REG, K_GPR, K_GPR8, K_SREG, K_CR, K_DR, K_XMM, K_MM, K_ST,
  K_NONE, I_NONE, I_IB, I_IBS, I_IW, I_IZ, I_IV, I_JB, I_JZ, I_MOFFS, I_PTR, SZ_V, SZ_D64, SZ_F64,
} from './table';
import { decodeMem, TRUNC } from './modrm';
import { CpuFault, GP } from '../fault';
import type { Handler } from './insn';

const SEG_OF_PREFIX: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };
const SEG_DS = 3;

/** Handler of over-long (more than 15 bytes) encodings: #GP(0). */
export const execTooLong: Handler = () => { throw new CpuFault(GP, 0); };

function tooLong(buf: Uint8Array, mode: number): Insn {
  const i = invalid(buf, 15, mode);
  i.exec = execTooLong;
  return i;
}

function invalid(buf: Uint8Array, len: number, mode: number): Insn {
  const i = new Insn(execInvalid, 'INVALID');
  i.len = len < 1 ? 1 : len;
  i.mode = mode;
  i.asize = mode;
  i.opsize = mode === 16 ? 16 : 32;
  i.bytes = buf.slice(0, i.len);
  return i;
}

/** REG8 numbering: without a REX prefix, encodings 4..7 are ah, ch, dh, bh (16..19). */
function reg8(n: number, rex: number): number {
  return rex === 0 && n >= 4 && n < 8 ? n + 12 : n;
}

function u16(buf: Uint8Array, p: number): number { return buf[p] | (buf[p + 1] << 8); }
function s32(buf: Uint8Array, p: number): number {
  return buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
}

function selectForm(forms: Form[], mp: number, mode: number, modrm: number): Form | null {
  for (let k = 0; k < forms.length; k++) {
    const c = forms[k];
    if (c.pfx >= 0 && c.pfx !== mp) continue;
    if (mode === 64 ? c.i64 : c.o64) continue;
    if (modrm >= 0) {
      if (c.modrmByte >= 0 && c.modrmByte !== modrm) continue;
      if (c.ext >= 0 && c.ext !== ((modrm >> 3) & 7)) continue;
      const mod3 = modrm >= 0xc0;
      if (c.mod === MOD_MEM && mod3) continue;
      if (c.mod === MOD_REG && !mod3) continue;
    }
    return c;
  }
  return null;
}

/** Bytes an immediate of this kind occupies. */
function immBytes(kind: number, osz: number, asz: number): number {
  switch (kind) {
    case I_IB: case I_IBS: case I_JB: return 1;
    case I_IW: return 2;
    case I_IZ: case I_JZ: return osz === 16 ? 2 : 4;
    case I_IV: return osz >> 3;
    case I_MOFFS: return asz >> 3;
    case I_PTR: return (osz === 16 ? 2 : 4) + 2;
    default: return 0;
  }
}

/**
 * Decode one instruction from buf[0..avail) for a code size of 16, 32 or 64 bits. Returns null when the
 * instruction continues past `avail` bytes (and could still fit in 15); never throws.
 */
export function decode(buf: Uint8Array, avail: number, mode: number): Insn | null {
  if (avail > 15) avail = 15;
  if (avail > buf.length) avail = buf.length;
  let p = 0, p66 = false, p67 = false, segOv = -1, lock = false, rep = 0, rex = 0;
  // Legacy prefixes and REX (REX counts only directly before the opcode).
  for (;;) {
    if (p >= avail) return p >= 15 ? tooLong(buf, mode) : null;
    const b = buf[p];
    if (b === 0x66) p66 = true;
    else if (b === 0x67) p67 = true;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2) rep = 2;
    else if (b === 0xf3) rep = 1;
    else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65) {
      // In 64-bit mode ES/CS/SS/DS prefixes are ignored (and do not cancel an earlier FS/GS prefix).
      if (mode !== 64 || b >= 0x64) segOv = SEG_OF_PREFIX[b];
    }
    else if (mode === 64 && (b & 0xf0) === 0x40) { rex = b; p++; continue; }
    else break;
    rex = 0;
    p++;
  }
  // Opcode and map.
  let map = 0, op = buf[p++];
  if (op === 0x0f) {
    if (p >= avail) return p >= 15 ? tooLong(buf, mode) : null;
    op = buf[p++];
    map = 1;
    if (op === 0x38 || op === 0x3a) {
      if (p >= avail) return p >= 15 ? tooLong(buf, mode) : null;
      map = op === 0x38 ? 2 : 3;
      op = buf[p++];
    }
  }
  let forms = FORMS[map * 256 + op];
  if (forms === undefined) return invalid(buf, p, mode);
  // VEX (C4/C5), EVEX (62) and XOP (8F) escapes: not supported (no AVX in our CPUID) -> INVALID.
  if (map === 0 && (op === 0xc4 || op === 0xc5 || op === 0x62 || op === 0x8f)) {
    if (mode === 64 && op !== 0x8f) return invalid(buf, p, mode);
    if (p >= avail) return p >= 15 ? tooLong(buf, mode) : null;
    const nx = buf[p];
    if (op === 0x8f ? (nx & 0x1f) >= 8 : nx >= 0xc0) return invalid(buf, p, mode);
  }
  let modrm = -1;
  if (forms[0].hasModrm) {
    if (p >= avail) return p >= 15 ? tooLong(buf, mode) : null;
    modrm = buf[p++];
  }
  const mp = rep === 1 ? PFX_F3 : rep === 2 ? PFX_F2 : p66 ? PFX_66 : PFX_NP;
  // 90 with REX.B is xchg r8, rAX (F3 90 stays pause).
  if (map === 0 && op === 0x90 && (rex & 1) !== 0 && rep !== 1) forms = FORMS[0x91];
  const f = selectForm(forms, mp, mode, modrm);
  if (f === null) return invalid(buf, p, mode);

  const rexW = (rex & 8) !== 0, rexR = (rex & 4) << 1, rexX = (rex & 2) << 2, rexB = (rex & 1) << 3;
  const use66 = p66 && f.pfx !== PFX_66;
  let osz: number;
  if (mode === 64) {
    const sk = f.sizeKind;
    osz = sk === SZ_V ? (rexW ? 64 : use66 ? 16 : 32) : sk === SZ_D64 ? (rexW ? 64 : use66 ? 16 : 64) : 64;
  } else {
    const sk = f.sizeKind;
    osz = sk === SZ_V || sk === SZ_D64 || sk === SZ_F64 ? ((mode === 16) !== use66 ? 16 : 32) : 32;
  }
  if (f.no64 && osz === 64) osz = 32;
  const asz = mode === 64 ? (p67 ? 32 : 64) : mode === 32 ? (p67 ? 16 : 32) : (p67 ? 32 : 16);

  const insn = new Insn(execInvalid, 'INVALID');
  insn.mode = mode;
  insn.asize = asz;
  insn.seg = SEG_DS;
  if (modrm >= 0) {
    const regf = (modrm >> 3) & 7, rm = modrm & 7;
    switch (f.regKind) {
      case K_GPR: insn.reg = regf | rexR; break;
      case K_GPR8: insn.reg = reg8(regf | rexR, rex); break;
      case K_SREG:
        if (regf > 5 || (f.sregw && regf === 1)) return invalid(buf, p, mode);
        insn.reg = regf; break;
      case K_CR: {
        const n = regf | rexR;
        if (f.crn && !(n === 0 || n === 2 || n === 3 || n === 4 || n === 8)) return invalid(buf, p, mode);
        insn.reg = n; break;
      }
      case K_DR:
        if (f.drn && rexR !== 0) return invalid(buf, p, mode);
        insn.reg = regf | rexR; break;
      case K_XMM: insn.reg = regf | rexR; break;
      case K_MM: insn.reg = regf; break;
      default: break;
    }
    if (modrm >= 0xc0 || f.modreg) {
      switch (f.rmKind) {
        case K_GPR: insn.rm = rm | rexB; break;
        case K_GPR8: insn.rm = reg8(rm | rexB, rex); break;
        case K_XMM: insn.rm = rm | rexB; break;
        case K_MM: case K_ST: insn.rm = rm; break;
        case K_NONE: insn.rm = REG_NONE; break;
        default: break;
      }
    } else {
      const r = decodeMem(buf, p, avail, modrm, asz, rexB, rexX, mode === 64, insn);
      if (r < 0) return r === TRUNC ? null : tooLong(buf, mode);
      p = r;
    }
  }
  if (f.zKind !== K_NONE) insn.reg = f.zKind === K_GPR8 ? reg8((op & 7) | rexB, rex) : (op & 7) | rexB;

  // Immediates.
  if (f.imm1 !== I_NONE) {
    const n1 = immBytes(f.imm1, osz, asz), n2 = f.imm2 === I_NONE ? 0 : immBytes(f.imm2, osz, asz);
    if (p + n1 + n2 > avail) return p + n1 + n2 > 15 ? tooLong(buf, mode) : null;
    switch (f.imm1) {
      case I_IB: insn.imm = buf[p]; break;
      case I_IBS: case I_JB: insn.imm = (buf[p] << 24) >> 24; insn.immHi = insn.imm >> 31; break;
      case I_IW: insn.imm = u16(buf, p); break;
      case I_IZ: case I_JZ:
        insn.imm = n1 === 2 ? (u16(buf, p) << 16) >> 16 : s32(buf, p);
        insn.immHi = insn.imm >> 31; break;
      case I_IV:
        if (n1 === 8) { insn.imm = s32(buf, p); insn.immHi = s32(buf, p + 4); }
        else { insn.imm = n1 === 2 ? (u16(buf, p) << 16) >> 16 : s32(buf, p); insn.immHi = insn.imm >> 31; }
        break;
      case I_MOFFS:
        insn.isMem = true;
        if (n1 === 2) { insn.disp = u16(buf, p); insn.dispHi = 0; }
        else if (n1 === 4) { insn.disp = s32(buf, p); insn.dispHi = insn.disp >> 31; }
        else { insn.disp = s32(buf, p); insn.dispHi = s32(buf, p + 4); }
        break;
      case I_PTR:
        insn.imm = n1 === 4 ? u16(buf, p) : s32(buf, p);
        insn.imm2 = u16(buf, p + n1 - 2);
        break;
      default: break;
    }
    p += n1;
    if (f.imm2 === I_IB) insn.imm2 = buf[p];
    p += n2;
  }
  if (lock && (!f.lockable || !insn.isMem)) return invalid(buf, p, mode);
  if (segOv >= 0) insn.seg = segOv;

  const oi = osz === 16 ? 0 : osz === 32 ? 1 : 2, ai = asz === 16 ? 0 : asz === 32 ? 1 : 2;
  const code = f.names[oi * 3 + ai];
  insn.code = code;
  insn.exec = handlerFor(code) ?? execUnimplemented;
  insn.len = p;
  insn.opsize = f.opFixed > 0 ? f.opFixed : f.opFixed === -1 ? (osz === 64 ? 64 : 32) : osz;
  insn.rep = rep;
  insn.lock = lock;
  // A rep-prefixed string op re-executes itself in bounded chunks, so it ends a straight-line run too.
  insn.isBranch = f.branch || (f.str && rep !== 0);
  insn.bytes = buf.slice(0, p);
  return insn;
}
