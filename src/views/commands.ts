// Commands of the Xen views: copy an entry, toggle hex/decimal, refresh, export the hypercall log, decode input,
// and pick the address the Page Tables view walks.

import * as vscode from 'vscode';
import type { XenNode } from './nodes';
import { parseNumber } from './format';
import { traceSize, XenViews } from './index';
import { decodeInputCommand } from './decode-input';

export function registerViewCommands(views: XenViews): vscode.Disposable[] {
  const reg = vscode.commands.registerCommand;
  return [
    reg('xenpv.copyEntry', async (n?: XenNode) => {
      if (!n) return;
      await vscode.env.clipboard.writeText(n.copyText ?? (n.description ? `${n.label}\t${n.description}` : n.label));
    }),
    reg('xenpv.toggleNumberFormat', () => views.toggleFormat()),
    reg('xenpv.refreshViews', () => views.refreshAll()),
    reg('xenpv.exportHypercallLog', async () => {
      let body: unknown;
      try { body = await views.watch.request('xen/hypercallLog', { count: traceSize() }); } catch (e) {
        void vscode.window.showErrorMessage(`Cannot read the hypercall log: ${(e as Error).message}`);
        return;
      }
      const base = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        defaultUri: base ? vscode.Uri.joinPath(base, 'hypercall-log.json') : undefined,
        filters: { JSON: ['json'] }, title: 'Export hypercall log',
      });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(body, null, 2) + '\n', 'utf8'));
      void vscode.window.showInformationMessage(`Hypercall log written to ${uri.fsPath}`);
    }),
    reg('xenpv.decodeValue', decodeInputCommand),
    reg('xenpv.walkAddress', async () => {
      const text = await vscode.window.showInputBox({
        title: 'Walk the page tables for a linear address', prompt: 'Address (empty: the current instruction pointer)',
        validateInput: (t) => (t.trim() === '' || parseNumber(t) !== undefined ? undefined : 'enter an address such as 0xffffffff80001000'),
      });
      if (text === undefined) return;
      const v = text.trim() === '' ? undefined : parseNumber(text);
      views.setWalkAddress(v === undefined ? undefined : Number(v));
    }),
  ];
}
