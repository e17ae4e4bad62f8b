// Lazily built index from mnemonic (AT&T names as iced's GAS formatter prints them, with and without
// size suffix, plus Intel names and GNU aliases) to the iced-x86 Codes that can encode it.

import { Code, CodeExt, EncodingKind, Formatter, FormatterSyntax, Instruction, MandatoryPrefix, MemorySizeExt, Mnemonic, OpCodeOperandKind } from 'iced-x86';

export interface CodeInfo {
  code: Code;
  name: string;
  ops: OpCodeOperandKind[];
  /** Operand size 16/32/64, 0 when not applicable. */
  os: number;
  /** Address size when fixed by the code (loop/jcxz), else 0. */
  as: number;
  m32: boolean;
  m64: boolean;
  /** Memory operand size in bytes (0 = unknown/any). */
  memSize: number;
  defaultOp64: boolean;
  stack: boolean;
  enc: EncodingKind;
  intel: string;
  /** Mandatory legacy prefix byte (0x66/0xf2/0xf3) or 0. */
  mandatory: number;
  gas: string;
  gasSfx: string;
}

export interface OpcodeIndex {
  /** AT&T names (GNU as spelling as iced's GAS formatter prints them, plus aliases). */
  att: Map<string, CodeInfo[]>;
  /** Intel names (iced Mnemonic). */
  intel: Map<string, CodeInfo[]>;
  byCode: Map<Code, CodeInfo>;
}

let index: OpcodeIndex | undefined;

/** Alternate encodings GNU as never emits (or that duplicate a preferred form). */
const EXCLUDE = [/_82$/, /_F6r1$/, /_F7r1$/, /^Sal_/, /_D[C-F][0-9A-F]{2}$/, /^Fstpnce/, /^Reservednop/, /^Zero_bytes$/, /^DeclareByte|^DeclareWord|^DeclareDword|^DeclareQword/];

/** GNU as aliases: alias -> list of canonical names whose codes it also accepts. */
const ALIASES: Record<string, string[]> = {
  pushf: ['pushfw', 'pushfl', 'pushfq'],
  popf: ['popfw', 'popfl', 'popfq'],
  pusha: ['pushaw', 'pushal'],
  popa: ['popaw', 'popal'],
  sal: ['shl'], salb: ['shlb'], salw: ['shlw'], sall: ['shll'], salq: ['shlq'],
  fwait: ['wait'],
  movzb: ['movzbw', 'movzbl', 'movzbq'],
  movzw: ['movzwl', 'movzwq'],
  movsbw: ['movsbw'],
  xlat: ['xlatb'],
  loopz: ['loope'], loopnz: ['loopne'], loopzl: ['loopel'], loopnzl: ['loopnel'], loopzq: ['loopeq'], loopnzq: ['loopneq'],
  ud2a: ['ud2'],
  icebp: ['int1'],
  fildq: ['fildll'], fistpq: ['fistpll'], fisttpq: ['fisttpll'],
  sysretl: ['sysret'],
  retf: ['lret'], retfq: ['lretq'], retfl: ['lretl'], retfw: ['lretw'],
  iretd: ['iretl'],
  movsxd: ['movslq'],
  cdqe: ['cltq'], cwde: ['cwtl'], cbw: ['cbtw'], cwd: ['cwtd'], cdq: ['cltd'], cqo: ['cqto'],
};

const INTEL_DEFAULT_SIZE: Record<string, string[]> = {
  pushf: ['pushfd', 'pushfq'], popf: ['popfd', 'popfq'], iret: ['iretd', 'iretq'], pusha: ['pushad'], popa: ['popad'],
};

/** Condition-code spellings accepted for j<cc>, set<cc>, cmov<cc>. */
const CC_ALIASES: Record<string, string> = {
  c: 'b', nae: 'b', nb: 'ae', nc: 'ae', z: 'e', nz: 'ne', na: 'be', nbe: 'a',
  pe: 'p', po: 'np', nge: 'l', nl: 'ge', ng: 'le', nle: 'g',
};

function build(): OpcodeIndex {
  const att = new Map<string, CodeInfo[]>();
  const intel = new Map<string, CodeInfo[]>();
  const byCode = new Map<Code, CodeInfo>();
  const plain = new Formatter(FormatterSyntax.Gas);
  const sfx = new Formatter(FormatterSyntax.Gas);
  sfx.gasShowMnemonicSizeSuffix = true;
  const addTo = (map: Map<string, CodeInfo[]>, name: string, ci: CodeInfo) => {
    let l = map.get(name);
    if (!l) { l = []; map.set(name, l); }
    if (!l.includes(ci)) l.push(ci);
  };
  const add = (name: string, ci: CodeInfo) => addTo(att, name, ci);
  const codeNames = Object.keys(Code).filter((k) => isNaN(Number(k)));
  for (const name of codeNames) {
    if (EXCLUDE.some((r) => r.test(name))) continue;
    const code = (Code as unknown as Record<string, number>)[name] as Code;
    const oc = CodeExt.opCode(code);
    try {
      if (!oc.isInstruction) continue;
      if (oc.encoding !== EncodingKind.Legacy && oc.encoding !== EncodingKind.VEX) continue;
      if (oc.decoderOption !== 0) continue;
      if (!oc.mode32 && !oc.mode64) continue;
      const ops: OpCodeOperandKind[] = [];
      for (let i = 0; i < oc.opCount; i++) ops.push(oc.opKind(i));
      const ins = Instruction.create(code);
      let gas = '', gasSfx = '';
      try {
        gas = plain.formatMnemonic(ins);
        gasSfx = sfx.formatMnemonic(ins);
      } finally { ins.free(); }
      let forceQ = false;
      if (gas.startsWith('rex.w ')) { gas = gas.slice(6); gasSfx = gasSfx.replace(/^rex\.w /, '') + 'q'; forceQ = true; }
      const ci: CodeInfo = {
        code, name, ops,
        os: forceQ ? 64 : oc.operandSize,
        as: oc.addressSize,
        m32: oc.mode32, m64: oc.mode64,
        memSize: MemorySizeExt.size(oc.memorySize),
        defaultOp64: oc.defaultOpSize64 || oc.forceOpSize64,
        stack: oc.isStackInstruction,
        enc: oc.encoding,
        intel: Mnemonic[oc.mnemonic].toLowerCase(),
        mandatory: oc.encoding === EncodingKind.Legacy ? ({ [MandatoryPrefix.P66]: 0x66, [MandatoryPrefix.PF3]: 0xf3, [MandatoryPrefix.PF2]: 0xf2 } as Record<number, number>)[oc.mandatoryPrefix] ?? 0 : 0,
        gas, gasSfx,
      };
      byCode.set(code, ci);
      if (gas && !gas.includes(' ')) add(gas, ci);
      if (gasSfx && !gasSfx.includes(' ')) add(gasSfx, ci);
      // GNU as also reaches the moffs/imm64 forms through movb/movw/movl/movq.
      if (/^movabs[bwlq]$/.test(gasSfx)) { add('mov' + gasSfx[6], ci); add('mov', ci); }
      addTo(intel, ci.intel, ci);
    } finally {
      oc.free();
    }
  }
  plain.free(); sfx.free();
  for (const [alias, targets] of Object.entries(ALIASES)) {
    for (const t of targets) for (const ci of att.get(t) ?? intel.get(t) ?? []) add(alias, ci);
  }
  // Intel spellings that GNU as sizes by mode (`pushf` is pushfq in 64-bit code, not pushfw).
  for (const [alias, names] of Object.entries(INTEL_DEFAULT_SIZE)) {
    for (const n of names) for (const ci of intel.get(n) ?? []) addTo(intel, alias, ci);
  }
  // Condition-code aliases (jz, setnae, cmovnzl, ...).
  const ccCanon = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
  for (const [alias, canon] of Object.entries(CC_ALIASES)) {
    if (!ccCanon.includes(canon)) continue;
    for (const pre of ['j', 'set', 'cmov']) {
      for (const suf of pre === 'j' ? [''] : pre === 'set' ? ['', 'b'] : ['', 'w', 'l', 'q']) {
        for (const ci of att.get(pre + canon + suf) ?? []) add(pre + alias + suf, ci);
        for (const ci of intel.get(pre + canon + suf) ?? []) addTo(intel, pre + alias + suf, ci);
      }
    }
  }
  return { att, intel, byCode };
}

export function opcodeIndex(): OpcodeIndex {
  if (!index) index = build();
  return index;
}

const sortedCache = new Map<string, CodeInfo[]>();

/**
 * Candidate codes for a mnemonic (lower case), in iced Code order. `syntax` selects the AT&T (GNU as)
 * or Intel spelling. Do not modify the result.
 */
export function candidatesFor(mnemonic: string, syntax: 'att' | 'intel' = 'att'): CodeInfo[] {
  const key = `${syntax}:${mnemonic}`;
  let r = sortedCache.get(key);
  if (r) return r;
  const l = opcodeIndex()[syntax].get(mnemonic);
  r = l ? l.slice().sort((a, b) => a.code - b.code) : [];
  if (l) sortedCache.set(key, r);
  return r;
}

export function codeInfo(code: Code): CodeInfo | undefined {
  return opcodeIndex().byCode.get(code);
}

export function codeByName(name: string): CodeInfo | undefined {
  const c = (Code as unknown as Record<string, number>)[name];
  return c === undefined ? undefined : opcodeIndex().byCode.get(c as Code);
}
