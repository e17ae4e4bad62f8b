// The Xen views as one unit: eight tree providers in the Run and Debug container (Frames among them), refreshed on
// every stop, invalidation and session change, the Hypercalls view's break-on-entry checkboxes, the status-bar item,
// launch progress and the commands.

import * as vscode from 'vscode';
import { XenSessionWatch } from './session-access';
import { XenTreeProvider } from './xen-tree';
import { eventChannelsView, gdtView, hypercallsView, ldtView, pageTablesView, segmentsView, trapTableView } from './view-specs';
import { clampPageSize, FrameFilter, framesView, FramesState } from './frames';
import { registerViewCommands } from './commands';
import { XenStatusBar } from './status-bar';
import { LaunchProgress } from './launch-progress';
import { HypercallBreakpoints } from './hypercall-breakpoints';
import { breakGroupNode } from './hypercall-breaks';
import type { NumberFormat } from './format';
import type { XenNode } from './nodes';

export class XenViews implements vscode.Disposable {
  readonly watch = new XenSessionWatch();
  readonly providers = new Map<string, XenTreeProvider>();
  readonly treeViews = new Map<string, vscode.TreeView<XenNode>>();
  /** "Xen PV": what-if verdicts with their explanations, crash diagnostics. */
  readonly output = vscode.window.createOutputChannel('Xen PV');
  readonly status: XenStatusBar;
  /** `hypercall:` function breakpoints as the Hypercalls view's checkboxes show them. */
  readonly hypercallBreaks = new HypercallBreakpoints();
  readonly frames: FramesState = { filter: 'all', pages: 1 };
  private readonly launchProgress: LaunchProgress;
  private format: NumberFormat;
  private walkAddress: number | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(extensionUri: vscode.Uri) {
    this.format = readFormat();
    const specs = [segmentsView(), gdtView(), ldtView(), trapTableView(), pageTablesView(() => this.walkAddress),
      framesView(this.frames, framesPageSize), hypercallsView(traceSize, () => [breakGroupNode(this.hypercallBreaks.index())]), eventChannelsView()];
    for (const spec of specs) {
      const p = new XenTreeProvider(spec, this.watch, () => this.format);
      const view = vscode.window.createTreeView(spec.id, { treeDataProvider: p, showCollapseAll: true, manageCheckboxStateManually: true });
      p.view = view;
      if (spec.pinned) {
        p.checks = this.hypercallBreaks;
        this.subs.push(view.onDidChangeCheckboxState((e) => {
          for (const [n, st] of e.items) if (n.checkKey !== undefined) this.hypercallBreaks.set(Number(n.checkKey), st === vscode.TreeItemCheckboxState.Checked);
        }));
        this.subs.push(this.hypercallBreaks.onDidChange(() => p.redraw()));
      }
      if (spec.viewDescription) view.description = spec.viewDescription();
      this.providers.set(spec.id, p);
      this.treeViews.set(spec.id, view);
      this.subs.push(p, view);
    }
    this.status = new XenStatusBar(this.watch, this.output);
    this.launchProgress = new LaunchProgress(showNotificationProgress);
    this.subs.push(this.status, this.output, this.launchProgress, this.hypercallBreaks);
    this.subs.push(this.watch.onDidMessage((m) => this.launchProgress.onMessage(m.session.id, m.toAdapter, m.message)));
    this.subs.push(vscode.debug.onDidTerminateDebugSession((s) => this.launchProgress.end(s.id)));
    this.subs.push(this.watch, this.watch.onDidChange(() => this.scheduleRefresh()));
    this.subs.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('xenpv.numberFormat')) { this.format = readFormat(); void this.refreshAll(); }
      if (e.affectsConfiguration('xenpv.frames.pageSize')) { this.frames.pages = 1; void this.refreshView('xenpv.frames'); }
    }));
    this.subs.push(...registerViewCommands(this, extensionUri));
    void vscode.commands.executeCommand('setContext', 'xenpv.numberFormat', this.format);
    void vscode.commands.executeCommand('setContext', 'xenpv.frames.filter', this.frames.filter);
  }

  /** Coalesce bursts of events (stopped + invalidated) into one refresh. */
  private scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refreshAll(); }, 30);
  }

  async refreshAll(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.refresh()));
  }

  refreshView(id: string): Promise<XenNode[]> {
    const p = this.providers.get(id);
    if (!p) return Promise.reject(new Error(`no view ${id}`));
    return p.refresh();
  }

  toggleFormat(): Promise<void> {
    this.format = this.format === 'hex' ? 'decimal' : 'hex';
    void vscode.commands.executeCommand('setContext', 'xenpv.numberFormat', this.format);
    return this.refreshAll();
  }

  numberFormat(): NumberFormat { return this.format; }

  setWalkAddress(a: number | undefined): Promise<XenNode[]> {
    this.walkAddress = a;
    return this.refreshView('xenpv.pageTables');
  }

  /** Frames view: show another filter from its first page. */
  setFrameFilter(f: FrameFilter): Promise<XenNode[]> {
    this.frames.filter = f;
    this.frames.pages = 1;
    void vscode.commands.executeCommand('setContext', 'xenpv.frames.filter', f);
    return this.refreshView('xenpv.frames');
  }

  /** Frames view: one more page of the current filter. */
  loadMoreFrames(): Promise<XenNode[]> {
    this.frames.pages++;
    return this.refreshView('xenpv.frames');
  }

  /** Rows of a view after any refresh in flight (for tests and the extension API). */
  async rows(viewId: string): Promise<XenNode[]> {
    const p = this.providers.get(viewId);
    if (!p) throw new Error(`no view ${viewId}`);
    return p.currentRows();
  }

  /** Rows a view pins above its loaded rows (the Hypercalls view's "Break on entry" group). */
  pinnedRows(viewId: string): XenNode[] {
    return this.providers.get(viewId)?.pinnedRows() ?? [];
  }

  /** The tree item VS Code is given for a row (label, checkbox state, …), for tests and the extension API. */
  treeItem(viewId: string, n: XenNode): vscode.TreeItem {
    const p = this.providers.get(viewId);
    if (!p) throw new Error(`no view ${viewId}`);
    return p.getTreeItem(n);
  }

  /** Children of a row as the tree shows them (lazy rows are read on first call). */
  children(viewId: string, n: XenNode): Promise<XenNode[]> {
    const p = this.providers.get(viewId);
    if (!p) return Promise.reject(new Error(`no view ${viewId}`));
    return p.getChildren(n);
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

/** Frames per page of the Frames view (setting xenpv.frames.pageSize, at most 5000). */
export function framesPageSize(): number {
  return clampPageSize(vscode.workspace.getConfiguration('xenpv').get<number>('frames.pageSize', 200));
}

function readFormat(): NumberFormat {
  return vscode.workspace.getConfiguration('xenpv').get<string>('numberFormat') === 'decimal' ? 'decimal' : 'hex';
}

/** A notification with a spinner until done() (the launch's wait, see launch-progress.ts). */
function showNotificationProgress(title: string): { report(m: string): void; done(): void } {
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  let reporter: vscode.Progress<{ message?: string }> | undefined;
  let pending: string | undefined;
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, (progress) => {
    reporter = progress;
    if (pending) progress.report({ message: pending });
    return finished;
  });
  return {
    report(m) { if (reporter) reporter.report({ message: m }); else pending = m; },
    done() { finish(); },
  };
}

export type { XenNode };
