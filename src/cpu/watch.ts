// Data watchpoints (the debugger's DR0-DR3 without their limits): watched linear ranges by access kind, the page
// sets the TLB consults so accesses to watched pages take the checking slow path, machine-address write watches
// for the hypervisor's own writes (through MachineMemory), and the hits, reported trap-like after the instruction.

import type { Cpu } from './cpu';
import type { MachineMemory } from './memory';
import { probe } from './mmu/paging';
import { CS } from './state';

/** Access kinds a watch reacts to (bit mask). */
export const WATCH_READ = 1, WATCH_WRITE = 2, WATCH_READ_WRITE = 3;
/** Bytes of a watched range whose value a hit carries (larger ranges report only where they were accessed). */
export const WATCH_VALUE_BYTES = 8;

/** A watched linear range (the CPU's view: segmentation already applied, before paging). */
export interface LinearWatch { id: number; lin: number; len: number; kind: number; }

/** Part of a watched range at a machine address: byte `off` of watch `id` starts at machine address `pa`. */
export interface MachineWatchRange { id: number; pa: number; len: number; off: number; }

export interface WatchHit {
  id: number;
  access: 'read' | 'write';
  /** Linear address and size of the access (hypervisor writes: the watched bytes they wrote). */
  lin: number;
  size: number;
  /** 'cpu': a guest instruction (or the CPU's implicit access); 'hypervisor': a write through MachineMemory. */
  source: 'cpu' | 'hypervisor';
  /** The CPU that made the access (null for hypervisor writes). */
  cpu: Cpu | null;
  /** Address of the accessing instruction (NaN for hypervisor writes). */
  rip: number;
  /** The watched range's first bytes (up to WATCH_VALUE_BYTES) before the access, when they could be read. */
  before?: Uint8Array;
  /** What the hypervisor was doing (e.g. "hypercall mmu_update(…)"), from WatchSet.context. */
  by?: string;
}

/** Thrown by the CPU at the first access of the iteration after a rep-string iteration that hit a watch. */
export class WatchTrap {
  readonly name = 'WatchTrap';
}
export const WATCH_TRAP = new WatchTrap();

/** What Cpu.translate() returns for a page that carries a data watch of the asked kind (see there). */
export const WATCHED_PAGE = -1;

const STRING_OPS = new Set([0x6c, 0x6d, 0x6e, 0x6f, 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]);
const LEGACY_PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0]);

/** Up to len bytes at a linear address through the side-effect-free probe; undefined when a byte does not translate. */
export function peekLinear(cpu: Cpu, lin: number, len: number): Uint8Array | undefined {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const a = cpu.mode === 64 ? lin + done : (lin + done) >>> 0;
    const r = probe(cpu.mem, cpu, a);
    if (r.phys === undefined || !cpu.mem.contains(r.phys)) return undefined;
    const n = Math.min(len - done, 4096 - (r.phys % 4096), cpu.mem.size - r.phys);
    out.set(cpu.mem.bytes.subarray(r.phys, r.phys + n), done);
    done += n;
  }
  return out;
}

/**
 * For a hit inside a rep-prefixed string instruction: how many more data accesses the current iteration makes
 * (movs: the store after a load hit; cmps: the second load), or -1 when the instruction is not a rep string op.
 */
function repAccessesLeft(cpu: Cpu, write: boolean): number {
  const lin = cpu.mode === 64 ? cpu.insnRip : (cpu.segBase[CS] + cpu.insnRip) >>> 0;
  const bytes = peekLinear(cpu, lin, 15);
  if (!bytes) return -1;
  let rep = false;
  for (const b of bytes) {
    if (b === 0xf2 || b === 0xf3) { rep = true; continue; }
    if (LEGACY_PREFIXES.has(b) || (cpu.mode === 64 && (b & 0xf0) === 0x40)) continue;
    if (!rep || !STRING_OPS.has(b)) return -1;
    if (b === 0xa4 || b === 0xa5) return write ? 0 : 1; // movs: load, then store
    if (b === 0xa6 || b === 0xa7) return 1; // cmps: two loads (an extra load of the next iteration has no effect)
    return 0;
  }
  return -1;
}

export class WatchSet {
  private linear: LinearWatch[] = [];
  private readonly byId = new Map<number, LinearWatch>();
  /** Watches by linear page number. */
  private readonly byPage = new Map<number, LinearWatch[]>();
  /** Linear pages with a read (resp. write) watch: the TLB never caches read (resp. write) permission for them. */
  readonly readPages = new Set<number>();
  readonly writePages = new Set<number>();
  private machine: MachineWatchRange[] = [];
  private readonly byFrame = new Map<number, MachineWatchRange[]>();
  private hits: WatchHit[] = [];
  /** Above zero while the debugger writes guest memory itself: its writes are not guest accesses. */
  muted = 0;
  /** Describes what the hypervisor is doing when it writes (set by the machine; null outside Xen). */
  context: (() => string | undefined) | null = null;

  constructor(readonly mem: MachineMemory, readonly cpus: readonly Cpu[]) {
    mem.onWatchedWrite = (pa, len) => this.machineWrite(pa, len);
  }

  get size(): number { return this.linear.length; }
  watches(): readonly LinearWatch[] { return this.linear; }
  machineRanges(): readonly MachineWatchRange[] { return this.machine; }

  /** Replace the linear watches; TLB entries of pages that gain or lose a watch are dropped on every CPU. */
  setLinear(watches: LinearWatch[]): void {
    const touched = new Set<number>([...this.readPages, ...this.writePages]);
    this.linear = watches.filter((w) => w.len > 0 && (w.kind & WATCH_READ_WRITE) !== 0).map((w) => ({ ...w }));
    this.byId.clear(); this.byPage.clear(); this.readPages.clear(); this.writePages.clear();
    for (const w of this.linear) {
      this.byId.set(w.id, w);
      const v0 = Math.floor(w.lin / 4096), v1 = Math.floor((w.lin + w.len - 1) / 4096);
      for (let v = v0; v <= v1; v++) {
        let list = this.byPage.get(v);
        if (!list) { list = []; this.byPage.set(v, list); }
        list.push(w);
        if (w.kind & WATCH_READ) this.readPages.add(v);
        if (w.kind & WATCH_WRITE) this.writePages.add(v);
        touched.add(v);
      }
    }
    // drop machine ranges of watches that are gone or no longer watch writes
    const keep = this.machine.filter((r) => (this.byId.get(r.id)?.kind ?? 0) & WATCH_WRITE);
    if (keep.length !== this.machine.length) this.setMachine(keep);
    for (const cpu of this.cpus) {
      cpu.watch = this.linear.length ? this : null;
      if (touched.size > 512) cpu.flushTlb();
      else for (const v of touched) cpu.flushTlbPage(v * 4096);
    }
  }

  /** Replace the machine-address write ranges (the debugger maps each linear watch to the frames backing it). */
  setMachine(ranges: MachineWatchRange[]): void {
    this.machine = ranges.filter((r) => r.len > 0 && this.mem.contains(r.pa, r.len) && this.byId.has(r.id)).map((r) => ({ ...r }));
    this.byFrame.clear();
    for (const r of this.machine) {
      for (let f = Math.floor(r.pa / 4096); f <= Math.floor((r.pa + r.len - 1) / 4096); f++) {
        let list = this.byFrame.get(f);
        if (!list) { list = []; this.byFrame.set(f, list); }
        list.push(r);
      }
    }
    if (this.byFrame.size === 0) { this.mem.watchFrames = null; return; }
    const frames = new Uint8Array(this.mem.frames);
    for (const f of this.byFrame.keys()) frames[f] = 1;
    this.mem.watchFrames = frames;
  }

  clear(): void { this.setLinear([]); this.setMachine([]); this.hits = []; }

  /** Does the linear page of lin carry a watch for this access kind? */
  pageWatched(lin: number, write: boolean): boolean {
    return (write ? this.writePages : this.readPages).has(Math.floor(lin / 4096));
  }

  get pending(): boolean { return this.hits.length > 0; }
  /** The hits since the last call (one per watch; the first access wins, a later write upgrades a read). */
  takeHits(): WatchHit[] { const h = this.hits; this.hits = []; return h; }

  /**
   * A CPU data access on the slow path (cpu.watch is this set). Records hits and asks the CPU to stop after the
   * instruction; inside a rep string instruction it arms the CPU's trap so the rep stops after this iteration.
   */
  cpuAccess(cpu: Cpu, lin: number, size: number, write: boolean): void {
    const pages = write ? this.writePages : this.readPages;
    const v0 = Math.floor(lin / 4096), v1 = Math.floor((lin + size - 1) / 4096);
    let hit = false;
    if (pages.has(v0) || (v1 !== v0 && pages.has(v1))) {
      const bit = write ? WATCH_WRITE : WATCH_READ;
      for (let v = v0; v <= v1; v++) {
        const list = this.byPage.get(v);
        if (!list) continue;
        for (const w of list) {
          if (!(w.kind & bit) || !(lin < w.lin + w.len && w.lin < lin + size)) continue;
          if (v > v0 && w.lin <= v0 * 4096 + 4095) continue; // seen on the first page already
          hit = true;
          this.record({
            id: w.id, access: write ? 'write' : 'read', lin, size, source: 'cpu', cpu, rip: cpu.insnRip,
            before: peekLinear(cpu, w.lin, Math.min(w.len, WATCH_VALUE_BYTES)),
          });
        }
      }
    }
    if (hit) {
      cpu.requestStop('watchpoint');
      const left = repAccessesLeft(cpu, write);
      if (left >= 0) { cpu.watchTrap = left; cpu.flushTlb(); }
    } else if (cpu.watchTrap > 0) cpu.watchTrap--;
  }

  /** MachineMemory is about to write len bytes at pa, in a frame with a watched range. */
  machineWrite(pa: number, len: number): void {
    if (this.muted > 0) return;
    const f0 = Math.floor(pa / 4096), f1 = Math.floor((pa + len - 1) / 4096);
    let hit = false;
    for (let f = f0; f <= f1; f++) {
      const list = this.byFrame.get(f);
      if (!list) continue;
      for (const r of list) {
        const start = Math.max(pa, r.pa), end = Math.min(pa + len, r.pa + r.len);
        if (start >= end) continue;
        if (f > f0 && r.pa < f * 4096) continue; // seen on an earlier frame
        const w = this.byId.get(r.id);
        if (!w || !(w.kind & WATCH_WRITE)) continue;
        hit = true;
        this.record({
          id: w.id, access: 'write', lin: w.lin + r.off + (start - r.pa), size: end - start, source: 'hypervisor', cpu: null,
          rip: NaN, before: this.machineBytes(w), by: this.context?.() ?? undefined,
        });
      }
    }
    if (hit) for (const cpu of this.cpus) cpu.requestStop('watchpoint');
  }

  /** The watched range's first bytes assembled from its machine ranges (undefined when not all are mapped). */
  machineBytes(w: LinearWatch): Uint8Array | undefined {
    const n = Math.min(w.len, WATCH_VALUE_BYTES);
    const out = new Uint8Array(n);
    let have = 0;
    for (const r of this.machine) {
      if (r.id !== w.id || r.off >= n) continue;
      const k = Math.min(r.len, n - r.off);
      out.set(this.mem.bytes.subarray(r.pa, r.pa + k), r.off);
      have += k;
    }
    return have === n ? out : undefined;
  }

  private record(h: WatchHit): void {
    const old = this.hits.find((x) => x.id === h.id);
    if (!old) { this.hits.push(h); return; }
    if (h.access === 'write' && old.access === 'read') { old.access = 'write'; old.lin = h.lin; old.size = h.size; }
    if (!old.by && h.by) old.by = h.by;
  }
}
