// Access to the active xenpv debug session for the views: custom DAP requests with a timeout, and the
// session's run state (stopped/running) as seen by a DebugAdapterTracker.

import * as vscode from 'vscode';

export const DEBUG_TYPE = 'xenpv';
const REQUEST_TIMEOUT_MS = 5000;

export type RunState = 'none' | 'running' | 'stopped';

export class XenSessionWatch implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RunState>();
  /** Fires on every stop, continue, invalidated event and session start/end. */
  readonly onDidChange = this.emitter.event;
  private readonly states = new Map<string, RunState>();
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    const watch = this;
    this.subs.push(vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker(session) {
        return {
          onDidSendMessage(m: { type?: string; event?: string }) {
            if (m.type !== 'event') return;
            if (m.event === 'stopped') watch.set(session, 'stopped');
            else if (m.event === 'continued') watch.set(session, 'running');
            else if (m.event === 'invalidated' || m.event === 'memory') watch.set(session, watch.stateOf(session));
            else if (m.event === 'terminated' || m.event === 'exited') watch.set(session, 'none');
          },
          onWillReceiveMessage(m: { type?: string; command?: string }) {
            if (m.type === 'request' && /^(continue|next|stepIn|stepOut|stepBack|reverseContinue|goto|restart)$/.test(m.command ?? '')) watch.set(session, 'running');
          },
          onExit() { watch.set(session, 'none'); },
        };
      },
    }));
    this.subs.push(vscode.debug.onDidChangeActiveDebugSession(() => this.emitter.fire(this.state())));
    this.subs.push(vscode.debug.onDidTerminateDebugSession((s) => { this.states.delete(s.id); this.emitter.fire(this.state()); }));
  }

  private set(s: vscode.DebugSession, st: RunState): void {
    this.states.set(s.id, st);
    if (s.id === this.session()?.id || !vscode.debug.activeDebugSession) this.emitter.fire(st);
  }

  stateOf(s: vscode.DebugSession): RunState { return this.states.get(s.id) ?? 'running'; }

  /** The active session if it is ours. */
  session(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s && s.type === DEBUG_TYPE ? s : undefined;
  }

  state(): RunState {
    const s = this.session();
    return s ? this.stateOf(s) : 'none';
  }

  /** Send a custom request to the active xenpv session (rejects on error, no session, or after a timeout). */
  async request<T = unknown>(command: string, args?: object): Promise<T> {
    const s = this.session();
    if (!s) throw new Error('no active xenpv debug session');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${command} timed out`)), REQUEST_TIMEOUT_MS); });
    try {
      return (await Promise.race([Promise.resolve(s.customRequest(command, args)), timeout])) as T;
    } finally { clearTimeout(timer); }
  }

  dispose(): void { this.subs.forEach((d) => d.dispose()); this.emitter.dispose(); }
}
