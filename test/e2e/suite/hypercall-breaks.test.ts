// End-to-end: the Hypercalls view's break-on-entry checkboxes in a real VS Code — the "Break on entry" group before
// launch, checkbox states following vscode.debug breakpoints, the toggle command adding/removing the
// `hypercall:console_io` FunctionBreakpoint, and the hello-pv64 sample stopping (or no longer stopping) there.

import * as assert from 'assert';
import * as vscode from 'vscode';
import { DapEvents, extensionApi, screenshot, tidyDebugSideBar, until } from './helpers';
import type { XenPvExtensionApi } from '../../../src/extension';
import type { XenNode } from '../../../src/views/nodes';

const VIEW = 'xenpv.hypercalls';
const folder = (): vscode.WorkspaceFolder => vscode.workspace.workspaceFolders![0];
const hypercallBps = (): vscode.FunctionBreakpoint[] => vscode.debug.breakpoints
  .filter((b): b is vscode.FunctionBreakpoint => b instanceof vscode.FunctionBreakpoint && /^hypercall:/i.test(b.functionName));
const dump = (r: XenNode[]): string => r.map((x) => `${x.label} ${x.description ?? ''}`).join(' | ');

describe('xenpv Hypercalls view: break-on-entry checkboxes', () => {
  let api: XenPvExtensionApi;
  let events: DapEvents;
  const group = (): XenNode => {
    const g = api.views.pinnedRows(VIEW)[0];
    assert.ok(g && /^Break on entry \(\d+ set\)$/.test(g.label), `pinned: ${dump(api.views.pinnedRows(VIEW))}`);
    return g;
  };
  const groupRow = (name: string): XenNode => {
    const r = group().children?.find((c) => c.label === name);
    assert.ok(r, `no ${name} row in the group`);
    return r;
  };
  const checked = (n: XenNode): boolean | undefined => {
    const st = api.views.treeItem(VIEW, n).checkboxState;
    const s = typeof st === 'object' ? st.state : st;
    return s === undefined ? undefined : s === vscode.TreeItemCheckboxState.Checked;
  };

  before(async () => {
    api = await extensionApi();
    events = new DapEvents();
    vscode.debug.removeBreakpoints(hypercallBps());
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
  });
  after(async () => {
    vscode.debug.removeBreakpoints(hypercallBps());
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    events.dispose();
  });

  it('before launch: the group lists every ABI hypercall; an API-added hypercall:console_io checks its box', async () => {
    assert.strictEqual(vscode.debug.activeDebugSession, undefined);
    assert.strictEqual(group().label, 'Break on entry (0 set)');
    assert.strictEqual(group().children?.length, 50, 'xen.h: 0..42 without 11, arch_0..arch_7');
    assert.strictEqual(checked(groupRow('console_io')), false);
    vscode.debug.addBreakpoints([new vscode.FunctionBreakpoint('hypercall:console_io')]);
    await until('console_io checked', () => (checked(groupRow('console_io')) ? true : undefined));
    assert.strictEqual(group().label, 'Break on entry (1 set)');
    assert.strictEqual(checked(groupRow('mmu_update')), false);
    // the view is shown before launch (a xenpv launch configuration is selected): expand the group for the picture
    await tidyDebugSideBar();
    await vscode.commands.executeCommand(`${VIEW}.focus`);
    const view = api.views.treeViews.get(VIEW)!;
    await view.reveal(group(), { expand: true, focus: false, select: false });
    await view.reveal(groupRow('console_io'), { focus: false, select: true });
    await screenshot('hypercall-checkboxes-before-launch');
  });

  it('the toggle command removes and re-adds the FunctionBreakpoint; other breakpoint texts count too', async () => {
    const off = await vscode.commands.executeCommand<{ nr: number; armed: boolean }>('xenpv.toggleHypercallBreakpoint', 'console_io');
    assert.deepStrictEqual(off, { nr: 18, name: 'console_io', armed: false });
    assert.deepStrictEqual(hypercallBps().map((b) => b.functionName), []);
    await until('console_io unchecked', () => (checked(groupRow('console_io')) === false ? true : undefined));
    const on = await vscode.commands.executeCommand<{ armed: boolean }>('xenpv.toggleHypercallBreakpoint', 18, true);
    assert.strictEqual(on?.armed, true);
    const bps = hypercallBps();
    assert.deepStrictEqual(bps.map((b) => [b.functionName, b.enabled]), [['hypercall:console_io', true]]);
    assert.strictEqual(checked(groupRow('console_io')), true);
    // a breakpoint on a sub-op is not "break on entry": sched_op stays unchecked but says so
    const sub = new vscode.FunctionBreakpoint('hypercall:sched_op:shutdown');
    vscode.debug.addBreakpoints([sub]);
    await until('sched_op note', () => (groupRow('sched_op').description === '29 · also sched_op:shutdown' ? true : undefined));
    assert.strictEqual(checked(groupRow('sched_op')), false);
    vscode.debug.removeBreakpoints([sub]);
    const bad = await vscode.commands.executeCommand('xenpv.toggleHypercallBreakpoint', 'no_such_call');
    assert.strictEqual(bad, undefined, 'an unknown name changes nothing');
    assert.strictEqual(hypercallBps().length, 1);
  });

  it('hello-pv64: continuing stops at console_io; the log rows of console_io are checked, the others not', async () => {
    assert.strictEqual(await vscode.debug.startDebugging(folder(), 'hello-pv64 sample (stop on entry)'), true);
    assert.strictEqual((await events.next('stopped')).body?.reason, 'entry');
    const s = vscode.debug.activeDebugSession!;
    await s.customRequest('continue', { threadId: 1 });
    const first = await events.next('stopped');
    assert.strictEqual(first.body?.reason, 'function breakpoint', JSON.stringify(first.body));
    assert.match(String(first.body?.text ?? first.body?.description), /console_io/, JSON.stringify(first.body));
    // the second console_io: by then the log holds console_io, xen_version and mmuext_op
    await s.customRequest('continue', { threadId: 1 });
    const second = await events.next('stopped');
    assert.strictEqual(second.body?.reason, 'function breakpoint', JSON.stringify(second.body));
    await api.views.refreshAll();
    const rows = await api.views.rows(VIEW);
    const row = (name: string): XenNode => { const r = rows.find((x) => x.label.replace(/^#\d+ /, '') === name); assert.ok(r, `${name}: ${dump(rows)}`); return r; };
    assert.strictEqual(checked(row('console_io')), true);
    assert.strictEqual(checked(row('xen_version')), false);
    assert.strictEqual(checked(row('mmuext_op')), false);
    assert.strictEqual(group().label, 'Break on entry (1 set)', 'the group stays on top during the session');
    // a log row's own toggle (the checkbox's handler, through the command with the row) arms xen_version
    const r = await vscode.commands.executeCommand<{ armed: boolean }>('xenpv.toggleHypercallBreakpoint', row('xen_version'));
    assert.strictEqual(r?.armed, true);
    assert.ok(hypercallBps().some((b) => b.functionName === 'hypercall:xen_version' && b.enabled));
    await until('xen_version row checked', () => (checked(row('xen_version')) ? true : undefined));
    assert.strictEqual(group().label, 'Break on entry (2 set)');
    await tidyDebugSideBar();
    await vscode.commands.executeCommand(`${VIEW}.focus`);
    await vscode.commands.executeCommand(`workbench.actions.treeView.${VIEW}.collapseAll`);   // the group: the log rows in view
    const view = api.views.treeViews.get(VIEW)!;
    const shown = (await api.views.rows(VIEW)).find((x) => / console_io$/.test(x.label));
    if (shown) await view.reveal(shown, { focus: false, select: true });
    await screenshot('hypercall-checkboxes');
  });

  it('unchecking console_io removes its breakpoint: the guest runs to poweroff without stopping there', async () => {
    await vscode.commands.executeCommand('xenpv.toggleHypercallBreakpoint', 'console_io', false);
    await vscode.commands.executeCommand('xenpv.toggleHypercallBreakpoint', 'xen_version', false);
    assert.deepStrictEqual(hypercallBps().map((b) => b.functionName), []);
    assert.strictEqual(group().label, 'Break on entry (0 set)');
    await vscode.debug.activeDebugSession!.customRequest('continue', { threadId: 1 });
    const text = await until('poweroff', () => (/shutdown \(poweroff\)$/.test(api.views.status.current()?.text ?? '') ? api.views.status.current()!.text : undefined), 20_000);
    assert.match(text, /shutdown \(poweroff\)/);
    const again = await events.next('stopped', 1000).catch(() => undefined);
    assert.notStrictEqual(again?.body?.reason, 'function breakpoint', JSON.stringify(again?.body));
  });
});
