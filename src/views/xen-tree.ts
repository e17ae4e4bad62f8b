// Base tree data provider of the Xen views: loads its rows with one custom request per refresh while the
// session is stopped, keeps the last rows while running, and shows a message row when there is nothing to show.

import * as vscode from 'vscode';
import { XenNode, message } from './nodes';
import type { NumberFormat } from './format';
import type { XenSessionWatch } from './session-access';

/** What a view asks the adapter and how it turns the reply into rows. */
export interface XenViewSpec {
  /** View id in package.json (e.g. 'xenpv.segments'). */
  id: string;
  title: string;
  /** Load rows (throws when the adapter refuses: shown as "not available"). */
  load(watch: XenSessionWatch, fmt: NumberFormat): Promise<XenNode[]>;
}

export class XenTreeProvider implements vscode.TreeDataProvider<XenNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<XenNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private rows: XenNode[] = [];
  private loading: Promise<XenNode[]> | undefined;
  private generation = 0;

  constructor(readonly spec: XenViewSpec, private readonly watch: XenSessionWatch, private readonly format: () => NumberFormat) {
    this.rows = [this.idleRow()];
  }

  private idleRow(): XenNode {
    const st = this.watch.state();
    if (st === 'none') return message('No xenpv debug session', 'Start debugging a guest (F5) to see this view.');
    if (st === 'running') return message('Running — pause to read', 'The guest is running; the view refreshes when it stops.', 'debug-pause');
    return message('Loading…', undefined, 'loading~spin');
  }

  /** Reload from the adapter (or show the idle message); resolves with the new rows. */
  refresh(): Promise<XenNode[]> {
    const gen = ++this.generation;
    const st = this.watch.state();
    if (st !== 'stopped') {
      if (st === 'none') this.rows = [this.idleRow()];
      else if (!this.rows.length || this.rows[0].contextValue === 'message') this.rows = [this.idleRow()];
      this.changed.fire(undefined);
      this.loading = undefined;
      return Promise.resolve(this.rows);
    }
    const p = this.spec.load(this.watch, this.format())
      .then((rows) => (rows.length ? rows : [message('(empty)', 'The adapter returned no entries.')]))
      .catch((e: unknown) => [notAvailable(e)])
      .then((rows) => {
        if (gen === this.generation) { this.rows = rows; this.changed.fire(undefined); }
        return rows;
      });
    this.loading = p;
    return p;
  }

  /** Rows as currently shown (waits for a refresh in flight). */
  async currentRows(): Promise<XenNode[]> {
    if (this.loading) await this.loading;
    return this.rows;
  }

  getTreeItem(n: XenNode): vscode.TreeItem {
    const item = new vscode.TreeItem(n.label, n.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = n.description;
    item.tooltip = n.tooltip ?? (n.description ? `${n.label}: ${n.description}` : n.label);
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon, n.icon === 'warning' || n.icon === 'error' ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
    item.contextValue = n.contextValue;
    return item;
  }

  getChildren(n?: XenNode): XenNode[] { return n ? n.children ?? [] : this.rows; }

  dispose(): void { this.changed.dispose(); }
}

function notAvailable(e: unknown): XenNode {
  const text = e instanceof Error ? e.message : String(e);
  return message('Not available for this machine', text, 'circle-slash');
}
