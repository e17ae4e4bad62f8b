// Custom DAP requests for the Xen views, decided here and translated by the session. All are side-effect free.
// Arguments and responses (every address is a "0x…" string; threadId defaults to 1, i.e. vCPU 0):
//   xen/segments   {threadId?}        → {segments: [{name, selector, index, ti, rpl, valid, base, limit, attributes, type,
//                                        dpl, present, long, db, granularity, reserved}], fsBase, gsBase, kernelGsBase, cpl, mode}
//   xen/gdt        {threadId?}        → {entries, frames: number[], rows: [{index, selector, raw, type, base, limit, dpl, present,
//                                        flags: string[], reserved, name?, summary}]}  (Xen's view: guest frames + reserved)
//   xen/ldt        {threadId?}        → {base, entries, rows: (as xen/gdt), unreadable?}
//   xen/trapTable  {threadId?}        → {rows: [{vector, name, handler, symbol?, cs, flags, dpl, clearsEvents}]}
//   xen/hypercallLog {count?}         → {total, rows: [{seq, vcpu, rip, nr, name, args: string[], decoded, result, resultText,
//                                        diagnostic, text}]}  (the last `count`, default 100, oldest first)
//   xen/pageWalk   {address, threadId?} → {address, mode, cr3, levels: [{level, name, table, index, entry, frame, flags, present,
//                                        leaf}], machineAddress?, writable?, user?, nx?, pageSize?, stop?}
//   xen/domain     {}                 → {kind, state, shutdownReason, shutdownCode, crashDiagnostic, pages, memoryMiB, vcpus,
//                                        vcpuStates: [{id, mode, blocked, instructions, online, initialised, runstate ('running'|
//                                        'runnable'|'blocked'|'offline'), timers: {singleshot: ns|null, periodic: period ns|null,
//                                        next: ns|null, poll: ns|null, fired}}], timeNs (system time), wallclock (ISO, now),
//                                        xenstore: {requests}, grantFrames, hypercalls, bounces, cmdline, guestOs, entry, ...}
//   xen/eventChannels {}              → {rows: [{port, state ('unbound'|'interdomain'|'virq'|'ipi'|'pirq'), vcpu (notify vCPU),
//                                        remoteDomain?, remotePort?, virq?, virqName?, backend? ('xenstore'|'console'), pending,
//                                        masked}], upcall: [{vcpu, pending, mask, pendingSel: "0x…"}]}  (ports by number)
//   xen/xenstore   {count?}           → {total, watches, transactions, broken?, rows: [{seq, type ('XS_READ'…), path, reply,
//                                        error, reqId, txId}]}  (the last `count`, default 100, newest last)
//   xen/frames     {filter?: 'all'|'pagetables'|'pinned'|'errors'|'owned', start?, count? (default 500, max 5000)}
//                  → {total, rows: [{mfn, pfn|null, type ('none'|'l1_page_table'|…|'writable_page'), typeCount, count, pinned,
//                     validated, owner|null, xenHeap?, note? ('start_info', 'GDT frame (vCPU0)', 'page-table root (vCPU0)', 'm2p'…),
//                     lastError? (latest mm diagnostic naming the frame)}]}  frames owned by the guest or typed/referenced, by mfn
//   xen/frame      {mfn? | pfn?}     → the row above + {p2m, m2p, mappedAt?: string[] (≤16 linear addresses under the current CR3),
//                                        entries?: [{index, value, flags, targetMfn}] (present entries of a page-table frame)}
//   xen/p2m        {start?, count? (default 256, max 5000)} → {nrPages, rows: [{pfn, mfn|null}]}
//   xen/m2p        {mfn}             → {mfn, pfn|null}
//   xen/whatIf     {kind: 'pte', level, value: "0x…", tableMfn?, index?, address?} | {kind: 'descriptor', value: "0x…", table?: 'gdt'|'ldt', index?}
//                  → {accepted, errno?, rule?, message, explanation: string[]}  Xen's own checks run on a scratch copy of mm
//                    (tableMfn/index default to the level-N table on the walk of address)
// Numbers (mfn, pfn, start, tableMfn, index) may be JSON numbers or "0x…" strings. Bad arguments give an error response.
// xen/segments and xen/pageWalk also work on the bare machine; the others need a Xen guest.

import type { DebugRuntime } from './runtime';
import { XenDebugMachine } from './xen-machine';
import { segmentRows, gdtRows, ldtRows, trapRows, hypercallRows, pageWalk, domainInfo } from './xen-inspect';
import { FRAME_FILTERS, FrameFilter, frameRows, frameDetail, p2mRows, m2pEntry, intArg } from './xen-frames';
import { whatIf } from './what-if';
import { eventChannelRows, xenstoreRows } from './xen-events';

export const CUSTOM_REQUESTS = [
  'xen/segments', 'xen/gdt', 'xen/ldt', 'xen/trapTable', 'xen/hypercallLog', 'xen/pageWalk', 'xen/domain',
  'xen/frames', 'xen/frame', 'xen/p2m', 'xen/m2p', 'xen/whatIf', 'xen/eventChannels', 'xen/xenstore',
];

function threadOf(args: Record<string, unknown>): number {
  const t = args.threadId;
  if (t === undefined) return 1;
  if (typeof t !== 'number' || !Number.isInteger(t)) throw new Error(`threadId must be a thread number, got ${JSON.stringify(t)}`);
  return t;
}

export function customRequest(rt: DebugRuntime, command: string, args: Record<string, unknown>): unknown {
  const m = rt.machine;
  const xen = (): XenDebugMachine => {
    if (!(m instanceof XenDebugMachine)) throw new Error(`${command} needs a Xen PV guest (this is a ${m?.kind ?? 'missing'} machine)`);
    return m;
  };
  switch (command) {
    case 'xen/segments': return segmentRows(rt.cpuOf(threadOf(args)));
    case 'xen/pageWalk': {
      const cpu = rt.cpuOf(threadOf(args));
      const a = args.address;
      if (typeof a !== 'string' && typeof a !== 'number') throw new Error('xen/pageWalk needs an address ("0x…" or an expression)');
      return pageWalk(cpu, typeof a === 'number' ? a : rt.addressOf(a, threadOf(args)));
    }
    case 'xen/gdt': { const t = threadOf(args); rt.cpuOf(t); return gdtRows(xen(), t - 1); }
    case 'xen/ldt': { const t = threadOf(args); rt.cpuOf(t); return ldtRows(xen(), t - 1); }
    case 'xen/trapTable': { const t = threadOf(args); rt.cpuOf(t); return { rows: trapRows(xen(), t - 1) }; }
    case 'xen/hypercallLog': {
      const c = args.count ?? 100;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 100000) throw new Error(`count must be 0..100000, got ${JSON.stringify(c)}`);
      return hypercallRows(xen(), c);
    }
    case 'xen/domain': return domainInfo(xen());
    case 'xen/eventChannels': return eventChannelRows(xen().domain);
    case 'xen/xenstore': {
      const c = args.count ?? 100;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 100000) throw new Error(`count must be 0..100000, got ${JSON.stringify(c)}`);
      return xenstoreRows(xen().domain, c);
    }
    case 'xen/frames': {
      const f = args.filter ?? 'all';
      if (typeof f !== 'string' || !FRAME_FILTERS.includes(f as FrameFilter)) throw new Error(`filter must be one of ${FRAME_FILTERS.join(', ')}, got ${JSON.stringify(f)}`);
      const start = args.start === undefined ? 0 : intArg(args.start, 'start');
      const count = args.count === undefined ? 500 : intArg(args.count, 'count', 5000);
      return frameRows(xen(), f as FrameFilter, start, count);
    }
    case 'xen/frame': return frameDetail(xen(), args);
    case 'xen/p2m': {
      const start = args.start === undefined ? 0 : intArg(args.start, 'start');
      const count = args.count === undefined ? 256 : intArg(args.count, 'count', 5000);
      return p2mRows(xen(), start, count);
    }
    case 'xen/m2p': {
      if (args.mfn === undefined) throw new Error('xen/m2p needs mfn');
      return m2pEntry(xen(), intArg(args.mfn, 'mfn'));
    }
    case 'xen/whatIf': {
      const t = threadOf(args);
      rt.cpuOf(t);
      return whatIf(xen(), t - 1, args, (e) => rt.addressOf(e, t));
    }
    default: throw new Error(`unrecognized request '${command}'`);
  }
}
