// Helpers for the end-to-end tests: the extension's API, waiting for debug events of xenpv sessions, and
// asking the runner (run-code-server.js) for a screenshot of the workbench.

import * as vscode from 'vscode';
import type { XenPvExtensionApi } from '../../../src/extension';

export const EXTENSION_ID = 'xenpv-tools.xen-pv-debugger';

export async function extensionApi(): Promise<XenPvExtensionApi> {
  const ext = vscode.extensions.getExtension<XenPvExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

export interface DapEvent { event: string; body?: Record<string, unknown> }

/** Records DAP events of xenpv sessions; next(name) resolves with the next such event (bounded). */
export class DapEvents implements vscode.Disposable {
  private readonly queue: DapEvent[] = [];
  private waiters: { name: string; resolve: (e: DapEvent) => void }[] = [];
  private readonly reg: vscode.Disposable;

  constructor() {
    this.reg = vscode.debug.registerDebugAdapterTrackerFactory('xenpv', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: Record<string, unknown> }) => {
          if (m.type === 'event' && m.event) this.push({ event: m.event, body: m.body });
        },
      }),
    });
  }

  private push(e: DapEvent): void {
    const i = this.waiters.findIndex((w) => w.name === e.event);
    if (i >= 0) { const [w] = this.waiters.splice(i, 1); w.resolve(e); } else this.queue.push(e);
  }

  next(name: string, timeoutMs = 20_000): Promise<DapEvent> {
    const i = this.queue.findIndex((e) => e.event === name);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = { name, resolve: (e: DapEvent) => { clearTimeout(t); resolve(e); } };
      const t = setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); reject(new Error(`no '${name}' event within ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.push(w);
    });
  }

  dispose(): void { this.reg.dispose(); }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Ask the runner for a screenshot: it watches the extension host's log for this marker. Under
 * @vscode/test-electron nobody listens and this is just a pause.
 */
export async function screenshot(name: string): Promise<void> {
  console.log(`@@xenpv-screenshot ${name}`);
  await sleep(1500);
}

/** Poll until check() returns a value (not undefined), bounded. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Make room for the Xen views before a screenshot: Run and Debug shown, the secondary side bar closed; the runner
 * then widens the side bar (no command sets a width) and collapses Variables / Watch / Call Stack if expanded.
 */
export async function tidyDebugSideBar(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.debug');
  await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
  console.log('@@xenpv-sidebar 560');
  await sleep(2000);
}
