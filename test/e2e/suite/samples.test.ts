// End-to-end on the bundled samples: the Frames view (filters, lazy entries), the status bar through a session's
// life, the what-if / export / decode / copy commands called with arguments (no UI input), a hypercall breakpoint
// on the pv32 sample with the GDT on Xen's ring-1 selectors, and the bad guest's crash. Screenshots of each.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { DapEvents, extensionApi, screenshot, sleep, tidyDebugSideBar, until } from './helpers';
import type { XenPvExtensionApi } from '../../../src/extension';
import type { XenNode } from '../../../src/views/nodes';

const dump = (r: XenNode[]): string => r.map((x) => `${x.label} ${x.description ?? ''}`).join(' | ');
const folder = (): vscode.WorkspaceFolder => vscode.workspace.workspaceFolders![0];

async function endSession(): Promise<void> {
  if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
  await until('the session to end', () => (vscode.debug.activeDebugSession ? undefined : true));
}

describe('xenpv samples: hello-pv64 — Frames view, status bar and commands', () => {
  let api: XenPvExtensionApi;
  let events: DapEvents;
  const status = (): string | undefined => api.views.status.current()?.text;

  before(async () => {
    api = await extensionApi();
    events = new DapEvents();
    assert.strictEqual(await vscode.debug.startDebugging(folder(), 'hello-pv64 sample (stop on entry)'), true);
    assert.strictEqual((await events.next('stopped')).body?.reason, 'entry');
  });
  after(async () => { await endSession(); events.dispose(); });

  it('status bar: "Xen pv64: paused (entry)" with the domain in the tooltip', async () => {
    const text = await until('status text', () => (status() === '$(vm) Xen pv64: paused (entry)' ? status() : undefined)).catch(() => status());
    assert.strictEqual(text, '$(vm) Xen pv64: paused (entry)');
    assert.match(api.views.status.current()!.tooltip, /Domain: guest sample, 16 MiB, 1 vCPU/);
  });

  it('Frames: the page-tables filter lists the pinned L4 and the L1 tables; the view description names the filter', async () => {
    await vscode.commands.executeCommand('xenpv.frames.filterPageTables');
    const rows = await api.views.rows('xenpv.frames');
    assert.ok(rows.some((r) => /^mfn 0x[0-9a-f]+ \(pfn 0x[0-9a-f]+\)$/.test(r.label) && /^l4_page_table ×\d+ pinned validated/.test(r.description ?? '')), dump(rows));
    assert.ok(rows.some((r) => /^l1_page_table ×1 validated/.test(r.description ?? '')), dump(rows));
    assert.ok(rows.every((r) => /_page_table/.test(r.description ?? '')), `only page tables: ${dump(rows)}`);
    assert.match(api.views.treeViews.get('xenpv.frames')!.description ?? '', /^Page tables · \d+$/);
  });

  it('Frames: expanding the L4 reads its entries (xen/frame), each with a what-if prefill; screenshot', async () => {
    const rows = await api.views.rows('xenpv.frames');
    const l4 = rows.find((r) => /^l4_page_table/.test(r.description ?? ''))!;
    const kids = await api.views.children('xenpv.frames', l4);
    const entries = kids.find((k) => k.label === 'entries');
    assert.ok(entries?.children?.length, dump(kids));
    assert.match(entries.children[0].label, /^L4\[0x[0-9a-f]+\]$/);
    assert.strictEqual(entries.children[0].contextValue, 'entry.whatif');
    await tidyDebugSideBar();
    await vscode.commands.executeCommand('xenpv.frames.focus');
    const view = api.views.treeViews.get('xenpv.frames')!;
    await view.reveal(l4, { expand: true, focus: false, select: true });
    await view.reveal(entries, { expand: true, focus: false, select: false });
    await screenshot('frames-view');
  });

  it('Frames: the errors filter shows a clear message row when Xen refused nothing', async () => {
    await vscode.commands.executeCommand('xenpv.frames.filterErrors');
    const rows = await api.views.rows('xenpv.frames');
    assert.strictEqual(rows.length, 1, dump(rows));
    assert.strictEqual(rows[0].contextValue, 'message');
    assert.match(api.views.treeViews.get('xenpv.frames')!.description ?? '', /^Errors · 0$/);
    await vscode.commands.executeCommand('xenpv.frames.filterAll');
  });

  it('What-if (headless): Xen refuses an L1 entry mapping the L4 writable, with errno, rule and explanation', async () => {
    await vscode.commands.executeCommand('xenpv.frames.filterPageTables');
    const l4 = (await api.views.rows('xenpv.frames')).find((r) => /^l4_page_table/.test(r.description ?? ''))!;
    const mfn = Number(/^mfn (0x[0-9a-f]+)/.exec(l4.label)![1]);
    const bad = await vscode.commands.executeCommand<{ error?: string }>('xenpv.whatIf', { kind: 'pte', level: 9, value: '0x1' });
    assert.match(bad?.error ?? '', /level must be 1\.\.4/);
    await vscode.commands.executeCommand('notifications.clearAll');   // the screenshot shows this verdict only
    const outcome = await vscode.commands.executeCommand<{ result?: { accepted: boolean; errno?: unknown; explanation?: string[] }; headline?: string; error?: string }>(
      'xenpv.whatIf', { kind: 'pte', level: 1, value: '0x' + (mfn * 4096 + 0x67).toString(16), address: 'rip' });
    assert.ok(outcome?.result, JSON.stringify(outcome));
    assert.strictEqual(outcome.result.accepted, false);
    assert.match(outcome.headline ?? '', /^Xen would refuse the L1 entry 0x[0-9a-f]+ for rip with -EBUSY \(writable-pt-mapping\)/);
    assert.ok((outcome.result.explanation ?? []).length > 1);
    await vscode.commands.executeCommand('xenpv.frames.focus');
    await vscode.commands.executeCommand('notifications.showList');   // Xen's verdict, as the user sees it
    await sleep(500);
    await screenshot('what-if');
    await vscode.commands.executeCommand('notifications.hideList');
  });

  it('Export Hypercall Log / Decode / Copy Decoded Entry with arguments', async () => {
    const s = vscode.debug.activeDebugSession!;
    await s.customRequest('next', { threadId: 1 });
    await events.next('stopped');
    const file = path.join(os.tmpdir(), `xenpv-e2e-log-${process.pid}.json`);
    try {
      const uri = await vscode.commands.executeCommand<vscode.Uri>('xenpv.exportHypercallLog', file);
      assert.strictEqual(uri?.fsPath, file);
      const log = JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: unknown[]; total: number };
      assert.ok(Array.isArray(log.rows) && typeof log.total === 'number', JSON.stringify(log).slice(0, 200));
    } finally { fs.rmSync(file, { force: true }); }
    const readings = await vscode.commands.executeCommand<string[]>('xenpv.decodeValue', '0xe033');
    assert.ok(readings?.some((r) => /FLAT_RING3_CS64/.test(r)), (readings ?? []).join('\n'));
    const cs = (await api.views.rows('xenpv.segments')).find((r) => r.label === 'CS')!;
    const copied = await vscode.commands.executeCommand<string>('xenpv.copyEntry', cs);
    assert.match(copied ?? '', /^CS\t0xe033 /);
  });

  it('status bar follows the session: running, then "shutdown (poweroff)" when the guest powers off', async () => {
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const text = await until('poweroff in the status bar', () => (/shutdown \(poweroff\)$/.test(status() ?? '') ? status() : undefined), 20_000);
    assert.strictEqual(text, '$(vm) Xen pv64: shutdown (poweroff)');
    await screenshot('status-poweroff');
  });
});

describe('xenpv samples: hello-pv32 — hypercall breakpoint, GDT on ring-1 selectors', () => {
  let api: XenPvExtensionApi;
  let events: DapEvents;
  const bp = new vscode.FunctionBreakpoint('hypercall:console_io');

  before(async () => {
    api = await extensionApi();
    events = new DapEvents();
    vscode.debug.addBreakpoints([bp]);
  });
  after(async () => { vscode.debug.removeBreakpoints([bp]); await endSession(); events.dispose(); });

  it('stops on console_io; status bar says pv32pae paused', async () => {
    assert.strictEqual(await vscode.debug.startDebugging(folder(), 'hello-pv32 sample (run)'), true);
    const stopped = await events.next('stopped');
    assert.match(String(stopped.body?.reason), /breakpoint/, JSON.stringify(stopped.body));
    const text = await until('pv32 status', () => (/^\$\(vm\) Xen pv32pae: paused/.test(api.views.status.current()?.text ?? '') ? api.views.status.current()!.text : undefined));
    assert.match(text, /paused \((function )?breakpoint\)/);
  });

  it('Segment Registers: CS 0xe019, DS 0xe021; GDT: FLAT_RING1_CS / FLAT_RING1_DS rows; screenshot', async () => {
    await api.views.refreshAll();
    const seg = await api.views.rows('xenpv.segments');
    assert.match(seg.find((r) => r.label === 'CS')?.description ?? '', /^0xe019 /, dump(seg));
    assert.match(seg.find((r) => r.label === 'DS')?.description ?? '', /^0xe021 /, dump(seg));
    const gdt = await api.views.rows('xenpv.gdt');
    assert.ok(gdt.some((r) => r.label === '0xe018' && /FLAT_RING1_CS/.test(r.description ?? '')), dump(gdt));
    assert.ok(gdt.some((r) => r.label === '0xe020' && /FLAT_RING1_DS/.test(r.description ?? '')), dump(gdt));
    const hc = await api.views.rows('xenpv.hypercalls');
    await tidyDebugSideBar();
    for (const v of ['xenpv.segments', 'xenpv.gdt', 'xenpv.hypercalls']) await vscode.commands.executeCommand(`${v}.focus`);
    await screenshot('pv32-hypercall-breakpoint');
    assert.ok(hc.length >= 1);
  });
});

describe('xenpv samples: bad-pagetable-pv64 — refusals and a crash', () => {
  let api: XenPvExtensionApi;
  let events: DapEvents;
  before(async () => { api = await extensionApi(); events = new DapEvents(); });
  after(async () => { await endSession(); events.dispose(); });

  it('stops on the domain crash; status bar "crashed"; Hypercalls newest first; Frames errors filter', async () => {
    assert.strictEqual(await vscode.debug.startDebugging(folder(), 'bad-pagetable-pv64 sample (run)'), true);
    const stopped = await events.next('stopped');
    assert.strictEqual(stopped.body?.reason, 'exception', JSON.stringify(stopped.body));
    const st = await until('crashed status', () => (api.views.status.current()?.phase === 'crashed' ? api.views.status.current() : undefined));
    assert.strictEqual(st.text, '$(vm) Xen pv64: crashed');
    assert.strictEqual(st.action, 'crash');
    await api.views.refreshAll();
    const calls = await api.views.rows('xenpv.hypercalls');
    const failed = calls.filter((r) => r.icon === 'warning').map((r) => r.label.replace(/^#\d+ /, ''));
    assert.deepStrictEqual(failed, ['mmuext_op', 'mmu_update'], dump(calls));
    await vscode.commands.executeCommand('xenpv.frames.filterErrors');
    const errs = await api.views.rows('xenpv.frames');
    assert.ok(errs.some((r) => r.icon === 'warning'), dump(errs));
    await tidyDebugSideBar();
    for (const v of ['xenpv.hypercalls', 'xenpv.frames']) await vscode.commands.executeCommand(`${v}.focus`);
    await screenshot('bad-pagetable-crash');
    await vscode.commands.executeCommand('xenpv.frames.filterAll');
  });
});

describe('xenpv samples: Open Sample Guests', () => {
  it('copies the bundled samples (with launch.json) into a folder, keeping existing files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-e2e-samples-'));
    try {
      const r = await vscode.commands.executeCommand<{ target: string; copied: string[]; skipped: string[] }>('xenpv.openSamples', { target: dir, open: false });
      assert.ok(r, 'a copy result');
      for (const f of ['.vscode/launch.json', 'hello-pv64.s', 'hello-pv32.s', 'bad-pagetable-pv64.s']) assert.ok(r.copied.includes(f), r.copied.join(', '));
      const again = await vscode.commands.executeCommand<{ copied: string[]; skipped: string[] }>('xenpv.openSamples', { target: dir, open: false });
      assert.deepStrictEqual(again?.copied, []);
      const ext = vscode.extensions.getExtension('xenpv-tools.xen-pv-debugger')!;
      const steps = (ext.packageJSON.contributes.walkthroughs[0].steps as { id: string }[]).map((s) => s.id);
      assert.deepStrictEqual(steps, ['openSample', 'pressF5', 'hypercallBreakpoint', 'inspect', 'whatIf']);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
