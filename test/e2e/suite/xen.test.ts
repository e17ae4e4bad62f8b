// End-to-end on a Xen PV guest (test/fixtures/asm/x64-pvguest.s, assembled on launch): the views show Xen's
// start-of-day state — CS 0xe033 from the reserved GDT, the domain, a page walk — and the hypercall log fills.

import * as assert from 'assert';
import * as vscode from 'vscode';
import { DapEvents, extensionApi, screenshot, tidyDebugSideBar, until } from './helpers';
import type { XenPvExtensionApi } from '../../../src/extension';

describe('xenpv views on a PV64 guest', () => {
  let api: XenPvExtensionApi;
  let events: DapEvents;
  const rows = async (view: string): Promise<{ label: string; description?: string; children?: unknown[] }[]> => {
    await api.views.refreshAll();
    return api.views.rows(view);
  };
  const dump = (r: { label: string; description?: string }[]): string => r.map((x) => `${x.label} ${x.description ?? ''}`).join(' | ');

  before(async () => {
    api = await extensionApi();
    events = new DapEvents();
    const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], 'Debug PV64 guest (stop on entry)');
    assert.strictEqual(ok, true, 'startDebugging');
    const stopped = await events.next('stopped');
    assert.strictEqual(stopped.body?.reason, 'entry');
  });
  after(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    events.dispose();
  });

  it('Segment Registers: CS is FLAT_RING3_CS64 (0xe033) from the Xen-reserved GDT', async () => {
    const r = await rows('xenpv.segments');
    const cs = r.find((x) => x.label === 'CS');
    assert.ok(cs, dump(r));
    assert.match(cs.description ?? '', /^0xe033 .*Xen reserved/);
  });

  it('GDT: the reserved entries are listed with Xen names', async () => {
    const r = await rows('xenpv.gdt');
    assert.ok(r.some((x) => x.label === '0xe030' && /FLAT_RING3_CS64/.test(x.description ?? '')), dump(r));
  });

  it('Page Tables: the domain and a 4-level walk of the PC', async () => {
    const r = await rows('xenpv.pageTables');
    assert.ok(r.some((x) => x.label === 'Domain' && /pv64/.test(x.description ?? '')), dump(r));
    const walk = r.find((x) => x.label.startsWith('Walk of'));
    assert.ok(walk && (walk.children?.length ?? 0) >= 4, dump(r));
  });

  it('Hypercalls: stepping over the console_io call logs it', async () => {
    const s = vscode.debug.activeDebugSession!;
    let logged: { label: string }[] = [];
    for (let i = 0; i < 12 && !logged.some((x) => /console_io/.test(x.label)); i++) {
      await s.customRequest('next', { threadId: 1 });
      await events.next('stopped');
      logged = await rows('xenpv.hypercalls');
    }
    assert.ok(logged.some((x) => /console_io/.test(x.label)), dump(logged));
  });

  it('Trap Table and LDT answer (maybe empty) without errors', async () => {
    for (const v of ['xenpv.trapTable', 'xenpv.ldt']) {
      const r = await rows(v);
      assert.ok(!r.some((x) => /not available/i.test(x.label)), `${v}: ${dump(r)}`);
    }
  });

  it('toggles hex/decimal', async () => {
    await vscode.commands.executeCommand('xenpv.toggleNumberFormat');
    const r = await until('decimal CS', async () => {
      const x = (await api.views.rows('xenpv.segments')).find((y) => y.label === 'CS');
      return x && /^57395 /.test(x.description ?? '') ? x : undefined;
    });
    assert.ok(r);
    await vscode.commands.executeCommand('xenpv.toggleNumberFormat');
  });

  it('shows the Xen views (screenshot)', async () => {
    await tidyDebugSideBar();
    for (const v of ['xenpv.segments', 'xenpv.gdt', 'xenpv.hypercalls']) await vscode.commands.executeCommand(`${v}.focus`);
    await api.views.refreshAll();
    await screenshot('xen-views');
  });
});
