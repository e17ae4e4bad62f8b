// The Xen views as specs (segments, GDT, LDT, trap table, page tables, hypercalls, event channels): which custom DAP
// request feeds each one and how its reply becomes rows, read leniently (nodes.ts) so views survive growing replies.

import { entryNodes, findEntries, headerNodes, message, RowShape, XenNode, fieldNodes } from './nodes';
import { formatValue, hexOf, NumberFormat } from './format';
import type { Requester, XenViewSpec } from './spec';
import { logEntryCheckKey } from './hypercall-breaks';

type Rec = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^-?(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : undefined);

/** A view that lists the entries of one request's reply under its header fields. */
function listView(id: string, title: string, command: string, keys: string[], shape: RowShape, args?: () => object, newestFirst = false, empty?: [string, string]): XenViewSpec {
  return {
    id, title,
    async load(watch: Requester, fmt: NumberFormat): Promise<XenNode[]> {
      const body = await watch.request<unknown>(command, args?.());
      const entries = findEntries(body, keys);
      if (!entries) return fieldNodes((body ?? {}) as Rec, fmt);
      const head = headerNodes(body, fmt, keys);
      const rows = entryNodes(entries, shape, fmt);
      if (!rows.length && empty) return [message(empty[0], empty[1])];
      return [...(newestFirst ? rows.reverse() : rows), ...head];
    },
  };
}

const f = (v: unknown, fmt: NumberFormat): string => formatValue(v, fmt);
const flagText = (v: unknown): string => (Array.isArray(v) ? v.join(' ') : typeof v === 'string' ? v : '');

/** CS  0xe033 code, base 0x0, limit 0xffffffff, DPL3 (Xen reserved) */
const SEGMENT_SHAPE: RowShape = {
  label: ['name', 'register', 'reg'],
  description: ['summary', 'decoded', 'description', 'value', 'selector'],
  hide: ['name'],
  describe: (e, fmt) => (e.selector === undefined ? undefined
    : `${f(e.selector, fmt)} ${e.valid === false ? 'unusable' : `${e.type ?? ''}, base ${f(e.base, fmt)}, limit ${f(e.limit, fmt)}, DPL${e.dpl ?? '?'}`}${e.reserved ? ' (Xen reserved)' : ''}`),
  warn: (e) => e.valid === false && num(e.selector) !== 0,
  icon: (e) => (e.reserved ? 'shield' : undefined),
};

/** 0xe033  FLAT_RING3_CS64: 64-bit code, DPL3 ... ; Xen-reserved entries get a shield icon. What-if: the raw value
 * in that table (at its index unless it is one of Xen's reserved entries, which the guest cannot write). */
const descriptorShape = (table: 'gdt' | 'ldt'): RowShape => ({
  label: ['selector', 'index'],
  description: ['summary', 'decoded', 'description', 'typeName', 'type', 'raw'],
  describe: (e) => (e.summary === undefined ? undefined : `${e.name ? `${e.name}: ` : ''}${e.summary}`),
  warn: (e) => e.problem !== undefined || e.error !== undefined || e.invalid === true,
  icon: (e) => (e.reserved ? 'shield' : e.present === false ? 'circle-outline' : undefined),
  whatIf: (e) => (typeof e.raw !== 'string' ? undefined
    : { kind: 'descriptor', value: e.raw, table, ...(!e.reserved && num(e.index) !== undefined ? { index: num(e.index) } : {}) }),
});

/** 14 #PF  0xffffffff80001234 <page_fault> */
const TRAP_SHAPE: RowShape = {
  label: ['vector', 'index'],
  description: ['summary', 'name', 'handler', 'address'],
  labelOf: (e, fmt) => (e.vector === undefined ? undefined : `${f(e.vector, fmt)} ${e.name ?? ''}`.trim()),
  describe: (e, fmt) => (e.handler === undefined ? undefined : `${f(e.handler, fmt)}${e.symbol ? ` <${e.symbol}>` : ''} cs ${f(e.cs, fmt)} DPL${e.dpl ?? '?'}${e.clearsEvents ? ' masks events' : ''}`),
};

/** #12 mmu_update  -EINVAL: L1 entry ... */
const HYPERCALL_SHAPE: RowShape = {
  label: ['name', 'hypercall', 'op', 'nr'],
  description: ['text', 'summary', 'decoded', 'result', 'ret', 'rc', 'args'],
  labelOf: (e) => (e.name === undefined ? undefined : `${e.seq !== undefined ? `#${e.seq} ` : ''}${e.name}`),
  describe: (e) => (e.decoded === undefined ? undefined : `${e.decoded} → ${e.resultText ?? e.result}${e.diagnostic ? ` — ${e.diagnostic}` : ''}`),
  warn: (e) => (num(e.result) ?? num(e.ret) ?? num(e.rc) ?? 0) < 0,
  checkKey: logEntryCheckKey,
};

/** L4[0x1ff]  0x12345067 P RW US A */
const LEVEL_SHAPE: RowShape = {
  label: ['name', 'level'],
  description: ['summary', 'decoded', 'entry', 'raw', 'value'],
  labelOf: (e, fmt) => (e.name === undefined ? undefined : `${e.name}${e.index !== undefined ? `[${f(e.index, fmt)}]` : ''}`),
  describe: (e, fmt) => (e.entry === undefined ? undefined : `${f(e.entry, fmt)} ${flagText(e.flags)}${e.present === false ? ' (not present)' : e.leaf ? ' → leaf' : ''}`),
  warn: (e) => e.present === false || e.fault !== undefined || e.problem !== undefined,
  whatIf: (e) => {
    const level = num(e.level), table = num(e.table);
    if (typeof e.entry !== 'string' || level === undefined || level < 1 || level > 4) return undefined;
    return { kind: 'pte', level, value: e.entry, ...(table !== undefined ? { tableMfn: Math.floor(table / 4096) } : {}), ...(num(e.index) !== undefined ? { index: num(e.index) } : {}) };
  },
};

export function segmentsView(): XenViewSpec {
  return listView('xenpv.segments', 'Segment Registers', 'xen/segments', ['segments', 'registers'], SEGMENT_SHAPE);
}
export function gdtView(): XenViewSpec {
  return listView('xenpv.gdt', 'GDT', 'xen/gdt', ['rows', 'entries', 'descriptors'], descriptorShape('gdt'));
}
export function ldtView(): XenViewSpec {
  return listView('xenpv.ldt', 'LDT', 'xen/ldt', ['rows', 'entries', 'descriptors'], descriptorShape('ldt'), undefined, false,
    ['LDT is empty', 'The guest has not set an LDT (MMUEXT_SET_LDT), or it has no present entries.']);
}
export function trapTableView(): XenViewSpec {
  return listView('xenpv.trapTable', 'Trap Table', 'xen/trapTable', ['rows', 'entries', 'traps', 'vectors'], TRAP_SHAPE, undefined, false,
    ['No trap table registered', 'The guest has not called set_trap_table yet: a fault now would crash the domain.']);
}
/** Hypercalls, newest first (the adapter replies oldest first), then the header (total); each row has a break-on-entry
 * checkbox (key: the hypercall number), and `pinned` (the "Break on entry" group) stays on top in every state. */
export function hypercallsView(count: () => number, pinned?: () => XenNode[]): XenViewSpec {
  const spec = listView('xenpv.hypercalls', 'Hypercalls', 'xen/hypercallLog', ['rows', 'entries', 'log', 'hypercalls'], HYPERCALL_SHAPE, () => ({ count: count() }), true,
    ['No hypercalls yet', 'The guest has not made a hypercall since it started.']);
  return pinned ? { ...spec, pinned } : spec;
}

/** Page Tables: the domain summary (xen/domain) and the walk of one address (xen/pageWalk, default: the PC). */
export function pageTablesView(address: () => number | undefined): XenViewSpec {
  return {
    id: 'xenpv.pageTables', title: 'Page Tables',
    async load(watch, fmt) {
      const out: XenNode[] = [];
      let addr = address();
      if (addr === undefined) {
        // rip names the instruction pointer on every machine (eip is its low half)
        const r = await watch.request<{ result?: string }>('evaluate', { expression: '$rip', context: 'watch' }).catch(() => undefined);
        const v = r?.result ? num(r.result.split(/\s/)[0]) : undefined;
        addr = v;
      }
      if (addr === undefined) out.push(message('No address to walk', 'Use "Walk Page Tables for Address…" in the view title.'));
      else {
        try {
          const body = await watch.request<unknown>('xen/pageWalk', { address: hexOf(addr) });
          const levels = findEntries(body, ['levels', 'steps', 'entries', 'walk']) ?? [];
          out.push({
            label: `Walk of ${formatValue(addr, fmt)}`,
            description: (body as Rec)?.machineAddress !== undefined ? `→ ${formatValue((body as Rec).machineAddress, fmt)}` : String((body as Rec)?.stop ?? ''),
            icon: 'type-hierarchy', contextValue: 'entry', copyText: JSON.stringify(body, null, 2),
            children: [...entryNodes(levels, LEVEL_SHAPE, fmt), ...headerNodes(body, fmt, ['levels', 'steps', 'entries', 'walk'])],
          });
        } catch (e) {
          out.push(message(`Walk of ${formatValue(addr, fmt)}: not available for this machine`, (e as Error).message, 'circle-slash'));
        }
      }
      try {
        const dom = await watch.request<Rec>('xen/domain');
        out.unshift({ label: 'Domain', description: [dom?.kind, dom?.state].filter((x) => x !== undefined && x !== null).join(', '), icon: 'server', contextValue: 'entry', copyText: JSON.stringify(dom, null, 2), children: fieldNodes(dom ?? {}, fmt) });
      } catch (e) {
        if (out.every((n) => n.contextValue === 'message')) throw e;
      }
      return out;
    },
  };
}

/** "virq VIRQ_TIMER → vCPU0  pending masked" for one xen/eventChannels row (ports and vCPUs are ordinals: decimal). */
export function eventChannelDescription(e: Rec): string {
  const dom = (v: unknown): string => (num(v) === undefined ? '?' : `d${num(v)}`);
  let what: string;
  switch (e.state) {
    case 'virq': what = `virq ${typeof e.virqName === 'string' ? e.virqName : e.virq ?? '?'}`; break;
    case 'unbound': what = `unbound for ${dom(e.remoteDomain)}`; break;
    case 'interdomain': what = `interdomain ${dom(e.remoteDomain)} port ${num(e.remotePort) ?? '?'}${typeof e.backend === 'string' ? ` (${e.backend})` : ''}`; break;
    default: what = String(e.state ?? '?');
  }
  const flags = [e.pending === true ? 'pending' : '', e.masked === true ? 'masked' : ''].filter(Boolean).join(' ');
  return `${what} → vCPU${num(e.vcpu) ?? '?'}${flags ? `  ${flags}` : ''}`;
}

const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

const EVTCHN_ICONS: Record<string, string> = { virq: 'bell', ipi: 'arrow-swap', interdomain: 'plug', unbound: 'debug-disconnect', pirq: 'circuit-board' };

/** port 3  virq VIRQ_TIMER → vCPU0  pending masked; a port pending but masked (its event is held back) is a warning. */
export const EVTCHN_SHAPE: RowShape = {
  label: ['port'],
  description: ['state'],
  labelOf: (e) => (num(e.port) === undefined ? undefined : `port ${num(e.port)}`),
  describe: (e) => (e.state === undefined ? undefined : eventChannelDescription(e)),
  warn: (e) => e.pending === true && e.masked === true,
  icon: (e) => EVTCHN_ICONS[String(e.state)],
};

/** vCPU0 upcall  pending 1, mask 0, pending_sel 0x1 — a pending upcall the mask holds back is a warning. */
export function upcallNode(u: Rec, fmt: NumberFormat): XenNode {
  const label = `vCPU${num(u.vcpu) ?? '?'} upcall`;
  const description = `pending ${u.pending ?? '?'}, mask ${u.mask ?? '?'}, pending_sel ${f(u.pendingSel, fmt)}`;
  const held = num(u.pending) === 1 && num(u.mask) === 1;
  return {
    label, description, contextValue: 'entry', icon: held ? 'warning' : 'pulse',
    tooltip: `${label}: ${description}\nvcpu_info.evtchn_upcall_pending ${u.pending}, evtchn_upcall_mask ${u.mask}, evtchn_pending_sel ${u.pendingSel}${held ? '\nAn upcall is pending but the guest has events masked.' : ''}`,
    copyText: `${label}\t${description}`, children: fieldNodes(u, fmt),
  };
}

/** Event Channels (xen/eventChannels): bound ports by number, then each vCPU's upcall state. */
export function eventChannelsView(): XenViewSpec {
  return {
    id: 'xenpv.eventChannels', title: 'Event Channels',
    async load(watch, fmt) {
      const body = await watch.request<unknown>('xen/eventChannels');
      const b = (body ?? {}) as Rec;
      const list = Array.isArray(body) ? body : Array.isArray(b.rows) ? b.rows : Array.isArray(b.ports) ? b.ports : [];
      const rows = entryNodes(list.filter(isRec), EVTCHN_SHAPE, fmt);
      const upcall = (Array.isArray(b.upcall) ? b.upcall : []).filter(isRec).map((u) => upcallNode(u, fmt));
      if (!rows.length) rows.push(message('No event channels bound', 'The guest has no bound ports: bind a VIRQ, an IPI or an interdomain port (event_channel_op).'));
      return [...rows, ...upcall];
    },
  };
}
