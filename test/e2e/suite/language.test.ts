// End-to-end: .s files get the xen-asm language and the language server answers (diagnostics for a bad line).

import * as assert from 'assert';
import * as vscode from 'vscode';
import { extensionApi, until } from './helpers';

describe('xen-asm language support', () => {
  it('opens bare-hello.s as xen-asm and starts the language client', async () => {
    const api = await extensionApi();
    const folder = vscode.workspace.workspaceFolders![0];
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, '../../../samples/bare-hello.s'));
    assert.strictEqual(doc.languageId, 'xen-asm');
    const client = await api.languageClient;
    assert.ok(client, 'the language client started');
    assert.ok(client.isRunning(), 'the language client is running');
  });

  it('reports an assembly error as a diagnostic', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'xen-asm', content: '        .text\n_start: movq %rax, %nosuchreg\n' });
    await vscode.window.showTextDocument(doc);
    const diags = await until('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length > 0 ? d : undefined;
    }, 15_000);
    assert.ok(diags.some((d) => d.range.start.line === 1), `a diagnostic on line 2 (got ${diags.map((d) => `${d.range.start.line}: ${d.message}`).join('; ')})`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
