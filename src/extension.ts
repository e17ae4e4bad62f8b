// The extension's composition root (the only module besides src/views that imports `vscode`): registers the
// xenpv debugger, its launch experience, the Xen views (with the status bar and commands) and the language client.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { XenDebugSession } from './debug/session';
import { DEBUG_TYPE } from './views/session-access';
import { XenAdapterFactory } from './views/adapter-factory';
import { XenDebugConfigurationProvider, XenDynamicConfigurationProvider } from './views/launch-config';
import { startLanguageClient } from './views/language-client';
import { XenViews } from './views';

/** What activate() returns: used by the end-to-end tests, stable enough for other extensions. */
export interface XenPvExtensionApi {
  /** The views, the status-bar item (views.status) and the "Xen PV" output channel (views.output). */
  views: XenViews;
  /** Resolves once the language client has started (or failed: then with undefined). */
  languageClient: Promise<LanguageClient | undefined>;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): XenPvExtensionApi {
  const views = new XenViews(context.extensionUri);
  context.subscriptions.push(
    views,
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new XenAdapterFactory(context.extensionUri,
      () => new XenDebugSession() as unknown as vscode.DebugAdapter)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new XenDebugConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new XenDynamicConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
  const languageClient = startLanguageClient(context).then((c) => { client = c; return c; }, (e: unknown) => {
    void vscode.window.showWarningMessage(`Xen PV assembly language server did not start: ${(e as Error).message}`);
    return undefined;
  });
  return { views, languageClient };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
