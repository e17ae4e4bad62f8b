// The DAP session: translates Debug Adapter Protocol requests into DebugRuntime calls and runtime events
// into DAP events. Decides nothing about execution; every failure becomes an error response.

import {
  LoggingDebugSession, InitializedEvent, StoppedEvent, OutputEvent, TerminatedEvent, ExitedEvent, Thread,
  StackFrame, Scope as DapScope, Source, Handles, BreakpointEvent, MemoryEvent, InvalidatedEvent,
  ProgressStartEvent, ProgressUpdateEvent, ProgressEndEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'path';
import { DebugRuntime, LaunchOptions, LaunchProgress, StoppedInfo, FrameInfo } from './runtime';
import type { UserBreakpoint } from './breakpoints';
import type { DataBreakpoint } from './watchpoints';
import type { VarNode } from './variables';
import { toHex } from './guest-memory';
import { XEN_EXCEPTION_FILTERS } from './xen-stops';
import { CUSTOM_REQUESTS } from './custom-requests';

interface LaunchArgs extends DebugProtocol.LaunchRequestArguments, LaunchOptions {}

type Container = () => VarNode[];

const ERR_GENERIC = 3000;

export class XenDebugSession extends LoggingDebugSession {
  private readonly runtime = new DebugRuntime();
  private readonly handles = new Handles<Container>();
  /** Nodes last listed per variablesReference (for setVariable). */
  private readonly listed = new Map<number, VarNode[]>();
  /** variablesReferences inside a registers scope (no data breakpoints: registers are not memory). */
  private readonly registerRefs = new Set<number>();
  /** The client announced supportsProgressReporting (initialize): launch reports progressStart/Update/End. */
  private clientProgress = false;
  private progressSeq = 0;
  private configurationDone: Promise<void>;
  private resolveConfigurationDone: () => void = () => {};

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configurationDone = new Promise((r) => { this.resolveConfigurationDone = r; });
    const rt = this.runtime;
    rt.on('stopped', (s: StoppedInfo) => {
      this.resetHandles();
      const ev = new StoppedEvent(s.reason, s.threadId, s.text) as DebugProtocol.StoppedEvent;
      ev.body.description = s.description;
      ev.body.allThreadsStopped = true;
      if (s.hitBreakpointIds) ev.body.hitBreakpointIds = s.hitBreakpointIds;
      this.sendEvent(ev);
    });
    rt.on('output', (text: string, category: string) => this.sendEvent(new OutputEvent(text, category)));
    rt.on('exited', (code: number) => this.sendEvent(new ExitedEvent(code)));
    rt.on('terminated', () => this.sendEvent(new TerminatedEvent()));
    rt.on('memory', (ref: string, offset: number, count: number) => this.sendEvent(new MemoryEvent(ref, offset, count)));
    rt.on('breakpointsChanged', (bps: UserBreakpoint[]) => {
      for (const bp of bps) this.sendEvent(new BreakpointEvent('changed', this.toDapBreakpoint(bp)));
    });
    rt.on('dataBreakpointsChanged', (bps: DataBreakpoint[]) => {
      for (const bp of bps) this.sendEvent(new BreakpointEvent('changed', this.toDapDataBreakpoint(bp)));
    });
  }

  private resetHandles(): void { this.handles.reset(); this.listed.clear(); this.registerRefs.clear(); }

  /**
   * Run a handler; any exception becomes an error response (the adapter never dies on bad input). quiet: the client
   * should not pop the error up (view polling, watch and hover evaluation fail routinely, e.g. after the program ended).
   */
  private guard<T extends DebugProtocol.Response>(response: T, fn: () => void, quiet = false): void {
    try { fn(); } catch (e) { this.fail(response, e, quiet); }
  }
  private fail(response: DebugProtocol.Response, e: unknown, quiet = false): void {
    const message = e instanceof Error ? e.message : String(e);
    this.sendErrorResponse(response, { id: ERR_GENERIC, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: !quiet });
  }

  /**
   * Run a launch step, with DAP progress events around it when the client supports them: progressStart, one
   * progressUpdate (message, percentage) per stage the runtime reports, progressEnd (also when the step fails).
   */
  private withProgress<T>(title: string, fn: (report: LaunchProgress) => T): T {
    if (!this.clientProgress) return fn(() => {});
    const id = `xenpv-launch-${++this.progressSeq}`;
    const start = new ProgressStartEvent(id, title) as DebugProtocol.ProgressStartEvent;
    start.body.cancellable = false;
    start.body.percentage = 0;
    this.sendEvent(start);
    let ok = false;
    try {
      const r = fn((message, percentage) => {
        const u = new ProgressUpdateEvent(id, message) as DebugProtocol.ProgressUpdateEvent;
        u.body.percentage = percentage;
        this.sendEvent(u);
      });
      ok = true;
      return r;
    } finally { this.sendEvent(new ProgressEndEvent(id, ok ? 'ready' : 'failed')); }
  }

  private static programName(args: { program?: unknown } | undefined): string {
    return typeof args?.program === 'string' && args.program.trim() !== '' ? path.basename(args.program) : 'guest';
  }

  // ------------------------------------------------------------------ setup
  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientProgress = args?.supportsProgressReporting === true;
    response.body = {
      ...(response.body ?? {}),
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsInstructionBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsSteppingGranularity: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsExceptionInfoRequest: true,
      supportsValueFormattingOptions: false,
      supportsStepBack: false,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      exceptionBreakpointFilters: XEN_EXCEPTION_FILTERS,
      supportsExceptionFilterOptions: true,
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.resolveConfigurationDone();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArgs): Promise<void> {
    try {
      this.withProgress(`Xen PV: starting ${XenDebugSession.programName(args)}`, (report) => this.runtime.launch(args, report));
    } catch (e) { this.fail(response, e); return; }
    this.sendEvent(new InitializedEvent());
    // wait for the client's breakpoints (configurationDone), but not forever
    await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 2000))]);
    this.sendResponse(response);
    this.runtime.start();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    this.guard(response, () => {
      const newArgs = (args?.arguments ?? undefined) as LaunchArgs | undefined;
      this.resetHandles();
      const opts = newArgs && typeof newArgs.program === 'string' ? newArgs : undefined;
      this.withProgress(`Xen PV: restarting ${XenDebugSession.programName(opts ?? this.runtime.launchOptions)}`, (report) => this.runtime.restart(report, opts));
      this.sendResponse(response);
      this.runtime.start();
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.runtime.terminate();
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime.dispose();
    this.sendResponse(response);
  }

  // ------------------------------------------------------------------ execution
  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.runtime.threads().map((t) => new Thread(t.id, t.name)) };
    this.sendResponse(response);
  }

  private requireStopped(): void {
    if (!this.runtime.machine) throw new Error('no program is running');
    if (this.runtime.isEnded) throw new Error('the program has ended');
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.guard(response, () => {
      this.requireStopped();
      this.resetHandles();
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      this.runtime.continue();
    });
  }

  private doStep(response: DebugProtocol.Response, kind: 'over' | 'in' | 'out', args: { threadId?: number; granularity?: string } | undefined): void {
    this.guard(response, () => {
      this.requireStopped();
      if (this.runtime.isRunning) throw new Error('cannot step while running');
      const tid = typeof args?.threadId === 'number' ? args.threadId : 1;
      this.runtime.cpuOf(tid); // validates the thread
      this.resetHandles();
      this.sendResponse(response);
      this.runtime.step(kind, tid, args?.granularity);
    });
  }
  protected override nextRequest(r: DebugProtocol.NextResponse, a: DebugProtocol.NextArguments): void { this.doStep(r, 'over', a); }
  protected override stepInRequest(r: DebugProtocol.StepInResponse, a: DebugProtocol.StepInArguments): void { this.doStep(r, 'in', a); }
  protected override stepOutRequest(r: DebugProtocol.StepOutResponse, a: DebugProtocol.StepOutArguments): void { this.doStep(r, 'out', a); }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.guard(response, () => { this.requireStopped(); this.sendResponse(response); this.runtime.pause(); });
  }

  // ------------------------------------------------------------------ breakpoints
  private toDapBreakpoint(bp: UserBreakpoint): DebugProtocol.Breakpoint {
    const out: DebugProtocol.Breakpoint = { id: bp.id, verified: bp.verified };
    if (bp.message) out.message = bp.message;
    if (bp.addresses.length) out.instructionReference = `0x${toHex(bp.addresses[0])}`;
    if (bp.kind === 'source' && bp.file) {
      out.source = new Source(path.basename(bp.file), this.convertDebuggerPathToClient(bp.file));
      if (bp.line !== undefined) out.line = this.convertDebuggerLineToClient(bp.line);
    }
    return out;
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.guard(response, () => {
      const file = args?.source?.path;
      if (typeof file !== 'string') throw new Error('setBreakpoints needs source.path');
      const reqs = (Array.isArray(args.breakpoints) ? args.breakpoints : (args.lines ?? []).map((line) => ({ line })))
        .map((b) => ({ line: this.convertClientLineToDebugger(Number(b.line)), condition: (b as DebugProtocol.SourceBreakpoint).condition, hitCondition: (b as DebugProtocol.SourceBreakpoint).hitCondition, logMessage: (b as DebugProtocol.SourceBreakpoint).logMessage }));
      const bps = this.runtime.setSourceBreakpoints(this.convertClientPathToDebugger(file), reqs);
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.guard(response, () => {
      if (!Array.isArray(args?.breakpoints)) throw new Error('setFunctionBreakpoints needs a breakpoints array');
      const bps = this.runtime.setFunctionBreakpoints(args.breakpoints.map((b) => ({ name: String(b.name), condition: b.condition, hitCondition: b.hitCondition })));
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.guard(response, () => {
      if (!Array.isArray(args?.breakpoints)) throw new Error('setInstructionBreakpoints needs a breakpoints array');
      const bps = this.runtime.setInstructionBreakpoints(args.breakpoints.map((b) => ({
        address: String(b.instructionReference), offset: typeof b.offset === 'number' ? b.offset : 0, condition: b.condition, hitCondition: b.hitCondition,
        logMessage: (b as { logMessage?: string }).logMessage,
      })));
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.guard(response, () => {
      const filters = Array.isArray(args?.filters) ? args.filters.map(String) : [];
      const options = Array.isArray(args?.filterOptions) ? args.filterOptions.map((o) => ({ filterId: String(o?.filterId), condition: typeof o?.condition === 'string' ? o.condition : undefined })) : [];
      this.runtime.setExceptionFilters(filters, options);
      response.body = { breakpoints: [...filters, ...options.map((o) => o.filterId)].map(() => ({ verified: true })) };
      this.sendResponse(response);
    });
  }

  private toDapDataBreakpoint(bp: DataBreakpoint): DebugProtocol.Breakpoint {
    const out: DebugProtocol.Breakpoint = { id: bp.id, verified: bp.verified };
    if (bp.message) out.message = bp.message;
    return out;
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      if (!args || typeof args !== 'object') throw new Error('dataBreakpointInfo needs arguments');
      const name = typeof args.name === 'string' ? args.name : '';
      const ref = Number(args.variablesReference);
      if (args.variablesReference !== undefined && ref !== 0) {
        // a variable of a scope: registers are not memory; other views hold no guest memory locations
        const node = (this.listed.get(ref) ?? this.handles.get(ref)?.())?.find((n) => n.name === name);
        const description = this.registerRefs.has(ref)
          ? `${name} is a register, not memory: data breakpoints watch memory (watch *(u64*)${node?.evaluateName ?? name} for the memory it points to)`
          : node ? `${name} is not a guest memory location` : `no variable '${name}' in this scope`;
        response.body = { dataId: null, description };
        this.sendResponse(response);
        return;
      }
      const threadId = args.frameId !== undefined ? ((Number(args.frameId) >>> 16) & 0xffff) + 1 : 1;
      const bytes = args.bytes === undefined ? undefined : Number(args.bytes);
      const info = this.runtime.dataBreakpointInfo(args.name, threadId, bytes, args.asAddress === true);
      response.body = { dataId: info.dataId, description: info.description };
      if (info.accessTypes) response.body.accessTypes = info.accessTypes;
      if (info.canPersist !== undefined) response.body.canPersist = info.canPersist;
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      if (!Array.isArray(args?.breakpoints)) throw new Error('setDataBreakpoints needs a breakpoints array');
      const reqs = args.breakpoints.map((b, i) => {
        if (!b || typeof b !== 'object' || typeof b.dataId !== 'string') throw new Error(`setDataBreakpoints: breakpoint ${i} needs a dataId string`);
        return {
          dataId: b.dataId, accessType: b.accessType === undefined ? undefined : String(b.accessType),
          condition: typeof b.condition === 'string' ? b.condition : undefined, hitCondition: typeof b.hitCondition === 'string' ? b.hitCondition : undefined,
        };
      });
      const bps = this.runtime.setDataBreakpoints(reqs);
      response.body = { breakpoints: bps.map((b) => this.toDapDataBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.guard(response, () => {
      const info = this.runtime.exceptionInfo();
      if (!info) throw new Error('the program is not stopped at an exception');
      response.body = { exceptionId: info.id, description: info.text, breakMode: 'always', details: { message: info.text } };
      this.sendResponse(response);
    });
  }

  // ------------------------------------------------------------------ inspection
  private frameSource(f: FrameInfo): { source?: Source; line: number; column: number } {
    if (!f.row) return { line: 0, column: 0 };
    return {
      source: new Source(path.basename(f.row.file), this.convertDebuggerPathToClient(f.row.file)),
      line: this.convertDebuggerLineToClient(f.row.line),
      column: this.convertDebuggerColumnToClient(Math.max(1, f.row.column)),
    };
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      this.requireStopped();
      const frames = this.runtime.stack(typeof args?.threadId === 'number' ? args.threadId : 1);
      const start = Math.max(0, args?.startFrame ?? 0);
      const end = args?.levels ? start + args.levels : frames.length;
      response.body = {
        totalFrames: frames.length,
        stackFrames: frames.slice(start, end).map((f) => {
          const loc = this.frameSource(f);
          const sf = new StackFrame(f.id, f.name, loc.source, loc.line, loc.column) as DebugProtocol.StackFrame;
          sf.instructionPointerReference = `0x${toHex(f.pc)}`;
          if (!loc.source) sf.presentationHint = 'subtle';
          return sf;
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      this.requireStopped();
      const threadId = ((Number(args?.frameId) >>> 16) & 0xffff) + 1;
      response.body = {
        scopes: this.runtime.scopes(threadId).map((s) => {
          const ref = this.handles.create(s.nodes);
          if (s.hint === 'registers') this.registerRefs.add(ref);
          const sc = new DapScope(s.name, ref, s.expensive ?? false) as DebugProtocol.Scope;
          if (s.hint) sc.presentationHint = s.hint;
          return sc;
        }),
      };
      this.sendResponse(response);
    });
  }

  private toDapVariable(n: VarNode, parent = 0): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = { name: n.name, value: n.value, variablesReference: n.children ? this.handles.create(n.children) : 0 };
    if (v.variablesReference && this.registerRefs.has(parent)) this.registerRefs.add(v.variablesReference);
    if (n.type) v.type = n.type;
    if (n.evaluateName) v.evaluateName = n.evaluateName;
    if (n.memoryReference) v.memoryReference = n.memoryReference;
    if (!n.set) v.presentationHint = { attributes: ['readOnly'] };
    return v;
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      const container = this.handles.get(Number(args?.variablesReference));
      if (!container) throw new Error(`unknown variablesReference ${args?.variablesReference}`);
      let nodes = container();
      this.listed.set(args.variablesReference, nodes);
      if (typeof args.start === 'number') nodes = nodes.slice(args.start, args.count ? args.start + args.count : undefined);
      response.body = { variables: nodes.map((n) => this.toDapVariable(n, args.variablesReference)) };
      this.sendResponse(response);
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.guard(response, () => {
      this.requireStopped();
      const ref = Number(args?.variablesReference);
      const nodes = this.listed.get(ref) ?? this.handles.get(ref)?.();
      const node = nodes?.find((n) => n.name === args.name);
      if (!node) throw new Error(`no variable '${args?.name}' in this scope`);
      if (!node.set) throw new Error(`${node.name} is read-only`);
      if (typeof args.value !== 'string') throw new Error('setVariable needs a value');
      const value = node.set(args.value);
      response.body = { value };
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    // watch and hover expressions are re-evaluated on every stop and fail routinely: no pop-ups (REPL errors show)
    const quiet = args?.context === 'watch' || args?.context === 'hover';
    this.guard(response, () => {
      if (typeof args?.expression !== 'string') throw new Error('evaluate needs an expression');
      if (!this.runtime.machine) throw new Error('no program is running');
      const threadId = args.frameId !== undefined ? ((Number(args.frameId) >>> 16) & 0xffff) + 1 : 1;
      const r = this.runtime.evaluate(args.expression, threadId, args.context);
      response.body = { result: r.result, variablesReference: 0 };
      if (r.memoryReference) response.body.memoryReference = r.memoryReference;
      this.sendResponse(response);
    }, quiet);
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.guard(response, () => {
      this.requireStopped();
      if (typeof args?.memoryReference !== 'string') throw new Error('readMemory needs a memoryReference');
      const count = Number(args.count);
      if (!Number.isInteger(count) || count < 0 || count > 16 * 1024 * 1024) throw new Error(`readMemory count must be 0..16 MiB, got ${args.count}`);
      const r = this.runtime.readMemoryRef(args.memoryReference, Number(args.offset) || 0, count);
      response.body = { address: r.address, data: Buffer.from(r.data).toString('base64') };
      if (r.unreadable) response.body.unreadableBytes = r.unreadable;
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.guard(response, () => {
      this.requireStopped();
      if (typeof args?.memoryReference !== 'string' || typeof args.data !== 'string') throw new Error('writeMemory needs memoryReference and data');
      const data = new Uint8Array(Buffer.from(args.data, 'base64'));
      this.runtime.writeMemoryRef(args.memoryReference, Number(args.offset) || 0, data);
      response.body = { bytesWritten: data.length };
      this.sendResponse(response);
    });
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.guard(response, () => {
      this.requireStopped();
      if (typeof args?.memoryReference !== 'string') throw new Error('disassemble needs a memoryReference');
      const count = Number(args.instructionCount);
      if (!Number.isInteger(count) || count < 0 || count > 10000) throw new Error(`instructionCount must be 0..10000, got ${args.instructionCount}`);
      const addr = this.runtime.addressOf(args.memoryReference) + (Number(args.offset) || 0);
      const lines = this.runtime.disassemble(addr, Number(args.instructionOffset) || 0, count);
      let lastFile = '';
      response.body = {
        instructions: lines.map((l) => {
          const d: DebugProtocol.DisassembledInstruction = { address: `0x${toHex(l.address)}`, instruction: l.text, instructionBytes: l.bytes.replace(/(..)(?!$)/g, '$1 ') };
          if (l.symbol && (args.resolveSymbols ?? true)) d.symbol = l.symbol;
          if (l.invalid) d.presentationHint = 'invalid';
          if (l.row) {
            if (l.row.file !== lastFile) d.location = new Source(path.basename(l.row.file), this.convertDebuggerPathToClient(l.row.file));
            lastFile = l.row.file;
            d.line = this.convertDebuggerLineToClient(l.row.line);
          }
          return d;
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (CUSTOM_REQUESTS.includes(command)) {
      // the views poll these on every stop; on a bare machine or after the end they fail: quietly, no pop-ups
      this.guard(response, () => {
        if (this.runtime.isEnded) throw new Error('the program has ended');
        const a = args && typeof args === 'object' && !Array.isArray(args) ? args as Record<string, unknown> : {};
        response.body = this.runtime.customRequest(command, a);
        this.sendResponse(response);
      }, true);
      return;
    }
    this.sendErrorResponse(response, { id: 1014, format: `unrecognized request '${String(command).replace(/[{}]/g, '')}'`, showUser: false });
  }
}
