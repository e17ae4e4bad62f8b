// The pure parts of the view commands: what "Copy Decoded Entry" copies, the JSON "Export Hypercall Log" writes,
// "Decode…" readings, error rows for refused requests, the Hypercalls view order, and copying the sample guests.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { copyTextOf, entryNodes, errorRow, expandNode, withWhatIf } from '../../src/views/nodes';
import { exportJson, parseNumber } from '../../src/views/format';
import { decodeAll, decodingText } from '../../src/views/decode';
import { hypercallsView } from '../../src/views/view-specs';
import { copySamples, listSampleFiles, sampleTarget } from '../../src/views/samples';
import type { Requester } from '../../src/views/spec';

const ROOT = path.resolve(__dirname, '../..');

describe('views: copy, export and decode', () => {
  it('copies a row\'s decoded text, else "label<TAB>description", else the label', () => {
    const [row] = entryNodes([{ selector: '0xe033', summary: '64-bit code, DPL3', raw: '0x00affa000000ffff' }], { label: ['selector'], description: ['summary'] }, 'hex');
    assert.strictEqual(copyTextOf(row).split('\n')[0], '0xe033\t64-bit code, DPL3');
    assert.deepStrictEqual(JSON.parse(copyTextOf(row).split('\n').slice(1).join('\n')), { selector: '0xe033', summary: '64-bit code, DPL3', raw: '0x00affa000000ffff' });
    assert.strictEqual(copyTextOf({ label: 'CS', description: '0xe033' }), 'CS\t0xe033');
    assert.strictEqual(copyTextOf({ label: 'CS' }), 'CS');
  });

  it('exports the hypercall log reply as indented JSON with a final newline', () => {
    const body = { total: 1, rows: [{ seq: 0, name: 'console_io', result: 0 }] };
    const text = exportJson(body);
    assert.ok(text.endsWith('}\n'));
    assert.deepStrictEqual(JSON.parse(text), body);
    assert.strictEqual(exportJson(undefined), 'null\n');
  });

  it('decodes a selector (pv64 and pv32 names), a descriptor and a PTE', () => {
    const sel = decodeAll(0xe019n).map(decodingText);
    assert.ok(sel.length >= 3, sel.join('\n---\n'));
    assert.ok(sel.some((t) => /FLAT_RING1_CS/.test(t)), sel.join('\n---\n'));
    const pte = decodeAll(0x8000000012345067n);
    assert.strictEqual(pte.length, 2, 'too wide for a selector: descriptor and PTE readings');
    assert.match(decodingText(pte[1]), /12345/);
    assert.strictEqual(parseNumber('0x1_0000_0000_0000_0000'), undefined);
  });

  it('marks rows with a what-if prefill for the context menu without losing their kind', () => {
    const n = withWhatIf({ label: 'L1[0x1]', contextValue: 'entry' }, { kind: 'pte', level: 1, value: '0x67' });
    assert.strictEqual(n.contextValue, 'entry.whatif');
    assert.match(n.contextValue!, /^(entry|field)/, 'still matches the copy command\'s menu condition');
    assert.strictEqual(withWhatIf({ label: 'x', contextValue: 'entry' }, undefined).contextValue, 'entry');
  });
});

describe('views: error rows', () => {
  it('names the request an old adapter does not know', () => {
    const r = errorRow(new Error("unrecognized request 'xen/frames'"));
    assert.strictEqual(r.label, 'Not supported by this debug adapter (xen/frames)');
    assert.strictEqual(r.contextValue, 'message');
    assert.match(r.tooltip!, /does not implement xen\/frames/);
  });

  it('explains bare machines, missing sessions, timeouts and anything else', () => {
    assert.strictEqual(errorRow(new Error('xen/gdt needs a Xen PV guest (this is a bare machine)')).label, 'Not available on the bare machine');
    assert.strictEqual(errorRow(new Error('no active xenpv debug session')).label, 'No xenpv debug session');
    assert.strictEqual(errorRow(new Error('xen/frames timed out')).label, 'The debug adapter did not answer');
    assert.strictEqual(errorRow('boom').label, 'Not available: boom');
    assert.ok(errorRow(new Error('x'.repeat(500))).label.length <= 100);
  });

  it('a lazy row whose loader fails gets a message child; one without a loader keeps its children', async () => {
    assert.deepStrictEqual((await expandNode({ label: 'r', loadChildren: () => Promise.reject(new Error("unrecognized request 'xen/frame'")) })).map((n) => n.label),
      ['Not supported by this debug adapter (xen/frame)']);
    assert.deepStrictEqual((await expandNode({ label: 'r', loadChildren: async () => [] })).map((n) => n.label), ['(empty)']);
    assert.deepStrictEqual((await expandNode({ label: 'r', children: [{ label: 'c' }] })).map((n) => n.label), ['c']);
  });
});

describe('views: Hypercalls view order', () => {
  it('lists the newest hypercall first, the header fields after the records', async () => {
    const fake: Requester = { request: async <T>() => ({ total: 3, rows: [
      { seq: 0, name: 'console_io', decoded: 'console_io(write)', result: 0 },
      { seq: 1, name: 'mmuext_op', decoded: 'mmuext_op(pin)', result: -22, resultText: '-EINVAL', diagnostic: 'already pinned' },
      { seq: 2, name: 'sched_op', decoded: 'sched_op(shutdown)', result: 0 },
    ] }) as T };
    const rows = await hypercallsView(() => 50).load(fake, 'hex');
    assert.deepStrictEqual(rows.map((r) => r.label), ['#2 sched_op', '#1 mmuext_op', '#0 console_io', 'total']);
    assert.strictEqual(rows[1].icon, 'warning');
    assert.strictEqual(rows[1].description, 'mmuext_op(pin) → -EINVAL — already pinned');
  });
});

describe('views: sample guests', () => {
  const bundled = path.join(ROOT, 'samples');

  it('bundles the pv64, pv32 and bad-pagetable guests with a launch.json naming each of them', () => {
    const files = listSampleFiles(bundled);
    for (const f of ['.vscode/launch.json', 'bad-pagetable-pv64.s', 'bare-hello.s', 'hello-pv32.s', 'hello-pv64.s']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    const launch = JSON.parse(fs.readFileSync(path.join(bundled, '.vscode/launch.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { configurations: { program: string; type: string }[] };
    for (const c of launch.configurations) {
      assert.strictEqual(c.type, 'xenpv');
      const file = c.program.replace('${workspaceFolder}/', '');
      assert.ok(files.includes(file), `launch.json program ${c.program} exists`);
    }
  });

  it('copies them into xen-pv-samples/ and never overwrites the user\'s edits', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-samples-'));
    try {
      const target = sampleTarget(dir);
      assert.strictEqual(path.basename(target), 'xen-pv-samples');
      assert.strictEqual(sampleTarget(target), target);
      const first = copySamples(bundled, target);
      assert.deepStrictEqual(first.copied, listSampleFiles(bundled));
      assert.deepStrictEqual(first.skipped, []);
      fs.writeFileSync(path.join(target, 'hello-pv64.s'), '# my edits\n');
      const again = copySamples(bundled, target);
      assert.deepStrictEqual(again.copied, []);
      assert.ok(again.skipped.includes('hello-pv64.s'));
      assert.strictEqual(fs.readFileSync(path.join(target, 'hello-pv64.s'), 'utf8'), '# my edits\n');
      assert.throws(() => copySamples(path.join(dir, 'nowhere'), target), /no sample guests found/);
      fs.writeFileSync(path.join(dir, 'afile'), 'x');
      assert.throws(() => copySamples(bundled, path.join(dir, 'afile')), /is a file, not a folder/);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('views: package.json contributions', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: Record<string, any> };
  const c = pkg.contributes;
  const commands = new Set((c.commands as { command: string }[]).map((x) => x.command));

  it('every menu entry names a contributed command or submenu', () => {
    const submenus = new Set((c.submenus as { id: string }[]).map((s) => s.id));
    for (const [menu, items] of Object.entries(c.menus as Record<string, { command?: string; submenu?: string }[]>)) {
      for (const it of items) assert.ok(it.command ? commands.has(it.command) : submenus.has(it.submenu!), `${menu}: ${JSON.stringify(it)}`);
    }
  });

  it('the Frames view sits after Page Tables with its icon; filters, what-if and samples are commands', () => {
    const ids = (c.views.debug as { id: string; icon: string }[]).map((v) => v.id);
    assert.strictEqual(ids.indexOf('xenpv.frames'), ids.indexOf('xenpv.pageTables') + 1);
    for (const v of c.views.debug as { icon: string }[]) assert.ok(fs.existsSync(path.join(ROOT, v.icon)), v.icon);
    for (const id of ['xenpv.frames.filterAll', 'xenpv.frames.filterPageTables', 'xenpv.frames.filterPinned', 'xenpv.frames.filterErrors', 'xenpv.frames.loadMore', 'xenpv.whatIf', 'xenpv.openSamples']) assert.ok(commands.has(id), id);
    assert.strictEqual(c.configuration.properties['xenpv.frames.pageSize'].maximum, 5000);
  });

  it('the walkthrough\'s steps have their markdown and complete on real events', () => {
    const [w] = c.walkthroughs as { steps: { id: string; media: { markdown: string }; completionEvents: string[] }[] }[];
    for (const s of w.steps) {
      assert.ok(fs.existsSync(path.join(ROOT, s.media.markdown)), s.media.markdown);
      assert.ok(s.completionEvents.length > 0, s.id);
    }
  });
});
