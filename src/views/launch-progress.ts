// Progress while a xenpv launch is slow: from the `launch` request until the first stop (or the launch response when
// the guest runs without stopOnEntry, or the end/failure), shown only when that takes longer than a delay. It follows
// the session's real DAP traffic (launch → initialized → launch response → stopped). Pure: the UI is injected.

export interface ProgressHandle { report(message: string): void; done(): void }
/** Opens the UI (a notification with a spinner); returns how to update and close it. */
export type ShowProgress = (title: string) => ProgressHandle;

interface Msg { type?: string; event?: string; command?: string; success?: boolean; arguments?: Record<string, unknown> }

interface Pending { timer?: ReturnType<typeof setTimeout>; handle?: ProgressHandle; stage: string; title: string; stopOnEntry: boolean }

export interface Timers { set(fn: () => void, ms: number): ReturnType<typeof setTimeout>; clear(t: ReturnType<typeof setTimeout>): void }
const realTimers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (t) => clearTimeout(t) };

export const LAUNCH_PROGRESS_DELAY_MS = 500;

export class LaunchProgress {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly show: ShowProgress, private readonly delayMs = LAUNCH_PROGRESS_DELAY_MS, private readonly timers: Timers = realTimers) {}

  /** Feed every DAP message of a session (toAdapter: a request from VS Code). */
  onMessage(sessionId: string, toAdapter: boolean, m: Msg): void {
    if (toAdapter) {
      if (m.type === 'request' && m.command === 'launch') this.begin(sessionId, m.arguments ?? {});
      return;
    }
    const p = this.pending.get(sessionId);
    if (!p) return;
    // The adapter reports its own progress (DAP progressStart, shown by VS Code): ours would be a second one.
    if (m.type === 'event' && m.event === 'progressStart') { this.end(sessionId); return; }
    if (m.type === 'event' && m.event === 'initialized') this.stage(p, 'image loaded, domain built; setting breakpoints…');
    else if (m.type === 'response' && m.command === 'launch') {
      if (m.success === false || !p.stopOnEntry) this.end(sessionId);
      else this.stage(p, 'starting the guest…');
    } else if (m.type === 'event' && (m.event === 'stopped' || m.event === 'terminated' || m.event === 'exited')) this.end(sessionId);
  }

  /** The session ended (e.g. the adapter exited before answering). */
  end(sessionId: string): void {
    const p = this.pending.get(sessionId);
    if (!p) return;
    this.pending.delete(sessionId);
    if (p.timer !== undefined) this.timers.clear(p.timer);
    p.handle?.done();
  }

  /** Sessions still waiting (for tests). */
  active(): number { return this.pending.size; }

  dispose(): void { for (const id of [...this.pending.keys()]) this.end(id); }

  private begin(sessionId: string, args: Record<string, unknown>): void {
    this.end(sessionId);
    const program = typeof args.program === 'string' ? args.program.split(/[\\/]/).pop() ?? args.program : 'guest';
    const source = /\.(s|S|asm)$/.test(program);
    const p: Pending = {
      title: `Xen PV: starting ${program}`, stopOnEntry: args.stopOnEntry !== false,
      stage: source ? 'assembling the guest source and building the domain…' : 'loading the ELF image and building the domain…',
    };
    p.timer = this.timers.set(() => {
      p.timer = undefined;
      if (this.pending.get(sessionId) !== p) return;
      p.handle = this.show(p.title);
      p.handle.report(p.stage);
    }, this.delayMs);
    this.pending.set(sessionId, p);
  }

  private stage(p: Pending, text: string): void {
    p.stage = text;
    p.handle?.report(text);
  }
}
