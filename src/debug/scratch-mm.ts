// A throw-away copy of Xen's mm state for "what if" questions: the frame table, M2P and domains are cloned and
// machine memory is copy-on-write, so Xen's real code paths can run on it without touching the live domain.

import { MachineMemory, PAGE_SIZE } from '../cpu/memory';
import { MmState, MmDomain, MmVcpu } from '../xen/mm';

/** Copy-on-write view of machine memory: reads fall through to the base until a page is written. */
export class OverlayMemory {
  readonly size: number;
  readonly frames: number;
  private readonly pages = new Map<number, { bytes: Uint8Array; view: DataView }>();

  constructor(private readonly base: MachineMemory) { this.size = base.size; this.frames = base.frames; }

  /** Frames written so far. */
  get dirtyFrames(): number[] { return [...this.pages.keys()]; }

  contains(pa: number, len = 1): boolean { return pa >= 0 && pa + len <= this.size; }

  private page(frame: number): { bytes: Uint8Array; view: DataView } {
    let p = this.pages.get(frame);
    if (!p) {
      const bytes = this.base.bytes.slice(frame * PAGE_SIZE, (frame + 1) * PAGE_SIZE);
      p = { bytes, view: new DataView(bytes.buffer) };
      this.pages.set(frame, p);
    }
    return p;
  }

  read8(pa: number): number {
    if (!this.contains(pa)) return 0xff;
    const p = this.pages.get(Math.floor(pa / PAGE_SIZE));
    return p ? p.bytes[pa % PAGE_SIZE] : this.base.bytes[pa];
  }
  read16(pa: number): number { return this.contains(pa, 2) ? this.read8(pa) | (this.read8(pa + 1) << 8) : 0xffff; }
  read32(pa: number): number {
    if (!this.contains(pa, 4)) return 0xffffffff;
    const off = pa % PAGE_SIZE;
    if (off > PAGE_SIZE - 4) return (this.read16(pa) | (this.read16(pa + 2) << 16)) >>> 0;
    const p = this.pages.get(Math.floor(pa / PAGE_SIZE));
    return p ? p.view.getUint32(off, true) : this.base.view.getUint32(pa, true);
  }
  read64AsNumber(pa: number): number { return this.read32(pa) + this.read32(pa + 4) * 0x1_0000_0000; }

  write8(pa: number, v: number): void { if (this.contains(pa)) this.page(Math.floor(pa / PAGE_SIZE)).bytes[pa % PAGE_SIZE] = v; }
  write16(pa: number, v: number): void { this.write8(pa, v & 0xff); this.write8(pa + 1, (v >>> 8) & 0xff); }
  write32(pa: number, v: number): void { for (let k = 0; k < 4; k++) this.write8(pa + k, (v >>> (8 * k)) & 0xff); }
  write64(pa: number, lo: number, hi: number): void { if (this.contains(pa, 8)) { this.write32(pa, lo); this.write32(pa + 4, hi); } }
  readBytes(pa: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let k = 0; k < len; k++) out[k] = this.read8(pa + k);
    return out;
  }
  writeBytes(pa: number, data: Uint8Array): void { for (let k = 0; k < data.length; k++) this.write8(pa + k, data[k]); }
  fill(pa: number, len: number, value: number): void { for (let k = 0; k < len; k++) this.write8(pa + k, value); }
  touch(): void { /* no decode cache here */ }
}

export interface ScratchMm {
  mm: MmState;
  mem: OverlayMemory;
  /** The scratch copy of domain `domid`, and its vCPU `vcpu`. */
  domain(domid: number): MmDomain;
  vcpu(domid: number, id: number): MmVcpu;
}

/** Clone `real` (frame table, M2P, domains, vCPUs' base pointers) over copy-on-write memory. No hooks: no TLB/CR3 effects. */
export function cloneMm(real: MmState): ScratchMm {
  const mem = new OverlayMemory(real.mem);
  const mm = new MmState(mem as unknown as MachineMemory, { nx: real.nx, paeL3Strict: real.paeL3Strict, diagCapacity: 64 }, {});
  const src = real.frames, dst = mm.frames;
  dst.owner.set(src.owner); dst.count.set(src.count); dst.countFlags.set(src.countFlags);
  dst.type.set(src.type); dst.typeFlags.set(src.typeFlags); dst.typeCount.set(src.typeCount);
  dst.linearPtCount.set(src.linearPtCount);
  mm.m2p.set(real.m2p);
  mm.xen = real.xen;
  for (const [domid, d] of real.domains) {
    const copy: MmDomain = { domid, kind: d.kind, p2m: d.p2m.slice(), m2p: mm.m2p, vmAssist: d.vmAssist, vcpus: [] };
    for (const v of d.vcpus) {
      if (!v) continue;
      copy.vcpus[v.id] = { id: v.id, domain: copy, guestTable: v.guestTable, guestTableUser: v.guestTableUser, ldtBase: v.ldtBase, ldtEnts: v.ldtEnts };
    }
    mm.domains.set(domid, copy);
  }
  return {
    mm, mem,
    domain: (domid) => {
      const d = mm.domains.get(domid);
      if (!d) throw new Error(`no domain d${domid}`);
      return d;
    },
    vcpu: (domid, id) => {
      const v = mm.domains.get(domid)?.vcpus[id];
      if (!v) throw new Error(`no vCPU ${id} in d${domid}`);
      return v;
    },
  };
}
