// TextMate grammar (syntaxes/xen-asm.tmLanguage.json) loaded with vscode-textmate + vscode-oniguruma: token
// scopes of representative guest-assembly lines, plus the language configuration's shape.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const root = path.resolve(__dirname, '../..');
const GRAMMAR = path.join(root, 'syntaxes/xen-asm.tmLanguage.json');

interface Tok { text: string; scopes: string[] }

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = fs.readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.xen-asm') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
    },
  });
  const g = await registry.loadGrammar('source.xen-asm');
  if (!g) throw new Error('grammar did not load');
  return g;
}

function tokenizeLines(text: string): Tok[][] {
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** Innermost scope of the first token whose text is `text` (trimmed) on a line. */
function scopeOf(line: Tok[], text: string, nth = 0): string {
  const hits = line.filter((t) => t.text.trim() === text);
  assert.ok(hits[nth], `token '${text}' not found in [${line.map((t) => JSON.stringify(t.text)).join(', ')}]`);
  return hits[nth].scopes[hits[nth].scopes.length - 1];
}

describe('xen-asm TextMate grammar', () => {
  let lines: Tok[][];
  before(async () => {
    grammar = await loadGrammar();
    lines = tokenizeLines(fs.readFileSync(path.join(root, 'test/fixtures/grammar/pv64.S'), 'utf8'));
  });

  it('has the scope name and file types the package contributes', () => {
    const raw = JSON.parse(fs.readFileSync(GRAMMAR, 'utf8'));
    assert.strictEqual(raw.scopeName, 'source.xen-asm');
    assert.deepStrictEqual(raw.fileTypes, ['s', 'S', 'asm']);
  });

  it('comments: #, //, /* */ and C preprocessor lines of .S files', () => {
    assert.strictEqual(scopeOf(lines[0], 'include'), 'keyword.control.preprocessor.xen-asm');
    assert.strictEqual(scopeOf(lines[0], '"'), 'punctuation.definition.string.begin.xen-asm');
    assert.strictEqual(scopeOf(lines[1], '# comment line'), 'comment.line.number-sign.xen-asm');
    assert.strictEqual(scopeOf(lines[5], '# selector'), 'comment.line.number-sign.xen-asm');
    assert.strictEqual(scopeOf(lines[16], '// trailing'), 'comment.line.double-slash.xen-asm');
    assert.ok(lines[17].find((t) => t.text === ' block ')!.scopes.includes('comment.block.xen-asm'));
    assert.strictEqual(scopeOf(lines[17], 'nop'), 'keyword.mnemonic.xen-asm');
  });

  it('labels, local labels and 1f/1b references', () => {
    assert.strictEqual(scopeOf(lines[5], '_start'), 'entity.name.function.label.xen-asm');
    assert.strictEqual(scopeOf(lines[14], '1'), 'entity.name.label.local.xen-asm');
    assert.strictEqual(scopeOf(lines[14], '1b'), 'variable.other.label.local-reference.xen-asm');
    assert.strictEqual(scopeOf(lines[15], '2f'), 'variable.other.label.local-reference.xen-asm');
    assert.strictEqual(scopeOf(lines[16], '2'), 'entity.name.label.local.xen-asm');
    assert.strictEqual(scopeOf(lines[16], 'ret'), 'keyword.mnemonic.xen-asm');
  });

  it('directives, mnemonics after labels and prefixes', () => {
    assert.strictEqual(scopeOf(lines[2], '.code64'), 'keyword.control.directive.xen-asm');
    assert.strictEqual(scopeOf(lines[3], '.section'), 'keyword.control.directive.xen-asm');
    assert.strictEqual(scopeOf(lines[3], '@progbits'), 'storage.type.symbol-type.xen-asm');
    assert.strictEqual(scopeOf(lines[5], 'mov'), 'keyword.mnemonic.xen-asm');
    assert.strictEqual(scopeOf(lines[7], 'lock'), 'keyword.other.prefix.xen-asm');
    assert.strictEqual(scopeOf(lines[7], 'incl'), 'keyword.mnemonic.xen-asm');
    assert.strictEqual(scopeOf(lines[7], 'counter'), 'variable.other.symbol.xen-asm');
    assert.strictEqual(scopeOf(lines[8], 'rep'), 'keyword.other.prefix.xen-asm');
    assert.strictEqual(scopeOf(lines[8], 'movsb'), 'keyword.mnemonic.xen-asm');
    assert.strictEqual(scopeOf(lines[9], 'syscall'), 'keyword.mnemonic.xen-asm', 'mnemonic after ;');
    assert.strictEqual(scopeOf(lines[21], '.macro'), 'keyword.control.directive.xen-asm');
    assert.strictEqual(scopeOf(lines[23], '.endm'), 'keyword.control.directive.xen-asm');
    assert.strictEqual(scopeOf(lines[24], '.xen_note'), 'keyword.control.directive.xen-asm');
  });

  it('registers by class, including %st(3) and unknown names', () => {
    assert.strictEqual(scopeOf(lines[5], '%ax'), 'variable.language.register.general.xen-asm');
    assert.strictEqual(scopeOf(lines[6], '%ss'), 'variable.language.register.segment.xen-asm');
    assert.strictEqual(scopeOf(lines[7], '%rip'), 'variable.language.register.general.xen-asm');
    assert.strictEqual(scopeOf(lines[10], '%cr3'), 'variable.language.register.control.xen-asm');
    assert.strictEqual(scopeOf(lines[11], '%xmm15'), 'variable.language.register.vector.xen-asm');
    assert.strictEqual(scopeOf(lines[12], '%st(3)'), 'variable.language.register.fpu.xen-asm');
    assert.strictEqual(scopeOf(lines[25], '%foo'), 'invalid.illegal.register.xen-asm');
  });

  it('immediates, numbers in every base, character literals and strings with escapes', () => {
    assert.strictEqual(scopeOf(lines[5], '$'), 'keyword.operator.immediate.xen-asm');
    assert.strictEqual(scopeOf(lines[5], '0xe02b'), 'constant.numeric.hex.xen-asm');
    assert.strictEqual(scopeOf(lines[18], '0x00cfba000000ffff'), 'constant.numeric.hex.xen-asm');
    assert.strictEqual(scopeOf(lines[18], '0b1010'), 'constant.numeric.binary.xen-asm');
    assert.strictEqual(scopeOf(lines[18], '0777'), 'constant.numeric.octal.xen-asm');
    assert.strictEqual(scopeOf(lines[18], '42'), 'constant.numeric.decimal.xen-asm');
    assert.strictEqual(scopeOf(lines[13], "'a'"), 'constant.character.xen-asm');
    assert.strictEqual(scopeOf(lines[19], '\\n'), 'constant.character.escape.xen-asm');
    assert.strictEqual(scopeOf(lines[19], '\\x41'), 'constant.character.escape.xen-asm');
    assert.ok(lines[19].find((t) => t.text === 'hi')!.scopes.includes('string.quoted.double.xen-asm'));
  });

  it('Xen names: __HYPERVISOR_* constants, FLAT_* selectors, ELF note types; assignments and macro parameters', () => {
    assert.strictEqual(scopeOf(lines[9], '__HYPERVISOR_console_io'), 'support.constant.hypercall.xen-asm');
    assert.strictEqual(scopeOf(lines[20], 'KERNEL_CS'), 'entity.name.constant.xen-asm');
    assert.strictEqual(scopeOf(lines[20], '='), 'keyword.operator.assignment.xen-asm');
    assert.strictEqual(scopeOf(lines[20], 'FLAT_RING3_CS64'), 'support.constant.selector.xen-asm');
    assert.strictEqual(scopeOf(lines[24], 'XEN_ELFNOTE_ENTRY'), 'support.constant.xen.xen-asm');
    assert.strictEqual(scopeOf(lines[22], '\\nr'), 'variable.parameter.macro.xen-asm');
    assert.strictEqual(scopeOf(lines[21], 'HCALL'), 'variable.other.symbol.xen-asm');
  });

  it('a block comment spanning lines keeps its scope on the next line', () => {
    const t = tokenizeLines('/* start\n   mov %eax, %ebx\n*/ mov %eax, %ebx');
    assert.ok(t[1].every((x) => x.scopes.includes('comment.block.xen-asm')));
    assert.strictEqual(scopeOf(t[2], 'mov'), 'keyword.mnemonic.xen-asm');
  });

  it('language-configuration.json: comments, brackets, pairs and a word pattern with % $ .', () => {
    const lc = JSON.parse(fs.readFileSync(path.join(root, 'language-configuration.json'), 'utf8'));
    assert.deepStrictEqual(lc.comments, { lineComment: '#', blockComment: ['/*', '*/'] });
    assert.ok(lc.brackets.length >= 2);
    const re = new RegExp(lc.wordPattern, 'g');
    const words = 'mov $0xe019, %ds; .quad gdt_end - gdt; jnz 1b; %st(2)'.match(re);
    assert.deepStrictEqual(words, ['mov', '$0xe019', '%ds', '.quad', 'gdt_end', 'gdt', 'jnz', '1b', '%st(2)']);
  });
});
