// Data breakpoints for the runtime (DAP dataBreakpointInfo / setDataBreakpoints): an expression or address resolved to
// a watched range, the requests armed as CPU linear watches plus machine-address watches on the frames backing them
// (re-mapped at every stop), conditions and hit counts, and the stop text ("write to 0x… (8 bytes): 0x5 → 0x6").

import type { Cpu } from '../cpu/cpu';
import { probe } from '../cpu/mmu/paging';
import { WatchSet, WatchHit, LinearWatch, MachineWatchRange, WATCH_READ, WATCH_WRITE, WATCH_READ_WRITE, WATCH_VALUE_BYTES, peekLinear } from '../cpu/watch';
import { EvalContext, evaluateExpression, tokenize, typeInfo } from './expressions';
import { parseHitCondition } from './breakpoints';

export type DataAccessType = 'read' | 'write' | 'readWrite';
export const DATA_ACCESS_TYPES: DataAccessType[] = ['read', 'write', 'readWrite'];
/** Largest watched range (bytes). */
export const MAX_WATCH_BYTES = 65536;

export interface DataBpRequest { dataId: string; accessType?: string; condition?: string; hitCondition?: string; }

export interface DataBreakpoint {
  id: number;
  dataId: string;
  /** Linear address (the CPU's number form: canonical signed in 64-bit guests) and length; NaN lin when the dataId is bad. */
  lin: number;
  len: number;
  access: DataAccessType;
  verified: boolean;
  message?: string;
  condition?: string;
  hitCondition?: string;
  hits: number;
}

export interface DataBpInfo { dataId: string | null; description: string; accessTypes?: DataAccessType[]; canPersist?: boolean; }

/** What an expression names: a watched range and a description for the client. */
export interface DataTarget { lin: number; len: number; what: string; }

const KIND: Record<DataAccessType, number> = { read: WATCH_READ, write: WATCH_WRITE, readWrite: WATCH_READ_WRITE };

/** A 64-bit unsigned bigint as the CPU's address number (canonical negative form above 2^63). */
function addrOf(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return u >= 1n << 63n ? Number(BigInt.asIntN(64, u)) : Number(u);
}
export function hexAddr(v: number): string {
  return '0x' + (v < 0 ? (BigInt(v) + (1n << 64n)).toString(16) : v.toString(16));
}

/** dataId of a range: "0x<address>:<bytes>" (stable across sessions of the same program). */
export function makeDataId(lin: number, len: number): string { return `${hexAddr(lin)}:${len}`; }

export function parseDataId(id: unknown): { lin: number; len: number } | string {
  if (typeof id !== 'string') return `dataId must be a string, got ${JSON.stringify(id)}`;
  const m = /^(0x[0-9a-f]{1,16}):(\d{1,6})$/i.exec(id.trim());
  if (!m) return `bad dataId '${id}' (expected 0x<address>:<bytes>, as dataBreakpointInfo returns)`;
  const len = Number(m[2]);
  if (len < 1 || len > MAX_WATCH_BYTES) return `bad dataId '${id}': size must be 1..${MAX_WATCH_BYTES} bytes`;
  return { lin: addrOf(BigInt(m[1])), len };
}

type Tok = ReturnType<typeof tokenize>[number];
const isOp = (t: Tok | undefined, v: string): boolean => t !== undefined && t.k === 'op' && t.v === v;

/** Index of the token closing the bracket opened at toks[i] ('(' or '['), or -1. */
function closing(toks: Tok[], i: number): number {
  const open = (toks[i] as { v: string }).v, close = open === '(' ? ')' : ']';
  let depth = 0;
  for (let k = i; k < toks.length; k++) {
    if (isOp(toks[k], open)) depth++;
    else if (isOp(toks[k], close) && --depth === 0) return k;
  }
  return -1;
}

/** toks[k..end) is a single operand: a bracketed group, or one name or number. */
function singleOperand(toks: Tok[], k: number): boolean {
  const last = toks.length - 2; // toks ends with 'end'
  if (k > last) return false;
  if (isOp(toks[k], '(') || isOp(toks[k], '[')) return closing(toks, k) === last;
  return k === last && (toks[k].k === 'id' || toks[k].k === 'num');
}

export interface ResolveOptions {
  /** DAP `bytes`: the range length, overriding the type's size. */
  bytes?: number;
  /** DAP `asAddress`: name is an address expression. */
  asAddress?: boolean;
  /** Size when nothing gives one (8 in 64-bit code, 4 in 32-bit code). */
  defaultSize: number;
  isRegister(name: string): boolean;
  /** ELF symbol size (0 or undefined when unknown). */
  symbolSize(name: string): number | undefined;
}

/**
 * The memory an expression names: `*(u32*)expr`, `*expr`, `[expr]`, `&sym`, a symbol (its storage), or any other
 * expression as an address (`rsp+8`, `0xffff…`). Registers are not memory. Errors are a readable string.
 */
export function resolveDataTarget(text: unknown, ctx: EvalContext, o: ResolveOptions): DataTarget | { error: string } {
  if (typeof text !== 'string' || text.trim() === '') return { error: 'nothing to watch: give an expression or an address' };
  if (o.bytes !== undefined && (typeof o.bytes !== 'number' || !Number.isInteger(o.bytes) || o.bytes < 1 || o.bytes > MAX_WATCH_BYTES)) {
    return { error: `bytes must be 1..${MAX_WATCH_BYTES}, got ${JSON.stringify(o.bytes)}` };
  }
  const src = text.trim();
  const evalAddr = (s: string): number => {
    const v = evaluateExpression(s, ctx);
    const space = (v as { space?: string }).space;
    if (space) throw new Error(`${space}: addresses are not guest-linear; watch the guest-virtual address that maps the frame`);
    return addrOf(v.value);
  };
  const range = (lin: number, size: number, what: string): DataTarget => {
    const len = o.bytes ?? size;
    return { lin, len, what: `${what}: ${len} byte${len === 1 ? '' : 's'} at ${hexAddr(lin)}` };
  };
  try {
    if (o.asAddress) return range(evalAddr(src), o.defaultSize, src);
    const toks = tokenize(src);
    const first = toks[0];
    if (isOp(first, '&')) return range(evalAddr(src.slice(toks[1].pos)), o.defaultSize, src);
    if (isOp(first, '*')) {
      let k = 1, size = ctx.pointerSize;
      const ti = toks[2]?.k === 'id' ? typeInfo((toks[2] as { v: string }).v) : undefined;
      if (isOp(toks[1], '(') && ti && isOp(toks[3], '*') && isOp(toks[4], ')')) { size = ti.size; k = 5; }
      if (!singleOperand(toks, k)) return { error: `'${src}' is a value, not a memory location; watch *(type*)(address) or an address` };
      return range(evalAddr(src.slice(toks[k].pos)), size, src);
    }
    if (isOp(first, '[') && closing(toks, 0) === toks.length - 2) {
      return range(evalAddr(src.slice(toks[1].pos, toks[toks.length - 2].pos)), ctx.pointerSize, src);
    }
    if (toks.length === 2 && first.k === 'id') {
      const name = first.v;
      if (o.isRegister(name.toLowerCase())) {
        return { error: `${name} is a register, not memory: data breakpoints watch memory (for the memory it points to, watch *(u64*)${name})` };
      }
      const sz = o.symbolSize(name);
      return range(evalAddr(src), sz !== undefined && sz > 0 && sz <= MAX_WATCH_BYTES ? sz : o.defaultSize, name);
    }
    return range(evalAddr(src), o.defaultSize, src);
  } catch (e) {
    return { error: `cannot watch '${src}': ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Machine ranges backing [lin, lin+len) through cpu's page tables, per page; error names the first unmapped byte. */
export function mapRange(cpu: Cpu, lin: number, len: number, id: number): { ranges: MachineWatchRange[]; error?: string } {
  const ranges: MachineWatchRange[] = [];
  let off = 0;
  while (off < len) {
    const a = lin + off;
    const r = probe(cpu.mem, cpu, a);
    const n = Math.min(len - off, 4096 - (((a % 4096) + 4096) % 4096));
    if (r.phys === undefined || !cpu.mem.contains(r.phys, n)) {
      return { ranges, error: `${hexAddr(a)} is not mapped (${r.stop ?? 'outside guest memory'})` };
    }
    ranges.push({ id, pa: r.phys, len: n, off });
    off += n;
  }
  return { ranges };
}

/** Little-endian bytes as "0x…". */
function hexBytes(b: Uint8Array): string {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return '0x' + v.toString(16);
}

export interface DataStop { stop: { bp: DataBreakpoint; hit: WatchHit }[]; errors: string[]; }

export class DataBreakpoints {
  private list: DataBreakpoint[] = [];
  private appliedTo: WatchSet | undefined;
  private linearSig = '';
  private machineSig = '';

  constructor(private readonly newId: () => number) {}

  all(): readonly DataBreakpoint[] { return this.list; }
  byId(id: number): DataBreakpoint | undefined { return this.list.find((b) => b.id === id); }

  /** Replace the set (DAP semantics); entries with the same dataId and access keep their id and hit count. */
  set(reqs: DataBpRequest[]): DataBreakpoint[] {
    const old = this.list;
    this.list = reqs.map((r) => {
      const access = (r.accessType ?? 'write') as DataAccessType;
      const parsed = parseDataId(r.dataId);
      const prev = old.find((b) => b.dataId === r.dataId && b.access === access);
      const bp: DataBreakpoint = {
        id: prev ? prev.id : this.newId(), dataId: String(r.dataId), lin: NaN, len: 0, access, verified: false,
        condition: typeof r.condition === 'string' && r.condition.trim() !== '' ? r.condition : undefined,
        hitCondition: typeof r.hitCondition === 'string' && r.hitCondition.trim() !== '' ? r.hitCondition : undefined,
        hits: prev ? prev.hits : 0,
      };
      const hc = bp.hitCondition !== undefined ? parseHitCondition(bp.hitCondition) : undefined;
      if (!DATA_ACCESS_TYPES.includes(access)) bp.message = `accessType must be one of ${DATA_ACCESS_TYPES.join(', ')}, got ${JSON.stringify(r.accessType)}`;
      else if (typeof parsed === 'string') bp.message = parsed;
      else if (typeof hc === 'string') bp.message = hc;
      else { bp.lin = parsed.lin; bp.len = parsed.len; }
      return bp;
    });
    this.linearSig = '\0'; // force the linear watches to be re-armed
    return this.list;
  }

  resetHits(): void { for (const b of this.list) b.hits = 0; }

  /**
   * Arm the watches in ws: linear watches for every valid entry, machine ranges for the write kinds from cpu's
   * current page tables. Entries are verified when their whole range is mapped. Returns the entries whose
   * verified state or message changed.
   */
  apply(ws: WatchSet | undefined, cpu: Cpu | undefined): DataBreakpoint[] {
    const changed: DataBreakpoint[] = [];
    const valid = this.list.filter((b) => !Number.isNaN(b.lin));
    if (ws && ws !== this.appliedTo) { this.appliedTo = ws; this.linearSig = '\0'; this.machineSig = '\0'; }
    const linear: LinearWatch[] = valid.map((b) => ({ id: b.id, lin: b.lin, len: b.len, kind: KIND[b.access] }));
    const lsig = linear.map((w) => `${w.id}:${w.lin}:${w.len}:${w.kind}`).join(',');
    if (ws && lsig !== this.linearSig) { ws.setLinear(linear); this.linearSig = lsig; }
    const machine: MachineWatchRange[] = [];
    for (const b of valid) {
      const wasVerified = b.verified, wasMessage = b.message;
      if (!cpu) { b.verified = false; b.message = 'no program is running; armed when one is launched'; }
      else {
        const m = mapRange(cpu, b.lin, b.len, b.id);
        if (b.access !== 'read') machine.push(...m.ranges);
        b.verified = m.error === undefined;
        b.message = m.error === undefined ? undefined : `${m.error}; the watch stays armed and is verified once the range is mapped`;
      }
      if (b.verified !== wasVerified || b.message !== wasMessage) changed.push(b);
    }
    const msig = machine.map((r) => `${r.id}:${r.pa}:${r.len}:${r.off}`).join(',');
    if (ws && msig !== this.machineSig) { ws.setMachine(machine); this.machineSig = msig; }
    return changed;
  }

  /** Conditions and hit counts for the hits of one stop; evalCondition evaluates in the context of the hit. */
  decide(hits: WatchHit[], evalCondition: (expr: string, hit: WatchHit) => bigint): DataStop {
    const out: DataStop = { stop: [], errors: [] };
    for (const hit of hits) {
      const bp = this.byId(hit.id);
      if (!bp || Number.isNaN(bp.lin)) continue;
      if (bp.condition) {
        let ok: boolean;
        try { ok = evalCondition(bp.condition, hit) !== 0n; } catch (e) {
          out.errors.push(`data breakpoint ${bp.id}: condition '${bp.condition}': ${(e as Error).message}`);
          out.stop.push({ bp, hit });
          continue;
        }
        if (!ok) continue;
      }
      bp.hits++;
      if (bp.hitCondition) {
        const hc = parseHitCondition(bp.hitCondition);
        if (typeof hc === 'string' || !hc(bp.hits)) continue;
      }
      out.stop.push({ bp, hit });
    }
    return out;
  }

  /** "write to 0x… (8 bytes) by hypercall mmu_update(…): 0x5 → 0x6" / "read of 0x… (4 bytes): 0x5". */
  describe(hit: WatchHit, ws: WatchSet | undefined, cpu: Cpu | undefined): string {
    const bp = this.byId(hit.id);
    const where = `${hexAddr(hit.lin)} (${hit.size} byte${hit.size === 1 ? '' : 's'})`;
    const by = hit.by ? ` by ${hit.by}` : hit.source === 'hypervisor' ? ' by the hypervisor' : '';
    let now: Uint8Array | undefined;
    if (bp && bp.len <= WATCH_VALUE_BYTES) {
      now = cpu ? peekLinear(cpu, bp.lin, bp.len) : undefined;
      const w = ws?.watches().find((x) => x.id === bp.id);
      if (!now && w && ws) now = ws.machineBytes(w);
    }
    if (hit.access === 'read') return `read of ${where}${by}${now ? `: ${hexBytes(now)}` : ''}`;
    const values = now && hit.before ? `: ${hexBytes(hit.before)} → ${hexBytes(now)}` : now ? `: now ${hexBytes(now)}` : '';
    return `write to ${where}${by}${values}`;
  }
}
