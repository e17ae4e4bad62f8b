// Debugger access to guest memory by linear address: translated with the side-effect-free paging probe
// (never faults, never sets accessed/dirty bits); writes go through MachineMemory so decoded code is dropped.

import type { Cpu } from '../cpu/cpu';
import { probe } from '../cpu/mmu/paging';
import { ripLinear } from '../cpu/runner';
import { CS } from '../cpu/state';

export class MemoryAccessError extends Error {
  constructor(message: string) { super(message); this.name = 'MemoryAccessError'; }
}

/** Machine address of a linear address, or a reason string when it does not translate. */
export function translateLinear(cpu: Cpu, lin: number): { phys: number } | { error: string } {
  const r = probe(cpu.mem, cpu, lin);
  if (r.phys === undefined) return { error: r.stop ?? 'not mapped' };
  if (!cpu.mem.contains(r.phys)) return { error: `machine address 0x${r.phys.toString(16)} is outside guest memory` };
  return { phys: r.phys };
}

/**
 * Read up to len bytes at a linear address. Stops at the first byte that does not translate; returns the
 * bytes read and how many could not be read (DAP readMemory's unreadableBytes).
 */
export function readLinear(cpu: Cpu, lin: number, len: number): { data: Uint8Array; unreadable: number; error?: string } {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const a = lin + done;
    const t = translateLinear(cpu, a);
    if ('error' in t) return { data: out.subarray(0, done), unreadable: len - done, error: `0x${toHex(a)}: ${t.error}` };
    const inPage = Math.min(len - done, 4096 - (t.phys % 4096), cpu.mem.size - t.phys);
    out.set(cpu.mem.bytes.subarray(t.phys, t.phys + inPage), done);
    done += inPage;
  }
  return { data: out, unreadable: 0 };
}

/** Read exactly len bytes or throw MemoryAccessError naming the address and why. */
export function readLinearExact(cpu: Cpu, lin: number, len: number): Uint8Array {
  const r = readLinear(cpu, lin, len);
  if (r.unreadable) throw new MemoryAccessError(`cannot read memory at ${r.error}`);
  return r.data;
}

/** Little-endian unsigned value of size bytes (1..8) as a bigint. */
export function readValue(cpu: Cpu, lin: number, size: number): bigint {
  const b = readLinearExact(cpu, lin, size);
  let v = 0n;
  for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
  return v;
}

/** Read a pointer-sized value as a number (8 bytes in 64-bit mode, else 4), or undefined when unreadable. */
export function readPointer(cpu: Cpu, lin: number, size: number): number | undefined {
  const r = readLinear(cpu, lin, size);
  if (r.unreadable) return undefined;
  const v = new DataView(r.data.buffer, r.data.byteOffset, size);
  return size === 8 ? v.getUint32(4, true) * 4294967296 + v.getUint32(0, true) : v.getUint32(0, true);
}

/** Write bytes at a linear address; every page is translated first so a failure writes nothing. */
export function writeLinear(cpu: Cpu, lin: number, data: Uint8Array): void {
  const parts: { phys: number; from: number; len: number }[] = [];
  let done = 0;
  while (done < data.length) {
    const a = lin + done;
    const t = translateLinear(cpu, a);
    if ('error' in t) throw new MemoryAccessError(`cannot write memory at 0x${toHex(a)}: ${t.error}`);
    const inPage = Math.min(data.length - done, 4096 - (t.phys % 4096), cpu.mem.size - t.phys);
    parts.push({ phys: t.phys, from: done, len: inPage });
    done += inPage;
  }
  for (const p of parts) cpu.mem.writeBytes(p.phys, data.subarray(p.from, p.from + p.len));
}

/** Linear address of RIP, or CS base + RIP when RIP is outside the segment (never throws). */
export function pcLinear(cpu: Cpu): number {
  try { return ripLinear(cpu); } catch { return cpu.mode === 64 ? cpu.rip : (cpu.segBase[CS] + cpu.rip) >>> 0; }
}

export function toHex(v: number): string {
  return v < 0 ? (BigInt(v) + (1n << 64n)).toString(16) : v.toString(16);
}
