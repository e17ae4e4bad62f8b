// Completion: mnemonics, prefixes, directives and macros at the start of a statement; registers after '%';
// symbols, hypercall numbers, the assembler's Xen constants and FLAT_* selectors in operands; local labels as 1f/1b.

import { CompletionItem, CompletionItemKind } from 'vscode-languageserver/node';
import { directiveNames } from '../asm/directives';
import { predefinedSymbols } from '../asm/xen-symbols';
import { DocState } from './analysis';
import { CommentState, stripComments } from '../asm/lexer';
import { describeMnemonic, documentedMnemonics, PREFIXES } from './instructions';
import { describeRegister, directiveDoc, registerNames } from './reference-docs';
import { flatSelectorNames, HYPERCALL_TABLE, hypercallByName, hypercallSignature } from './xen-facts';

const SUFFIXED = ['mov', 'add', 'sub', 'and', 'or', 'xor', 'cmp', 'test', 'push', 'pop', 'inc', 'dec', 'lea', 'shl', 'shr', 'sar', 'neg', 'not', 'xchg', 'adc', 'sbb', 'imul', 'mul', 'div', 'idiv'];

/** Where the cursor is in the statement: first word (op), after '%', or in operands. */
function classify(prefix: string): { where: 'op' | 'reg' | 'operand' | 'none'; word: string } {
  // Only the text of the current statement (after the last ';' outside strings) matters.
  const stmt = prefix.slice(prefix.lastIndexOf(';') + 1);
  if (/"[^"]*$/.test(stmt.replace(/"[^"]*"/g, ''))) return { where: 'none', word: '' };
  const wm = /[%$]?[A-Za-z0-9_.$]*$/.exec(stmt);
  const word = wm ? wm[0] : '';
  if (word.startsWith('%')) return { where: 'reg', word: word.slice(1) };
  const before = stmt.slice(0, stmt.length - word.length);
  // Strip label definitions and prefixes; if nothing else precedes the word it is the op position.
  const rest = before.replace(/^\s*(?:[A-Za-z_.$][\w.$]*:\s*|[0-9]+:\s*)*/, '').replace(/^\s*(?:(?:lock|rep|repe|repz|repne|repnz)\s+)*/i, '');
  if (rest.trim() === '') return { where: 'op', word };
  return { where: 'operand', word: word.replace(/^\$/, '') };
}

let mnemonicItems: CompletionItem[] | undefined;
function mnemonics(): CompletionItem[] {
  if (mnemonicItems) return mnemonicItems;
  const names = new Set<string>(documentedMnemonics());
  for (const m of SUFFIXED) for (const s of ['b', 'w', 'l', 'q']) names.add(m + s);
  mnemonicItems = [...names].sort().map((n) => {
    const d = describeMnemonic(n);
    return { label: n, kind: CompletionItemKind.Keyword, detail: d ? d.summary : undefined, data: 'mnemonic' };
  });
  for (const p of PREFIXES) mnemonicItems.push({ label: p, kind: CompletionItemKind.Keyword, detail: 'instruction prefix' });
  return mnemonicItems;
}

let directiveItems: CompletionItem[] | undefined;
function directives(): CompletionItem[] {
  if (directiveItems) return directiveItems;
  let names: string[];
  try { names = directiveNames(); } catch { names = Object.keys({}); }
  const all = new Set([...names.filter((n) => n.startsWith('.') && n.length > 1), '.xen_note', '.code32', '.code64']);
  directiveItems = [...all].sort().map((n) => ({ label: n, kind: CompletionItemKind.Keyword, detail: directiveDoc(n), filterText: n, insertText: n }));
  return directiveItems;
}

const constantItems = new Map<32 | 64, CompletionItem[]>();
/** Hypercall numbers, then the assembler's predefined Xen constants for this guest kind, FLAT_* selectors last. */
function constants(bits: 32 | 64): CompletionItem[] {
  const hit = constantItems.get(bits);
  if (hit) return hit;
  const items: CompletionItem[] = [];
  for (const h of HYPERCALL_TABLE) {
    items.push({
      label: `__HYPERVISOR_${h.name}`, kind: CompletionItemKind.Constant, detail: `= ${h.nr}: ${hypercallSignature(h, bits)}`,
      documentation: h.summary, sortText: `2_${h.name}`,
    });
  }
  const flat = new Map(flatSelectorNames().map((f) => [f.name, f]));
  for (const [name, v] of predefinedSymbols(bits)) {
    if (name.startsWith('__HYPERVISOR_') && hypercallByName(name)) continue;
    const f = flat.get(name);
    if (f) {
      const vals = [f.pv64 !== undefined ? `pv64 0x${f.pv64.toString(16)}` : '', f.pv32 !== undefined ? `pv32 0x${f.pv32.toString(16)}` : ''].filter((x) => x).join(', ');
      items.push({ label: name, kind: CompletionItemKind.Constant, detail: `Xen selector (${vals})`, sortText: `4_${name}` });
    } else {
      items.push({ label: name, kind: CompletionItemKind.Constant, detail: `= ${v < -0xffffn ? '0x' + BigInt.asUintN(64, v).toString(16) : v}`, sortText: `3_${name}` });
    }
  }
  constantItems.set(bits, items);
  return items;
}

export function computeCompletion(doc: DocState, line: number, character: number): CompletionItem[] {
  const lines = doc.scanned.lines;
  const text = lines[line] ?? '';
  // Comment state at the start of the line (a /* block may span lines): replay stripping above it, bounded.
  const st: CommentState = { inBlock: false };
  const from = Math.max(0, line - 2000);
  for (let i = from; i < line; i++) stripComments(lines[i] ?? '', st);
  const prefixRaw = text.slice(0, Math.min(character, text.length));
  // A probe character after the cursor survives comment stripping only if the cursor is not in a comment.
  const probe = stripComments(prefixRaw + 'X', { inBlock: st.inBlock });
  if (!probe.endsWith('X')) return [];
  const stripped = probe.slice(0, -1);
  const c = classify(stripped);
  const bits = doc.bits;
  switch (c.where) {
    case 'none': return [];
    case 'reg':
      return registerNames().map((r) => ({ label: r, kind: CompletionItemKind.Variable, detail: describeRegister(r) }));
    case 'op': {
      const macros: CompletionItem[] = doc.scanned.defs.filter((d) => d.kind === 'macro')
        .map((d) => ({ label: d.name, kind: CompletionItemKind.Function, detail: `macro (line ${d.tok.line + 1})` }));
      if (c.word.startsWith('.')) return directives();
      return [...macros, ...mnemonics(), ...directives()];
    }
    case 'operand': {
      const seen = new Set<string>();
      const items: CompletionItem[] = [];
      for (const d of doc.scanned.defs) {
        if (d.kind === 'macro' || seen.has(d.name)) continue;
        seen.add(d.name);
        const sym = doc.symbol(d.name);
        items.push({
          label: d.name, kind: d.kind === 'label' ? CompletionItemKind.Reference : CompletionItemKind.Constant,
          detail: sym ? `0x${BigInt.asUintN(64, sym.valueBig).toString(16)}${sym.section !== '*ABS*' ? ` (${sym.section})` : ''}` : `${d.kind} at line ${d.tok.line + 1}`,
          sortText: `0_${d.name}`,
        });
      }
      for (const s of doc.outcome?.symbols ?? []) {
        if (seen.has(s.name)) continue;
        seen.add(s.name);
        items.push({ label: s.name, kind: CompletionItemKind.Reference, detail: `0x${s.valueBig.toString(16)} (${s.file.split('/').pop()}:${s.line})`, sortText: `1_${s.name}` });
      }
      // Local labels nearest the cursor: the next `N:` forward and the previous backward.
      const nums = doc.scanned.numDefs;
      const back = [...nums].reverse().find((d) => d.tok.line < line || (d.tok.line === line && d.tok.start < character));
      const fwd = nums.find((d) => d.tok.line > line || (d.tok.line === line && d.tok.start >= character));
      if (back) items.push({ label: `${back.n}b`, kind: CompletionItemKind.Reference, detail: `local label ${back.n}: at line ${back.tok.line + 1}`, sortText: '0_' });
      if (fwd) items.push({ label: `${fwd.n}f`, kind: CompletionItemKind.Reference, detail: `local label ${fwd.n}: at line ${fwd.tok.line + 1}`, sortText: '0_' });
      items.push(...constants(bits));
      return items;
    }
  }
}
