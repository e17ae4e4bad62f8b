// Segment queries that never fault on a bad selector: LAR, LSL, VERR, VERW (result in ZF), and ARPL.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, UD } from '../fault';
import { F_ZF, setFlags } from '../flags';
import { CR0_PE } from '../mmu/paging';
import { readDescriptor, readDescriptor16 } from '../mmu/descriptor-tables';
import { D_S, D_CODE, D_WRITABLE_READABLE, dplOfHi, isConformingCodeHi, isLongMode } from './segments-load';

const d = new Int32Array(4);

/** System types LAR accepts (legacy tables / IA-32e tables). */
const LAR_LEGACY = [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0];
const LAR_LONG = [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0];
/** System types LSL accepts (no gates). */
const LSL_LEGACY = [0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0];
const LSL_LONG = [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0];

/**
 * Look up `sel` for LAR (lsl=false) or LSL (lsl=true): true when the descriptor is visible at the
 * current CPL/RPL and of an accepted type; the descriptor is left in d. Faults only from the table read (#PF).
 */
function visible(cpu: Cpu, sel: number, lsl: boolean): boolean {
  if ((sel & 0xfffc) === 0 || !readDescriptor(cpu, sel, d)) return false;
  const hi = d[1], dpl = dplOfHi(hi);
  if (hi & D_S) {
    if (isConformingCodeHi(hi)) return true;
  } else {
    const long = isLongMode(cpu), type = (hi >>> 8) & 0xf;
    const ok = lsl ? (long ? LSL_LONG : LSL_LEGACY) : (long ? LAR_LONG : LAR_LEGACY);
    if (!ok[type]) return false;
    if (long) {
      const lo = d[0];
      if (!readDescriptor16(cpu, sel, d) || ((d[3] >>> 8) & 0x1f) !== 0) return false;
      d[0] = lo; d[1] = hi;
    }
  }
  return dpl >= cpu.cpl && dpl >= (sel & 3);
}

function requireProtected(cpu: Cpu): void { if (!(cpu.cr0 & CR0_PE)) throw new CpuFault(UD); }
function setZF(cpu: Cpu, z: boolean): void { setFlags(cpu, z ? F_ZF : 0, F_ZF); }

const lar = (size: number): Handler => (cpu: Cpu, i: Insn) => {
  requireProtected(cpu);
  const sel = cpu.readRM16(i);
  const ok = visible(cpu, sel, false);
  if (ok) {
    if (size === 16) cpu.setReg16(i.reg, d[1] & 0xff00);
    else cpu.setReg32(i.reg, d[1] & 0x00ffff00);
  }
  setZF(cpu, ok);
};

const lsl = (size: number): Handler => (cpu: Cpu, i: Insn) => {
  requireProtected(cpu);
  const sel = cpu.readRM16(i);
  const ok = visible(cpu, sel, true);
  if (ok) {
    let limit = (d[0] & 0xffff) | (d[1] & 0xf0000);
    if (d[1] & 0x800000) limit = ((limit << 12) | 0xfff) >>> 0;
    if (size === 16) cpu.setReg16(i.reg, limit); else cpu.setReg32(i.reg, limit);
  }
  setZF(cpu, ok);
};

/** VERR/VERW: code/data only; readable (VERR) or writable data (VERW); non-conforming needs DPL >= max(CPL, RPL). */
const verify = (write: boolean): Handler => (cpu: Cpu, i: Insn) => {
  requireProtected(cpu);
  const sel = cpu.readRM16(i);
  let ok = false;
  if ((sel & 0xfffc) !== 0 && readDescriptor(cpu, sel, d) && (d[1] & D_S)) {
    const hi = d[1], code = (hi & D_CODE) !== 0, rw = (hi & D_WRITABLE_READABLE) !== 0;
    const typeOk = write ? !code && rw : !code || rw;
    const privOk = isConformingCodeHi(hi) && !write ? true : dplOfHi(hi) >= cpu.cpl && dplOfHi(hi) >= (sel & 3);
    ok = typeOk && privOk;
  }
  setZF(cpu, ok);
};

/** ARPL r/m16, r16: raise the destination selector's RPL to the source's (16/32-bit modes only). */
const arpl: Handler = (cpu: Cpu, i: Insn) => {
  if (cpu.mode === 64 || !(cpu.cr0 & CR0_PE)) throw new CpuFault(UD);
  const dst = cpu.readRM16(i), src = cpu.getReg16(i.reg);
  if ((dst & 3) < (src & 3)) {
    const v = (dst & ~3) | (src & 3);
    if (i.isMem) cpu.writeLin16(cpu.linear(i, 2, true), v); else cpu.setReg16(i.rm, v);
    setZF(cpu, true);
  } else setZF(cpu, false);
};

export const segmentQueryHandlers: Record<string, Handler> = {
  Lar_r16_rm16: lar(16), Lar_r32_r32m16: lar(32), Lar_r64_r64m16: lar(64),
  Lsl_r16_rm16: lsl(16), Lsl_r32_r32m16: lsl(32), Lsl_r64_r64m16: lsl(64),
  Verr_rm16: verify(false), Verr_r32m16: verify(false), Verr_r64m16: verify(false),
  Verw_rm16: verify(true), Verw_r32m16: verify(true), Verw_r64m16: verify(true),
  Arpl_rm16_r16: arpl, Arpl_r32m16_r32: arpl,
};
