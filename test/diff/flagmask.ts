// The one table of architecturally undefined flags used by the differential test, per instruction,
// each entry citing the rule on its Intel SDM Vol. 2 page ("Flags Affected"). Nothing else is masked.

export const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
/** Flags compared at all: the six arithmetic flags and DF (IF/TF/AC are not under the test's control). */
export const COMPARED_FLAGS = CF | PF | AF | ZF | SF | OF | 0x400;

/** Facts about one case that decide which flags are undefined. */
export interface MaskContext {
  /** Operand size in bits of the instruction's main operand. */
  opsize: number;
  /** Shift/rotate count after the CPU's masking (& 0x1f, or & 0x3f for 64-bit operands), when relevant. */
  count?: number;
}

type Rule = (c: MaskContext) => number;
const none: Rule = () => 0;

/** Masked count; a zero count leaves every flag unaffected (hence defined: equal to the input). */
function shiftRule(c: MaskContext, cfUndefWhenWide: boolean): number {
  const n = c.count ?? 1;
  if (n === 0) return 0;
  let m = AF;                       // "The AF flag is undefined for a non-zero count"
  if (n !== 1) m |= OF;             // "The OF flag is affected only on 1-bit shifts ... otherwise undefined"
  if (cfUndefWhenWide && n >= c.opsize) m |= CF; // SHL/SHR with count >= operand size: "CF flag is undefined"
  return m;
}

const RULES: Record<string, Rule> = {
  // ADD/ADC/SUB/SBB/CMP/NEG/INC/DEC/XADD/CMPXCHG: "OF, SF, ZF, AF, CF, and PF flags are set according to the result"
  add: none, adc: none, sub: none, sbb: none, cmp: none, neg: none, inc: none, dec: none, xadd: none, cmpxchg: none,
  // AND/OR/XOR/TEST: "The OF and CF flags are cleared; SF, ZF, PF set by result. The state of the AF flag is undefined."
  and: () => AF, or: () => AF, xor: () => AF, test: () => AF,
  // NOT: "None" (no flags affected).
  not: none,
  // MUL: "OF and CF ... The SF, ZF, AF, and PF flags are undefined."
  mul: () => SF | ZF | AF | PF,
  // IMUL: "SF, ZF, AF, and PF flags are undefined" (all three forms).
  imul: () => SF | ZF | AF | PF,
  // DIV/IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined."
  div: () => CF | OF | SF | ZF | AF | PF, idiv: () => CF | OF | SF | ZF | AF | PF,
  // SAL/SHL/SHR: CF = last bit out ("undefined for SHL and SHR where the count >= the destination size"), OF only for
  // 1-bit shifts, AF undefined for non-zero counts; count 0 affects no flags.
  shl: (c) => shiftRule(c, true), sal: (c) => shiftRule(c, true), shr: (c) => shiftRule(c, true),
  // SAR: same page; the CF rule for counts >= size names SHL and SHR only (SAR fills with the sign, CF is defined).
  sar: (c) => shiftRule(c, false),
  // RCL/RCR/ROL/ROR: "The OF flag is defined only for the 1-bit rotates; it is undefined in all other cases
  // (except RCL and RCR instructions only: a zero-bit rotate does nothing, that is affects no flags)."
  // ROL/ROR with a masked count of 0 affect no flags either (pseudo-code: "IF (COUNT & COUNTMASK) = 0 THEN flags unaffected").
  // SF/ZF/AF/PF are "unaffected" by rotates (defined: equal to the input).
  rol: (c) => ((c.count ?? 1) > 1 ? OF : 0), ror: (c) => ((c.count ?? 1) > 1 ? OF : 0),
  rcl: (c) => ((c.count ?? 1) > 1 ? OF : 0), rcr: (c) => ((c.count ?? 1) > 1 ? OF : 0),
  // SHLD/SHRD: "If the count is 1 or greater, CF is last bit shifted out ... OF only for 1-bit shifts ... otherwise
  // undefined ... AF is undefined. If the count operand is 0, the flags are not affected. If count > operand size,
  // flags are undefined" (the generator never produces counts above the operand size: the result is undefined too).
  shld: (c) => ((c.count ?? 0) === 0 ? 0 : AF | ((c.count ?? 0) !== 1 ? OF : 0)),
  shrd: (c) => ((c.count ?? 0) === 0 ? 0 : AF | ((c.count ?? 0) !== 1 ? OF : 0)),
  // BT/BTS/BTR/BTC: "CF contains the selected bit. ZF is unaffected. OF, SF, AF, and PF flags are undefined."
  bt: () => OF | SF | AF | PF, bts: () => OF | SF | AF | PF, btr: () => OF | SF | AF | PF, btc: () => OF | SF | AF | PF,
  // BSF/BSR: "ZF is set if the source is 0, otherwise cleared. CF, OF, SF, AF, and PF flags are undefined."
  bsf: () => CF | OF | SF | AF | PF, bsr: () => CF | OF | SF | AF | PF,
  // POPCNT: "OF, SF, ZF, AF, CF, PF are all cleared. ZF is set if SRC = 0" (all defined).
  popcnt: none,
  // LZCNT/TZCNT: "ZF set if result is 0, CF set if source is 0 ... OF, SF, PF and AF flags are undefined."
  lzcnt: () => OF | SF | PF | AF, tzcnt: () => OF | SF | PF | AF,
  // SETcc / CMOVcc / BSWAP / MOVSX / MOVSXD / MOVZX / LEA / CBW.. / CWD..: "None" (flags unaffected).
  setcc: none, cmovcc: none, bswap: none, movsx: none, movsxd: none, movzx: none, lea: none,
  cbw: none, cwde: none, cdqe: none, cwd: none, cdq: none, cqo: none,
  // DAA/DAS: "CF and AF set if adjustment ... SF, ZF, PF set by result. The OF flag is undefined."
  daa: () => OF, das: () => OF,
  // AAA/AAS: "AF and CF set if an adjustment results ... The OF, SF, ZF, and PF flags are undefined."
  aaa: () => OF | SF | ZF | PF, aas: () => OF | SF | ZF | PF,
  // AAM/AAD: "SF, ZF, PF set according to the resulting AL. The OF, AF, and CF flags are undefined."
  aam: () => OF | AF | CF, aad: () => OF | AF | CF,
  // Multi-instruction chains (add/adc/sub/sbb/cmp/neg/inc/dec/setcc/cmovcc only): every flag is defined.
  chain: none,
};

/** Undefined-flag mask for an instruction family (lower-case mnemonic, setcc/cmovcc/chain grouped). */
export function undefinedFlags(family: string, c: MaskContext): number {
  const r = RULES[family];
  if (r === undefined) throw new Error(`no undefined-flags rule for '${family}': add one citing the SDM`);
  return r(c);
}

export function hasRule(family: string): boolean { return RULES[family] !== undefined; }

export function flagNames(mask: number): string {
  const n: string[] = [];
  const t: [number, string][] = [[CF, 'CF'], [PF, 'PF'], [AF, 'AF'], [ZF, 'ZF'], [SF, 'SF'], [0x400, 'DF'], [OF, 'OF']];
  for (const [b, s] of t) if (mask & b) n.push(s);
  return n.join('|') || '-';
}
