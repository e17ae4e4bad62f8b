// Hypervisor access to guest memory by guest-virtual address (copy_from_guest / copy_to_guest): walks the
// guest's current page tables as a supervisor access with CR0.WP, never faults the host; a bad pointer → null/false.

import type { Cpu } from '../cpu/cpu';
import { walk, ACC_READ, ACC_WRITE } from '../cpu/mmu/paging';
import { CpuFault } from '../cpu/fault';
import { TWO32 } from '../common/bits';

/** Machine address of guest-virtual `va` for an access, or -1 when the guest's tables do not allow it. */
export function guestTranslate(cpu: Cpu, va: number, write: boolean): number {
  if (cpu.mode !== 64 && (va < 0 || va >= TWO32)) return -1;
  if (cpu.mode === 64 && (va < -0x800000000000 || va >= 0x800000000000)) return -1;
  try {
    const t = walk(cpu.mem, cpu, va, write ? ACC_WRITE : ACC_READ, false, true);
    const pa = t.frame + (((va % 4096) + 4096) % 4096);
    return t.frame + 4096 <= cpu.mem.size ? pa : -1;
  } catch (e) {
    if (e instanceof CpuFault) return -1;
    throw e;
  }
}

function step(cpu: Cpu, va: number, n: number): number {
  const r = va + n;
  return cpu.mode === 64 ? r : r >>> 0;
}

/** Copy len bytes from the guest; null on any unmapped/forbidden byte (-EFAULT for the caller). */
export function copyFromGuest(cpu: Cpu, va: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const cur = step(cpu, va, done);
    const pa = guestTranslate(cpu, cur, false);
    if (pa < 0) return null;
    const chunk = Math.min(len - done, 4096 - (pa & 0xfff));
    out.set(cpu.mem.bytes.subarray(pa, pa + chunk), done);
    done += chunk;
  }
  return out;
}

/** Copy bytes to the guest; all pages are checked before anything is written. False → -EFAULT. */
export function copyToGuest(cpu: Cpu, va: number, data: Uint8Array): boolean {
  const pas: number[] = [];
  const chunks: number[] = [];
  let done = 0;
  while (done < data.length) {
    const pa = guestTranslate(cpu, step(cpu, va, done), true);
    if (pa < 0) return false;
    const chunk = Math.min(data.length - done, 4096 - (pa & 0xfff));
    pas.push(pa); chunks.push(chunk);
    done += chunk;
  }
  done = 0;
  for (let i = 0; i < pas.length; i++) {
    cpu.mem.writeBytes(pas[i], data.subarray(done, done + chunks[i]));
    done += chunks[i];
  }
  return true;
}

/** Little-endian reader over bytes copied from the guest. */
export class GuestBuf {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) { this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength); }
  u8(o: number): number { return this.bytes[o]; }
  u16(o: number): number { return this.view.getUint16(o, true); }
  u32(o: number): number { return this.view.getUint32(o, true); }
  /** 64-bit field as a signed number (exact for canonical addresses and values below 2^53). */
  s64(o: number): number { return this.view.getInt32(o + 4, true) * TWO32 + this.view.getUint32(o, true); }
  lo(o: number): number { return this.view.getInt32(o, true); }
  hi(o: number): number { return this.view.getInt32(o + 4, true); }
}

/** Read a little-endian word (4 or 8 bytes) from the guest; null on fault. 8-byte words return a signed number. */
export function readGuestWord(cpu: Cpu, va: number, size: number): number | null {
  const b = copyFromGuest(cpu, va, size);
  if (b === null) return null;
  const g = new GuestBuf(b);
  return size === 8 ? g.s64(0) : g.u32(0);
}

/** Write a word (4 or 8 bytes; value as a number, negative = two's complement) to the guest. */
export function encodeWord(v: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, v >>> 0, true);
  if (size === 8) dv.setUint32(4, Math.floor(v / TWO32) >>> 0, true);
  return out;
}
