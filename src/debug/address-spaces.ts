// Debugger access to the pfn: (guest pseudo-physical, through the domain's p2m) and mfn: (machine) address spaces,
// beside guest-linear: byte reads and writes straight to machine memory, so they never fault and never set A/D bits.

import type { Cpu } from '../cpu/cpu';
import type { MachineMemory } from '../cpu/memory';
import type { DebugMachine } from './machine';
import { XenDebugMachine } from './xen-machine';
import { AddressSpace, EvalContext, evaluateAddress, spaceReference } from './expressions';
import { MemoryAccessError, readLinear, writeLinear, toHex } from './guest-memory';

/** How a machine resolves frames: pfn -> mfn (p2m) and the machine memory behind them. */
export interface PhysicalMap {
  mem: MachineMemory;
  /** Machine frame of frame `frame` in `space`, or why there is none. */
  machineFrame(space: AddressSpace, frame: number): number | string;
}

/** The map for a debug machine: a Xen domain's p2m, or identity on the bare machine (its physical memory). */
export function physicalMap(machine: DebugMachine | undefined): PhysicalMap | undefined {
  if (!machine) return undefined;
  const mem = machine.mem;
  const frames = mem.frames;
  if (machine instanceof XenDebugMachine) {
    const img = machine.domain.image;
    return {
      mem,
      machineFrame: (space, frame) => {
        if (space === 'mfn') return frame < frames ? frame : `mfn 0x${frame.toString(16)} is outside machine memory (0x${frames.toString(16)} frames)`;
        if (frame >= img.nrPages) return `pfn 0x${frame.toString(16)} is outside the guest's pseudo-physical memory (nr_pages 0x${img.nrPages.toString(16)})`;
        const mfn = img.p2m[frame];
        return mfn >= 0 && mfn < frames ? mfn : `pfn 0x${frame.toString(16)} has no machine frame (p2m entry 0x${(mfn >>> 0).toString(16)})`;
      },
    };
  }
  return {
    mem,
    machineFrame: (space, frame) => (frame < frames ? frame : `${space} 0x${frame.toString(16)} is outside physical memory (0x${frames.toString(16)} frames)`),
  };
}

/** Read up to len bytes at a pfn:/mfn: byte address; stops at the first frame that does not resolve. */
export function readPhysical(pm: PhysicalMap, space: AddressSpace, addr: number, len: number): { data: Uint8Array; unreadable: number; error?: string } {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const a = addr + done;
    const mfn = pm.machineFrame(space, Math.floor(a / 4096));
    if (typeof mfn === 'string') return { data: out.subarray(0, done), unreadable: len - done, error: mfn };
    const off = a % 4096, n = Math.min(len - done, 4096 - off);
    out.set(pm.mem.bytes.subarray(mfn * 4096 + off, mfn * 4096 + off + n), done);
    done += n;
  }
  return { data: out, unreadable: 0 };
}

/** Write bytes at a pfn:/mfn: byte address; every frame is resolved first, so a failure writes nothing. */
export function writePhysical(pm: PhysicalMap, space: AddressSpace, addr: number, data: Uint8Array): void {
  const parts: { pa: number; from: number; len: number }[] = [];
  let done = 0;
  while (done < data.length) {
    const a = addr + done;
    const mfn = pm.machineFrame(space, Math.floor(a / 4096));
    if (typeof mfn === 'string') throw new MemoryAccessError(`cannot write ${space} memory: ${mfn}`);
    const off = a % 4096, n = Math.min(data.length - done, 4096 - off);
    parts.push({ pa: mfn * 4096 + off, from: done, len: n });
    done += n;
  }
  for (const p of parts) pm.mem.writeBytes(p.pa, data.subarray(p.from, p.from + p.len));
}

/** EvalContext.readPhysical for a machine (undefined when there is none). */
export function physicalReader(machine: DebugMachine | undefined): EvalContext['readPhysical'] {
  const pm = physicalMap(machine);
  if (!pm) return undefined;
  return (space, addr, size) => {
    if (addr > BigInt(Number.MAX_SAFE_INTEGER)) throw new MemoryAccessError(`${space} address 0x${addr.toString(16)} is out of range`);
    const r = readPhysical(pm, space, Number(addr), size);
    if (r.unreadable) throw new MemoryAccessError(`cannot read ${space} memory: ${r.error}`);
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(r.data[k]);
    return v;
  };
}

/** A DAP memoryReference (+ offset) in any space: "0x…"/expressions are guest-linear, "pfn:…"/"mfn:…" physical. */
export function resolveReference(ctx: EvalContext, ref: string, offset = 0): { space: AddressSpace | 'linear'; address: number } {
  const r = evaluateAddress(ref, ctx);
  const u = BigInt.asUintN(64, r.address + BigInt(Math.trunc(offset)));
  const address = r.space === 'linear' ? (u >= 1n << 63n ? Number(BigInt.asIntN(64, u)) : Number(u)) : Number(u);
  return { space: r.space, address };
}

/** readMemory for a memoryReference in any space. */
export function readReference(machine: DebugMachine | undefined, cpu: Cpu, ctx: EvalContext, ref: string, offset: number, count: number): { address: string; data: Uint8Array; unreadable: number } {
  const r = resolveReference(ctx, ref, offset);
  if (r.space === 'linear') { const x = readLinear(cpu, r.address, count); return { address: `0x${toHex(r.address)}`, data: x.data, unreadable: x.unreadable }; }
  const pm = physicalMap(machine);
  if (!pm) throw new MemoryAccessError('no machine loaded');
  const x = readPhysical(pm, r.space, r.address, count);
  return { address: spaceReference(r.space, BigInt(r.address)), data: x.data, unreadable: x.unreadable };
}

/** writeMemory for a memoryReference in any space (throws MemoryAccessError, writing nothing, when a page is missing). */
export function writeReference(machine: DebugMachine | undefined, cpu: Cpu, ctx: EvalContext, ref: string, offset: number, data: Uint8Array): { space: AddressSpace | 'linear'; address: number } {
  const r = resolveReference(ctx, ref, offset);
  if (r.space === 'linear') { writeLinear(cpu, r.address, data); return r; }
  const pm = physicalMap(machine);
  if (!pm) throw new MemoryAccessError('no machine loaded');
  writePhysical(pm, r.space, r.address, data);
  return r;
}
