// End-to-end: launch the sample guest with stopOnEntry in a real VS Code, read the Segment Registers view,
// step, screenshot the Run and Debug view, stop.

import * as assert from 'assert';
import * as vscode from 'vscode';
import { DapEvents, extensionApi, screenshot, tidyDebugSideBar, until } from './helpers';
import type { XenPvExtensionApi } from '../../../src/extension';

describe('xenpv debugging in VS Code', () => {
  let api: XenPvExtensionApi;
  let events: DapEvents;
  const folder = (): vscode.WorkspaceFolder => {
    const f = vscode.workspace.workspaceFolders?.[0];
    assert.ok(f, 'the test workspace is open');
    return f;
  };

  before(async () => {
    api = await extensionApi();
    events = new DapEvents();
  });
  after(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    events.dispose();
  });

  it('starts the launch configuration and stops on entry', async () => {
    const ok = await vscode.debug.startDebugging(folder(), 'Debug hello (stop on entry)');
    assert.strictEqual(ok, true, 'startDebugging');
    const stopped = await events.next('stopped');
    assert.strictEqual(stopped.body?.reason, 'entry');
    const s = vscode.debug.activeDebugSession;
    assert.ok(s, 'an active debug session');
    assert.strictEqual(s.type, 'xenpv');
  });

  it('shows CS in the Segment Registers view', async () => {
    await api.views.refreshAll();
    const rows = await api.views.rows('xenpv.segments');
    const cs = rows.find((r) => r.label === 'CS');
    assert.ok(cs, `a CS row (rows: ${rows.map((r) => `${r.label} ${r.description ?? ''} ${r.tooltip ?? ''}`).join(' | ')})`);
    assert.ok(cs.children && cs.children.length > 0, 'CS has decoded fields');
  });

  it('steps one instruction and the views follow', async () => {
    const s = vscode.debug.activeDebugSession!;
    const pc0 = await s.customRequest('evaluate', { expression: '$rip', context: 'watch' }) as { result: string };
    await vscode.commands.executeCommand('workbench.action.debug.stepInto');
    const stopped = await events.next('stopped');
    assert.strictEqual(stopped.body?.reason, 'step');
    const pc1 = await s.customRequest('evaluate', { expression: '$rip', context: 'watch' }) as { result: string };
    assert.notStrictEqual(pc1.result, pc0.result, 'rip moved');
    const rows = await until('segment rows after the step', async () => {
      const r = await api.views.rows('xenpv.segments');
      return r.some((x) => x.label === 'CS') ? r : undefined;
    });
    assert.ok(rows.length >= 6);
  });

  it('shows the views in the Run and Debug container (screenshot)', async () => {
    await tidyDebugSideBar();
    await vscode.commands.executeCommand('xenpv.segments.focus');
    await screenshot('run-and-debug');
  });

  it('ends the session', async () => {
    await vscode.debug.stopDebugging();
    await until('the session to end', () => (vscode.debug.activeDebugSession ? undefined : true));
    const rows = await api.views.rows('xenpv.segments');
    assert.ok(rows.length >= 1);
  });
});

describe('xenpv with the standalone adapter (dist/adapter.js)', () => {
  it('launches with "adapter": "external", stops on entry and ends', async () => {
    const events = new DapEvents();
    try {
      const folder = vscode.workspace.workspaceFolders![0];
      const ok = await vscode.debug.startDebugging(folder, {
        type: 'xenpv', request: 'launch', name: 'external adapter', adapter: 'external',
        program: '${workspaceFolder}/../../../samples/bare-hello.s', stopOnEntry: true, memory: 16,
      });
      assert.strictEqual(ok, true, 'startDebugging');
      const stopped = await events.next('stopped');
      assert.strictEqual(stopped.body?.reason, 'entry');
      const seg = await vscode.debug.activeDebugSession!.customRequest('xen/segments') as { segments: { name: string }[] };
      assert.ok(seg.segments.some((s) => s.name === 'CS'));
      await vscode.debug.stopDebugging();
      await until('the session to end', () => (vscode.debug.activeDebugSession ? undefined : true));
    } finally { events.dispose(); }
  });
});
