// Shared plumbing for the SSE/SSE2 and x87 handler files: architectural availability checks (CR0.EM/TS,
// CR4.OSFXSR), 128/64/32-bit memory operands with alignment checks, and lane scratch registers with typed views.

import type { Cpu } from '../cpu';
import type { Handler, Insn } from '../decoder/insn';
import { CpuFault, UD, NM, GP } from '../fault';
import { ACC_WRITE } from '../mmu/paging';

export const CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_NE = 1 << 5;
export const CR4_OSFXSR = 1 << 9, CR4_OSXMMEXCPT = 1 << 10;
/** MXCSR bits this CPU implements (DAZ included): everything else is reserved and makes ldmxcsr/fxrstor #GP(0). */
export const MXCSR_MASK = 0xffff;

/** SSE/SSE2 availability (SDM Vol 3, 13.1 / Table 22-...): EM -> #UD, OSFXSR clear -> #UD, TS -> #NM. */
export function sseCheck(cpu: Cpu): void {
  const cr0 = cpu.cr0;
  if (cr0 & CR0_EM) throw new CpuFault(UD);
  if ((cpu.cr4 & CR4_OSFXSR) === 0) throw new CpuFault(UD);
  if (cr0 & CR0_TS) throw new CpuFault(NM);
}
/** MMX-state instructions (emms): EM -> #UD, TS -> #NM (no OSFXSR requirement). */
export function mmxCheck(cpu: Cpu): void {
  if (cpu.cr0 & CR0_EM) throw new CpuFault(UD);
  if (cpu.cr0 & CR0_TS) throw new CpuFault(NM);
}
/** x87 instructions and fxsave/fxrstor: EM or TS -> #NM. */
export function fpuCheck(cpu: Cpu): void {
  if (cpu.cr0 & (CR0_EM | CR0_TS)) throw new CpuFault(NM);
}

// ---- scratch lane registers: A is the destination/first operand, B the source. Views share each buffer. ----
export const A = new Int32Array(4), B = new Int32Array(4);
export const A8 = new Uint8Array(A.buffer), B8 = new Uint8Array(B.buffer);
export const A8s = new Int8Array(A.buffer), B8s = new Int8Array(B.buffer);
export const A16 = new Uint16Array(A.buffer), B16 = new Uint16Array(B.buffer);
export const A16s = new Int16Array(A.buffer), B16s = new Int16Array(B.buffer);
export const Af32 = new Float32Array(A.buffer), Bf32 = new Float32Array(B.buffer);
export const Af64 = new Float64Array(A.buffer), Bf64 = new Float64Array(B.buffer);
/** A third scratch for results that must not overwrite A while it is being read (shuffles, unpacks). */
export const R = new Int32Array(4);
export const R8 = new Uint8Array(R.buffer), R16 = new Uint16Array(R.buffer);

/** Copy XMM n into a 4-lane array. */
export function getX(cpu: Cpu, n: number, out: Int32Array): void {
  const x = cpu.xmm, k = n << 2;
  out[0] = x[k]; out[1] = x[k + 1]; out[2] = x[k + 2]; out[3] = x[k + 3];
}
/** Copy a 4-lane array into XMM n. */
export function setX(cpu: Cpu, n: number, v: Int32Array): void {
  const x = cpu.xmm, k = n << 2;
  x[k] = v[0]; x[k + 1] = v[1]; x[k + 2] = v[2]; x[k + 3] = v[3];
}

/** lin + k with the address-space wrap of the current mode (32-bit linear addresses wrap at 4 GiB). */
export function linAdd(cpu: Cpu, lin: number, k: number): number {
  return cpu.mode === 64 ? lin + k : (lin + k) >>> 0;
}

/** Linear address of the memory operand, #GP(0) unless `align`-byte aligned (align 0 or 1: no check). */
export function memLinear(cpu: Cpu, i: Insn, size: number, write: boolean, align: number): number {
  const lin = cpu.linear(i, size, write);
  if (align > 1 && (lin & (align - 1)) !== 0) throw new CpuFault(GP, 0);
  return lin;
}

/** Make sure every page of [lin, lin+size) is writable before the first byte is stored (no partial stores). */
export function probeWrite(cpu: Cpu, lin: number, size: number): void {
  if ((lin & 0xfff) + size <= 4096) return;
  cpu.translate(lin, ACC_WRITE);
  for (let o = 4096 - (lin & 0xfff); o < size; o += 4096) cpu.translate(linAdd(cpu, lin, o), ACC_WRITE);
  cpu.translate(linAdd(cpu, lin, size - 1), ACC_WRITE);
}

/** Read 16 bytes at a linear address into out. */
export function readLin128(cpu: Cpu, lin: number, out: Int32Array): void {
  const lo0 = cpu.readLin64(lin), hi0 = cpu.rhi;
  const lo1 = cpu.readLin64(linAdd(cpu, lin, 8)), hi1 = cpu.rhi;
  out[0] = lo0; out[1] = hi0; out[2] = lo1; out[3] = hi1;
}
/** Write 16 bytes at a linear address (all pages checked first). */
export function writeLin128(cpu: Cpu, lin: number, v: Int32Array): void {
  probeWrite(cpu, lin, 16);
  cpu.writeLin64(lin, v[0], v[1]);
  cpu.writeLin64(linAdd(cpu, lin, 8), v[2], v[3]);
}

/** Source operand xmm/m128 into out: XMM rm, or 16 bytes of memory (#GP(0) when `aligned` and misaligned). */
export function loadSrc128(cpu: Cpu, i: Insn, out: Int32Array, aligned: boolean): void {
  if (!i.isMem) { getX(cpu, i.rm, out); return; }
  readLin128(cpu, memLinear(cpu, i, 16, false, aligned ? 16 : 0), out);
}
/** Source operand xmm/m64 into out[0..1] (out[2..3] = 0 for memory, XMM's upper lanes for registers). */
export function loadSrc64(cpu: Cpu, i: Insn, out: Int32Array): void {
  if (!i.isMem) { getX(cpu, i.rm, out); return; }
  out[0] = cpu.readLin64(cpu.linear(i, 8, false)); out[1] = cpu.rhi; out[2] = 0; out[3] = 0;
}
/** Source operand xmm/m32 into out[0] (other lanes as loadSrc64). */
export function loadSrc32(cpu: Cpu, i: Insn, out: Int32Array): void {
  if (!i.isMem) { getX(cpu, i.rm, out); return; }
  out[0] = cpu.readLin32(cpu.linear(i, 4, false)); out[1] = 0; out[2] = 0; out[3] = 0;
}

/**
 * A two-operand 128-bit op `xmm(reg) = op(xmm(reg), xmm/m128)`: checks, loads A (dest) and B (source,
 * aligned memory), runs `op` which leaves its result in A, stores A.
 */
export function binop128(op: () => void): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    loadSrc128(cpu, i, B, true);
    getX(cpu, i.reg, A);
    op();
    setX(cpu, i.reg, A);
  };
}
/** As binop128 with the imm8 passed to op. */
export function binop128Imm(op: (imm: number) => void): Handler {
  return (cpu, i) => {
    sseCheck(cpu);
    loadSrc128(cpu, i, B, true);
    getX(cpu, i.reg, A);
    op(i.imm & 0xff);
    setX(cpu, i.reg, A);
  };
}

/** Signed saturation to int8 / int16, unsigned saturation to uint8 / uint16. */
export function satS8(v: number): number { return v > 127 ? 127 : v < -128 ? -128 : v; }
export function satS16(v: number): number { return v > 32767 ? 32767 : v < -32768 ? -32768 : v; }
export function satU8(v: number): number { return v > 255 ? 255 : v < 0 ? 0 : v; }
export function satU16(v: number): number { return v > 65535 ? 65535 : v < 0 ? 0 : v; }

/** Read n bytes at a linear address into buf[0..n). */
export function readBytes(cpu: Cpu, lin: number, buf: Uint8Array, n: number): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const v = cpu.readLin32(linAdd(cpu, lin, k));
    buf[k] = v; buf[k + 1] = v >>> 8; buf[k + 2] = v >>> 16; buf[k + 3] = v >>> 24;
  }
  for (; k < n; k++) buf[k] = cpu.readLin8(linAdd(cpu, lin, k));
}
/** Write buf[0..n) at a linear address; every page is checked for writability before the first store. */
export function writeBytes(cpu: Cpu, lin: number, buf: Uint8Array, n: number): void {
  probeWrite(cpu, lin, n);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    cpu.writeLin32(linAdd(cpu, lin, k), buf[k] | (buf[k + 1] << 8) | (buf[k + 2] << 16) | (buf[k + 3] << 24));
  }
  for (; k < n; k++) cpu.writeLin8(linAdd(cpu, lin, k), buf[k]);
}
