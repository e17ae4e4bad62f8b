// Turns a matched instruction (iced Code + bound operands + prefixes) into an iced Instruction and
// bytes; also GNU-as compatible NOP padding for code alignment.

import { Encoder, Instruction, OpCodeOperandKind as K, OpKind, Register } from 'iced-x86';
import { Expr } from './expr';
import { CodeInfo } from './opcode-index';
import { MemOp } from './operands';
import { AsmError, hex } from './types';

export type Bound =
  | { t: 'reg'; reg: Register }
  | { t: 'imm'; e: Expr; kind: K; second: boolean }
  | { t: 'mem'; m: MemOp; displSize: number; addrSize: number; rip: boolean; ripSym: boolean; moffs?: boolean }
  | { t: 'str'; kind: K; addrSize: number; seg?: Register }
  | { t: 'br'; e: Expr; kind: K }
  | { t: 'far'; sel: Expr; off: Expr; kind: K };

export interface Prefixes {
  lock: boolean;
  rep?: 'rep' | 'repe' | 'repne';
  /** Segment override written as a separate prefix word (`fs lodsb`). */
  seg?: Register;
  /** Raw prefix bytes emitted before the instruction (data16, addr32, rex.*). */
  raw: number[];
}

/** Provides operand values: the final values, or placeholders while sizing. */
export interface ValueSource {
  value(e: Expr): bigint;
  /** Placeholder mode: branch/rip targets default to the instruction address. */
  placeholder: boolean;
}

const encoders = new Map<number, Encoder>();
function encoderFor(bits: number): Encoder {
  let e = encoders.get(bits);
  if (!e) { e = new Encoder(bits); encoders.set(bits, e); }
  return e;
}

function fits(v: bigint, lo: bigint, hi: bigint): boolean { return v >= lo && v <= hi; }

/** Does a known immediate value fit an operand kind (GNU as rules: signed or unsigned within width)? */
export function immFits(kind: K, v: bigint): boolean {
  switch (kind) {
    case K.imm8: return fits(v, -128n, 255n);
    case K.imm8_const_1: return v === 1n;
    case K.imm8sex16: return fits(v, -32768n, 65535n) && fits(BigInt.asIntN(16, v), -128n, 127n);
    case K.imm8sex32: return fits(v, -(1n << 31n), (1n << 32n) - 1n) && fits(BigInt.asIntN(32, v), -128n, 127n);
    case K.imm8sex64: return fits(BigInt.asIntN(64, v), -128n, 127n);
    case K.imm16: return fits(v, -32768n, 65535n);
    case K.imm32: return fits(v, -(1n << 31n), (1n << 32n) - 1n);
    case K.imm32sex64: return fits(BigInt.asIntN(64, v), -(1n << 31n), (1n << 31n) - 1n);
    case K.imm64: return true;
    case K.imm4_m2z: return fits(v, 0n, 15n);
    default: return false;
  }
}

const IMM_NAME: Partial<Record<K, string>> = {
  [K.imm8]: '8-bit', [K.imm8_const_1]: 'constant 1', [K.imm8sex16]: '8-bit', [K.imm8sex32]: '8-bit', [K.imm8sex64]: '8-bit',
  [K.imm16]: '16-bit', [K.imm32]: '32-bit', [K.imm32sex64]: 'sign-extended 32-bit',
};

function setImm(ins: Instruction, i: number, kind: K, second: boolean, v: bigint): void {
  switch (kind) {
    case K.imm8: case K.imm8_const_1: case K.imm4_m2z:
      if (second) { ins.setOpKind(i, OpKind.Immediate8_2nd); ins.immediate8_2nd = Number(v & 0xffn); }
      else { ins.setOpKind(i, OpKind.Immediate8); ins.immediate8 = Number(v & 0xffn); }
      return;
    case K.imm8sex16: ins.setOpKind(i, OpKind.Immediate8to16); ins.immediate8to16 = Number(BigInt.asIntN(8, v)); return;
    case K.imm8sex32: ins.setOpKind(i, OpKind.Immediate8to32); ins.immediate8to32 = Number(BigInt.asIntN(8, v)); return;
    case K.imm8sex64: ins.setOpKind(i, OpKind.Immediate8to64); ins.immediate8to64 = BigInt.asIntN(8, v); return;
    case K.imm16: ins.setOpKind(i, OpKind.Immediate16); ins.immediate16 = Number(v & 0xffffn); return;
    case K.imm32: ins.setOpKind(i, OpKind.Immediate32); ins.immediate32 = Number(v & 0xffffffffn); return;
    case K.imm32sex64: ins.setOpKind(i, OpKind.Immediate32to64); ins.immediate32to64 = BigInt.asIntN(32, v); return;
    case K.imm64: ins.setOpKind(i, OpKind.Immediate64); ins.immediate64 = BigInt.asUintN(64, v); return;
  }
  throw new AsmError('internal: unsupported immediate kind');
}

function strKind(kind: K, addrSize: number): OpKind {
  const idx = addrSize === 16 ? 0 : addrSize === 32 ? 1 : 2;
  if (kind === K.seg_rSI) return [OpKind.MemorySegSI, OpKind.MemorySegESI, OpKind.MemorySegRSI][idx];
  if (kind === K.es_rDI) return [OpKind.MemoryESDI, OpKind.MemoryESEDI, OpKind.MemoryESRDI][idx];
  return [OpKind.MemorySegDI, OpKind.MemorySegEDI, OpKind.MemorySegRDI][idx];
}

export function branchOpKind(kind: K, bits: number): OpKind {
  if (kind === K.br16_1 || kind === K.br16_2 || kind === K.xbegin_2) return bits === 64 && kind === K.xbegin_2 ? OpKind.NearBranch64 : OpKind.NearBranch16;
  if (kind === K.br32_1 || kind === K.br32_4) return OpKind.NearBranch32;
  if (kind === K.xbegin_4) return bits === 64 ? OpKind.NearBranch64 : OpKind.NearBranch32;
  return OpKind.NearBranch64;
}

/**
 * Build the iced Instruction. `ip` is the instruction address and `len` its planned length (used to
 * turn a constant `disp(%rip)` into the absolute target iced expects).
 */
export function buildInstruction(ci: CodeInfo, binds: Bound[], pfx: Prefixes, vals: ValueSource, ip: bigint, len: number, bits: number): Instruction {
  const ins = Instruction.create(ci.code);
  try {
    for (let i = 0; i < binds.length; i++) {
      const b = binds[i];
      switch (b.t) {
        case 'reg':
          ins.setOpKind(i, OpKind.Register);
          ins.setOpRegister(i, b.reg);
          break;
        case 'imm': {
          const v = vals.value(b.e);
          if (!vals.placeholder && !immFits(b.kind, v)) {
            throw new AsmError(`value ${hex(v)} does not fit in a ${IMM_NAME[b.kind] ?? ''} immediate`.replace('  ', ' '));
          }
          setImm(ins, i, b.kind, b.second, vals.placeholder && !immFits(b.kind, v) ? 0n : v);
          break;
        }
        case 'mem': {
          const m = b.m;
          ins.setOpKind(i, OpKind.Memory);
          ins.memoryBase = m.base ? m.base.reg : Register.None;
          ins.memoryIndex = m.index ? m.index.reg : Register.None;
          ins.memoryIndexScale = m.scale;
          let d = m.disp ? vals.value(m.disp) : 0n;
          if (b.rip) {
            if (vals.placeholder) d = ip;
            else if (!b.ripSym) d = ip + BigInt(len) + d;
          }
          if (!vals.placeholder && !b.rip) {
            const as = b.addrSize;
            const ok = as === 64 ? b.moffs || fits(BigInt.asIntN(64, d), -(1n << 31n), (1n << 31n) - 1n)
              : as === 32 ? fits(d, -(1n << 31n), (1n << 32n) - 1n) : fits(d, -32768n, 65535n);
            if (!ok) throw new AsmError(`displacement ${hex(d)} does not fit in ${as === 64 ? 'a sign-extended 32' : as}-bit address`);
            if (as === 32) d = BigInt.asUintN(32, d);
            if (as === 16) d = BigInt.asUintN(16, d);
          }
          ins.memoryDisplacement = BigInt.asUintN(64, d);
          ins.memoryDisplSize = b.displSize;
          if (m.seg) ins.segmentPrefix = m.seg.reg;
          break;
        }
        case 'str':
          if (b.kind === K.seg_rBX_al) {
            ins.setOpKind(i, OpKind.Memory);
            ins.memoryBase = b.addrSize === 16 ? Register.BX : b.addrSize === 32 ? Register.EBX : Register.RBX;
            ins.memoryIndex = Register.AL;
            ins.memoryIndexScale = 1;
            ins.memoryDisplSize = 0;
          } else {
            ins.setOpKind(i, strKind(b.kind, b.addrSize));
          }
          if (b.seg !== undefined && b.seg !== Register.None) ins.segmentPrefix = b.seg;
          break;
        case 'br': {
          const t = vals.placeholder ? ip : vals.value(b.e);
          const ok = branchOpKind(b.kind, bits);
          ins.setOpKind(i, ok);
          if (ok === OpKind.NearBranch64) ins.nearBranch64 = BigInt.asUintN(64, t);
          else if (ok === OpKind.NearBranch32) ins.nearBranch32 = Number(BigInt.asUintN(32, t));
          else ins.nearBranch16 = Number(BigInt.asUintN(16, t));
          break;
        }
        case 'far': {
          const sel = vals.value(b.sel), off = vals.value(b.off);
          if (!vals.placeholder && !fits(sel, -32768n, 65535n)) throw new AsmError(`segment selector ${hex(sel)} does not fit in 16 bits`);
          ins.setOpKind(i, b.kind === K.farbr2_2 ? OpKind.FarBranch16 : OpKind.FarBranch32);
          ins.farBranchSelector = Number(sel & 0xffffn);
          if (b.kind === K.farbr2_2) ins.farBranch16 = Number(off & 0xffffn);
          else {
            if (!vals.placeholder && !fits(off, -(1n << 31n), (1n << 32n) - 1n)) throw new AsmError(`far pointer offset ${hex(off)} does not fit in 32 bits`);
            ins.farBranch32 = Number(off & 0xffffffffn);
          }
          break;
        }
      }
    }
    if (pfx.lock) ins.hasLockPrefix = true;
    if (pfx.rep === 'rep') ins.hasRepPrefix = true;
    else if (pfx.rep === 'repe') ins.hasRepePrefix = true;
    else if (pfx.rep === 'repne') ins.hasRepnePrefix = true;
    if (pfx.seg !== undefined) ins.segmentPrefix = pfx.seg;
    return ins;
  } catch (e) {
    ins.free();
    throw e;
  }
}

const PREFIX_RANK: Record<number, number> = {
  0x9b: 0, 0x26: 1, 0x2e: 1, 0x36: 1, 0x3e: 1, 0x64: 1, 0x65: 1, 0x67: 2, 0x66: 3, 0xf2: 4, 0xf3: 4, 0xf0: 5,
};

/**
 * Put legacy prefixes in GNU as order (fwait, segment, addr32, data16, rep, lock); a mandatory SSE
 * prefix stays next to the opcode.
 */
export function gasPrefixOrder(b: Uint8Array, mandatory: number): Uint8Array {
  let n = 0;
  while (n < b.length - 1 && PREFIX_RANK[b[n]] !== undefined) n++;
  if (n < 2) return b;
  const pre = Array.from(b.subarray(0, n));
  let mand = -1;
  if (mandatory) mand = pre.lastIndexOf(mandatory);
  const rank = (x: number, i: number) => (i === mand ? 9 : PREFIX_RANK[x]);
  const sorted = pre.map((x, i) => ({ x, i, r: rank(x, i) })).sort((p, q) => p.r - q.r || p.i - q.i).map((p) => p.x);
  if (sorted.every((x, i) => x === pre[i])) return b;
  const out = b.slice();
  out.set(sorted, 0);
  return out;
}

/** Encode one instruction at `ip`; iced errors become AsmErrors. */
export function encodeInstruction(ins: Instruction, ip: bigint, bits: number, raw: number[], mandatory = 0): Uint8Array {
  const enc = encoderFor(bits);
  try {
    enc.encode(ins, BigInt.asUintN(64, ip));
  } catch (e) {
    enc.takeBuffer();
    throw new AsmError(cleanIcedMessage(e));
  }
  let body = gasPrefixOrder(enc.takeBuffer(), mandatory);
  if (raw.length === 0) return body;
  // A written REX prefix (`rex.w`) merges with the one the instruction needs, after the legacy prefixes.
  const rex = raw.filter((x) => x >= 0x40 && x <= 0x4f).reduce((a, x) => a | x, 0);
  const legacy = raw.filter((x) => x < 0x40 || x > 0x4f);
  if (rex) {
    let i = 0;
    while (i < body.length - 1 && PREFIX_RANK[body[i]] !== undefined) i++;
    if (body[i] >= 0x40 && body[i] <= 0x4f) { body = body.slice(); body[i] |= rex; }
    else { const b2 = new Uint8Array(body.length + 1); b2.set(body.subarray(0, i), 0); b2[i] = rex; b2.set(body.subarray(i), i + 1); body = b2; }
  }
  const out = new Uint8Array(legacy.length + body.length);
  out.set(legacy, 0);
  out.set(body, legacy.length);
  return legacy.length ? gasPrefixOrder(out, mandatory) : out;
}

function cleanIcedMessage(e: unknown): string {
  let m = e instanceof Error ? e.message : String(e);
  m = m.replace(/\s*\([^()]*\)\s*$/, '');
  if (/distance is too far|must fit in an i8/i.test(m)) return 'branch target out of range for a short jump';
  if (/AH, CH, DH, BH can't be used/.test(m)) return 'cannot use %ah/%bh/%ch/%dh in an instruction that needs a REX prefix';
  return `cannot encode: ${m}`;
}

// ---- NOP padding (byte patterns match GNU as 2.40 for generic i386 / x86-64 tuning) ----

const NOP32: number[][] = [
  [0x90], [0x66, 0x90], [0x8d, 0x76, 0x00], [0x8d, 0x74, 0x26, 0x00], [0x8d, 0x74, 0x26, 0x00, 0x90],
  [0x8d, 0xb6, 0, 0, 0, 0], [0x8d, 0xb4, 0x26, 0, 0, 0, 0],
];
const NOP64: number[][] = [
  [0x90], [0x66, 0x90], [0x0f, 0x1f, 0x00], [0x0f, 0x1f, 0x40, 0x00], [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00], [0x0f, 0x1f, 0x80, 0, 0, 0, 0], [0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0], [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0],
  [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0],
];

/** Fill `count` bytes with NOPs the way GNU as pads code alignment (long runs jump over the padding). */
export function nopFill(count: number, bits: number): Uint8Array {
  const out = new Uint8Array(count);
  if (count <= 0) return out;
  const patt = bits === 64 ? NOP64 : NOP32;
  const max = patt.length;
  const maxNops = bits === 64 ? 7 : 2;
  let pos = 0;
  let n = count;
  if (Math.floor(n / max) > maxNops) {
    const disp = n - 2;
    if (disp <= 127) {
      out[0] = 0xeb; out[1] = disp; pos = 2; n = disp;
    } else {
      const d = n - 5;
      out[0] = 0xe9; out[1] = d & 0xff; out[2] = (d >>> 8) & 0xff; out[3] = (d >>> 16) & 0xff; out[4] = (d >>> 24) & 0xff;
      pos = 5; n = d;
    }
  }
  const last = n % max;
  const full = n - last;
  for (let o = 0; o < full; o += max) { out.set(patt[max - 1], pos); pos += max; }
  if (last) out.set(patt[last - 1], pos);
  return out;
}
