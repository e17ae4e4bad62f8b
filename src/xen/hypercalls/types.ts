// Hypercall plumbing shared by the handlers: the call context (vCPU, arguments as 64-bit halves), the table
// entry shape (name, arity, argument decoder for the log) and the log record the debugger shows.

import type { Cpu } from '../../cpu/cpu';
import type { Vcpu } from '../vcpu';
import type { Domain } from '../domain';
import { TWO32, hexAddr } from '../../common/bits';
import { ERRNO_NAMES } from '../public';
import type { MmDiagnostic, MmDiagnosticInput } from '../mm';

export class HypercallContext {
  /** Argument halves: pv64 rdi rsi rdx r10 r8; pv32 ebx ecx edx esi edi (hi = 0). */
  readonly lo = new Int32Array(5);
  readonly hi = new Int32Array(5);
  /** Set by a handler to explain its result (shown in the hypercall log). */
  diag = '';
  /** Root-cause mm diagnostic of a rejection (rule, message, mfn/pfn, index, value), copied into the log entry. */
  mmDiag: MmDiagnostic | undefined = undefined;
  /** iret: the handler has set RAX itself (the saved value) — do not store the return value. */
  setsRax = false;
  constructor(readonly domain: Domain, readonly vcpu: Vcpu, readonly nr: number) {}
  get cpu(): Cpu { return this.vcpu.cpu; }
  get is64(): boolean { return this.vcpu.is64; }
  /** Record a hypercall-layer rejection in mm's diagnostics ring and as this call's diagnostic; returns d.rc. */
  reject(d: Omit<MmDiagnosticInput, 'domid'>): number {
    const rec = this.domain.mm.diag.report({ ...d, domid: this.domain.domid });
    if (!this.mmDiag) this.mmDiag = rec;
    return d.rc;
  }
  /** Keep the first mm diagnostic of a failed mm operation. */
  noteMm(diag: MmDiagnostic | undefined): void { if (diag && !this.mmDiag) this.mmDiag = diag; }
  /** Unsigned argument (pv32: 32-bit; pv64: exact below 2^53). */
  arg(i: number): number { return (this.hi[i] >>> 0) * TWO32 + (this.lo[i] >>> 0); }
  /** Guest pointer: pv64 signed canonical number, pv32 unsigned 32-bit. */
  ptr(i: number): number { return this.is64 ? (this.hi[i] | 0) * TWO32 + (this.lo[i] >>> 0) : this.lo[i] >>> 0; }
  /** `int`/`unsigned int` argument (low 32 bits). */
  u32(i: number): number { return this.lo[i] >>> 0; }
  s32(i: number): number { return this.lo[i] | 0; }
  /** Hex of an argument as the guest's word size. */
  hex(i: number): string {
    return '0x' + (this.is64 ? hexAddr((this.hi[i] | 0) * TWO32 + (this.lo[i] >>> 0)) : (this.lo[i] >>> 0).toString(16));
  }
  /** True when argument i is a canonical (pv64) address; pv32 always true. */
  canonical(i: number): boolean { return !this.is64 || ((this.hi[i] << 16) >> 16) === this.hi[i]; }
}

export type HypercallHandler = (c: HypercallContext) => number;

export interface HypercallDef {
  nr: number;
  name: string;
  arity: number;
  /** Arguments as text for the log (cmd names, pointers); default: hex words. */
  decode?: (c: HypercallContext) => string;
  handler: HypercallHandler | null;
  /** Only for this kind (set_segment_base is x86_64 only). */
  only?: 'pv64' | 'pv32pae';
}

export interface HypercallLogEntry {
  seq: number;
  vcpu: number;
  /** Instruction count of the vCPU at the call. */
  icount: number;
  /** Guest RIP of the instruction after the hypercall instruction. */
  rip: number;
  nr: number;
  name: string;
  args: number[];
  decoded: string;
  result: number;
  resultText: string;
  diagnostic: string;
  /** Why Xen would reject the call: mm's rule, message, frame, entry index and value (absent on success). */
  mm?: MmDiagnostic;
  /** A multicall entry's sub-call (logged before its multicall's own record). */
  multicall?: boolean;
}

export function errnoText(r: number): string {
  if (r < 0 && ERRNO_NAMES[-r]) return `-${ERRNO_NAMES[-r]}`;
  return r < 0 ? String(r) : `${r}`;
}

export function defaultDecode(c: HypercallContext, arity: number): string {
  const parts: string[] = [];
  for (let i = 0; i < arity; i++) parts.push(c.hex(i));
  return parts.join(', ');
}
