// Differential-test case generator: for every flag-affecting general-purpose instruction form (iced Code
// names, found through iced's OpCodeInfo tables) build seeded random cases, encoded with iced's Encoder.

import {
  Code, CodeExt, Encoder, Instruction, MemoryOperand, Register, Mnemonic, OpCodeOperandKind as K, Decoder,
  DecoderOptions, Formatter, FormatterSyntax,
} from 'iced-x86';
import { Prng, edgeValue, insertBits, extractBits, maskOf, signed } from './prng';
import { MaskContext, hasRule } from './flagmask';

export const MEM_SIZE = 256;
/** The memory operand's base register points this far into the buffer (so negative displacements stay inside). */
export const MEM_BIAS = 128;
export const INSN_MAX = 32;
const RSP = 4;

export interface DiffCase {
  mode: 32 | 64;
  family: string;
  codeName: string;
  bytes: Uint8Array;
  /** Instructions to execute (1, or the length of an adc chain). */
  ninsn: number;
  /** GPR inputs (16 in 64-bit mode, 8 in 32-bit mode), unsigned; RSP is ignored (the harness keeps its own). */
  regs: bigint[];
  /** Input RFLAGS (arithmetic flags only, DF = 0). */
  flags: number;
  /** Register the harness points at buffer+MEM_BIAS, or -1. */
  baseReg: number;
  mem: Uint8Array;
  mask: MaskContext;
  text: string;
}

// ---- the instruction families and their iced Code forms ----
const PLAIN = [
  'add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test', 'inc', 'dec', 'neg', 'not', 'mul', 'imul', 'div', 'idiv',
  'shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'shld', 'shrd', 'bt', 'bts', 'btr', 'btc', 'bsf', 'bsr', 'popcnt',
  'lzcnt', 'tzcnt', 'cmpxchg', 'xadd', 'bswap', 'movsx', 'movsxd', 'movzx', 'lea', 'cbw', 'cwde', 'cdqe', 'cwd', 'cdq',
  'cqo', 'daa', 'das', 'aaa', 'aas', 'aam', 'aad',
];
const LOCKABLE = new Set(['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'inc', 'dec', 'neg', 'not', 'bts', 'btr', 'btc', 'cmpxchg', 'xadd']);
const FAMILY_OF_MNEMONIC = new Map<string, string>();
for (const f of PLAIN) FAMILY_OF_MNEMONIC.set(f, f);

const SUPPORTED_KINDS = new Set<number>([
  K.r8_or_mem, K.r16_or_mem, K.r32_or_mem, K.r64_or_mem, K.r8_reg, K.r16_reg, K.r32_reg, K.r64_reg,
  K.r8_opcode, K.r16_opcode, K.r32_opcode, K.r64_opcode, K.al, K.cl, K.ax, K.eax, K.rax,
  K.imm8, K.imm8_const_1, K.imm8sex16, K.imm8sex32, K.imm8sex64, K.imm16, K.imm32, K.imm32sex64, K.mem,
]);

export interface Form { code: Code; name: string; family: string; kinds: number[]; }

function familyOf(mn: string): string | undefined {
  if (/^set(n?(o|b|e|s|p|l)|ae|be|a|ge|le|g)$/.test(mn)) return 'setcc';
  if (/^cmov/.test(mn)) return 'cmovcc';
  return FAMILY_OF_MNEMONIC.get(mn);
}

/** Every legacy-encoded form of the covered families available in `mode`. */
export function formsFor(mode: 32 | 64): Form[] {
  const out: Form[] = [];
  for (const name of Object.keys(Code)) {
    if (!Number.isNaN(Number(name))) continue;
    // Undocumented aliases (TEST F6/F7 /1, SAL /6) are left out: the SDM does not define them.
    if (/_F[67]r1$/.test(name) || name === 'Bswap_r16') continue;
    const code = (Code as unknown as Record<string, Code>)[name];
    const oc = CodeExt.opCode(code);
    try {
      if (oc.encoding !== 0 || oc.decoderOption !== 0 || !oc.isInstruction || !oc.isAvailableInMode(mode)) continue;
      const fam = familyOf(Mnemonic[oc.mnemonic].toLowerCase());
      if (fam === undefined || !hasRule(fam)) continue;
      const kinds: number[] = [];
      for (let k = 0; k < oc.opCount; k++) kinds.push(oc.opKind(k));
      if (!kinds.every((k) => SUPPORTED_KINDS.has(k))) continue;
      out.push({ code, name, family: fam, kinds });
    } finally { oc.free(); }
  }
  return out;
}

// ---- registers ----
const R8_LOW = [Register.AL, Register.CL, Register.DL, Register.BL, Register.SPL, Register.BPL, Register.SIL, Register.DIL,
  Register.R8L, Register.R9L, Register.R10L, Register.R11L, Register.R12L, Register.R13L, Register.R14L, Register.R15L];
const R8_HIGH = [Register.AH, Register.CH, Register.DH, Register.BH];
function regOf(bits: number, n: number): Register {
  switch (bits) {
    case 8: return R8_LOW[n];
    case 16: return Register.AX + n;
    case 32: return Register.EAX + n;
    default: return Register.RAX + n;
  }
}
function kindBits(k: number): number {
  switch (k) {
    case K.r8_or_mem: case K.r8_reg: case K.r8_opcode: case K.al: case K.cl: case K.imm8: case K.imm8_const_1: return 8;
    case K.r16_or_mem: case K.r16_reg: case K.r16_opcode: case K.ax: case K.imm16: case K.imm8sex16: return 16;
    case K.r32_or_mem: case K.r32_reg: case K.r32_opcode: case K.eax: case K.imm32: case K.imm8sex32: return 32;
    default: return 64;
  }
}
const isRegKind = (k: number): boolean => k === K.r8_reg || k === K.r16_reg || k === K.r32_reg || k === K.r64_reg ||
  k === K.r8_opcode || k === K.r16_opcode || k === K.r32_opcode || k === K.r64_opcode;
const isRmKind = (k: number): boolean => k === K.r8_or_mem || k === K.r16_or_mem || k === K.r32_or_mem || k === K.r64_or_mem;
const isImmKind = (k: number): boolean => k === K.imm8 || k === K.imm8sex16 || k === K.imm8sex32 || k === K.imm8sex64 ||
  k === K.imm16 || k === K.imm32 || k === K.imm32sex64;

/** Where an operand's value lives in the case state. */
type Loc = { t: 'reg'; reg: number; bits: number; shift: number } | { t: 'mem'; off: number; bits: number } | { t: 'imm'; v: number };

/** One register operand choice: GPR number and (for 8-bit) whether it is the high byte. */
interface RegPick { gpr: number; high: boolean; reg: Register; }

/** Registers an instruction family reads or writes implicitly (never used as the memory base or index). */
function implicitRegs(fam: string): number[] {
  switch (fam) {
    case 'mul': case 'div': case 'idiv': case 'cwd': case 'cdq': case 'cqo': return [0, 2];
    case 'imul': return [0, 2];
    case 'cmpxchg': case 'cbw': case 'cwde': case 'cdqe': case 'daa': case 'das': case 'aaa': case 'aas': case 'aam': case 'aad': return [0];
    case 'shl': case 'shr': case 'sar': case 'rol': case 'ror': case 'rcl': case 'rcr': case 'shld': case 'shrd': return [1];
    default: return [];
  }
}

export class CaseGen {
  private readonly enc: Encoder;
  private readonly dec: Formatter;
  readonly nregs: number;

  constructor(readonly mode: 32 | 64, readonly rng: Prng) {
    this.enc = new Encoder(mode);
    this.dec = new Formatter(FormatterSyntax.Gas);
    this.nregs = mode === 64 ? 16 : 8;
  }

  /** Gas text of a byte string (all instructions in it). */
  disasm(bytes: Uint8Array): string {
    const d = new Decoder(this.mode, bytes, DecoderOptions.None);
    const parts: string[] = [];
    while (d.canDecode) { const i = d.decode(); parts.push(this.dec.format(i)); i.free(); }
    d.free();
    return parts.join('; ');
  }

  /** Encode one instruction; throws when iced rejects it (the partial output is discarded, never reused). */
  private encode(ins: Instruction): Uint8Array {
    try {
      this.enc.encode(ins, 0x1000n);
    } catch (e) {
      this.enc.takeBuffer();
      throw e;
    }
    const out = this.enc.takeBuffer();
    // Belt and braces: the bytes must decode back to exactly one instruction with the same Code.
    const d = new Decoder(this.mode, out, DecoderOptions.None);
    const back = d.decode();
    const ok = back.code === ins.code && back.length === out.length;
    back.free(); d.free();
    if (!ok) throw new Error(`encoding of ${Code[ins.code]} does not round-trip`);
    return out;
  }

  private freshState(): { regs: bigint[]; mem: Uint8Array; flags: number } {
    const regs: bigint[] = [];
    for (let r = 0; r < this.nregs; r++) regs.push(this.mode === 64 ? this.rng.u64() : BigInt(this.rng.u32()));
    regs[RSP] = 0n;
    const flagBits = [0x1, 0x4, 0x10, 0x40, 0x80, 0x800];
    let flags = 0x2;
    for (const b of flagBits) if (this.rng.chance(0.5)) flags |= b;
    return { regs, mem: this.rng.bytes(MEM_SIZE), flags };
  }

  private pickReg(bits: number, avoid: Set<number>, allowHigh: boolean): RegPick | null {
    for (let tries = 0; tries < 40; tries++) {
      if (bits === 8 && allowHigh && this.rng.chance(0.25)) {
        const n = this.rng.int(4);
        if (avoid.has(n)) continue;
        return { gpr: n, high: true, reg: R8_HIGH[n] };
      }
      const n = this.rng.int(this.nregs);
      if (n === RSP || avoid.has(n)) continue;
      if (bits === 8 && this.mode === 32 && n >= 4) continue;
      return { gpr: n, high: false, reg: regOf(bits, n) };
    }
    return null;
  }

  private readLoc(st: { regs: bigint[]; mem: Uint8Array }, l: Loc): bigint {
    if (l.t === 'reg') return extractBits(st.regs[l.reg], l.bits, l.shift);
    if (l.t === 'imm') return BigInt(l.v);
    let v = 0n;
    for (let b = l.bits / 8 - 1; b >= 0; b--) v = (v << 8n) | BigInt(st.mem[l.off + b]);
    return v;
  }
  private writeLoc(st: { regs: bigint[]; mem: Uint8Array }, l: Loc, v: bigint): void {
    if (l.t === 'reg') { st.regs[l.reg] = insertBits(st.regs[l.reg], v, l.bits, l.shift); return; }
    if (l.t === 'imm') return;
    for (let b = 0; b < l.bits / 8; b++) st.mem[l.off + b] = Number((v >> BigInt(8 * b)) & 0xffn);
  }

  /** A random case for one form, or null when this attempt produced an unencodable combination. */
  caseFor(f: Form): DiffCase | null {
    const rng = this.rng, mode = this.mode;
    const st = this.freshState();
    const kinds = f.kinds;
    const fam = f.family;
    const rmIdx = kinds.findIndex((k) => isRmKind(k) || k === K.mem);
    const useMem = rmIdx >= 0 && (kinds[rmIdx] === K.mem || rng.chance(0.5));
    const isLea = fam === 'lea';
    const avoid = new Set<number>(implicitRegs(fam));
    avoid.add(RSP);
    let baseReg = -1, indexReg = -1, scale = 1, disp = 0;
    if (useMem && !isLea) {
      const pool = (mode === 64 ? [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : [3, 5, 6, 7]).filter((r) => !avoid.has(r));
      baseReg = rng.pick(pool);
      avoid.add(baseReg);
      if (rng.chance(0.3)) {
        const ipool = pool.filter((r) => !avoid.has(r));
        if (ipool.length > 0) { indexReg = rng.pick(ipool); avoid.add(indexReg); scale = rng.pick([1, 2, 4, 8]); }
      }
      disp = rng.chance(0.3) ? 0 : rng.range(-16, 16);
    }
    // Registers for the explicit register operands (distinct from base/index; may repeat each other).
    const ops: (RegPick | 'mem' | number)[] = [];
    const locs: Loc[] = [];
    let memOff = MEM_BIAS + disp;
    if (indexReg >= 0) {
      const iv = rng.range(-4, 4);
      st.regs[indexReg] = BigInt.asUintN(mode, BigInt(iv));
      memOff += iv * scale;
    }
    const usesRex = (p: RegPick): boolean => !p.high && ((p.gpr >= 4 && kindBitsOfReg(p.reg) === 8) || p.gpr >= 8);
    let needRex = false, hasHigh = false;
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k];
      const bits = kindBits(kind);
      if (isRegKind(kind) || (isRmKind(kind) && !(useMem && k === rmIdx))) {
        const p = this.pickReg(bits, avoid, mode === 32 || !needRex);
        if (p === null) return null;
        if (usesRex(p)) needRex = true;
        if (p.high) hasHigh = true;
        if (needRex && hasHigh) return null;
        ops.push(p);
        locs.push({ t: 'reg', reg: p.gpr, bits, shift: p.high ? 8 : 0 });
      } else if (k === rmIdx && useMem) {
        ops.push('mem');
        locs.push({ t: 'mem', off: memOff, bits: kind === K.mem ? 0 : bits });
      } else if (kind === K.al || kind === K.ax || kind === K.eax || kind === K.rax) {
        ops.push({ gpr: 0, high: false, reg: regOf(bits, 0) });
        locs.push({ t: 'reg', reg: 0, bits, shift: 0 });
      } else if (kind === K.cl) {
        ops.push({ gpr: 1, high: false, reg: Register.CL });
        locs.push({ t: 'reg', reg: 1, bits: 8, shift: 0 });
      } else if (kind === K.imm8_const_1) {
        ops.push(1); locs.push({ t: 'imm', v: 1 });
      } else {
        const ib = kind === K.imm8 || kind === K.imm8sex16 || kind === K.imm8sex32 || kind === K.imm8sex64 ? 8 : kind === K.imm16 ? 16 : 32;
        const v = Number(signed(edgeValue(rng, ib), ib));
        ops.push(v); locs.push({ t: 'imm', v });
      }
    }
    // Operand values biased to edges, written into registers / the memory buffer.
    for (let k = 0; k < kinds.length; k++) {
      const l = locs[k];
      if (l.t === 'mem' && l.bits === 0) continue;
      if (l.t !== 'imm') this.writeLoc(st, l, edgeValue(rng, l.bits));
    }
    const opsize = opsizeOf(f);
    const mask: MaskContext = { opsize };
    this.fixups(f, st, locs, opsize, mask, useMem);
    for (let k = 0; k < locs.length; k++) { const l = locs[k]; if (l.t === 'imm' && typeof ops[k] === 'number') ops[k] = l.v; }
    // Build the iced instruction.
    let mop: MemoryOperand | null = null;
    if (useMem) {
      if (isLea) mop = this.leaOperand(st);
      else {
        const breg = this.mode === 64 ? Register.RAX + baseReg : Register.EAX + baseReg;
        const ireg = indexReg < 0 ? Register.None : (this.mode === 64 ? Register.RAX + indexReg : Register.EAX + indexReg);
        mop = new MemoryOperand(breg, ireg, scale, BigInt(disp), disp === 0 ? 0 : 1, false, Register.None);
      }
    }
    const ins = buildInstruction(f.code, ops, mop, locs);
    if (ins === null) return null;
    // LOCK on read-modify-write forms whose destination is the memory operand (exercises prefix decoding).
    if (useMem && rmIdx === 0 && LOCKABLE.has(fam) && rng.chance(0.2)) ins.hasLockPrefix = true;
    let bytes: Uint8Array;
    try { bytes = this.encode(ins); } catch { ins.free(); return null; }
    ins.free();
    return {
      mode, family: fam, codeName: f.name, bytes, ninsn: 1, regs: st.regs, flags: st.flags, baseReg: isLea ? -1 : baseReg,
      mem: st.mem, mask, text: this.disasm(bytes),
    };
  }

  /** Random lea address: any base/index (not rsp as index), random values, 32- or 64-bit address size. */
  private leaOperand(st: { regs: bigint[] }): MemoryOperand {
    const rng = this.rng;
    const a32 = this.mode === 32 || rng.chance(0.3);
    const reg = (n: number): Register => (a32 ? Register.EAX + n : Register.RAX + n);
    const pickNotSp = (): number => { let n: number; do n = rng.int(this.nregs); while (n === RSP); return n; };
    const base = rng.chance(0.9) ? pickNotSp() : -1;
    const index = rng.chance(0.6) ? pickNotSp() : -1;
    const disp = rng.chance(0.5) ? Number(signed(edgeValue(rng, 32), 32)) : rng.range(-128, 127);
    void st;
    return new MemoryOperand(base < 0 ? Register.None : reg(base), index < 0 ? Register.None : reg(index),
      rng.pick([1, 2, 4, 8]), BigInt(disp), base < 0 && index < 0 ? (a32 ? 4 : 8) : (disp >= -128 && disp <= 127 ? 1 : (a32 ? 4 : 8)), false, Register.None);
  }

  /** Per-family adjustments so the interesting paths are hit and every result is architecturally defined. */
  private fixups(f: Form, st: { regs: bigint[]; mem: Uint8Array }, locs: Loc[], opsize: number, mask: MaskContext, useMem: boolean): void {
    const rng = this.rng, fam = f.family;
    const shiftFam = ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'shld', 'shrd'].includes(fam);
    if (shiftFam) {
      const cntLoc = locs[locs.length - 1];
      const cmask = opsize === 64 ? 0x3f : 0x1f;
      const pickCount = (): number => {
        const edge = [0, 1, 2, opsize - 1, opsize, opsize + 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 255];
        return rng.chance(0.6) ? rng.pick(edge) & 0xff : rng.int(256);
      };
      let raw: number;
      if (cntLoc.t === 'imm') {
        if (f.kinds[f.kinds.length - 1] !== K.imm8_const_1) cntLoc.v = ((pickCount() << 24) >> 24);
        raw = cntLoc.v & 0xff;
      } else { raw = pickCount(); this.writeLoc(st, cntLoc, BigInt(raw)); }
      let count = raw & cmask;
      if ((fam === 'shld' || fam === 'shrd') && opsize === 16 && count > 16) {
        // count > operand size: result undefined (SDM SHLD/SHRD); the generator keeps counts within the size.
        if (cntLoc.t === 'imm') { cntLoc.v = count & 15; count = cntLoc.v; } else { count = rng.int(17); this.writeLoc(st, cntLoc, BigInt(count)); }
      }
      mask.count = count;
    }
    if ((fam === 'bt' || fam === 'bts' || fam === 'btr' || fam === 'btc') && useMem && locs[1].t === 'reg') {
      // Register bit offsets address memory outside the operand: keep them within the buffer.
      this.writeLoc(st, locs[1], BigInt.asUintN(opsize, BigInt(rng.range(-100, 100))));
    }
    if ((fam === 'bsf' || fam === 'bsr') && this.readLoc(st, locs[1]) === 0n) {
      // Source 0 leaves the destination undefined (SDM BSF/BSR): use a non-zero source.
      this.writeLoc(st, locs[1], 1n << BigInt(rng.int(opsize)));
    }
    if (fam === 'cmpxchg' && rng.chance(0.5)) {
      this.writeLoc(st, { t: 'reg', reg: 0, bits: opsize, shift: 0 }, this.readLoc(st, locs[0]));
    }
    if ((fam === 'div' || fam === 'idiv') && rng.chance(0.9)) {
      const divisor = this.readLoc(st, locs[0]);
      const lo: Loc = { t: 'reg', reg: 0, bits: opsize, shift: 0 };
      const hi: Loc = opsize === 8 ? { t: 'reg', reg: 0, bits: 8, shift: 8 } : { t: 'reg', reg: 2, bits: opsize, shift: 0 };
      if (fam === 'div') {
        if (divisor !== 0n) this.writeLoc(st, hi, (rng.chance(0.5) ? divisor - 1n : this.readLoc(st, hi)) % divisor);
      } else {
        const l = this.readLoc(st, lo);
        this.writeLoc(st, hi, (l >> BigInt(opsize - 1)) & 1n ? maskOf(opsize) : 0n);
      }
    }
  }

  /** An adc/sbb chain: 3..6 register instructions whose flags feed each other (lazy-flag plumbing). */
  chainCase(): DiffCase | null {
    const rng = this.rng, mode = this.mode;
    const st = this.freshState();
    const sizes = mode === 64 ? [8, 16, 32, 64] : [8, 16, 32];
    const parts: Uint8Array[] = [];
    const n = rng.range(3, 6);
    let total = 0;
    const regsFor = (bits: number): [Register, Register] => {
      const pick = (): number => { let r: number; do r = rng.int(bits === 8 && mode === 32 ? 4 : this.nregs); while (r === RSP); return r; };
      return [regOf(bits, pick()), regOf(bits, pick())];
    };
    for (let k = 0; k < n; k++) {
      const bits = rng.pick(sizes);
      const [a, b] = regsFor(bits);
      const op = rng.pick(['add', 'adc', 'sub', 'sbb', 'cmp', 'adc', 'sbb', 'neg', 'inc', 'dec', 'setcc', 'cmovcc']);
      const sz = bits === 8 ? 'rm8_r8' : bits === 16 ? 'rm16_r16' : bits === 32 ? 'rm32_r32' : 'rm64_r64';
      const cc = rng.pick(['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']);
      let name: string; let ins: Instruction;
      if (op === 'setcc') { name = `Set${cc}_rm8`; ins = Instruction.createReg(codeByName(name), regOf(8, rngReg8(rng, mode))); }
      else if (op === 'cmovcc') {
        const cb = bits === 8 ? 32 : bits;
        const [x, y] = regsFor(cb);
        name = `Cmov${cc}_r${cb}_rm${cb}`; ins = Instruction.createRegReg(codeByName(name), x, y);
      } else if (op === 'neg' || op === 'inc' || op === 'dec') {
        name = `${cap(op)}_rm${bits}`; ins = Instruction.createReg(codeByName(name), a);
      } else { name = `${cap(op)}_${sz}`; ins = Instruction.createRegReg(codeByName(name), a, b); }
      let bytes: Uint8Array;
      try { bytes = this.encode(ins); } catch { ins.free(); return null; }
      ins.free();
      if (total + bytes.length > INSN_MAX) break;
      parts.push(bytes); total += bytes.length;
    }
    for (let r = 0; r < this.nregs; r++) if (r !== RSP && rng.chance(0.5)) {
      st.regs[r] = insertBits(st.regs[r], edgeValue(rng, mode), mode);
    }
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { bytes.set(p, o); o += p.length; }
    return {
      mode, family: 'chain', codeName: 'chain', bytes, ninsn: parts.length, regs: st.regs, flags: st.flags, baseReg: -1,
      mem: st.mem, mask: { opsize: mode }, text: this.disasm(bytes),
    };
  }

  free(): void { this.enc.free(); this.dec.free(); }
}

function rngReg8(rng: Prng, mode: number): number { let r: number; do r = rng.int(mode === 64 ? 16 : 4); while (r === RSP); return r; }
function cap(s: string): string { return s[0].toUpperCase() + s.slice(1); }
function codeByName(name: string): Code {
  const c = (Code as unknown as Record<string, Code | undefined>)[name];
  if (c === undefined) throw new Error(`no iced Code ${name}`);
  return c;
}
function kindBitsOfReg(r: Register): number {
  if (r >= Register.AL && r <= Register.R15L) return 8;
  if (r >= Register.AX && r <= Register.R15W) return 16;
  if (r >= Register.EAX && r <= Register.R15D) return 32;
  return 64;
}

/** Main operand size of a form: the first register/memory operand's width; for no-operand forms from the name. */
function opsizeOf(f: Form): number {
  if (f.kinds.length > 0 && f.kinds[0] !== K.mem && !isImmKind(f.kinds[0])) return kindBits(f.kinds[0]);
  if (f.family === 'lea') return kindBits(f.kinds[0]);
  switch (f.family) {
    case 'cbw': case 'cwd': return 16;
    case 'cwde': case 'cdq': return 32;
    case 'cdqe': case 'cqo': return 64;
    default: return 8; // daa/das/aaa/aas/aam/aad work on AL
  }
}

/** Build an iced Instruction from per-operand choices. */
function buildInstruction(code: Code, ops: (RegPick | 'mem' | number)[], mop: MemoryOperand | null, locs: Loc[]): Instruction | null {
  void locs;
  const kindOf = (o: RegPick | 'mem' | number): string => (o === 'mem' ? 'M' : typeof o === 'number' ? 'I' : 'R');
  const sig = ops.map(kindOf).join('');
  const r = (k: number): Register => (ops[k] as RegPick).reg;
  const n = (k: number): number => ops[k] as number;
  const m = mop as MemoryOperand;
  try {
    switch (sig) {
      case '': return Instruction.create(code);
      case 'R': return Instruction.createReg(code, r(0));
      case 'M': return Instruction.createMem(code, m);
      case 'I': return Instruction.createI32(code, n(0));
      case 'RR': return Instruction.createRegReg(code, r(0), r(1));
      case 'RM': return Instruction.createRegMem(code, r(0), m);
      case 'MR': return Instruction.createMemReg(code, m, r(1));
      case 'RI': return Instruction.createRegI32(code, r(0), n(1));
      case 'MI': return Instruction.createMemI32(code, m, n(1));
      case 'RRI': return Instruction.createRegRegI32(code, r(0), r(1), n(2));
      case 'RMI': return Instruction.createRegMemI32(code, r(0), m, n(2));
      case 'MRI': return Instruction.createMemRegI32(code, m, r(1), n(2));
      case 'RRR': return Instruction.createRegRegReg(code, r(0), r(1), r(2));
      case 'MRR': return Instruction.createMemRegReg(code, m, r(1), r(2));
      default: return null;
    }
  } catch {
    return null;
  }
}

/** Generate `perFamily` cases for each family (and the chain family) in `mode`. */
export function generateCases(mode: 32 | 64, seed: number, perFamily: number, skip: Set<string>): DiffCase[] {
  const rng = new Prng(seed);
  const gen = new CaseGen(mode, rng);
  const byFam = new Map<string, Form[]>();
  for (const f of formsFor(mode)) {
    if (skip.has(f.family)) continue;
    let l = byFam.get(f.family);
    if (l === undefined) { l = []; byFam.set(f.family, l); }
    l.push(f);
  }
  const out: DiffCase[] = [];
  for (const [, forms] of byFam) {
    let made = 0, attempts = 0;
    while (made < perFamily && attempts < perFamily * 20) {
      attempts++;
      const c = gen.caseFor(forms[rng.int(forms.length)]);
      if (c !== null) { out.push(c); made++; }
    }
  }
  if (!skip.has('chain')) {
    let made = 0, attempts = 0;
    while (made < perFamily && attempts < perFamily * 20) {
      attempts++;
      const c = gen.chainCase();
      if (c !== null) { out.push(c); made++; }
    }
  }
  gen.free();
  return out;
}
