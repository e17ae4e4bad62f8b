// Base tree data provider of the Xen views: loads its rows with one custom request per refresh while the
// session is stopped, keeps the last rows while running, and shows a message row when there is nothing to show;
// pinned rows (spec.pinned) stay on top in every state, and rows with a checkKey get a checkbox from a CheckboxModel.

import * as vscode from 'vscode';
import { XenNode, errorRow, expandNode, message } from './nodes';
import type { NumberFormat } from './format';
import type { XenSessionWatch } from './session-access';
import type { XenViewSpec } from './spec';

export type { XenViewSpec };

/** Where a view's checkboxes get their state (by a row's checkKey); toggling is handled by the view's owner. */
export interface CheckboxModel {
  checkbox(key: string): { checked: boolean; tooltip?: string };
}

export class XenTreeProvider implements vscode.TreeDataProvider<XenNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<XenNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The TreeView showing this provider (set by XenViews), for its description. */
  view: vscode.TreeView<XenNode> | undefined;
  /** Checkbox states of rows with a checkKey (set by XenViews for the Hypercalls view). */
  checks: CheckboxModel | undefined;
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
      .catch((e: unknown) => [errorRow(e)])
      .then((rows) => {
        if (gen === this.generation) {
          this.rows = rows;
          if (this.view && this.spec.viewDescription) this.view.description = this.spec.viewDescription();
          this.changed.fire(undefined);
        }
        return rows;
      });
    this.loading = p;
    return p;
  }

  /** Redraw without reloading (e.g. checkbox states or pinned rows changed). */
  redraw(): void { this.changed.fire(undefined); }

  /** The pinned rows as the tree shows them now (above the loaded rows). */
  pinnedRows(): XenNode[] { return this.spec.pinned?.() ?? []; }

  /** Loaded rows as currently shown below any pinned rows (waits for a refresh in flight). */
  async currentRows(): Promise<XenNode[]> {
    if (this.loading) await this.loading;
    return this.rows;
  }

  getTreeItem(n: XenNode): vscode.TreeItem {
    const item = new vscode.TreeItem(n.label, n.children?.length || n.loadChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = n.description;
    item.tooltip = n.tooltip ?? (n.description ? `${n.label}: ${n.description}` : n.label);
    const color = n.iconColor ?? (n.icon === 'warning' || n.icon === 'error' ? 'problemsWarningIcon.foreground' : undefined);
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = n.contextValue;
    if (n.id) item.id = n.id;
    if (n.checkKey !== undefined && this.checks) {
      const c = this.checks.checkbox(n.checkKey);
      item.checkboxState = { state: c.checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked, tooltip: c.tooltip };
    }
    if (n.command) item.command = { command: n.command.id, title: n.command.title, arguments: n.command.args };
    return item;
  }

  async getChildren(n?: XenNode): Promise<XenNode[]> {
    if (!n) {
      if (this.loading) await this.loading;   // never hand the tree the rows a refresh in flight is replacing
      const pinned = this.pinnedRows();
      for (const p of pinned) for (const c of p.children ?? []) this.parents.set(c, p);
      return pinned.length ? [...pinned, ...this.rows] : this.rows;
    }
    if (!n.children && n.loadChildren) n.children = await expandNode(n);
    for (const c of n.children ?? []) this.parents.set(c, n);
    return n.children ?? [];
  }

  /** Lets TreeView.reveal() expand a row (children remember their parent when they are listed). */
  getParent(n: XenNode): XenNode | undefined { return this.parents.get(n); }
  private readonly parents = new WeakMap<XenNode, XenNode>();

  dispose(): void { this.changed.dispose(); }
}
