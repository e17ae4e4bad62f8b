// The pre-decoded instruction record: produced once per instruction address by the decoder,
// cached per machine page, then executed many times by its handler without decoding again.

import type { Cpu } from '../cpu';

export type Handler = (cpu: Cpu, i: Insn) => void;

/** Pseudo register numbers used in Insn.base/index/reg. */
export const REG_NONE = -1;
export const REG_RIP = 16;
/** 8-bit register numbers: 0..15 = low byte of GPR n (al, cl, ..., spl.. with REX), 16..19 = ah, ch, dh, bh. */
export const REG8_AH = 16;

export class Insn {
  /** Semantic handler chosen at decode time from `code`. */
  exec: Handler;
  /** iced-x86 style Code name (e.g. 'Add_rm32_r32'): the one vocabulary shared by decoder, handlers and tests. */
  code: string;
  /** Instruction length in bytes. */
  len = 0;
  /** Operand size in bits (8/16/32/64) of the main operand; for code names that fix the size this matches them. */
  opsize = 32;
  /** Address size in bits (16/32/64). */
  asize = 32;
  /** Code size (16/32/64) this was decoded for; the cache is only valid for the same code size. */
  mode = 32;
  /** ModRM.reg (with REX.R), or a register encoded in the opcode's low bits (with REX.B); 8-bit forms use REG8 numbering; for sreg forms the segment number; for crN/drN the control/debug register number; -1 if unused. */
  reg = REG_NONE;
  /** Register operand from ModRM.rm with REX.B when mod == 3; -1 when the operand is memory. */
  rm = REG_NONE;
  isMem = false;
  /** Segment for the memory operand (ES=0 CS=1 SS=2 DS=3 FS=4 GS=5), override applied; for string ops the source segment. */
  seg = 3;
  /** Base register (0..15, REG_RIP) or -1. */
  base = REG_NONE;
  /** Index register (0..15) or -1. */
  index = REG_NONE;
  /** Scale as a shift count 0..3. */
  scale = 0;
  /** Displacement (int32), sign-extended; for moffs forms the low 32 bits of the offset. */
  disp = 0;
  /** High 32 bits of the displacement (sign of disp, or the moffs64 high half). */
  dispHi = 0;
  /** First immediate as int32 (sign- or zero-extended as the form says); relative branch displacement for jumps/calls. */
  imm = 0;
  /** High half of a 64-bit immediate (mov r64, imm64), else the sign extension of imm for 64-bit operand forms. */
  immHi = 0;
  /** Second immediate: enter's nesting level, the selector of a far pointer (ptr16:32). */
  imm2 = 0;
  /** 0 none, 1 = F3 (REP/REPE), 2 = F2 (REPNE). */
  rep = 0;
  lock = false;
  /** Ends a straight-line run: control transfer, mode or paging change, hypervisor entry. */
  isBranch = false;
  /** Debugger: stop before executing (instruction breakpoint set on this address). */
  stop = false;
  /** Cached successor in the same machine page (straight-line code), or null. */
  next: Insn | null = null;
  /** Branch successor cache: the instructions last reached from here (taken / fall-through), with the RIP
   *  they were reached at and the Cpu.linkEpoch they are valid for. */
  link1: Insn | null = null; link1Rip = NaN; link1Epoch = -1;
  link2: Insn | null = null; link2Rip = NaN; link2Epoch = -1;
  /** Machine address this record is cached for (-1 when not cached, e.g. it crosses a page). */
  pa = -1;
  /** Raw opcode bytes, kept for the hypervisor's instruction emulation and the disassembly view. */
  bytes: Uint8Array | null = null;

  constructor(exec: Handler, code: string) {
    this.exec = exec;
    this.code = code;
  }
}
