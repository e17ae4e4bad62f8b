// The status-bar item of xenpv sessions: the domain's state (status.ts) refreshed from xen/domain on each stop and
// from the exit code / closing line when the session ends; a click reveals the Hypercalls view or the crash diagnostic.

import * as vscode from 'vscode';
import { DEBUG_TYPE, SessionMessage, XenSessionWatch } from './session-access';
import { crashDiagnostic, StatusInput, statusView, StatusView } from './status';

/** How long the final state stays in the status bar after a session ended. */
const LINGER_MS = 60_000;

export class XenStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('xenpv.status', vscode.StatusBarAlignment.Left, 5);
  private readonly inputs = new Map<string, StatusInput>();
  private readonly generations = new Map<string, number>();
  private shownId: string | undefined;
  private view: StatusView | undefined;
  private hideTimer: NodeJS.Timeout | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly watch: XenSessionWatch, private readonly output: vscode.OutputChannel) {
    this.item.name = 'Xen PV domain';
    this.item.command = 'xenpv.statusClicked';
    this.subs.push(this.item);
    this.subs.push(watch.onDidMessage((m) => this.onMessage(m)));
    this.subs.push(vscode.debug.onDidStartDebugSession((s) => {
      if (s.type !== DEBUG_TYPE) return;
      if (!this.inputs.has(s.id)) this.inputs.set(s.id, { state: 'running' });   // the tracker may have seen it stop already
      this.show(s.id);
    }));
    this.subs.push(vscode.debug.onDidTerminateDebugSession((s) => {
      const i = this.inputs.get(s.id);
      if (!i) return;
      i.state = 'ended';
      const f = watch.factsOf(s);
      i.exit = f.exit ?? i.exit;
      this.render(s.id);
      this.inputs.delete(s.id);
      if (this.shownId === s.id) this.hideLater();
    }));
    this.subs.push(vscode.debug.onDidChangeActiveDebugSession((s) => { if (s && this.inputs.has(s.id)) this.show(s.id); }));
    this.subs.push(vscode.commands.registerCommand('xenpv.statusClicked', () => this.clicked()));
    this.subs.push(vscode.commands.registerCommand('xenpv.showCrashDiagnostic', () => this.showCrash()));
  }

  /** What the item shows now (undefined: hidden). For tests and the extension API. */
  current(): StatusView | undefined { return this.view; }

  private onMessage({ session, toAdapter, message: m }: SessionMessage): void {
    const i = this.inputs.get(session.id) ?? { state: 'running' as const };
    this.inputs.set(session.id, i);
    if (toAdapter) {
      if (m.type === 'request' && /^(continue|next|stepIn|stepOut|stepBack|reverseContinue|goto)$/.test(m.command ?? '')) { i.state = 'running'; i.stop = undefined; this.bump(session.id); this.render(session.id); }
      return;
    }
    if (m.type !== 'event') return;
    if (m.event === 'stopped') {
      i.state = 'stopped';
      i.stop = watchStop(m.body);
      this.render(session.id);
      void this.readDomain(session);
    } else if (m.event === 'continued') {
      i.state = 'running'; i.stop = undefined; this.bump(session.id); this.render(session.id);
    } else if (m.event === 'exited' || m.event === 'terminated') {
      i.state = 'ended';
      i.exit = this.watch.factsOf(session).exit ?? i.exit;
      this.render(session.id);
    }
  }

  private bump(id: string): number {
    const g = (this.generations.get(id) ?? 0) + 1;
    this.generations.set(id, g);
    return g;
  }

  /** xen/domain at this stop (side-effect free); a refusal means a bare machine (or an old adapter). */
  private async readDomain(s: vscode.DebugSession): Promise<void> {
    const gen = this.bump(s.id);
    const known = this.inputs.get(s.id);
    if (known?.kind === 'bare') return;   // asked once: a bare machine has no domain (and a refusal may pop up a toast)
    let domain: Record<string, unknown> | undefined, error: string | undefined;
    try { domain = await this.watch.requestTo<Record<string, unknown>>(s, 'xen/domain'); } catch (e) { error = (e as Error).message; }
    const i = this.inputs.get(s.id);
    if (!i || this.generations.get(s.id) !== gen) return;
    i.domain = domain;
    i.domainError = error;
    if (typeof domain?.kind === 'string') i.kind = domain.kind;
    else if (error && /needs a Xen PV guest|bare machine/.test(error)) i.kind = 'bare';
    this.render(s.id);
  }

  private show(id: string): void {
    if (this.hideTimer) { clearTimeout(this.hideTimer); this.hideTimer = undefined; }
    this.shownId = id;
    this.render(id);
  }

  private render(id: string): void {
    const active = vscode.debug.activeDebugSession;
    if (this.shownId !== id && active?.id !== id) return;
    this.shownId = id;
    const i = this.inputs.get(id);
    if (!i) return;
    const v = statusView(i);
    this.view = v;
    this.lastInput = { ...i };
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor = v.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : v.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  private lastInput: StatusInput | undefined;

  private hideLater(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => { this.hideTimer = undefined; this.item.hide(); this.view = undefined; this.shownId = undefined; }, LINGER_MS);
  }

  private async clicked(): Promise<void> {
    if (this.view?.action === 'crash') return this.showCrash();
    await vscode.commands.executeCommand('workbench.view.debug');
    await vscode.commands.executeCommand('xenpv.hypercalls.focus');
  }

  /** The crash diagnostic in the output channel and a warning (not modal: never blocks a test or a user). */
  private showCrash(): void {
    const text = this.lastInput ? crashDiagnostic(this.lastInput) : undefined;
    if (!text) { void vscode.window.showInformationMessage('The domain has not crashed.'); return; }
    this.output.appendLine(`[crash] ${text}`);
    void vscode.window.showWarningMessage(`Xen crashed the domain: ${text}`, 'Show Hypercalls', 'Open Output').then((pick) => {
      if (pick === 'Show Hypercalls') void vscode.commands.executeCommand('xenpv.hypercalls.focus');
      else if (pick === 'Open Output') this.output.show(true);
    });
  }

  dispose(): void {
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.subs.forEach((d) => d.dispose());
  }
}

function watchStop(b: Record<string, unknown> | undefined): StatusInput['stop'] {
  const s = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  return { reason: s(b?.reason), description: s(b?.description), text: s(b?.text) };
}
