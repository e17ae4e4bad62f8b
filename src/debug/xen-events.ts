// Side-effect-free reads of a domain's event channels, vCPU run states, virtual time and timers, and its xenstored
// request log, as rows for xen/eventChannels, xen/xenstore and xen/domain, the Xen scope and the `evtchn`/`xenstore` REPL.

import type { Domain } from '../xen';
import type { Vcpu } from '../xen/vcpu';
import type { EvtchnInfo } from '../xen/event-channels';
import type { XenstoreLogEntry } from '../xen/xenstore';
import { grantTableOf } from '../xen/grant-table';
import { VCPU_INFO, RUNSTATE_running, RUNSTATE_runnable, RUNSTATE_blocked, RUNSTATE_offline } from '../xen/public';
import type { VarNode } from './variables';
import { leaf } from './variables';
import type { XenDebugMachine } from './xen-machine';

/** RUNSTATE_* names (public/vcpu.h). */
export const RUNSTATE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [RUNSTATE_running]: 'running', [RUNSTATE_runnable]: 'runnable', [RUNSTATE_blocked]: 'blocked', [RUNSTATE_offline]: 'offline',
});
export const runstateName = (s: number): string => RUNSTATE_NAMES[s] ?? `state ${s}`;

export type EvtchnRow = EvtchnInfo;
export interface UpcallRow { vcpu: number; pending: number; mask: number; pendingSel: string; }

/** evtchn_pending_sel of vCPU v's vcpu_info (a xen_ulong_t: 64 bits on pv64, 32 on pv32) as "0x…". */
export function pendingSelOf(v: Vcpu): string {
  const pa = v.vcpuInfoPa + VCPU_INFO[v.kind].fields.evtchn_pending_sel, mem = v.cpu.mem;
  const lo = BigInt(mem.read32(pa) >>> 0), hi = v.is64 ? BigInt(mem.read32(pa + 4) >>> 0) : 0n;
  return `0x${((hi << 32n) | lo).toString(16)}`;
}

/** xen/eventChannels: every bound port (Xen's port list) and each vCPU's upcall state from its vcpu_info. */
export function eventChannelRows(d: Domain): { rows: EvtchnRow[]; upcall: UpcallRow[] } {
  const rows = d.evtchn.describe();
  const upcall = d.vcpus.map((v) => ({ vcpu: v.id, pending: v.upcallPending, mask: v.upcallMask, pendingSel: pendingSelOf(v) }));
  return { rows, upcall };
}

/** One port as text: "port 3  virq VIRQ_TIMER → vCPU0  pending masked". */
export function describePort(p: EvtchnRow): string {
  let what: string;
  switch (p.state) {
    case 'virq': what = `virq ${p.virqName ?? p.virq}`; break;
    case 'ipi': what = 'ipi'; break;
    case 'unbound': what = `unbound for d${p.remoteDomain ?? '?'}`; break;
    case 'interdomain': what = `interdomain d${p.remoteDomain ?? '?'}:${p.remotePort ?? '?'}${p.backend ? ` (${p.backend})` : ''}`; break;
    default: what = p.state;
  }
  const flags = [p.pending ? 'pending' : '', p.masked ? 'masked' : ''].filter(Boolean).join(' ');
  return `port ${p.port}  ${what} → vCPU${p.vcpu}${flags ? `  ${flags}` : ''}`;
}

/** REPL `evtchn`: the port table and the upcall state of every vCPU. */
export function formatEventChannels(r: { rows: EvtchnRow[]; upcall: UpcallRow[] }): string {
  const lines: string[] = [];
  if (r.rows.length === 0) lines.push('no event channels bound');
  else {
    lines.push(`${'port'.padStart(5)}  ${'state'.padEnd(12)} ${'vcpu'.padEnd(5)} ${'bound to'.padEnd(28)} flags`);
    for (const p of r.rows) {
      const to = p.state === 'virq' ? p.virqName ?? String(p.virq)
        : p.state === 'unbound' ? `d${p.remoteDomain}`
          : p.state === 'interdomain' ? `d${p.remoteDomain} port ${p.remotePort}${p.backend ? ` (${p.backend})` : ''}` : '-';
      const flags = [p.pending ? 'pending' : '', p.masked ? 'masked' : '', p.pending && p.masked ? '(held by the mask)' : ''].filter(Boolean).join(' ');
      lines.push(`${String(p.port).padStart(5)}  ${p.state.padEnd(12)} ${String(p.vcpu).padEnd(5)} ${to.padEnd(28)} ${flags || '-'}`);
    }
  }
  for (const u of r.upcall) lines.push(`vCPU ${u.vcpu}: evtchn_upcall_pending ${u.pending}, evtchn_upcall_mask ${u.mask}, evtchn_pending_sel ${u.pendingSel}`);
  return lines.join('\n');
}

/** The emulated xenstored, if this domain has one (older domains do not). */
function xenstoreOf(d: Domain): { log: XenstoreLogEntry[]; watches?: unknown[]; transactions?: Map<number, unknown>; brokenReason?: string } | undefined {
  return (d as { xenstore?: { log: XenstoreLogEntry[] } }).xenstore;
}

export interface XenstoreRow { seq: number; type: string; path: string; reply: string; error: boolean; reqId: number; txId: number; }

/** xen/xenstore: the last `count` records of xenstored's log (requests, watch events, ring errors), newest last. */
export function xenstoreRows(d: Domain, count = 100): { total: number; rows: XenstoreRow[]; watches: number; transactions: number; broken?: string } {
  const xs = xenstoreOf(d);
  if (!xs) return { total: 0, rows: [], watches: 0, transactions: 0 };
  const log = xs.log;
  const rows = log.slice(Math.max(0, log.length - count)).map((e) => ({ seq: e.seq, type: e.type, path: e.path, reply: e.reply, error: e.error, reqId: e.reqId, txId: e.txId }));
  const total = log.length ? log[log.length - 1].seq + 1 : 0;
  return {
    total, rows, watches: xs.watches?.length ?? 0, transactions: xs.transactions?.size ?? 0,
    ...(xs.brokenReason ? { broken: xs.brokenReason } : {}),
  };
}

/** REPL `xenstore [n]`. */
export function formatXenstore(r: ReturnType<typeof xenstoreRows>): string {
  const head = `${r.total} xenstore record${r.total === 1 ? '' : 's'}, ${r.watches} watch${r.watches === 1 ? '' : 'es'}, ${r.transactions} open transaction${r.transactions === 1 ? '' : 's'}${r.broken ? `; connection ignored: ${r.broken}` : ''}`;
  if (r.rows.length === 0) return `${head}\nno xenstore requests yet`;
  return [head, ...r.rows.map((e) => `  #${e.seq} ${e.type}${e.txId ? ` (tx ${e.txId})` : ''} ${e.path} → ${e.error ? `error ${e.reply}` : e.reply}`)].join('\n');
}

/** Requests the guest made (log records minus watch events and ring failures). */
function xenstoreRequests(d: Domain): number {
  const xs = xenstoreOf(d);
  return xs ? xs.log.filter((e) => e.type.startsWith('XS_') && e.type !== 'XS_WATCH_EVENT').length : 0;
}

const orNull = (ns: number): number | null => (ns >= 0 ? ns : null);

export interface TimerState { singleshot: number | null; periodic: number | null; next: number | null; poll: number | null; fired: number; }

/**
 * vCPU v's timers: single-shot deadline, periodic period, the next deadline of any of them (or of a poll timeout), in
 * ns. The periodic timer of a vCPU that is down never ticks (Xen stops it while the vCPU is off the CPU).
 */
export function timerState(v: Vcpu): TimerState {
  const t = v.timers;
  const next = [t.singleshot, v.online ? t.periodicNext : -1, t.pollDeadline].filter((x) => x >= 0);
  return { singleshot: orNull(t.singleshot), periodic: t.periodic ? t.periodic : null, next: next.length ? Math.min(...next) : null, poll: orNull(t.pollDeadline), fired: t.fired };
}

/** The domain's current wall time: shared_info's wallclock (at system time 0) plus NOW(). */
export function wallclockIso(d: Domain): string {
  const ms = d.time.wallclockSec * 1000 + d.time.wallclockNsec / 1e6 + d.time.nowNs() / 1e6;
  return Number.isFinite(ms) ? new Date(Math.floor(ms)).toISOString() : 'invalid';
}

/** xen/domain additions for one vCPU. */
export function vcpuEventState(v: Vcpu): { online: boolean; initialised: boolean; runstate: string; timers: TimerState } {
  return { online: v.online, initialised: v.initialised, runstate: runstateName(v.runstate.state), timers: timerState(v) };
}

/** xen/domain additions for the domain: virtual time, wallclock, xenstored, grant frames. */
export function domainEventState(d: Domain): { timeNs: number; wallclock: string; xenstore: { requests: number }; grantFrames: number } {
  let grantFrames = 0;
  try { grantFrames = grantTableOf(d).nrFrames; } catch { grantFrames = 0; }
  return { timeNs: d.time.nowNs(), wallclock: wallclockIso(d), xenstore: { requests: xenstoreRequests(d) }, grantFrames };
}

const ns = (v: number | null): string => (v === null ? '-' : `${v} ns`);

/** Nodes for the Xen scope of vCPU i: run state, virtual time, armed timers, the ports that notify this vCPU. */
export function xenEventNodes(m: XenDebugMachine, i: number): VarNode[] {
  const d = m.domain, v = m.vcpu(i);
  const now = d.time.nowNs();
  const t = timerState(v);
  const rs = v.runstate.snapshot(now);
  const ports = d.evtchn.describe().filter((p) => p.vcpu === i);
  const armed = [t.singleshot !== null ? `single-shot at ${t.singleshot} ns` : '', t.periodic !== null ? `periodic ${t.periodic} ns` : '', t.poll !== null ? `poll timeout ${t.poll} ns` : ''].filter(Boolean);
  return [
    leaf('online', v.online ? '1' : '0', 'bit'),
    {
      name: 'runstate', value: runstateName(v.runstate.state), type: 'vcpu_runstate_info',
      children: () => [
        leaf('state', `${rs.state} (${runstateName(rs.state)})`), leaf('state_entry_time', `${rs.stateEntryTime} ns`),
        ...rs.time.map((x, k) => leaf(`time[${runstateName(k)}]`, `${x} ns`)),
      ],
    },
    leaf('system time', `${now} ns`, 'u64'),
    leaf('TSC', String(d.time.nowTsc()), 'u64'),
    {
      name: 'timers', value: armed.length ? armed.join(', ') : 'none armed', type: 'timers',
      children: () => [
        leaf('single-shot', ns(t.singleshot)), leaf('periodic', t.periodic === null ? 'stopped' : `every ${t.periodic} ns`),
        leaf('next deadline', ns(t.next)), leaf('poll timeout', ns(t.poll)), leaf('fired', String(t.fired)),
      ],
    },
    {
      name: 'event channels', value: ports.length ? ports.map((p) => `${p.port}${p.virqName ? ` ${p.virqName}` : ` ${p.state}`}`).join(', ') : 'none', type: 'evtchn_port_t[]',
      children: () => [
        ...ports.map((p) => leaf(`port ${p.port}`, describePort(p).replace(/^port \d+\s+/, ''))),
        leaf('evtchn_pending_sel', pendingSelOf(v)),
      ],
    },
  ];
}

export const XEN_EVENTS_REPL_HELP = [
  'evtchn              event channels: port, state, notify vCPU, VIRQ / remote end, pending and masked; upcall state',
  'xenstore [n]        the last n (default 20) requests xenstored answered, with watch events and ring errors',
].join('\n');

/** REPL `evtchn` and `xenstore [n]`; undefined when the text is not one of them. */
export function xenEventsReplCommand(m: XenDebugMachine, text: string): string | undefined {
  const t = text.trim();
  if (t === 'evtchn' || t === 'evtchns') return formatEventChannels(eventChannelRows(m.domain));
  const x = /^xenstore(?:\s+(\S+))?$/.exec(t);
  if (x) {
    if (x[1] !== undefined && !/^\d+$/.test(x[1])) throw new Error(`usage: xenstore [count], got '${x[1]}'`);
    return formatXenstore(xenstoreRows(m.domain, x[1] === undefined ? 20 : Math.min(Number(x[1]), 10000)));
  }
  return undefined;
}
