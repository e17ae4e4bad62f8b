// The guest-assembly language client: vscode-languageclient over IPC to the bundled dist/language-server.js,
// with the language id, selector and settings section fixed by src/language/client-options.ts.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import {
  DEFAULT_SETTINGS, DOCUMENT_SELECTOR, InitializationOptions, SERVER_DEBUG_EXEC_ARGV, SERVER_MODULE, SETTINGS_SECTION,
} from '../language/client-options';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = vscode.Uri.joinPath(context.extensionUri, SERVER_MODULE).fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: SERVER_DEBUG_EXEC_ARGV } },
  };
  const settings = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const initializationOptions: InitializationOptions = {
    diagnosticsDelay: settings.get<number>('diagnosticsDelay', DEFAULT_SETTINGS.diagnosticsDelay),
    assembleTimeoutMs: settings.get<number>('assembleTimeoutMs', DEFAULT_SETTINGS.assembleTimeoutMs),
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: { configurationSection: SETTINGS_SECTION },
    initializationOptions,
    outputChannelName: 'Xen PV Assembly Language Server',
  };
  const client = new LanguageClient('xenAsm', 'Xen PV Assembly', serverOptions, clientOptions);
  await client.start();
  return client;
}
