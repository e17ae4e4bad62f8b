// Instruction matcher: picks the iced Code for a mnemonic and operands the way GNU as does
// (operand classes and sizes, shortest encoding, imm8/disp8 only for values known when parsed,
// relaxable jmp/jcc with short and near forms).

import { Code, OpCodeOperandKind as K, Register, RegisterExt } from 'iced-x86';
import { Expr } from './expr';
import { Bound, buildInstruction, encodeInstruction, immFits, Prefixes } from './encoder';
import { candidatesFor, CodeInfo, codeInfo, codeByName } from './opcode-index';
import { memAddressSize, MemOp, Operand, ParsedOperand } from './operands';
import { lookupRegister, RegClass, RegInfo, stRegister } from './registers';
import { AsmError } from './types';

export interface MatchCtx {
  bits: 32 | 64;
  intel: boolean;
  /** Value of an expression if it is an absolute constant at this point of parsing. */
  known(e: Expr): bigint | undefined;
}

export interface InsnPlan {
  mnemonic: string;
  bits: 32 | 64;
  ci: CodeInfo;
  binds: Bound[];
  pfx: Prefixes;
  size: number;
  /** jmp/jcc whose target may be in the same section: near form to grow into. */
  near?: { ci: CodeInfo; binds: Bound[]; size: number };
  target?: Expr;
  /** Current relaxation state (true once grown to the near form). */
  isNear: boolean;
}

const IMPLICIT = new Set<K>([K.seg_rSI, K.es_rDI, K.seg_rDI, K.seg_rBX_al]);
const BRANCH_SHORT = new Set<K>([K.br16_1, K.br32_1, K.br64_1]);
const BRANCH_NEAR = new Set<K>([K.br16_2, K.br32_4, K.br64_4, K.xbegin_2, K.xbegin_4]);
const FAR = new Set<K>([K.farbr2_2, K.farbr4_2]);
const IMM = new Set<K>([K.imm8, K.imm8_const_1, K.imm8sex16, K.imm8sex32, K.imm8sex64, K.imm16, K.imm32, K.imm32sex64, K.imm64, K.imm4_m2z]);
/** Instructions whose operand size defaults (GNU as "DefaultSize") when nothing else determines it. */
const DEFAULT_SIZE = new Set(['push', 'pop', 'call', 'jmp', 'ret', 'retf', 'iret', 'iretd', 'iretq', 'pushf', 'popf', 'pushfd', 'pushfq', 'popfd', 'popfq',
  'enter', 'leave', 'lgdt', 'lidt', 'sgdt', 'sidt', 'sysret', 'sysretq', 'sysexit', 'sysexitq',
  'fnsave', 'fsave', 'frstor', 'fnstenv', 'fstenv', 'fldenv']);
const SHIFTS = /^(rol|ror|rcl|rcr|shl|sal|shr|sar)[bwlq]?$/;

interface Match { ci: CodeInfo; binds: Bound[]; size: number }

function regKind(kind: K): { cls: RegClass; size?: number } | undefined {
  switch (kind) {
    case K.r8_reg: case K.r8_opcode: return { cls: 'gpr8' };
    case K.r16_reg: case K.r16_rm: case K.r16_opcode: case K.r16_reg_mem: return { cls: 'gpr16' };
    case K.r32_reg: case K.r32_rm: case K.r32_opcode: case K.r32_vvvv: case K.r32_reg_mem: return { cls: 'gpr32' };
    case K.r64_reg: case K.r64_rm: case K.r64_opcode: case K.r64_vvvv: case K.r64_reg_mem: return { cls: 'gpr64' };
    case K.seg_reg: return { cls: 'seg' };
    case K.cr_reg: return { cls: 'cr' };
    case K.dr_reg: return { cls: 'dr' };
    case K.tr_reg: return { cls: 'tr' };
    case K.bnd_reg: return { cls: 'bnd' };
    case K.mm_reg: case K.mm_rm: return { cls: 'mm' };
    case K.xmm_reg: case K.xmm_rm: case K.xmm_vvvv: case K.xmm_is4: case K.xmm_is5: case K.xmmp3_vvvv: return { cls: 'xmm' };
    case K.ymm_reg: case K.ymm_rm: case K.ymm_vvvv: case K.ymm_is4: case K.ymm_is5: return { cls: 'ymm' };
    case K.sti_opcode: return { cls: 'st' };
    case K.k_reg: case K.k_rm: case K.k_vvvv: case K.kp1_reg: return { cls: 'k' };
    default: return undefined;
  }
}

function regOrMemKind(kind: K): RegClass | undefined {
  switch (kind) {
    case K.r8_or_mem: return 'gpr8';
    case K.r16_or_mem: return 'gpr16';
    case K.r32_or_mem: case K.r32_or_mem_mpx: return 'gpr32';
    case K.r64_or_mem: case K.r64_or_mem_mpx: return 'gpr64';
    case K.mm_or_mem: return 'mm';
    case K.xmm_or_mem: return 'xmm';
    case K.ymm_or_mem: return 'ymm';
    case K.bnd_or_mem_mpx: return 'bnd';
    case K.k_or_mem: return 'k';
    default: return undefined;
  }
}

const FIXED_REG: Partial<Record<K, Register>> = {
  [K.al]: Register.AL, [K.cl]: Register.CL, [K.ax]: Register.AX, [K.dx]: Register.DX, [K.eax]: Register.EAX, [K.rax]: Register.RAX,
  [K.es]: Register.ES, [K.cs]: Register.CS, [K.ss]: Register.SS, [K.ds]: Register.DS, [K.fs]: Register.FS, [K.gs]: Register.GS,
  [K.st0]: Register.ST0,
};

class Binder {
  relaxImm = false;
  constructor(private ctx: MatchCtx, private mn: string) {}

  private asMem(op: Operand): MemOp | undefined {
    if (op.k === 'mem') return op;
    if (op.k === 'imm' && op.bare && this.ctx.known(op.e) === undefined) return { k: 'mem', scale: 1, disp: op.e, col: op.col, end: op.end };
    return undefined;
  }

  private bindMem(mIn: MemOp, ci: CodeInfo, kind: K): Bound | null {
    let m = mIn;
    // GNU as drops a segment override that names the default segment (%ss for %ebp/%esp bases, else %ds).
    if (m.seg) {
      const b = m.base?.name ?? '';
      const def = /^(e|r)?(bp|sp)$/.test(b) ? 'ss' : 'ds';
      if (m.seg.name === def) m = { ...m, seg: undefined };
    }
    if (m.size !== undefined && ci.memSize !== 0 && m.size !== ci.memSize) return null;
    const vsib = m.index && (m.index.cls === 'xmm' || m.index.cls === 'ymm');
    const wantVsib = kind >= K.mem_vsib32x && kind <= K.mem_vsib64z;
    if (!!vsib !== wantVsib) return null;
    if (vsib) {
      const needY = kind === K.mem_vsib32y || kind === K.mem_vsib64y;
      if ((m.index!.cls === 'ymm') !== needY) return null;
    }
    const bits = this.ctx.bits;
    let addrSize = memAddressSize(m) || bits;
    if (vsib) addrSize = m.base ? memAddressSize({ ...m, index: undefined }) || bits : bits;
    if (bits === 64 && addrSize === 16) return null;
    const rip = m.base?.cls === 'ip';
    if (rip && bits !== 64) return null;
    let displSize: number;
    let ripSym = false;
    if (rip) {
      displSize = m.base!.size;
      ripSym = !!m.disp && this.ctx.known(m.disp) === undefined;
    } else if (!m.base && !m.index) {
      displSize = addrSize / 8;
      // a known 64-bit address beyond disp32 reach can only use the moffs form (GNU as: movabs)
      const v = m.disp ? this.ctx.known(m.disp) : 0n;
      if (addrSize === 64 && v !== undefined && (BigInt.asIntN(64, v) < -(1n << 31n) || BigInt.asIntN(64, v) >= 1n << 31n)) return null;
    } else if (!m.disp) {
      displSize = 0;
    } else {
      const v = this.ctx.known(m.disp);
      displSize = v === 0n ? 0 : v !== undefined ? 1 : addrSize / 8;
    }
    return { t: 'mem', m, displSize, addrSize, rip, ripSym };
  }

  bindOne(kind: K, p: ParsedOperand, ci: CodeInfo): Bound | null {
    const op = p.op;
    const isBranchInsn = ci.intel === 'jmp' || ci.intel === 'call';
    if (p.star && !isBranchInsn) return null;
    const fixed = FIXED_REG[kind];
    if (fixed !== undefined) return op.k === 'reg' && op.r.reg === fixed ? { t: 'reg', reg: fixed } : null;
    const rk = regKind(kind);
    if (rk) return op.k === 'reg' && op.r.cls === rk.cls ? { t: 'reg', reg: op.r.reg } : null;
    const rm = regOrMemKind(kind);
    if (rm) {
      if (op.k === 'reg') return op.r.cls === rm ? { t: 'reg', reg: op.r.reg } : null;
      const m = this.asMem(op);
      return m ? this.bindMem(m, ci, kind) : null;
    }
    if (IMM.has(kind)) {
      if (op.k !== 'imm') return null;
      const v = this.ctx.known(op.e);
      if (op.bare && v === undefined) return null;
      if (v === undefined) {
        if (kind === K.imm8sex16 || kind === K.imm8sex32 || kind === K.imm8sex64 || kind === K.imm8_const_1) return null;
      } else if (!immFits(kind, v) && !(this.relaxImm && kind !== K.imm8_const_1)) return null;
      return { t: 'imm', e: op.e, kind, second: false };
    }
    if (kind === K.mem || kind === K.mem_mpx || kind === K.mem_mib || (kind >= K.mem_vsib32x && kind <= K.mem_vsib64z)) {
      const m = this.asMem(op);
      return m ? this.bindMem(m, ci, kind) : null;
    }
    if (kind === K.mem_offs) {
      const m = this.asMem(op);
      if (!m || m.base || m.index) return null;
      if (this.ctx.bits === 64 && !this.mn.startsWith('movabs')) {
        const v = m.disp ? this.ctx.known(m.disp) : undefined;
        if (v === undefined || (BigInt.asIntN(64, v) >= -(1n << 31n) && BigInt.asIntN(64, v) < 1n << 31n)) return null;
      }
      if (m.size !== undefined && ci.memSize !== 0 && m.size !== ci.memSize) return null;
      return { t: 'mem', m, displSize: this.ctx.bits / 8, addrSize: this.ctx.bits, rip: false, ripSym: false, moffs: true };
    }
    if (BRANCH_SHORT.has(kind) || BRANCH_NEAR.has(kind)) {
      if (p.star) return null;
      if (op.k === 'imm' && (op.bare || !this.ctx.intel)) {
        if (!op.bare) return null; // AT&T `jmp $x` is not a direct branch
        return { t: 'br', e: op.e, kind };
      }
      if (op.k === 'mem' && !op.base && !op.index && !op.seg && op.disp && !this.ctx.intel) return { t: 'br', e: op.disp, kind };
      return null;
    }
    if (FAR.has(kind)) {
      if (op.k !== 'far') return null;
      return { t: 'far', sel: op.sel, off: op.off, kind };
    }
    return null;
  }

  tryBind(ci: CodeInfo, ops: ParsedOperand[]): Bound[] | null {
    const kinds = ci.ops;
    const implicit = kinds.map((k) => IMPLICIT.has(k));
    const nImplicit = implicit.filter(Boolean).length;
    if (ops.length === kinds.length || nImplicit === 0) return ops.length === kinds.length ? this.bindWith(ci, ops, kinds.map(() => false)) : null;
    // String instructions: the memory operands, the accumulator/DX, or everything may be left out.
    const fixed = kinds.map((k) => FIXED_REG[k] !== undefined);
    const patterns = [implicit, fixed, kinds.map((_, i) => implicit[i] || fixed[i])];
    for (const omit of patterns) {
      if (ops.length !== omit.filter((x) => !x).length) continue;
      if (omit.some((o, i) => o && !implicit[i] && !fixed[i])) continue;
      const b = this.bindWith(ci, ops, omit);
      if (b) return b;
    }
    return null;
  }

  /** Bind user operands to the code's operands, `omit[i]` marking operands taken implicitly. */
  private bindWith(ci: CodeInfo, ops: ParsedOperand[], omit: boolean[]): Bound[] | null {
    const kinds = ci.ops;
    const out: Bound[] = [];
    let j = 0;
    let sawImm = false;
    let strSeg: Register | undefined;
    let strAddr = this.ctx.bits as number;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i];
      if (omit[i]) {
        out.push(IMPLICIT.has(kind) ? { t: 'str', kind, addrSize: strAddr } : { t: 'reg', reg: FIXED_REG[kind]! });
        continue;
      }
      const p = ops[j++];
      if (IMPLICIT.has(kind)) {
        const m = p.op.k === 'mem' ? p.op : undefined;
        if (!m || (m.index && kind !== K.seg_rBX_al) || m.disp) return null;
        if (m.size !== undefined && ci.memSize !== 0 && m.size !== ci.memSize) return null;
        const want = kind === K.seg_rSI ? 'si' : kind === K.seg_rBX_al ? 'bx' : 'di';
        const bn = m.base?.name ?? '';
        if (!bn.endsWith(want) || bn.length > 3) return null;
        if (kind === K.es_rDI && m.seg && m.seg.name !== 'es') return null;
        strAddr = bn.length === 2 ? 16 : bn[0] === 'e' ? 32 : 64;
        if (m.seg && kind !== K.es_rDI && m.seg.name !== 'ds') strSeg = m.seg.reg;
        out.push({ t: 'str', kind, addrSize: strAddr });
        continue;
      }
      const b = this.bindOne(kind, p, ci);
      if (!b) return null;
      if (b.t === 'imm') { b.second = sawImm && (kind === K.imm8); sawImm = true; }
      out.push(b);
    }
    // Address size and segment of implicit string operands follow the explicit ones.
    for (const b of out) if (b.t === 'str') { b.addrSize = strAddr; if (b.kind !== K.es_rDI) b.seg = strSeg; }
    return out;
  }
}

const modeCache = new Map<string, CodeInfo[]>();
function modeCandidates(mn: string, all: CodeInfo[], bits: number): CodeInfo[] {
  const key = `${bits}|${mn}`;
  let r = modeCache.get(key);
  if (!r) { r = all.filter((c) => modeOk(c, bits)); modeCache.set(key, r); }
  return r;
}

/** movq/movd with a memory operand: GNU as prefers the MMX/SSE load/store form over the GPR form. */
function preferVectorMem(cand: CodeInfo, best: CodeInfo): boolean {
  const gprMem = (c: CodeInfo) => c.ops.some((k) => k === K.r64_or_mem || k === K.r32_or_mem);
  if ((cand.intel === 'movq' || cand.intel === 'movd') && gprMem(best) && !gprMem(cand)) return true;
  // AMD FMA4/XOP four-operand forms: GNU as uses VEX.W1 (memory-capable operand last) for registers.
  const last = (c: CodeInfo) => c.ops[3];
  return cand.ops.length === 4 && best.ops.length === 4 && (last(cand) === K.xmm_or_mem || last(cand) === K.ymm_or_mem)
    && (last(best) === K.xmm_is4 || last(best) === K.ymm_is4);
}

function modeOk(ci: CodeInfo, bits: number): boolean {
  return bits === 64 ? ci.m64 : ci.m32;
}

function isBranchCode(ci: CodeInfo): boolean {
  return ci.ops.some((k) => BRANCH_SHORT.has(k) || BRANCH_NEAR.has(k));
}

function placeholderSize(ci: CodeInfo, binds: Bound[], pfx: Prefixes, ctx: MatchCtx): number {
  const ins = buildInstruction(ci, binds, pfx, { placeholder: true, value: (e) => ctx.known(e) ?? 0n }, 0x100000n, 0, ctx.bits);
  try {
    return encodeInstruction(ins, 0x100000n, ctx.bits, pfx.raw).length;
  } finally {
    ins.free();
  }
}

/** Normalise GNU as operand shorthands (Intel operand order). */
const CMP_PRED = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord', 'eq_uq', 'nge', 'ngt', 'false', 'neq_oq', 'ge', 'gt', 'true',
  'eq_os', 'lt_oq', 'le_oq', 'unord_s', 'neq_us', 'nlt_uq', 'nle_uq', 'ord_s', 'eq_us', 'nge_uq', 'ngt_uq', 'false_os', 'neq_os', 'ge_oq', 'gt_oq', 'true_us'];

function normalise(mnIn: string, opsIn: ParsedOperand[], ctx: MatchCtx): { mn: string; ops: ParsedOperand[] } {
  const one = (e: Expr, col: number): ParsedOperand => ({ star: false, op: { k: 'imm', e, col, end: col } });
  // SSE compare pseudo-ops: cmpeqps %xmm1, %xmm2 == cmpps $0, %xmm1, %xmm2
  const cm = /^(v?)cmp([a-z_]+?)(ps|pd|ss|sd)$/.exec(mnIn);
  const pred = cm ? CMP_PRED.indexOf(cm[2]) : -1;
  if (cm && pred >= 0 && (cm[1] ? pred < 32 : pred < 8) && opsIn.length === (cm[1] ? 3 : 2)) {
    return { mn: `${cm[1]}cmp${cm[3]}`, ops: [...opsIn, one({ k: 'num', v: BigInt(pred) }, 0)] };
  }
  return { mn: mnIn, ops: normaliseOps(mnIn, opsIn, ctx) };
}

function normaliseOps(mn: string, ops: ParsedOperand[], ctx: MatchCtx): ParsedOperand[] {
  const one = (e: Expr, col: number): ParsedOperand => ({ star: false, op: { k: 'imm', e, col, end: col } });
  if (SHIFTS.test(mn) && ops.length === 1) return [...ops, one({ k: 'num', v: 1n }, ops[0].op.col)];
  if (/^imul[wlq]?$/.test(mn) && ops.length === 2 && ops[0].op.k === 'reg' && ops[1].op.k === 'imm') return [ops[0], ops[0], ops[1]];
  if (/^aa[md]$/.test(mn) && ops.length === 0) return [one({ k: 'num', v: 10n }, 0)];
  const acc: Record<string, string> = { b: 'al', w: 'ax', l: 'eax' };
  const m = /^(in|out)([bwl])$/.exec(mn);
  if (m && ops.length === 1) {
    const a: ParsedOperand = { star: false, op: { k: 'reg', r: lookupRegister(acc[m[2]])!, col: 0, end: 0 } };
    return m[1] === 'in' ? [a, ops[0]] : [ops[0], a];
  }
  const st = (i: number): ParsedOperand => ({ star: false, op: { k: 'reg', r: stRegister(i) as RegInfo, col: 0, end: 0 } });
  const isSt = (p: ParsedOperand) => p.op.k === 'reg' && p.op.r.cls === 'st';
  if (ops.length === 0 && /^f(add|sub|subr|mul|div|divr)p$/.test(mn)) return [st(1), st(0)];
  if (ops.length === 1 && isSt(ops[0]) && /^f(add|sub|subr|mul|div|divr)p$/.test(mn)) return [ops[0], st(0)];
  if (ops.length === 1 && isSt(ops[0]) && /^f(add|sub|subr|mul|div|divr)$/.test(mn)) return [st(0), ops[0]];
  if (ops.length === 0 && /^f(xch|ucom|ucomp|com|comp)$/.test(mn)) return [st(0), st(1)];
  if (ops.length === 1 && ops[0].op.k === 'reg' && ops[0].op.r.cls === 'st' && /^f(xch|ucom|ucomp|com|comp|ucomi|ucomip|comi|comip)$/.test(mn)) return [st(0), ops[0]];
  // AT&T `ljmp $sel, $off` (immediates keep their source order).
  if (!ctx.intel && ops.length === 2 && ops[0].op.k === 'imm' && ops[1].op.k === 'imm' && /^l?(jmp|call)[wl]?$/.test(mn)) {
    const sel = ops[0].op, off = ops[1].op;
    return [{ star: false, op: { k: 'far', sel: sel.e, off: off.e, col: sel.col, end: off.end } }];
  }
  return ops;
}

const SUFFIX_SIZE: Record<string, number> = { b: 1, w: 2, l: 4, q: 8 };

/** Codes GNU as encodes through their 32-bit sibling (no 66/REX.W prefix): for register and/or memory operands. */
const NARROW: Record<string, { to: string; reg: boolean; mem: boolean }> = {
  Ltr_rm16: { to: 'Ltr_r32m16', reg: true, mem: false }, Lldt_rm16: { to: 'Lldt_r32m16', reg: true, mem: false },
  Verr_rm16: { to: 'Verr_r32m16', reg: true, mem: false }, Verw_rm16: { to: 'Verw_r32m16', reg: true, mem: false },
  Lmsw_rm16: { to: 'Lmsw_r32m16', reg: true, mem: false },
  Mov_Sreg_rm16: { to: 'Mov_Sreg_r32m16', reg: true, mem: true }, Mov_Sreg_r64m16: { to: 'Mov_Sreg_r32m16', reg: true, mem: false },
  Mov_r64m16_Sreg: { to: 'Mov_r32m16_Sreg', reg: true, mem: false }, Mov_rm16_Sreg: { to: 'Mov_r32m16_Sreg', reg: false, mem: true },
  Str_r64m16: { to: 'Str_r32m16', reg: true, mem: false }, Sldt_r64m16: { to: 'Sldt_r32m16', reg: true, mem: false },
  Arpl_rm16_r16: { to: 'Arpl_r32m16_r32', reg: true, mem: true },
};

function noMatchError(mn: string, cands: CodeInfo[], ops: ParsedOperand[], ctx: MatchCtx, binder: Binder): AsmError {
  const real = ops.filter((p) => p.op.col > 0);
  const col = real.length ? Math.min(...real.map((p) => p.op.col)) : undefined;
  const end = real.length ? Math.max(...real.map((p) => p.op.end)) : undefined;
  // AT&T size suffix against a register of another size
  const sfx = mn[mn.length - 1];
  if (!ctx.intel && SUFFIX_SIZE[sfx] && !cands.some((c) => c.gas === mn)) {
    for (const p of [...ops].reverse()) {
      if (p.op.k === 'reg' && /^gpr/.test(p.op.r.cls) && p.op.r.size !== SUFFIX_SIZE[sfx]) {
        return new AsmError(`operand size mismatch: ${mn} with %${p.op.r.name}`, p.op.col, p.op.end);
      }
    }
  }
  const counts = new Set<number>();
  for (const c of cands) { counts.add(c.ops.length); counts.add(c.ops.filter((k) => !IMPLICIT.has(k)).length); }
  if (!counts.has(ops.length)) {
    const list = [...counts].sort();
    return new AsmError(`wrong number of operands for '${mn}' (expected ${list.join(' or ')}, got ${ops.length})`, col, end);
  }
  binder.relaxImm = true;
  for (const ci of cands) {
    if (binder.tryBind(ci, ops)) {
      const imm = ops.find((p) => p.op.k === 'imm');
      return new AsmError(`immediate value out of range for '${mn}'`, imm?.op.col ?? col, imm?.op.end ?? end);
    }
  }
  binder.relaxImm = false;
  for (const p of ops) {
    if (p.op.k === 'reg' && p.op.r.cls === 'ip') return new AsmError(`'%${p.op.r.name}' can only be used as a base register`, p.op.col, p.op.end);
  }
  return new AsmError(`operand type mismatch for '${mn}'`, col, end);
}

/** Match an instruction. `ops` are in Intel order. Throws AsmError. */
export function matchInstruction(mnemonic: string, opsIn: ParsedOperand[], pfx: Prefixes, ctx: MatchCtx, mnCol?: number, mnEnd?: number): InsnPlan {
  const norm = normalise(mnemonic.toLowerCase(), opsIn, ctx);
  const mn = norm.mn, ops = norm.ops;
  const syn = ctx.intel ? 'intel' : 'att';
  const primaryAll = candidatesFor(mn, syn), secondaryAll = candidatesFor(mn, ctx.intel ? 'att' : 'intel');
  if (primaryAll.length === 0 && secondaryAll.length === 0) throw new AsmError(`unknown mnemonic '${mnemonic}'`, mnCol, mnEnd);
  const primary = modeCandidates(`${syn}:${mn}`, primaryAll, ctx.bits);
  const secondary = modeCandidates(`${ctx.intel ? 'att' : 'intel'}:${mn}`, secondaryAll, ctx.bits);
  if (primary.length === 0 && secondary.length === 0) throw new AsmError(`'${mnemonic}' is not supported in ${ctx.bits}-bit mode`, mnCol, mnEnd);
  const binder = new Binder(ctx, mn);
  let matches: { ci: CodeInfo; binds: Bound[] }[] = [];
  const tryAll = (cands: CodeInfo[], list: ParsedOperand[]) => {
    for (const ci of cands) {
      const b = binder.tryBind(ci, list);
      if (b) matches.push({ ci, binds: b });
    }
  };
  // The spelling of the current syntax first (AT&T `fsubp` differs from Intel `fsubp`), then the other
  // one (AT&T `movsd` without operands is the Intel string instruction; `lret` works in Intel mode).
  for (const cands of [primary, secondary]) {
    tryAll(cands, ops);
    // xchg is symmetric (both orders may reach the short accumulator form); test accepts either order.
    if (ops.length === 2 && (/^xchg[bwlq]?$/.test(mn) || (matches.length === 0 && /^test[bwlq]?$/.test(mn)))) tryAll(cands, [ops[1], ops[0]]);
    if (matches.length) break;
  }
  if (matches.length === 0) throw noMatchError(mnemonic, primary.length ? primary : secondary, ops, ctx, binder);

  // Far forms: 16-bit pointer only with an explicit w suffix.
  if (matches.some((m) => m.ci.ops.some((k) => FAR.has(k)))) {
    const want = mn.endsWith('w') ? K.farbr2_2 : K.farbr4_2;
    matches = matches.filter((m) => m.ci.ops.includes(want));
  }

  // Branches: pick forms for the current mode, short and near.
  if (matches.some((m) => isBranchCode(m.ci))) {
    const os = ctx.bits;
    let br = matches.filter((m) => isBranchCode(m.ci) && (m.ci.os === os || m.ci.os === 0) && (m.ci.as === 0 || m.ci.as === ctx.bits));
    if (br.length === 0) br = matches.filter((m) => isBranchCode(m.ci) && (m.ci.os === os || m.ci.os === 0));
    if (br.length === 0) throw new AsmError(`'${mnemonic}' cannot be encoded in ${ctx.bits}-bit mode`, mnCol, mnEnd);
    const short = br.find((m) => m.ci.ops.some((k) => BRANCH_SHORT.has(k)));
    const near = br.find((m) => m.ci.ops.some((k) => BRANCH_NEAR.has(k)));
    const target = (short ?? near)!.binds.find((b) => b.t === 'br') as { e: Expr } | undefined;
    if (short && near) {
      const sSize = placeholderSize(short.ci, short.binds, pfx, ctx);
      const nSize = placeholderSize(near.ci, near.binds, pfx, ctx);
      return { mnemonic: mn, bits: ctx.bits, ci: short.ci, binds: short.binds, pfx, size: sSize, near: { ci: near.ci, binds: near.binds, size: nSize }, target: target?.e, isNear: false };
    }
    const only = (short ?? near)!;
    return { mnemonic: mn, bits: ctx.bits, ci: only.ci, binds: only.binds, pfx, size: placeholderSize(only.ci, only.binds, pfx, ctx), target: target?.e, isNear: false };
  }

  // Unsized memory operand with candidates of different sizes.
  const unsizedMem = ops.some((p) => (p.op.k === 'mem' && p.op.size === undefined));
  if (unsizedMem) {
    const sizes = new Set(matches.filter((m) => m.binds.some((b) => b.t === 'mem')).map((m) => m.ci.memSize));
    if (sizes.size > 1) {
      if (matches.every((m) => m.ci.stack || DEFAULT_SIZE.has(m.ci.intel))) {
        const def = (ci: CodeInfo) => (ci.defaultOp64 && ctx.bits === 64 ? 64 : 32);
        const kept = matches.filter((m) => m.ci.os === def(m.ci) || m.ci.os === 0);
        if (kept.length > 0) matches = kept;
      } else {
        const m = ops.find((p) => p.op.k === 'mem')!.op;
        throw new AsmError(ctx.intel
          ? `ambiguous operand size for '${mnemonic}': use a size keyword (byte/word/dword/qword ptr)`
          : `ambiguous operand size for '${mnemonic}': no instruction mnemonic suffix given and no register operands`, m.col, m.end);
      }
    }
  }

  // Operand size not fixed by any operand (push $imm, ret, nop, pushf): use the mode's default size.
  const sized = ops.some((p) => (p.op.k === 'reg' && /^gpr/.test(p.op.r.cls)) || (p.op.k === 'mem' && p.op.size !== undefined));
  if (!sized && new Set(matches.map((m) => m.ci.os).filter((o) => o !== 0)).size > 1) {
    const def = (ci: CodeInfo) => (ci.defaultOp64 && ctx.bits === 64 ? 64 : 32);
    const kept = matches.filter((m) => m.ci.os === 0 || m.ci.os === def(m.ci));
    if (kept.length > 0) matches = kept;
  }

  // Shortest encoding; ties keep iced Code order (GNU as template order).
  let best: Match | undefined;
  let firstErr: unknown;
  for (const m of matches) {
    let size: number;
    try { size = placeholderSize(m.ci, m.binds, pfx, ctx); } catch (e) { firstErr ??= e; continue; }
    if (!best || size < best.size || (size === best.size && preferVectorMem(m.ci, best.ci))) best = { ...m, size };
  }
  if (!best) throw firstErr instanceof AsmError ? firstErr : new AsmError(String(firstErr));

  // Forms GNU as encodes without a size prefix or REX.W (`ltr %ax`, `mov %ax, %ds`, `str %rax`, `movw %ds, (%eax)`).
  const narrow = NARROW[best.ci.name];
  const sib = narrow && codeByName(narrow.to);
  if (narrow && sib && modeOk(sib, ctx.bits)) {
    const hasMem = best.binds.some((b) => b.t === 'mem');
    if ((hasMem && narrow.mem) || (!hasMem && narrow.reg)) {
      const binds = best.binds.map((b): Bound => (b.t === 'reg' && RegisterExt.isGPR(b.reg) ? { t: 'reg', reg: RegisterExt.fullRegister32(b.reg) } : b));
      return { mnemonic: mn, bits: ctx.bits, ci: sib, binds, pfx, size: placeholderSize(sib, binds, pfx, ctx), isNear: false };
    }
  }
  // A 64-bit GPR result/source of these SSE/MMX forms is encoded as the 32-bit form (upper half is zero).
  if (ctx.bits === 64 && /^(pmovmskb|movmskps|movmskpd|pextrw|pextrb|extractps|pinsrw)$/.test(best.ci.intel) && best.ci.name.includes('r64')) {
    const sib32 = codeByName(best.ci.name.replace('r64', 'r32'));
    if (sib32) {
      const binds = best.binds.map((b): Bound => (b.t === 'reg' && RegisterExt.isGPR64(b.reg) ? { t: 'reg', reg: RegisterExt.fullRegister32(b.reg) } : b));
      return { mnemonic: mn, bits: ctx.bits, ci: sib32, binds, pfx, size: placeholderSize(sib32, binds, pfx, ctx), isNear: false };
    }
  }
  // GNU as turns `int $3` into the one-byte int3.
  if (best.ci.code === Code.Int_imm8) {
    const b = best.binds[0];
    if (b.t === 'imm' && ctx.known(b.e) === 3n) {
      const ci = codeInfo(Code.Int3)!;
      return { mnemonic: mn, bits: ctx.bits, ci, binds: [], pfx, size: 1 + pfx.raw.length, isNear: false };
    }
  }
  return { mnemonic: mn, bits: ctx.bits, ci: best.ci, binds: best.binds, pfx, size: best.size, isNear: false };
}
