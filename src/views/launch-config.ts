// The launch experience for `xenpv`: fills in a launch configuration (default program = the active .s/.S/.asm/.elf
// file, settings as defaults) and offers dynamic configurations, one per guest image or assembly file in the workspace.

import * as vscode from 'vscode';
import * as path from 'path';
import { DEBUG_TYPE } from './session-access';

const GUEST_GLOB = '**/*.{s,S,asm,elf}';
const EXCLUDE_GLOB = '**/{node_modules,.git,.real-vscode,dist,out}/**';
const MAX_DYNAMIC = 30;

function isGuestFile(fsPath: string): boolean {
  return /\.(s|S|asm|elf)$/.test(fsPath);
}

export class XenDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** F5 with no launch.json, or a configuration missing fields: default to the active guest file and the settings. */
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || !isGuestFile(doc.uri.fsPath)) {
        void vscode.window.showInformationMessage('Open a guest assembly file (.s/.S/.asm) or pick a guest ELF to debug (Run and Debug → "Xen PV guest…").');
        return undefined;
      }
      config.type = DEBUG_TYPE;
      config.name = `Debug ${path.basename(doc.uri.fsPath)}`;
      config.request = 'launch';
      config.program = doc.uri.fsPath;
      config.stopOnEntry = true;
    }
    if (!config.program) {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && isGuestFile(doc.uri.fsPath)) config.program = doc.uri.fsPath;
      else {
        void vscode.window.showErrorMessage('xenpv: the launch configuration needs "program" (a guest ELF image or assembly file).');
        return undefined;
      }
    }
    const settings = vscode.workspace.getConfiguration('xenpv', folder?.uri);
    if (config.memory === undefined) config.memory = settings.get<number>('memory', 64);
    if (config.disassemblySyntax === undefined) config.disassemblySyntax = settings.get<string>('disassemblySyntax', 'att');
    if (config.cwd === undefined && folder) config.cwd = folder.uri.fsPath;
    return config;
  }

  /** Make a relative program absolute against the folder (after ${...} substitution). */
  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    if (typeof config.program === 'string' && !path.isAbsolute(config.program)) {
      const base = typeof config.cwd === 'string' ? config.cwd : folder?.uri.fsPath;
      if (base) config.program = path.resolve(base, config.program);
    }
    return config;
  }
}

/** "Xen PV guest…" in the Run and Debug dropdown: one configuration per guest file found in the workspace. */
export class XenDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined, token?: vscode.CancellationToken): Promise<vscode.DebugConfiguration[]> {
    const include = folder ? new vscode.RelativePattern(folder, GUEST_GLOB) : GUEST_GLOB;
    const files = await vscode.workspace.findFiles(include, EXCLUDE_GLOB, MAX_DYNAMIC, token);
    return files.sort((a, b) => a.fsPath.localeCompare(b.fsPath)).map((uri) => {
      const rel = folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
      return {
        type: DEBUG_TYPE, request: 'launch', name: `Xen PV: ${rel}`,
        program: folder ? '${workspaceFolder}/' + rel.split(path.sep).join('/') : uri.fsPath,
        stopOnEntry: true,
      };
    });
  }
}
