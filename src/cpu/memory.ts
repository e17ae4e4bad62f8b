// Machine memory: one flat byte array addressed by machine (physical) address, with code-page tracking
// so the decoded-instruction cache is invalidated when guest or hypervisor writes over decoded code, and
// machine-address write watches (the debugger's data breakpoints on what the hypervisor writes).

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

export class MachineMemory {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly size: number;
  readonly frames: number;
  /** Nonzero for frames that hold instructions in the decode cache. */
  readonly codeFrames: Uint8Array;
  /** Called once per frame write while the frame is marked in codeFrames (the CPU drops its decode cache). */
  onCodeWrite: (frame: number) => void = () => {};
  /** Frames holding a write-watched byte (nonzero), or null when nothing is watched (the write paths then pay one test). */
  watchFrames: Uint8Array | null = null;
  /** Called before a write of len bytes at pa that touches a frame in watchFrames (see cpu/watch.ts). */
  onWatchedWrite: (pa: number, len: number) => void = () => {};
  /** Above zero while the CPU's page walker writes Accessed/Dirty bits: watches ignore those, as x86 debug registers do. */
  watchMuted = 0;

  constructor(sizeBytes: number) {
    if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % PAGE_SIZE !== 0 || sizeBytes > 0x1_0000_0000) {
      throw new RangeError(`machine memory size must be a positive multiple of 4096 up to 4 GiB, got ${sizeBytes}`);
    }
    this.size = sizeBytes;
    this.frames = sizeBytes / PAGE_SIZE;
    this.bytes = new Uint8Array(sizeBytes);
    this.view = new DataView(this.bytes.buffer);
    this.codeFrames = new Uint8Array(this.frames);
  }

  /** True when [pa, pa+len) lies inside machine memory. Reads outside return all-ones; writes are dropped. */
  contains(pa: number, len = 1): boolean { return pa >= 0 && pa + len <= this.size; }

  read8(pa: number): number { return pa >= 0 && pa < this.size ? this.bytes[pa] : 0xff; }
  read16(pa: number): number { return this.contains(pa, 2) ? this.view.getUint16(pa, true) : 0xffff; }
  /** Unsigned 32-bit read. */
  read32(pa: number): number { return this.contains(pa, 4) ? this.view.getUint32(pa, true) : 0xffffffff; }
  /** 64-bit read as a number; exact only below 2^53 (use read32 twice for full values). */
  read64AsNumber(pa: number): number { return this.read32(pa) + this.read32(pa + 4) * 0x1_0000_0000; }

  write8(pa: number, v: number): void {
    if (pa < 0 || pa >= this.size) return;
    this.touch(pa, 1);
    this.bytes[pa] = v;
  }
  write16(pa: number, v: number): void {
    if (!this.contains(pa, 2)) return;
    this.touch(pa, 2);
    this.view.setUint16(pa, v, true);
  }
  write32(pa: number, v: number): void {
    if (!this.contains(pa, 4)) return;
    this.touch(pa, 4);
    this.view.setUint32(pa, v >>> 0, true);
  }
  /** Write a 64-bit value given as two 32-bit halves. */
  write64(pa: number, lo: number, hi: number): void {
    if (!this.contains(pa, 8)) return;
    this.touch(pa, 8);
    this.view.setUint32(pa, lo >>> 0, true);
    this.view.setUint32(pa + 4, hi >>> 0, true);
  }
  readBytes(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len).fill(0xff);
    const start = Math.max(0, pa), end = Math.min(this.size, pa + len);
    if (end > start) out.set(this.bytes.subarray(start, end), start - pa);
    return out;
  }
  writeBytes(pa: number, data: Uint8Array): void {
    const start = Math.max(0, pa), end = Math.min(this.size, pa + data.length);
    if (end <= start) return;
    this.touch(start, end - start);
    this.bytes.set(data.subarray(start - pa, end - pa), start);
  }
  fill(pa: number, len: number, value: number): void {
    const start = Math.max(0, pa), end = Math.min(this.size, pa + len);
    if (end <= start) return;
    this.touch(start, end - start);
    this.bytes.fill(value, start, end);
  }

  /** Before a write of len bytes at pa: code-cache invalidation and write watches (the CPU's own stores inline the code check). */
  touch(pa: number, len: number): void {
    this.touchCode(pa, len);
    if (this.watchFrames !== null && this.watchMuted === 0) this.touchWatch(pa, len);
  }
  private touchCode(pa: number, len: number): void {
    const first = pa >>> PAGE_SHIFT, last = (pa + len - 1) >>> PAGE_SHIFT;
    for (let f = first; f <= last; f++) {
      if (this.codeFrames[f]) { this.codeFrames[f] = 0; this.onCodeWrite(f); }
    }
  }
  private touchWatch(pa: number, len: number): void {
    const w = this.watchFrames;
    if (w === null) return;
    const first = pa >>> PAGE_SHIFT, last = (pa + len - 1) >>> PAGE_SHIFT;
    for (let f = first; f <= last; f++) if (w[f]) { this.onWatchedWrite(pa, len); return; }
  }
}
