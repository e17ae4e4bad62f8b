// The Xen views as one unit: six tree providers in the Run and Debug container, refreshed on every stop,
// invalidation and session change, plus their commands. Returns the handle the extension's test API exposes.

import * as vscode from 'vscode';
import { XenSessionWatch } from './session-access';
import { XenTreeProvider } from './xen-tree';
import { gdtView, hypercallsView, ldtView, pageTablesView, segmentsView, trapTableView } from './view-specs';
import { registerViewCommands } from './commands';
import type { NumberFormat } from './format';
import type { XenNode } from './nodes';

export class XenViews implements vscode.Disposable {
  readonly watch = new XenSessionWatch();
  readonly providers = new Map<string, XenTreeProvider>();
  private format: NumberFormat;
  private walkAddress: number | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    this.format = readFormat();
    const specs = [segmentsView(), gdtView(), ldtView(), trapTableView(), pageTablesView(() => this.walkAddress), hypercallsView(traceSize)];
    for (const spec of specs) {
      const p = new XenTreeProvider(spec, this.watch, () => this.format);
      this.providers.set(spec.id, p);
      this.subs.push(p, vscode.window.createTreeView(spec.id, { treeDataProvider: p, showCollapseAll: true }));
    }
    this.subs.push(this.watch, this.watch.onDidChange(() => this.scheduleRefresh()));
    this.subs.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('xenpv.numberFormat')) { this.format = readFormat(); void this.refreshAll(); }
    }));
    this.subs.push(...registerViewCommands(this));
    void vscode.commands.executeCommand('setContext', 'xenpv.numberFormat', this.format);
  }

  /** Coalesce bursts of events (stopped + invalidated) into one refresh. */
  private scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refreshAll(); }, 30);
  }

  async refreshAll(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.refresh()));
  }

  toggleFormat(): Promise<void> {
    this.format = this.format === 'hex' ? 'decimal' : 'hex';
    void vscode.commands.executeCommand('setContext', 'xenpv.numberFormat', this.format);
    return this.refreshAll();
  }

  numberFormat(): NumberFormat { return this.format; }

  setWalkAddress(a: number | undefined): Promise<XenNode[]> {
    this.walkAddress = a;
    return this.providers.get('xenpv.pageTables')!.refresh();
  }

  /** Rows of a view after any refresh in flight (for tests and the extension API). */
  async rows(viewId: string): Promise<XenNode[]> {
    const p = this.providers.get(viewId);
    if (!p) throw new Error(`no view ${viewId}`);
    return p.currentRows();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subs.forEach((d) => d.dispose());
  }
}

/** Hypercall log records the Hypercalls view shows (setting xenpv.traceSize). */
export function traceSize(): number {
  const n = vscode.workspace.getConfiguration('xenpv').get<number>('traceSize', 200);
  return Number.isInteger(n) && n > 0 ? n : 200;
}

function readFormat(): NumberFormat {
  return vscode.workspace.getConfiguration('xenpv').get<string>('numberFormat') === 'decimal' ? 'decimal' : 'hex';
}

export type { XenNode };
