// Rejection records for the mm code: which Xen rule broke, a gdprintk-style message, the frame, entry
// index and value. Kept in a ring of the last N; operations hand back the first one they caused.

/** Short ids of the rules the mm code enforces. */
export type MmRule =
  | 'bad-l1-flags' | 'bad-l2-flags' | 'bad-l3-flags' | 'bad-l4-flags'
  | 'not-owned' | 'mmio' | 'type-conflict' | 'type-overflow' | 'writable-pt-mapping'
  | 'linear-pt' | 'xen-slot' | 'pae-l3' | 'pae-l2-shared'
  | 'already-pinned' | 'not-pinned' | 'not-a-page-table' | 'bad-baseptr'
  | 'bad-descriptor' | 'bad-ldt' | 'bad-gdt' | 'bad-mmu-cmd' | 'bad-mmuext-cmd' | 'foreign-domain' | 'permission'
  /** Hypercall-layer rules: unreadable/unwritable guest argument, unmapped linear address, memory_op, multicall. */
  | 'guest-fault' | 'bad-va' | 'memory-op' | 'multicall';

export interface MmDiagnostic {
  /** Monotonic sequence number. */
  readonly seq: number;
  readonly rule: MmRule;
  /** Message in the style of Xen's gdprintk. */
  readonly message: string;
  /** Negative Xen errno the failing step returned. */
  readonly rc: number;
  /** Frame the rule is about (the table holding the bad entry, or the frame itself). */
  readonly mfn?: number;
  readonly pfn?: number;
  /** Page-table level of the table at mfn (1..4), when relevant. */
  readonly level?: number;
  /** Entry index within the table/descriptor page. */
  readonly index?: number;
  /** Entry value as 16 hex digits, and its halves. */
  readonly value?: string;
  readonly valueLo?: number;
  readonly valueHi?: number;
  /** Frame the entry points at. */
  readonly targetMfn?: number;
  readonly domid?: number;
}

export type MmDiagnosticInput = Omit<MmDiagnostic, 'seq' | 'value'>;

/** Entry context set by the loops that walk tables, so deep rejections know which entry was at fault. */
export interface EntryContext {
  mfn: number;
  level: number;
  index: number;
  lo: number;
  hi: number;
}

export class MmDiagnostics {
  private readonly ring: (MmDiagnostic | undefined)[];
  private next = 0;
  private seqNo = 0;
  /** The entry being processed (innermost), or null. */
  ctx: EntryContext | null = null;
  /** Resolves a frame's pfn for records that name an mfn but no pfn (set by MmState to its M2P). */
  pfnOf: ((mfn: number) => number) | null = null;

  constructor(readonly capacity: number) { this.ring = new Array(Math.max(1, capacity)); }

  /** Current sequence number: pass to firstSince() after an operation. */
  mark(): number { return this.seqNo; }

  /** Record a rejection; the entry context fills mfn/index/value when the caller gives none. Returns it. */
  report(d: MmDiagnosticInput): MmDiagnostic {
    const c = this.ctx;
    const withCtx = c && d.index === undefined && d.mfn === undefined
      ? { ...d, mfn: c.mfn, level: c.level, index: c.index, valueLo: c.lo, valueHi: c.hi }
      : d;
    const lo = withCtx.valueLo, hi = withCtx.valueHi;
    const pfn = withCtx.pfn ?? (withCtx.mfn !== undefined && this.pfnOf ? this.pfnOf(withCtx.mfn) : undefined);
    const value = lo === undefined ? undefined
      : ((hi ?? 0) >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
    const rec: MmDiagnostic = Object.freeze({ ...withCtx, pfn, seq: ++this.seqNo, value });
    this.ring[this.next] = rec;
    this.next = (this.next + 1) % this.ring.length;
    return rec;
  }

  /** First diagnostic recorded after mark `seq` (the root cause of a failed operation), if still held. */
  firstSince(seq: number): MmDiagnostic | undefined {
    let best: MmDiagnostic | undefined;
    for (const d of this.ring) if (d && d.seq > seq && (!best || d.seq < best.seq)) best = d;
    return best;
  }

  /** All held diagnostics, oldest first. */
  all(): MmDiagnostic[] {
    return this.ring.filter((d): d is MmDiagnostic => d !== undefined).sort((a, b) => a.seq - b.seq);
  }

  get last(): MmDiagnostic | undefined {
    const d = this.ring[(this.next + this.ring.length - 1) % this.ring.length];
    return d;
  }

  clear(): void { this.ring.fill(undefined); this.next = 0; }
}
