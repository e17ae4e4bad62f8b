// User breakpoints (instruction, function, source line) with conditions, hit counts and logpoints, and the
// decision taken when the CPU stops at one: stop, log and go on, or just go on.

export type BreakpointKind = 'instruction' | 'function' | 'source';

export interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface UserBreakpoint {
  id: number;
  kind: BreakpointKind;
  /** Linear addresses the breakpoint is planted at (empty when unverified). */
  addresses: number[];
  verified: boolean;
  /** Why it is not verified, or where it landed. */
  message?: string;
  /** Source breakpoints: file and the line it was moved to. */
  file?: string;
  line?: number;
  options: BreakpointOptions;
  hits: number;
}

/** Parsed hit condition: "5" or ">= 5" (break from the 5th hit on), "== 5", "> 5", "< 5", "<= 5", "% 5" (every 5th). */
export function parseHitCondition(text: string): ((hits: number) => boolean) | string {
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return `invalid hit condition '${text}' (use N, >= N, == N, > N, < N, <= N or % N)`;
  const n = Number(m[2]);
  switch (m[1] ?? '>=') {
    case '>=': return (h) => h >= n;
    case '<=': return (h) => h <= n;
    case '==': case '=': return (h) => h === n;
    case '>': return (h) => h > n;
    case '<': return (h) => h < n;
    default: return n === 0 ? 'hit condition % 0 divides by zero' : (h) => h % n === 0;
  }
}

export interface HitDecision {
  /** Breakpoints that want the CPU to stop (empty: keep running). */
  stop: UserBreakpoint[];
  /** Logpoint messages to print. */
  logs: string[];
  /** Condition problems, reported to the user (a broken condition stops, like other debuggers do). */
  errors: string[];
}

export class BreakpointStore {
  private nextId = 1;
  private instruction: UserBreakpoint[] = [];
  private functions: UserBreakpoint[] = [];
  private readonly sources = new Map<string, UserBreakpoint[]>();

  newId(): number { return this.nextId++; }

  make(kind: BreakpointKind, addresses: number[], options: BreakpointOptions, message?: string): UserBreakpoint {
    const hit = options.hitCondition ? parseHitCondition(options.hitCondition) : undefined;
    const verified = addresses.length > 0 && typeof hit !== 'string';
    return {
      id: this.newId(), kind, addresses, verified, options, hits: 0,
      message: typeof hit === 'string' ? hit : message,
    };
  }

  setInstruction(bps: UserBreakpoint[]): void { this.instruction = bps; }
  setFunctions(bps: UserBreakpoint[]): void { this.functions = bps; }
  setSource(file: string, bps: UserBreakpoint[]): void {
    if (bps.length === 0) this.sources.delete(file); else this.sources.set(file, bps);
  }
  sourceFiles(): string[] { return [...this.sources.keys()]; }
  sourceBreakpoints(file: string): UserBreakpoint[] { return this.sources.get(file) ?? []; }

  all(): UserBreakpoint[] {
    const out = [...this.instruction, ...this.functions];
    for (const list of this.sources.values()) out.push(...list);
    return out;
  }
  /** Every planted address. */
  addresses(): Set<number> {
    const s = new Set<number>();
    for (const bp of this.all()) if (bp.verified) for (const a of bp.addresses) s.add(a);
    return s;
  }
  at(addr: number): UserBreakpoint[] { return this.all().filter((bp) => bp.verified && bp.addresses.includes(addr)); }
  resetHits(): void { for (const bp of this.all()) bp.hits = 0; }

  /**
   * Decide what breakpoints at addr do. evalCondition returns the condition's value (throws on a bad
   * expression); interpolate expands {expr} in a log message.
   */
  decide(addr: number, evalCondition: (expr: string) => bigint, interpolate: (msg: string) => string): HitDecision {
    const d: HitDecision = { stop: [], logs: [], errors: [] };
    for (const bp of this.at(addr)) {
      const o = bp.options;
      if (o.condition && o.condition.trim() !== '') {
        let ok: boolean;
        try { ok = evalCondition(o.condition) !== 0n; } catch (e) {
          d.errors.push(`breakpoint ${bp.id}: condition '${o.condition}': ${(e as Error).message}`);
          d.stop.push(bp);
          continue;
        }
        if (!ok) continue;
      }
      bp.hits++;
      if (o.hitCondition && o.hitCondition.trim() !== '') {
        const hc = parseHitCondition(o.hitCondition);
        if (typeof hc === 'string' || !hc(bp.hits)) continue;
      }
      if (o.logMessage !== undefined && o.logMessage !== '') d.logs.push(interpolate(o.logMessage));
      else d.stop.push(bp);
    }
    return d;
  }
}

/** Expand {expression} parts of a logpoint message ({{ and }} are literal braces). */
export function interpolateMessage(msg: string, evaluate: (expr: string) => string): string {
  let out = '';
  for (let i = 0; i < msg.length; i++) {
    const c = msg[i];
    if (c === '{' && msg[i + 1] === '{') { out += '{'; i++; continue; }
    if (c === '}' && msg[i + 1] === '}') { out += '}'; i++; continue; }
    if (c === '{') {
      const end = msg.indexOf('}', i + 1);
      if (end < 0) { out += msg.slice(i); break; }
      const expr = msg.slice(i + 1, end);
      try { out += evaluate(expr); } catch (e) { out += `<${(e as Error).message}>`; }
      i = end;
      continue;
    }
    out += c;
  }
  return out;
}
