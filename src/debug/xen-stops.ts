// Decides Xen stops for the runtime: `hypercall:` function breakpoints (conditions on arguments, hit counts,
// logpoints) and the exception filters (all/failed hypercalls, guest faults and int3 / `int $n` bounces, domain crash).

import type { Cpu } from '../cpu/cpu';
import type { Vcpu } from '../xen/vcpu';
import { hexAddr } from '../common/bits';
import type { EvalContext } from './expressions';
import { evaluateExpression } from './expressions';
import { BreakpointStore, UserBreakpoint, BreakpointOptions, parseHitCondition, interpolateMessage } from './breakpoints';
import type { MachineStop } from './machine';
import type { XenDebugMachine, GuestFaultEvent } from './xen-machine';
import { HypercallEvent, HypercallSpec, HYPERCALL_PREFIX, parseHypercallSpec, specMatches, describeHypercall, hypercallRegister } from './xen-hypercalls';

/** The exception filters advertised in the initialize response (DAP ExceptionBreakpointsFilter). */
export const XEN_EXCEPTION_FILTERS = [
  { filter: 'all-hypercalls', label: 'All hypercalls', description: 'Stop after every hypercall, with its result decoded', default: false, supportsCondition: true, conditionDescription: 'e.g. nr == 18, arg0 == 2, (s64)result < 0' },
  { filter: 'failed-hypercalls', label: 'Failed hypercalls', description: 'Stop after a hypercall that returns an error (-EINVAL, -EPERM, ...) with Xen\'s reason', default: false, supportsCondition: true, conditionDescription: 'e.g. nr == 1 (mmu_update only)' },
  { filter: 'guest-faults', label: 'Guest faults', description: 'Stop when the CPU raises an exception (or int3 / int $n) Xen is about to bounce to the guest', default: false, supportsCondition: true, conditionDescription: 'e.g. vector == 14 (page faults only)' },
  { filter: 'domain-crash', label: 'Domain crash', description: 'Stop when Xen crashes the domain (otherwise the session just ends)', default: true },
];

export interface PolicyHost {
  evalContext(cpu: Cpu): EvalContext;
  log(text: string, category: 'console' | 'stderr'): void;
}

interface HcBp { bp: UserBreakpoint; spec: HypercallSpec; }

export class XenStopPolicy {
  private hcBps: HcBp[] = [];
  /** Enabled filters and their conditions. */
  private readonly filters = new Map<string, string | undefined>([['domain-crash', undefined]]);

  constructor(private readonly host: PolicyHost) {}

  static isHypercallName(name: string): boolean { return name.trim().toLowerCase().startsWith(HYPERCALL_PREFIX); }

  /** Make the breakpoint for a `hypercall:` function breakpoint request (unverified with a reason when bad). */
  makeBreakpoint(store: BreakpointStore, name: string, opts: BreakpointOptions, xen: boolean): UserBreakpoint {
    const spec = parseHypercallSpec(name.trim());
    if (typeof spec === 'string') return store.make('function', [], opts, spec);
    if (!xen) return store.make('function', [], opts, 'hypercall breakpoints need a Xen PV guest (an image with Xen ELF notes)');
    const bp = store.make('function', [], opts);
    const hc = opts.hitCondition ? parseHitCondition(opts.hitCondition) : undefined;
    bp.verified = typeof hc !== 'string';
    bp.message = typeof hc === 'string' ? hc : `${spec.phase === 'exit' ? 'after' : 'at'} hypercall ${spec.name} (${spec.nr})${spec.subopName ? ` sub-op ${spec.subopName} (${spec.subop})` : ''}`;
    this.hcBps.push({ bp, spec });
    return bp;
  }

  /** Forget the hypercall breakpoints (a new setFunctionBreakpoints request). */
  clearBreakpoints(): void { this.hcBps = []; }

  /** setExceptionBreakpoints: throws on an unknown filter id. */
  setFilters(filters: string[], options: { filterId: string; condition?: string }[]): void {
    const known = new Set(XEN_EXCEPTION_FILTERS.map((f) => f.filter));
    this.filters.clear();
    for (const f of filters) { if (!known.has(f)) throw new Error(`unknown exception filter '${f}' (known: ${[...known].join(', ')})`); this.filters.set(f, undefined); }
    for (const o of options) {
      if (!known.has(o.filterId)) throw new Error(`unknown exception filter '${o.filterId}'`);
      this.filters.set(o.filterId, o.condition && o.condition.trim() !== '' ? o.condition : undefined);
    }
  }

  get enabledFilters(): string[] { return [...this.filters.keys()]; }

  /** Attach to a Xen machine (its watch hooks call back into this policy). */
  install(m: XenDebugMachine): void {
    m.stopOnCrash = this.filters.has('domain-crash');
    m.watch.hypercallEntry = (e, cpu) => this.onHypercall(e, cpu);
    m.watch.hypercallExit = (e, cpu) => this.onHypercall(e, cpu);
    m.watch.guestFault = (e, cpu) => this.onFault(m, e, cpu);
    m.watch.softwareInterrupt = (e) => this.softwareInterruptStop(m, m.vcpu(e.vcpu), e.vector);
  }

  /**
   * int3 / into / int1 / `int $n` about to be bounced (they reach the hypervisor as software interrupts, not CPU faults):
   * the guest-faults filter's stop, or null. `int $n` through a gate the guest may not use is left alone: the CPU
   * raises #GP(n*8+2), which the fault path reports.
   */
  private softwareInterruptStop(m: XenDebugMachine, v: Vcpu, vector: number): MachineStop | null {
    if (!this.filters.has('guest-faults') || m.domain.state !== 'running') return null;
    const cpu = v.cpu;
    const exceptionLike = vector === 1 || vector === 3 || vector === 4;
    if (!exceptionLike && (v.trapCtxt[vector].flags & 3) < (v.guestKernelMode() ? 1 : 3)) return null;
    const name = vector === 3 ? '#BP' : vector === 4 ? '#OF' : vector === 1 ? '#DB' : `int $0x${vector.toString(16)}`;
    return this.onFault(m, { vcpu: v.id, vector, name, errorCode: -1, rip: cpu.insnRip, cr2: cpu.cr2 }, cpu, !exceptionLike);
  }

  /** Re-apply filter-dependent machine settings after setFilters. */
  update(m: XenDebugMachine | undefined): void { if (m) m.stopOnCrash = this.filters.has('domain-crash'); }

  private context(cpu: Cpu, lookup: (name: string) => bigint | undefined): EvalContext {
    const base = this.host.evalContext(cpu);
    return { ...base, register: (n) => lookup(n) ?? base.register(n) };
  }

  /** A filter condition: true when absent; a broken condition stops and says why. */
  private filterCondition(id: string, ctx: EvalContext, errors: string[]): boolean {
    const cond = this.filters.get(id);
    if (cond === undefined) return true;
    try { return evaluateExpression(cond, ctx).value !== 0n; } catch (e) { errors.push(`exception filter ${id}: condition '${cond}': ${(e as Error).message}`); return true; }
  }

  private onHypercall(e: HypercallEvent, cpu: Cpu): MachineStop | null {
    const ctx = this.context(cpu, (n) => hypercallRegister(e, n));
    const stops: number[] = [];
    const errors: string[] = [];
    for (const { bp, spec } of this.hcBps) {
      if (!bp.verified || !specMatches(spec, e)) continue;
      const o = bp.options;
      if (o.condition && o.condition.trim() !== '') {
        let ok = true;
        try { ok = evaluateExpression(o.condition, ctx).value !== 0n; } catch (err) { errors.push(`breakpoint ${bp.id}: condition '${o.condition}': ${(err as Error).message}`); stops.push(bp.id); continue; }
        if (!ok) continue;
      }
      bp.hits++;
      if (o.hitCondition && o.hitCondition.trim() !== '') {
        const hc = parseHitCondition(o.hitCondition);
        if (typeof hc === 'string' || !hc(bp.hits)) continue;
      }
      if (o.logMessage) {
        this.host.log(interpolateMessage(o.logMessage, (x) => { const v = evaluateExpression(x, ctx); return v.signed ? v.value.toString() : `0x${v.value.toString(16)}`; }), 'console');
      } else stops.push(bp.id);
    }
    for (const err of errors) this.host.log(err, 'stderr');
    const text = describeHypercall(e);
    if (stops.length) return { kind: 'event', reason: 'function breakpoint', text, hitBreakpointIds: stops };
    if (e.phase !== 'exit') return null;
    const failed = (e.result ?? 0) < 0;
    if (failed && this.filters.has('failed-hypercalls') && this.filterCondition('failed-hypercalls', ctx, errors)) {
      const why = e.diagnostic ? `: ${e.diagnostic}` : '';
      return { kind: 'exception', id: e.resultText ?? String(e.result), resumable: true, exitCode: 0, description: `hypercall ${e.name} failed with ${e.resultText}`,
        text: `hypercall ${e.name}(${e.decoded}) failed with ${e.resultText}${why}` };
    }
    if (this.filters.has('all-hypercalls') && this.filterCondition('all-hypercalls', ctx, errors)) {
      return { kind: 'exception', id: 'hypercall', resumable: true, exitCode: 0, description: text, text };
    }
    return null;
  }

  private onFault(m: XenDebugMachine, e: GuestFaultEvent, cpu: Cpu, software = false): MachineStop | null {
    if (!this.filters.has('guest-faults')) return null;
    const ctx = this.context(cpu, (n) => n === 'vector' ? BigInt(e.vector) : n === 'error_code' || n === 'errorCode' ? BigInt(e.errorCode < 0 ? 0 : e.errorCode) : undefined);
    const errors: string[] = [];
    const ok = this.filterCondition('guest-faults', ctx, errors);
    for (const err of errors) this.host.log(err, 'stderr');
    if (!ok) return null;
    const trap = m.vcpu(e.vcpu).trapCtxt[e.vector];
    const handler = trap && trap.address !== 0
      ? `Xen will bounce it to the guest's handler 0x${hexAddr(trap.address)}${m.symbolize(trap.address) ? ` <${m.symbolize(trap.address)}>` : ''}`
      : 'the guest has no handler for it (Xen will crash the domain)';
    const ec = e.errorCode >= 0 ? ` error code 0x${e.errorCode.toString(16)}` : '';
    const cr2 = e.vector === 14 ? ` (cr2 0x${hexAddr(e.cr2)})` : '';
    const what = software ? 'software interrupt' : 'guest fault';
    return { kind: 'exception', id: e.name, resumable: true, exitCode: 0, description: `${what} ${e.name}`,
      text: `${what} ${e.name}${ec}${cr2} at rip 0x${hexAddr(e.rip)}; ${handler}` };
  }
}
