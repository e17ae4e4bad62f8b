// The opcode table compiled at module load: every row of the one-byte, 0F, 0F 38 and 0F 3A maps (from
// table-onebyte/0f/sse.ts) becomes a Form, bucketed per (map, opcode) and sorted most-specific first.

import { Row } from './table-defs';
import { ONE_BYTE_ROWS } from './table-onebyte';
import { TWO_BYTE_ROWS } from './table-0f';
import { SSE_ROWS } from './table-sse';

/** Every row of the decoder's single opcode table, in source order. */
export const ALL_ROWS: readonly Row[] = [...ONE_BYTE_ROWS, ...TWO_BYTE_ROWS, ...SSE_ROWS];

/** Mandatory-prefix selector: -1 any, else the prefix that must be the mandatory one. */
export const PFX_ANY = -1, PFX_NP = 0, PFX_66 = 1, PFX_F3 = 2, PFX_F2 = 3;
/** ModRM.mod constraint. */
export const MOD_ANY = 0, MOD_MEM = 1, MOD_REG = 2;
/** What ModRM.reg (or the opcode's low bits) names. */
export const K_NONE = 0, K_GPR = 1, K_GPR8 = 2, K_SREG = 3, K_CR = 4, K_DR = 5, K_XMM = 6, K_MM = 7, K_ST = 8;
/** Immediate kinds. */
export const I_NONE = 0, I_IB = 1, I_IBS = 2, I_IW = 3, I_IZ = 4, I_IV = 5, I_JB = 6, I_JZ = 7, I_MOFFS = 8, I_PTR = 9;
/** Operand-size rules. */
export const SZ_V = 0, SZ_D64 = 1, SZ_F64 = 2, SZ_CR = 3;

/** One compiled table row. */
export class Form {
  map = 0;
  op = 0;
  pfx = PFX_ANY;
  /** ModRM.reg extension (0..7) or -1. */
  ext = -1;
  mod = MOD_ANY;
  /** Whole ModRM byte required, or -1. */
  modrmByte = -1;
  hasModrm = false;
  regKind = K_NONE;
  rmKind = K_NONE;
  /** Register in the opcode's low 3 bits: K_NONE, K_GPR or K_GPR8. */
  zKind = K_NONE;
  imm1 = I_NONE;
  /** Second immediate (enter's level byte, or the imm8 after ModRM operands). */
  imm2 = I_NONE;
  sizeKind = SZ_V;
  no64 = false;
  /** Main operand size: 0 = operand size, -1 = 32/64 ('y'), else fixed bits. */
  opFixed = 0;
  branch = false;
  lockable = false;
  i64 = false;
  o64 = false;
  modreg = false;
  crn = false;
  drn = false;
  sreg = false;
  sregw = false;
  /** String instruction (X/Y operands): seg is the source segment, no ModRM memory operand. */
  str = false;
  /** Names per [operand size 16/32/64][address size 16/32/64], flattened 3x3. */
  names: string[] = [];
  rank = 0;
  row: Row;
  constructor(row: Row) { this.row = row; }
}

const FIXED = new Set(['AL', 'CL', 'DX', 'AX', 'eAX', 'rAX', 'ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'ST', '1', 'DI', 'XLAT']);
const SIZE_OF: Record<string, number> = { b: 8, w: 16, d: 32, q: 64, v: 0, z: 0, y: -1 };
const OSZ = [16, 32, 64];

/** Expand a name template for one operand size and address size. */
export function expandName(tpl: string, osz: number, asz: number): string {
  const alts = tpl.split('|');
  const oi = osz === 16 ? 0 : osz === 32 ? 1 : 2;
  const ai = asz === 16 ? 0 : asz === 32 ? 1 : 2;
  let s = alts[Math.min(oi, alts.length - 1)];
  if (s.indexOf('{') < 0) return s;
  s = s.replace(/\{v\}/g, String(osz)).replace(/\{w\}/g, 'wdq'[oi]).replace(/\{y\}/g, osz === 64 ? '64' : '32')
    .replace(/\{z\}/g, osz === 16 ? '16' : '32').replace(/\{ax\}/g, ['AX', 'EAX', 'RAX'][oi])
    .replace(/\{a\}/g, String(asz)).replace(/\{acx\}/g, ['CX', 'ECX', 'RCX'][ai])
    .replace(/\{acl\}/g, ['cx', 'ecx', 'rcx'][ai]).replace(/\{aw\}/g, 'wdq'[ai]);
  return s;
}

function parseOperands(f: Form, ops: string): void {
  const toks = ops === '' ? [] : ops.split(',');
  let sized = false;
  for (const t of toks) {
    const c = t.charAt(0);
    let sizeTok = '';
    if (FIXED.has(t)) {
      if (t === 'AL') sizeTok = 'b';
      else if (t === 'AX') sizeTok = 'w';
      else if (t === 'eAX' || t === 'rAX') sizeTok = 'v';
    } else if (t === 'STi') { f.hasModrm = true; f.rmKind = K_ST; f.mod = MOD_REG; }
    else if (t === 'Zb' || t === 'Zv') { f.zKind = t === 'Zb' ? K_GPR8 : K_GPR; sizeTok = t.charAt(1); }
    else if (c === 'I' || c === 'J') {
      const k = t === 'Ib' ? I_IB : t === 'Ibs' ? I_IBS : t === 'Iw' ? I_IW : t === 'Iz' ? I_IZ : t === 'Iv' ? I_IV
        : t === 'Jb' ? I_JB : t === 'Jz' ? I_JZ : -1;
      if (k < 0) throw new Error(`bad immediate ${t}`);
      if (f.imm1 === I_NONE && !f.hasModrm) f.imm1 = k; else if (f.imm1 === I_NONE) f.imm1 = k; else f.imm2 = k;
    } else if (c === 'O') { f.imm1 = I_MOFFS; sizeTok = t.charAt(1); }
    else if (c === 'A') { f.imm1 = I_PTR; }
    else if (c === 'X' || c === 'Y') { f.str = true; sizeTok = t.charAt(1); }
    else if ('GSCDVP'.indexOf(c) >= 0) {
      f.hasModrm = true;
      f.regKind = c === 'G' ? (t === 'Gb' ? K_GPR8 : K_GPR) : c === 'S' ? K_SREG : c === 'C' ? K_CR : c === 'D' ? K_DR
        : c === 'V' ? K_XMM : K_MM;
      if (c === 'G' || c === 'S') sizeTok = t.charAt(1);
    } else if ('EMRWUQN'.indexOf(c) >= 0) {
      f.hasModrm = true;
      f.rmKind = c === 'E' || c === 'M' || c === 'R' ? (t === 'Eb' || t === 'Rb' ? K_GPR8 : K_GPR)
        : c === 'W' || c === 'U' ? K_XMM : K_MM;
      if (c === 'M') f.mod = MOD_MEM;
      if (c === 'R' || c === 'U' || c === 'N') f.mod = MOD_REG;
      if (c === 'E' || c === 'M' || c === 'R') sizeTok = t.length === 2 ? t.charAt(1) : '';
    } else throw new Error(`bad operand ${t}`);
    if (!sized && sizeTok !== '' && sizeTok in SIZE_OF) { f.opFixed = SIZE_OF[sizeTok]; sized = true; }
  }
}

function compileRow(row: Row, out: Form[][]): void {
  const [key, ops, name, flags] = row;
  const t = key.split(' ');
  let i = 0;
  const proto = new Form(row);
  const pfxIdx = ['NP', '66', 'F3', 'F2'].indexOf(t[0]);
  if (pfxIdx >= 0) { proto.pfx = pfxIdx; i++; }
  if (t[i] === '0F') {
    i++; proto.map = 1;
    if ((t[i] === '38' || t[i] === '3A') && i + 1 < t.length && /^[0-9A-F]{2}/.test(t[i + 1])) { proto.map = t[i] === '38' ? 2 : 3; i++; }
  }
  const opTok = t[i++];
  const plusR = opTok.endsWith('+r');
  proto.op = parseInt(opTok.slice(0, 2), 16);
  for (; i < t.length; i++) {
    const k = t[i];
    if (k.charAt(0) === '/') proto.ext = parseInt(k.slice(1), 10);
    else if (k === 'mem') proto.mod = MOD_MEM;
    else if (k === 'reg') proto.mod = MOD_REG;
    else if (k.charAt(0) === '!') { proto.modrmByte = parseInt(k.slice(1), 16); proto.hasModrm = true; }
    else throw new Error(`bad key ${key}`);
  }
  if (proto.ext >= 0) proto.hasModrm = true;
  const keyMod = proto.mod;
  parseOperands(proto, ops);
  if (keyMod !== MOD_ANY) proto.mod = keyMod;
  for (const fl of (flags ?? '').split(' ')) {
    switch (fl) {
      case '': break;
      case 'B': proto.branch = true; break;
      case 'L': proto.lockable = true; break;
      case 'i64': proto.i64 = true; break;
      case 'o64': proto.o64 = true; break;
      case 'd64': proto.sizeKind = SZ_D64; break;
      case 'f64': proto.sizeKind = SZ_F64; break;
      case 'cr': proto.sizeKind = SZ_CR; break;
      case 'no64': proto.no64 = true; break;
      case 'modreg': proto.modreg = true; proto.mod = MOD_ANY; break;
      case 'crn': proto.crn = true; break;
      case 'drn': proto.drn = true; break;
      case 'sreg': proto.sreg = true; break;
      case 'sregw': proto.sreg = true; proto.sregw = true; break;
      default: throw new Error(`bad flag ${fl} in ${key}`);
    }
  }
  for (const osz of OSZ) for (const asz of OSZ) proto.names.push(expandName(name, osz, asz));
  proto.rank = (proto.modrmByte >= 0 ? 8 : 0) + (proto.pfx >= 0 ? 4 : 0) + (proto.ext >= 0 ? 2 : 0) + (proto.mod !== MOD_ANY ? 1 : 0);
  const n = plusR ? 8 : 1;
  for (let r = 0; r < n; r++) {
    const f = r === 0 ? proto : Object.assign(new Form(row), proto);
    f.op = proto.op + r;
    const idx = f.map * 256 + f.op;
    (out[idx] ??= []).push(f);
  }
}

function build(): Form[][] {
  const out: Form[][] = new Array<Form[]>(4 * 256);
  for (const row of ALL_ROWS) compileRow(row, out);
  for (let i = 0; i < out.length; i++) {
    const l = out[i];
    if (l === undefined) continue;
    l.sort((a, b) => b.rank - a.rank);
    const hm = l[0].hasModrm;
    for (const f of l) if (f.hasModrm !== hm) throw new Error(`opcode ${i.toString(16)}: rows disagree on ModRM`);
  }
  return out;
}

/** Forms per map*256 + opcode (map 0 one-byte, 1 = 0F, 2 = 0F 38, 3 = 0F 3A), most specific first. */
export const FORMS: Form[][] = build();
