// How VS Code gets a xenpv debug adapter: inline in the extension host (default), or the standalone
// dist/adapter.js as a child process when the setting xenpv.adapter or the launch option "adapter" says "external".

import * as vscode from 'vscode';

/** A debug session the inline implementation can drive (the DAP session of src/debug). */
export type InlineSessionFactory = () => vscode.DebugAdapter;

export class XenAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionUri: vscode.Uri, private readonly createInline: InlineSessionFactory) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const setting = vscode.workspace.getConfiguration('xenpv').get<string>('adapter', 'inline');
    const mode = typeof session.configuration.adapter === 'string' ? session.configuration.adapter : setting;
    if (mode === 'external') {
      const script = vscode.Uri.joinPath(this.extensionUri, 'dist', 'adapter.js').fsPath;
      return new vscode.DebugAdapterExecutable(process.execPath, [script], { env: { ELECTRON_RUN_AS_NODE: '1' } });
    }
    return new vscode.DebugAdapterInlineImplementation(this.createInline());
  }
}
