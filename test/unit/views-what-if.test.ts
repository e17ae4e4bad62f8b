// What-if's pure logic: command arguments checked into a question (or a clear error), prefills from view rows
// (Page Tables walk levels, GDT/LDT rows), and Xen's verdict rendered with errno, rule and explanation.

import * as assert from 'assert';
import { describeQuestion, errnoText, formatWhatIf, normalizeWhatIf, validateWhatIfValue, WHATIF_KINDS } from '../../src/views/what-if';
import { gdtView, ldtView, pageTablesView } from '../../src/views/view-specs';
import type { Requester } from '../../src/views/spec';

const replying = (replies: Record<string, unknown>): Requester => ({
  async request<T>(command: string): Promise<T> {
    if (command in replies) return replies[command] as T;
    throw new Error(`unrecognized request '${command}'`);
  },
});

describe('views: what-if arguments', () => {
  it('accepts a complete PTE or descriptor question and normalises the value to "0x…"', () => {
    assert.deepStrictEqual(normalizeWhatIf({ kind: 'pte', level: 1, value: '0X8000_0000_1234_5067', tableMfn: 0x3aa0, index: 5 }).question,
      { kind: 'pte', level: 1, value: '0x8000000012345067', tableMfn: 0x3aa0, index: 5 });
    assert.deepStrictEqual(normalizeWhatIf({ kind: 'descriptor', value: 12345, table: 'ldt' }).question, { kind: 'descriptor', value: '0x3039', table: 'ldt' });
    assert.deepStrictEqual(normalizeWhatIf({ whatIf: { kind: 'descriptor', value: '0x00cfba000000ffff', table: 'gdt', index: 3 } }).question,
      { kind: 'descriptor', value: '0xcfba000000ffff', table: 'gdt', index: 3 });
  });

  it('returns what is known when the UI has to ask for the rest', () => {
    assert.deepStrictEqual(normalizeWhatIf(undefined), { partial: {} });
    assert.deepStrictEqual(normalizeWhatIf({ kind: 'pte', value: '0x67' }).partial, { kind: 'pte', value: '0x67' });
    assert.deepStrictEqual(normalizeWhatIf({ kind: 'descriptor', table: 'gdt' }).partial, { kind: 'descriptor', table: 'gdt' });
  });

  it('rejects arguments that can never be valid with a clear error', () => {
    const bad: [unknown, RegExp][] = [
      ['0x67', /must be an object/], [[1], /must be an object/], [{ kind: 'gate' }, /kind must be/],
      [{ kind: 'pte', level: 5, value: '0x1' }, /level must be 1\.\.4/], [{ kind: 'pte', level: 1, value: '0x1_0000_0000_0000_0000' }, /64-bit/],
      [{ kind: 'pte', level: 1, value: 'rax' }, /64-bit/], [{ kind: 'pte', level: 1, value: -1 }, /64-bit/],
      [{ kind: 'descriptor', value: '0x1', table: 'idt' }, /table must be/], [{ kind: 'descriptor', value: '0x1', index: -2 }, /index/],
      [{ kind: 'pte', level: 2, value: '0x1', tableMfn: 'x' }, /tableMfn/], [{ kind: 'pte', level: 2, value: '0x1', address: 5 }, /address/],
    ];
    for (const [args, re] of bad) assert.match(normalizeWhatIf(args).error ?? '', re, JSON.stringify(args));
  });

  it('validates the input box and offers all four levels and both tables', () => {
    assert.strictEqual(validateWhatIfValue('0x00affa000000ffff'), undefined);
    assert.match(validateWhatIfValue('hello') ?? '', /64-bit value/);
    assert.deepStrictEqual(WHATIF_KINDS.map((k) => k.question), [
      { kind: 'pte', level: 1 }, { kind: 'pte', level: 2 }, { kind: 'pte', level: 3 }, { kind: 'pte', level: 4 },
      { kind: 'descriptor', table: 'gdt' }, { kind: 'descriptor', table: 'ldt' },
    ]);
  });
});

describe('views: what-if verdicts', () => {
  it('renders a refusal with errno name, rule, message and the explanation lines', () => {
    const q = { kind: 'pte' as const, level: 1, value: '0x3aa0127', tableMfn: 0x3aa0, index: 0x2f };
    const f = formatWhatIf(q, { accepted: false, errno: -16, rule: 'writable-pt-mapping', message: 'mfn 3aa0 is in use as l1_page_table', explanation: ['a writable mapping takes PGT_writable_page', 'the frame has type count 1'] });
    assert.strictEqual(f.accepted, false);
    assert.strictEqual(f.headline, 'Xen would refuse the L1 entry 0x3aa0127 in table mfn 0x3aa0 at index 47 with -EBUSY (writable-pt-mapping): mfn 3aa0 is in use as l1_page_table');
    assert.deepStrictEqual(f.lines.slice(1), ['  a writable mapping takes PGT_writable_page', '  the frame has type count 1']);
  });

  it('renders an acceptance, and errno given as a name or a positive number', () => {
    const q = { kind: 'descriptor' as const, value: '0xcfba000000ffff', table: 'gdt' as const };
    assert.strictEqual(formatWhatIf(q, { accepted: true, message: 'ring-1 code segment' }).headline, 'Xen would accept the GDT descriptor 0xcfba000000ffff: ring-1 code segment');
    assert.strictEqual(formatWhatIf(q, { accepted: true }).headline, 'Xen would accept the GDT descriptor 0xcfba000000ffff.');
    assert.strictEqual(errnoText('EINVAL'), '-EINVAL');
    assert.strictEqual(errnoText(22), '-EINVAL');
    assert.strictEqual(errnoText('-EPERM'), '-EPERM');
    assert.strictEqual(errnoText(undefined), undefined);
    assert.strictEqual(describeQuestion({ kind: 'pte', level: 4, value: '0x1', address: '0xffff800000000000' }), 'L4 entry 0x1 for 0xffff800000000000');
  });

  it('ignores non-string explanation items from a confused adapter', () => {
    const f = formatWhatIf({ kind: 'pte', level: 2, value: '0x1' }, { accepted: false, explanation: ['ok', 5 as unknown as string, null as unknown as string] });
    assert.deepStrictEqual(f.lines, ['Xen would refuse the L2 entry 0x1.', '  ok']);
  });
});

describe('views: what-if prefills on view rows', () => {
  it('GDT and LDT rows carry the raw descriptor (index only for guest entries, not Xen-reserved ones)', async () => {
    const gdt = { rows: [
      { index: 4, selector: '0x20', raw: '0x00cffa000000ffff', summary: 'code', reserved: false },
      { index: 0x1c03, selector: '0xe018', raw: '0x00cfba000000ffff', summary: 'code', name: 'FLAT_RING1_CS', reserved: true },
    ] };
    const rows = await gdtView().load(replying({ 'xen/gdt': gdt }), 'hex');
    assert.deepStrictEqual(rows[0].whatIf, { kind: 'descriptor', value: '0x00cffa000000ffff', table: 'gdt', index: 4 });
    assert.deepStrictEqual(rows[1].whatIf, { kind: 'descriptor', value: '0x00cfba000000ffff', table: 'gdt' });
    assert.strictEqual(rows[1].contextValue, 'entry.whatif');
    const ldt = await ldtView().load(replying({ 'xen/ldt': { base: '0x0', entries: 1, rows: [{ index: 0, selector: '0x4', raw: '0x1', summary: 'x' }] } }), 'hex');
    assert.strictEqual(ldt[0].whatIf?.kind === 'descriptor' && ldt[0].whatIf.table, 'ldt');
  });

  it('page-walk levels carry level, entry, table mfn and index', async () => {
    const walk = { address: '0x401000', levels: [
      { level: 4, name: 'L4', table: '0x3f42000', index: 0, entry: '0x3f43027', flags: ['P', 'RW', 'US', 'A'], present: true },
      { level: 1, name: 'L1', table: '0x3aa0000', index: 1, entry: '0x3a00125', flags: ['P', 'US', 'A'], present: true, leaf: true },
    ], machineAddress: '0x3a00000' };
    const rows = await pageTablesView(() => 0x401000).load(replying({ 'xen/pageWalk': walk, 'xen/domain': { kind: 'pv64', state: 'running' } }), 'hex');
    const w = rows.find((r) => r.label.startsWith('Walk of'))!;
    assert.deepStrictEqual(w.children![0].whatIf, { kind: 'pte', level: 4, value: '0x3f43027', tableMfn: 0x3f42, index: 0 });
    assert.deepStrictEqual(w.children![1].whatIf, { kind: 'pte', level: 1, value: '0x3a00125', tableMfn: 0x3aa0, index: 1 });
  });
});
