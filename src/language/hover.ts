// Hover content: numbers through the decoder ring (selector / descriptor / PTE / hypercall / plain), mnemonics,
// directives, registers, hypercall and Xen constant names, and user symbols with their value and definition.

import type { Hover } from 'vscode-languageserver-protocol';
import { predefinedSymbols } from '../asm/xen-symbols';
import { DocState } from './analysis';
import { decodeNumber, NumberContext, renderDecodings } from './decoder-ring';
import { defsOf, labelAbove, resolveNumericRef, Statement, Tok, tokenAt } from './document';
import { describeMnemonic, PREFIXES } from './instructions';
import { describeRegister, directiveDoc } from './reference-docs';
import { flatSelectorNames, hypercallByName, hypercallSignature } from './xen-facts';

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

function hoverFor(tok: Tok, value: string): Hover {
  return { contents: { kind: 'markdown', value }, range: { start: { line: tok.line, character: tok.start }, end: { line: tok.line, character: tok.end } } };
}

/** Context of a token inside its statement, for ranking number readings. */
export function numberContext(doc: DocState, stmt: Statement, tok: Tok): NumberContext {
  const op = stmt.op?.k === 'ident' ? stmt.op.text.toLowerCase() : undefined;
  const ctx: NumberContext = { bits: stmt.bits ?? doc.bits, immediate: tok.imm, label: labelAbove(doc.scanned, stmt.line) };
  const idx = stmt.operands.findIndex((g) => g.includes(tok));
  ctx.operandIndex = idx >= 0 ? idx : undefined;
  if (op?.startsWith('.')) ctx.directive = op;
  else if (op) {
    ctx.mnemonic = op;
    const last = stmt.operands[stmt.operands.length - 1];
    if (stmt.operands.length >= 2 && last.length === 1 && last[0].k === 'reg') ctx.destReg = last[0].text;
    // The next few statements: a hypercall sequence ends in syscall / int $0x82.
    const i = doc.scanned.statements.indexOf(stmt);
    ctx.following = doc.scanned.statements.slice(i + 1, i + 4).map((s) => (s.op?.text ?? '').toLowerCase()).filter((m) => m);
  }
  return ctx;
}

function symbolHover(doc: DocState, name: string, stmt: Statement, tok: Tok): string | undefined {
  const parts: string[] = [];
  const defs = defsOf(doc.scanned, name);
  const sym = doc.symbol(name);
  const pre = predefinedSymbols(doc.bits).get(name);
  const hc = hypercallByName(name);
  if (hc && (name.startsWith('__HYPERVISOR_') || name.startsWith('HYPERVISOR_') || defs.length === 0)) {
    parts.push(`**__HYPERVISOR_${hc.name}** = ${hc.nr}${hc.note ? ` (${hc.note})` : ''}`, '', '```c', hypercallSignature(hc, doc.bits), '```', hc.summary,
      '', `pv64: \`mov $${hc.nr}, %eax; syscall\` (args rdi, rsi, rdx, r10, r8) — pv32: \`mov $${hc.nr}, %eax; int $0x82\` (args ebx, ecx, edx, esi, edi); ` +
      `or call \`hypercall_page + ${hc.nr}*32\`.`);
    return parts.join('\n');
  }
  const flat = flatSelectorNames().find((f) => f.name === name);
  if (flat && defs.length === 0) {
    const v = doc.bits === 32 ? flat.pv32 ?? flat.pv64 : flat.pv64 ?? flat.pv32;
    const where = [flat.pv64 !== undefined ? `pv64 ${hex(BigInt(flat.pv64))}` : '', flat.pv32 !== undefined ? `pv32 ${hex(BigInt(flat.pv32))}` : ''].filter((x) => x).join(', ');
    parts.push(`**${name}** (Xen public header): ${where}`);
    if (v !== undefined) parts.push('', renderDecodings(BigInt(v), decodeNumber(BigInt(v), { bits: doc.bits, destReg: 'ds' })));
    const kind = doc.bits === 32 ? 'pv32' : 'pv64';
    const header = (k: string) => (k === 'pv64' ? 'xen-x86_64.h' : 'xen-x86_32.h');
    const here = flat[kind];
    parts.push('', here !== undefined
      ? `_Predefined by the assembler for ${kind} guests (${header(kind)}): \`${name}\` = ${hex(BigInt(here))}._`
      : `_Not defined for ${kind} guests (only ${header(kind === 'pv64' ? 'pv32' : 'pv64')} has it): the assembler does not predefine it here._`);
    return parts.join('\n');
  }
  if (defs.length === 0 && !sym && pre !== undefined) {
    parts.push(`**${name}** = ${pre} (${hex(pre)}) — Xen constant predefined by the assembler`);
    return parts.join('\n');
  }
  if (defs.length === 0 && !sym) return undefined;
  const d = defs[0];
  const kindText = d ? (d.kind === 'label' ? 'label' : d.kind === 'equ' ? 'symbol (.equ/.set)' : d.kind === 'macro' ? 'macro' : 'common symbol') : 'symbol';
  let head = `**${name}** — ${kindText}`;
  if (sym) head += `: ${sym.section === '*ABS*' ? 'value' : 'address'} \`${hex(sym.valueBig)}\`${sym.section !== '*ABS*' ? ` in ${sym.section}` : ''}${sym.global ? ', global' : ''}`;
  parts.push(head);
  if (d) parts.push(`defined at line ${d.tok.line + 1}${d.kind === 'macro' ? '' : ''}`);
  else if (sym) parts.push(`defined in ${sym.file}:${sym.line}`);
  if (d?.kind === 'equ') {
    const text = doc.scanned.lines[d.tok.line]?.trim();
    if (text) parts.push('```xen-asm', text, '```');
  }
  if (d?.kind === 'macro') {
    const text = doc.scanned.lines[d.tok.line]?.trim();
    if (text) parts.push('```xen-asm', text, '```');
  }
  // An absolute value used as an operand gets the decoder ring too (e.g. `.equ KERNEL_CS, 0xe019`).
  if (sym && sym.section === '*ABS*') {
    const readings = decodeNumber(sym.valueBig, numberContext(doc, stmt, tok));
    if (readings.some((r) => r.kind !== 'number')) parts.push('', renderDecodings(sym.valueBig, readings));
  }
  return parts.join('\n\n');
}

export function computeHover(doc: DocState, line: number, character: number): Hover | null {
  const hit = tokenAt(doc.scanned, line, character);
  if (!hit) return null;
  const { tok, stmt } = hit;
  if (tok.k === 'num' && tok.value !== undefined) {
    return hoverFor(tok, renderDecodings(tok.value, decodeNumber(tok.value, numberContext(doc, stmt, tok))));
  }
  if (tok.k === 'numlabel') {
    const def = resolveNumericRef(doc.scanned, tok);
    const n = tok.text.slice(0, -1);
    return hoverFor(tok, def
      ? `local label \`${n}\` (${tok.dir === 'f' ? 'next definition forward' : 'nearest definition backward'}): line ${def.tok.line + 1}`
      : `local label \`${n}\`: no ${tok.dir === 'f' ? 'following' : 'preceding'} definition \`${n}:\``);
  }
  if (tok.k === 'reg') {
    const d = describeRegister(tok.text);
    return d ? hoverFor(tok, d) : null;
  }
  if (tok.k !== 'ident') return null;
  if (stmt.prefixes.includes(tok) || (tok === stmt.op && PREFIXES.includes(tok.text.toLowerCase()))) {
    const p = tok.text.toLowerCase();
    const what = p === 'lock' ? 'Make the read-modify-write instruction atomic.' : p.startsWith('rep') ? `Repeat the string instruction while rCX != 0${p === 'repe' || p === 'repz' ? ' and ZF=1' : p === 'repne' || p === 'repnz' ? ' and ZF=0' : ''}.` : 'Instruction prefix.';
    return hoverFor(tok, `**${p}** — ${what}`);
  }
  if (tok === stmt.op) {
    const name = tok.text;
    if (name.startsWith('.')) {
      const d = directiveDoc(name);
      return d ? hoverFor(tok, `**${name.toLowerCase()}** — ${d}`) : null;
    }
    const macro = defsOf(doc.scanned, name).find((d) => d.kind === 'macro');
    if (macro) return hoverFor(tok, `**${name}** — macro defined at line ${macro.tok.line + 1}\n\n\`\`\`xen-asm\n${doc.scanned.lines[macro.tok.line].trim()}\n\`\`\``);
    const ins = describeMnemonic(name);
    if (!ins) return null;
    const lines = [`**${name.toLowerCase()}**${ins.size ? ` (${ins.size} operands)` : ''} — ${ins.summary}`, '', `Flags: ${ins.flags}`];
    if (ins.note) lines.push('', `_${ins.note}_`);
    const m = name.toLowerCase();
    if (m === 'syscall' && stmt.bits === 64) lines.push('', 'In a pv64 kernel, `syscall` with the hypercall number in %eax enters Xen.');
    if (m === 'int' && stmt.operands[0]?.some((t) => t.value === 0x82n)) lines.push('', '`int $0x82` is the pv32 hypercall trap (number in %eax, args ebx, ecx, edx, esi, edi).');
    return hoverFor(tok, lines.join('\n'));
  }
  const s = symbolHover(doc, tok.text, stmt, tok);
  return s ? hoverFor(tok, s) : null;
}
