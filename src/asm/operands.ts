// Syntax-neutral instruction operands produced by the AT&T and Intel operand parsers (Intel order).

import { Expr } from './expr';
import { RegInfo } from './registers';
import { AsmError } from './types';

export interface RegOp { k: 'reg'; r: RegInfo; col: number; end: number }
/** Immediate. `bare`: Intel operand written without brackets/offset (memory when not constant). */
export interface ImmOp { k: 'imm'; e: Expr; col: number; end: number; bare?: boolean }
export interface MemOp {
  k: 'mem';
  seg?: RegInfo;
  base?: RegInfo;
  index?: RegInfo;
  scale: number;
  disp?: Expr;
  /** Explicit size in bytes (Intel `dword ptr`), undefined when not given. */
  size?: number;
  col: number;
  end: number;
}
export interface FarOp { k: 'far'; sel: Expr; off: Expr; col: number; end: number }
export type Operand = RegOp | ImmOp | MemOp | FarOp;

export interface ParsedOperand {
  op: Operand;
  /** AT&T `*` (indirect branch operand). */
  star: boolean;
}

/** Validate base/index registers of a memory operand; returns the address size (16/32/64) or 0 if none. */
export function memAddressSize(m: MemOp): number {
  const sizes: number[] = [];
  for (const r of [m.base, m.index]) {
    if (!r) continue;
    if (r.cls === 'ip') sizes.push(r.size * 8);
    else if (r.cls === 'gpr16') sizes.push(16);
    else if (r.cls === 'gpr32') sizes.push(32);
    else if (r.cls === 'gpr64') sizes.push(64);
  }
  if (sizes.length === 2 && sizes[0] !== sizes[1] && !(m.index && (m.index.cls === 'xmm' || m.index.cls === 'ymm'))) {
    throw new AsmError(`base and index registers of different sizes: '${m.base!.name}' and '${m.index!.name}'`, m.col, m.end);
  }
  return sizes[0] ?? 0;
}

export function checkMem(m: MemOp): void {
  if (m.base && !['gpr16', 'gpr32', 'gpr64', 'ip'].includes(m.base.cls)) {
    throw new AsmError(`'${m.base.name}' is not a valid base register`, m.col, m.end);
  }
  if (m.index) {
    if (!['gpr16', 'gpr32', 'gpr64', 'xmm', 'ymm'].includes(m.index.cls) || m.index.name === 'esp' || m.index.name === 'rsp' || m.index.name === 'sp') {
      throw new AsmError(`'${m.index.name}' is not a valid index register`, m.col, m.end);
    }
    if (m.base && m.base.cls === 'ip') throw new AsmError('%rip-relative addressing cannot use an index register', m.col, m.end);
  }
  if (![1, 2, 4, 8].includes(m.scale)) throw new AsmError(`scale factor must be 1, 2, 4 or 8 (got ${m.scale})`, m.col, m.end);
  if (m.base?.cls === 'gpr16' || m.index?.cls === 'gpr16') {
    const b = m.base?.name, x = m.index?.name;
    const okB = !b || b === 'bx' || b === 'bp' || b === 'si' || b === 'di';
    const okX = !x || ((x === 'si' || x === 'di') && (!b || b === 'bx' || b === 'bp'));
    if (!okB || !okX || m.scale !== 1) throw new AsmError('invalid 16-bit addressing mode', m.col, m.end);
  }
  memAddressSize(m);
}
