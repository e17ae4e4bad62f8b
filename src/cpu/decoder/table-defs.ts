// Row format of the opcode table (the decoder's single source of truth) and the small helpers the
// table files use to write families of rows; see table.ts for how rows are compiled into lookups.

/**
 * One opcode-table row: [key, operands, name template, flags].
 *
 * key:   `[NP|66|F3|F2] [0F|0F 38|0F 3A] XX[+r] [/N] [mem|reg] [!MM]`
 *        - mandatory prefix: NP = none of 66/F2/F3 acts as one; 66/F3/F2 = that prefix (the last F2/F3
 *          wins over 66); omitted = any prefixes (66 then only changes the operand size)
 *        - `+r`: the low 3 opcode bits name a register (8 opcodes); `/N`: ModRM.reg extension;
 *          `mem`/`reg`: ModRM.mod restriction; `!MM`: the whole ModRM byte must equal MM.
 * operands: SDM operand spec, e.g. 'Ev,Gv', 'Gv,Ev,Ibs', 'Jz'. Letters: E (reg/mem), G (ModRM.reg GPR),
 *        M (memory only), R (GPR, mod==3 only), S (sreg), C/D (control/debug reg), V/W/U (xmm reg / xmm-or-mem /
 *        xmm reg only), P/Q/N (mm reg / mm-or-mem / mm reg only), STi (x87 register in ModRM.rm), Z (register in
 *        the opcode's low bits), X/Y (string source DS:rSI / destination ES:rDI), O (moffs), A (far pointer),
 *        I (immediate), J (relative branch). Sizes: b w d q, v (operand size), z (16 or 32), y (32 or 64).
 *        Immediates: Ib (zero-extended), Ibs (sign-extended), Iw, Iz (sign-extended to the operand size), Iv.
 * name:  iced-x86 Code name template; `a|b|c` picks by operand size 16|32|64; placeholders: {v} 16/32/64,
 *        {w} w/d/q, {y} 32/64, {z} 16/32, {ax} AX/EAX/RAX (by operand size); {a} 16/32/64, {acx} CX/ECX/RCX,
 *        {acl} cx/ecx/rcx, {aw} w/d/q (by address size).
 * flags: space separated: B (ends a straight-line run: branch / mode / paging / interrupt state change),
 *        L (LOCK allowed with a memory destination), i64 (invalid in 64-bit mode), o64 (64-bit mode only),
 *        d64 (operand size defaults to 64 in 64-bit mode), f64 (operand size forced to 64 in 64-bit mode),
 *        cr (operand size 64 in 64-bit mode, else 32), no64 (REX.W does not widen past 32),
 *        modreg (ModRM.mod is ignored: always a register operand), crn (valid CR numbers 0,2,3,4,8),
 *        drn (DR number 0..7 only), sreg (ModRM.reg must name ES..GS), sregw (as sreg, and not CS).
 */
export type Row = [key: string, ops: string, name: string, flags?: string];

/** Condition-code suffixes in encoding order (Jcc, SETcc, CMOVcc). */
export const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/** Two hex digits. */
export function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16).toUpperCase();
}

/** Capitalise the first letter (iced names start upper case). */
export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
