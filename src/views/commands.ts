// Commands of the Xen views: copy an entry, toggle hex/decimal, refresh, export the hypercall log, decode input,
// pick the address the Page Tables view walks, the Frames filters and paging, what-if, the sample guests and
// break on entry to a hypercall.

import * as vscode from 'vscode';
import { copyTextOf, XenNode } from './nodes';
import { exportJson, parseNumber } from './format';
import { traceSize, XenViews } from './index';
import { decodeInputCommand } from './decode-input';
import { FRAME_FILTERS } from './frames';
import { whatIfCommand } from './what-if-command';
import { openSamplesCommand } from './samples-command';

export function registerViewCommands(views: XenViews, extensionUri: vscode.Uri): vscode.Disposable[] {
  const reg = vscode.commands.registerCommand;
  return [
    reg('xenpv.copyEntry', async (n?: XenNode) => {
      if (!n) return undefined;
      const text = copyTextOf(n);
      await vscode.env.clipboard.writeText(text);
      return text;
    }),
    reg('xenpv.toggleNumberFormat', () => views.toggleFormat()),
    reg('xenpv.refreshViews', () => views.refreshAll()),
    /** Argument (optional): a file Uri or path to write without the save dialog. Returns the file written. */
    reg('xenpv.exportHypercallLog', async (to?: vscode.Uri | string) => {
      let body: unknown;
      try { body = await views.watch.request('xen/hypercallLog', { count: traceSize() }); } catch (e) {
        void vscode.window.showErrorMessage(`Cannot read the hypercall log: ${(e as Error).message}`);
        return undefined;
      }
      let uri = typeof to === 'string' ? vscode.Uri.file(to) : to instanceof vscode.Uri ? to : undefined;
      if (!uri) {
        const base = vscode.workspace.workspaceFolders?.[0]?.uri;
        uri = await vscode.window.showSaveDialog({
          defaultUri: base ? vscode.Uri.joinPath(base, 'hypercall-log.json') : undefined,
          filters: { JSON: ['json'] }, title: 'Export hypercall log',
        });
        if (!uri) return undefined;
      }
      await vscode.workspace.fs.writeFile(uri, Buffer.from(exportJson(body), 'utf8'));
      if (!to) void vscode.window.showInformationMessage(`Hypercall log written to ${uri.fsPath}`);
      return uri;
    }),
    reg('xenpv.decodeValue', decodeInputCommand),
    reg('xenpv.walkAddress', async (arg?: string | number) => {
      const text = arg !== undefined ? String(arg) : await vscode.window.showInputBox({
        title: 'Walk the page tables for a linear address', prompt: 'Address (empty: the current instruction pointer)',
        validateInput: (t) => (t.trim() === '' || parseNumber(t) !== undefined ? undefined : 'enter an address such as 0xffffffff80001000'),
      });
      if (text === undefined) return undefined;
      const v = text.trim() === '' ? undefined : parseNumber(text);
      return views.setWalkAddress(v === undefined ? undefined : Number(v));
    }),
    ...FRAME_FILTERS.map((f) => reg(f.command, () => views.setFrameFilter(f.id))),
    reg('xenpv.frames.loadMore', () => views.loadMoreFrames()),
    reg('xenpv.whatIf', (arg?: unknown) => whatIfCommand(views.watch, views.output, arg)),
    reg('xenpv.openSamples', (arg?: unknown) => openSamplesCommand(extensionUri, arg)),
    /** Arguments: a hypercall (18, "console_io", "hypercall:console_io", a row) and optionally true/false. */
    reg('xenpv.toggleHypercallBreakpoint', (arg?: unknown, on?: unknown) => views.hypercallBreaks.command(arg, on)),
  ];
}
