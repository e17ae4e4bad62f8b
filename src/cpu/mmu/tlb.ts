// Direct-mapped TLB of 4096 entries: linear page number -> machine frame address, with separate
// read/write/execute tags so one compare on the fast path checks both the mapping and the permission.

export const TLB_SIZE = 4096;
export const TLB_MASK = TLB_SIZE - 1;

export class Tlb {
  /** Linear page numbers (NaN = empty) for which read, write and execute are allowed. */
  readonly tagR = new Float64Array(TLB_SIZE).fill(NaN);
  readonly tagW = new Float64Array(TLB_SIZE).fill(NaN);
  readonly tagX = new Float64Array(TLB_SIZE).fill(NaN);
  /** Machine address of the frame. */
  readonly phys = new Float64Array(TLB_SIZE);

  /** canRead is false only for pages with a read watchpoint (their reads must take the checking slow path). */
  fill(vpn: number, frameAddr: number, canWrite: boolean, canExec: boolean, canRead = true): void {
    const k = vpn & TLB_MASK;
    // Keep permissions already proven for the same page (a read fill must not drop a write tag).
    const same = this.tagR[k] === vpn && this.phys[k] === frameAddr;
    this.tagR[k] = canRead ? vpn : NaN;
    this.phys[k] = frameAddr;
    this.tagW[k] = canWrite || (same && this.tagW[k] === vpn) ? vpn : NaN;
    this.tagX[k] = canExec || (same && this.tagX[k] === vpn) ? vpn : NaN;
  }
  flush(): void { this.tagR.fill(NaN); this.tagW.fill(NaN); this.tagX.fill(NaN); }
  flushPage(vpn: number): void {
    const k = vpn & TLB_MASK;
    if (this.tagR[k] === vpn || this.tagW[k] === vpn || this.tagX[k] === vpn) { this.tagR[k] = NaN; this.tagW[k] = NaN; this.tagX[k] = NaN; }
  }
}
