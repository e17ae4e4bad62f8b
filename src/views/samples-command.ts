// "Xen: Open Sample Guests": copies the bundled samples (pv64, pv32, a guest Xen refuses, a bare-machine program,
// with a launch.json) into a folder the user picks and opens it, or opens the bundled folder itself.

import * as vscode from 'vscode';
import * as os from 'os';
import { copySamples, CopyResult, sampleTarget } from './samples';

/** Arguments for use without UI: {target: folder to copy into, open?: false to stay in this window}. */
interface SamplesArgs { target?: string; open?: boolean }

export async function openSamplesCommand(extensionUri: vscode.Uri, arg?: unknown): Promise<CopyResult | undefined> {
  const bundled = vscode.Uri.joinPath(extensionUri, 'samples');
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as SamplesArgs;
  let target = typeof a.target === 'string' ? a.target : undefined;
  if (!target) {
    const pick = await vscode.window.showQuickPick([
      { label: '$(new-folder) Copy the samples to a folder…', detail: 'Creates xen-pv-samples/ in the folder you choose and opens it (your copy: edit freely)', id: 'copy' },
      { label: '$(folder-opened) Open the bundled samples', detail: `${bundled.fsPath} — inside the extension: edits are lost when it updates`, id: 'open' },
    ], { title: 'Xen PV sample guests' });
    if (!pick) return undefined;
    if (pick.id === 'open') {
      await vscode.commands.executeCommand('vscode.openFolder', bundled, { forceNewWindow: true });
      return undefined;
    }
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const dirs = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: base, openLabel: 'Copy samples here', title: 'Where should xen-pv-samples/ go?' });
    if (!dirs?.length) return undefined;
    target = sampleTarget(dirs[0].fsPath);
  }
  let result: CopyResult;
  try { result = copySamples(bundled.fsPath, target); } catch (e) {
    void vscode.window.showErrorMessage(`Cannot copy the sample guests: ${(e as Error).message}`);
    return undefined;
  }
  if (a.open === false) return result;
  const kept = result.skipped.length ? ` (${result.skipped.length} existing file(s) kept)` : '';
  void vscode.window.showInformationMessage(`Copied ${result.copied.length} sample file(s) to ${target}${kept}. Open a sample and press F5.`);
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target), { forceNewWindow: !!vscode.workspace.workspaceFolders?.length });
  return result;
}
