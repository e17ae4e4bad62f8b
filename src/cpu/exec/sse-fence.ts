// Memory-ordering and cache-control hints that gcc emits beside SSE code (lfence/mfence/sfence, prefetch*,
// clflush/clflushopt): no-ops for a single in-order CPU, except that clflush checks its address like a read.

import type { Handler } from '../decoder/insn';
import { ACC_READ } from '../mmu/paging';

/** Fences and prefetches touch no architectural state and never fault. */
const nop: Handler = () => {};
/** clflush m8: segment/canonical checks and a page walk (#PF when not present); nothing is cached to flush. */
const clflush: Handler = (cpu, i) => { cpu.translate(cpu.linear(i, 1, false), ACC_READ); };

export const sseFenceHandlers: Record<string, Handler> = {
  Lfence: nop, Lfence_E9: nop, Lfence_EA: nop, Lfence_EB: nop, Lfence_EC: nop, Lfence_ED: nop, Lfence_EE: nop, Lfence_EF: nop,
  Mfence: nop, Mfence_F1: nop, Mfence_F2: nop, Mfence_F3: nop, Mfence_F4: nop, Mfence_F5: nop, Mfence_F6: nop, Mfence_F7: nop,
  Sfence: nop, Sfence_F9: nop, Sfence_FA: nop, Sfence_FB: nop, Sfence_FC: nop, Sfence_FD: nop, Sfence_FE: nop, Sfence_FF: nop,
  Prefetchnta_m8: nop, Prefetcht0_m8: nop, Prefetcht1_m8: nop, Prefetcht2_m8: nop, Prefetchw_m8: nop,
  Prefetch_m8: nop, Prefetchwt1_m8: nop, Prefetchit0_m8: nop, Prefetchit1_m8: nop, Prefetchreserved3_m8: nop,
  Prefetchreserved4_m8: nop, Prefetchreserved5_m8: nop, Prefetchreserved6_m8: nop, Prefetchreserved7_m8: nop,
  Clflush_m8: clflush, Clflushopt_m8: clflush,
};
