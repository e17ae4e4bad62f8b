// Access to the active xenpv debug session for the views: custom DAP requests with a timeout, and the
// session's run state (stopped/running) as seen by a DebugAdapterTracker.

import * as vscode from 'vscode';

export const DEBUG_TYPE = 'xenpv';
const REQUEST_TIMEOUT_MS = 5000;

export type RunState = 'none' | 'running' | 'stopped';

/** A DAP message between VS Code and a xenpv adapter, as the tracker saw it. */
export interface DapMessage { type?: string; event?: string; command?: string; success?: boolean; message?: string; body?: Record<string, unknown>; arguments?: Record<string, unknown> }
export interface SessionMessage { session: vscode.DebugSession; toAdapter: boolean; message: DapMessage }

/** What a session said last: its stop event, exit code and the adapter's closing "[xenpv] …" line. */
export interface SessionFacts {
  stop?: { reason?: string; description?: string; text?: string };
  exit?: { code?: number; text?: string };
}

export class XenSessionWatch implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RunState>();
  /** Fires on every stop, continue, invalidated event and session start/end. */
  readonly onDidChange = this.emitter.event;
  private readonly states = new Map<string, RunState>();
  private readonly facts = new Map<string, SessionFacts>();
  private readonly messages = new vscode.EventEmitter<SessionMessage>();
  /** Every DAP message of every xenpv session (after the run state is updated). */
  readonly onDidMessage = this.messages.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    const watch = this;
    this.subs.push(vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker(session) {
        return {
          onDidSendMessage(m: DapMessage) {
            if (m.type === 'event') {
              watch.note(session, m);
              if (m.event === 'stopped') watch.set(session, 'stopped');
              else if (m.event === 'continued') watch.set(session, 'running');
              else if (m.event === 'invalidated' || m.event === 'memory') watch.set(session, watch.stateOf(session));
              else if (m.event === 'terminated' || m.event === 'exited') watch.set(session, 'none');
            }
            watch.messages.fire({ session, toAdapter: false, message: m });
          },
          onWillReceiveMessage(m: DapMessage) {
            if (m.type === 'request' && /^(continue|next|stepIn|stepOut|stepBack|reverseContinue|goto|restart)$/.test(m.command ?? '')) {
              watch.factsOf(session).stop = undefined;
              watch.set(session, 'running');
            }
            watch.messages.fire({ session, toAdapter: true, message: m });
          },
          onExit(code?: number) {
            const f = watch.factsOf(session);
            if (!f.exit && code !== undefined) f.exit = { code };
            watch.set(session, 'none');
          },
        };
      },
    }));
    this.subs.push(vscode.debug.onDidChangeActiveDebugSession(() => this.emitter.fire(this.state())));
    this.subs.push(vscode.debug.onDidTerminateDebugSession((s) => { this.states.delete(s.id); this.facts.delete(s.id); this.emitter.fire(this.state()); }));
  }

  /** Remember the stop event, the exit code and the adapter's "[xenpv] …" summary line of a session. */
  private note(s: vscode.DebugSession, m: DapMessage): void {
    const f = this.factsOf(s), b = m.body ?? {};
    if (m.event === 'stopped') f.stop = { reason: str(b.reason), description: str(b.description), text: str(b.text) };
    else if (m.event === 'exited') f.exit = { ...f.exit, code: typeof b.exitCode === 'number' ? b.exitCode : undefined };
    else if (m.event === 'output' && typeof b.output === 'string' && b.output.startsWith('[xenpv] ')) f.exit = { ...f.exit, text: b.output.slice(8).trim() };
  }

  factsOf(s: vscode.DebugSession): SessionFacts {
    let f = this.facts.get(s.id);
    if (!f) this.facts.set(s.id, (f = {}));
    return f;
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
    return this.requestTo<T>(s, command, args);
  }

  /** The same to a given session (e.g. the status bar's session, active or not). */
  async requestTo<T = unknown>(s: vscode.DebugSession, command: string, args?: object): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${command} timed out`)), REQUEST_TIMEOUT_MS); });
    try {
      return (await Promise.race([Promise.resolve(s.customRequest(command, args)), timeout])) as T;
    } finally { clearTimeout(timer); }
  }

  dispose(): void { this.subs.forEach((d) => d.dispose()); this.emitter.dispose(); this.messages.dispose(); }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
