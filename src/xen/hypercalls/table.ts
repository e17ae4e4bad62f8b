// The hypercall table (pv_hypercall_table): name, arity, log decoder and handler by __HYPERVISOR_* number,
// and dispatch: arguments from the registers, result into RAX, one log record per call. Unknown or
// unimplemented numbers give -ENOSYS; a handler never throws across this boundary.

import { RAX, RBX, RCX, RDX, RSI, RDI, R8, R10 } from '../../cpu/state';
import type { Vcpu } from '../vcpu';
import type { Domain } from '../domain';
import { HypercallContext, HypercallDef, HypercallLogEntry, errnoText, defaultDecode } from './types';
import { doConsoleIo, decodeConsoleIo } from './console';
import { doSchedOp, doSchedOpCompat, decodeSchedOp } from './sched';
import { doXenVersion, decodeXenVersion } from './version';
import {
  doSetTrapTable, doStackSwitch, doSetCallbacks, doCallbackOp, decodeCallbackOp, doFpuTaskswitch, doVmAssist,
  doSetSegmentBase,
} from './vcpu-setup';
import { doIret } from './iret';
import { doEventChannelOp, doEventChannelOpCompat, decodeEventChannelOp } from './event-channel';
import { doSetTimerOp, decodeSetTimerOp } from './timer';
import { doVcpuOp, decodeVcpuOp } from './vcpu-op';
import {
  doMmuUpdateHypercall, doMmuextOpHypercall, decodeMmuBatch, doUpdateVaMapping, doUpdateVaMappingOtherdomain,
  decodeUpdateVaMapping,
} from './mmu';
import { doSetGdt, doUpdateDescriptor } from './descriptor-tables';
import { doMemoryOp, decodeMemoryOp } from './memory';
import { doMulticall, setSubcallRunner } from './multicall';
import { doGrantTableOp, decodeGrantTableOp } from './grant-table';
import { doPhysdevOp, decodePhysdevOp, doPhysdevOpCompat, decodePhysdevOpCompat } from './physdev';
import * as A from '../public';
import { ENOSYS } from '../public';
import { TWO32 } from '../../common/bits';

const defs: HypercallDef[] = [
  { nr: A.__HYPERVISOR_set_trap_table, name: 'set_trap_table', arity: 1, handler: doSetTrapTable },
  { nr: A.__HYPERVISOR_mmu_update, name: 'mmu_update', arity: 4, handler: doMmuUpdateHypercall, decode: decodeMmuBatch },
  { nr: A.__HYPERVISOR_set_gdt, name: 'set_gdt', arity: 2, handler: doSetGdt },
  { nr: A.__HYPERVISOR_stack_switch, name: 'stack_switch', arity: 2, handler: doStackSwitch },
  { nr: A.__HYPERVISOR_set_callbacks, name: 'set_callbacks', arity: 4, handler: doSetCallbacks },
  { nr: A.__HYPERVISOR_fpu_taskswitch, name: 'fpu_taskswitch', arity: 1, handler: doFpuTaskswitch },
  { nr: A.__HYPERVISOR_sched_op_compat, name: 'sched_op_compat', arity: 2, handler: doSchedOpCompat, decode: decodeSchedOp },
  { nr: A.__HYPERVISOR_platform_op, name: 'platform_op', arity: 1, handler: null },
  { nr: A.__HYPERVISOR_set_debugreg, name: 'set_debugreg', arity: 2, handler: null },
  { nr: A.__HYPERVISOR_get_debugreg, name: 'get_debugreg', arity: 1, handler: null },
  { nr: A.__HYPERVISOR_update_descriptor, name: 'update_descriptor', arity: 4, handler: doUpdateDescriptor },
  { nr: A.__HYPERVISOR_memory_op, name: 'memory_op', arity: 2, handler: doMemoryOp, decode: decodeMemoryOp },
  { nr: A.__HYPERVISOR_multicall, name: 'multicall', arity: 2, handler: doMulticall },
  { nr: A.__HYPERVISOR_update_va_mapping, name: 'update_va_mapping', arity: 4, handler: doUpdateVaMapping, decode: decodeUpdateVaMapping },
  { nr: A.__HYPERVISOR_set_timer_op, name: 'set_timer_op', arity: 1, handler: doSetTimerOp, decode: decodeSetTimerOp },
  { nr: A.__HYPERVISOR_event_channel_op_compat, name: 'event_channel_op_compat', arity: 1, handler: doEventChannelOpCompat },
  { nr: A.__HYPERVISOR_xen_version, name: 'xen_version', arity: 2, handler: doXenVersion, decode: decodeXenVersion },
  { nr: A.__HYPERVISOR_console_io, name: 'console_io', arity: 3, handler: doConsoleIo, decode: decodeConsoleIo },
  { nr: A.__HYPERVISOR_physdev_op_compat, name: 'physdev_op_compat', arity: 1, handler: doPhysdevOpCompat, decode: decodePhysdevOpCompat },
  { nr: A.__HYPERVISOR_grant_table_op, name: 'grant_table_op', arity: 3, handler: doGrantTableOp, decode: decodeGrantTableOp },
  { nr: A.__HYPERVISOR_vm_assist, name: 'vm_assist', arity: 2, handler: doVmAssist },
  { nr: A.__HYPERVISOR_update_va_mapping_otherdomain, name: 'update_va_mapping_otherdomain', arity: 5, handler: doUpdateVaMappingOtherdomain, decode: decodeUpdateVaMapping },
  { nr: A.__HYPERVISOR_iret, name: 'iret', arity: 0, handler: doIret },
  { nr: A.__HYPERVISOR_vcpu_op, name: 'vcpu_op', arity: 3, handler: doVcpuOp, decode: decodeVcpuOp },
  { nr: A.__HYPERVISOR_set_segment_base, name: 'set_segment_base', arity: 2, handler: doSetSegmentBase, only: 'pv64' },
  { nr: A.__HYPERVISOR_mmuext_op, name: 'mmuext_op', arity: 4, handler: doMmuextOpHypercall, decode: decodeMmuBatch },
  { nr: A.__HYPERVISOR_xsm_op, name: 'xsm_op', arity: 1, handler: null },
  { nr: A.__HYPERVISOR_nmi_op, name: 'nmi_op', arity: 2, handler: null },
  { nr: A.__HYPERVISOR_sched_op, name: 'sched_op', arity: 2, handler: doSchedOp, decode: decodeSchedOp },
  { nr: A.__HYPERVISOR_callback_op, name: 'callback_op', arity: 2, handler: doCallbackOp, decode: decodeCallbackOp },
  { nr: A.__HYPERVISOR_xenoprof_op, name: 'xenoprof_op', arity: 2, handler: null },
  { nr: A.__HYPERVISOR_event_channel_op, name: 'event_channel_op', arity: 2, handler: doEventChannelOp, decode: decodeEventChannelOp },
  { nr: A.__HYPERVISOR_physdev_op, name: 'physdev_op', arity: 2, handler: doPhysdevOp, decode: decodePhysdevOp },
  { nr: A.__HYPERVISOR_hvm_op, name: 'hvm_op', arity: 2, handler: null },
  { nr: A.__HYPERVISOR_sysctl, name: 'sysctl', arity: 1, handler: null },
  { nr: A.__HYPERVISOR_domctl, name: 'domctl', arity: 1, handler: null },
  { nr: A.__HYPERVISOR_kexec_op, name: 'kexec_op', arity: 2, handler: null },
  { nr: A.__HYPERVISOR_tmem_op, name: 'tmem_op', arity: 1, handler: null },
  { nr: A.__HYPERVISOR_argo_op, name: 'argo_op', arity: 5, handler: null },
  { nr: A.__HYPERVISOR_xenpmu_op, name: 'xenpmu_op', arity: 2, handler: null },
  { nr: A.__HYPERVISOR_dm_op, name: 'dm_op', arity: 3, handler: null },
  { nr: A.__HYPERVISOR_hypfs_op, name: 'hypfs_op', arity: 5, handler: null },
];

/** The table, indexed by hypercall number (sparse). */
export const hypercallTable: (HypercallDef | undefined)[] = [];
for (const d of defs) hypercallTable[d.nr] = d;

/** Install or replace a handler (phase B: mm-backed mmu_update, mmuext_op, update_va_mapping, set_gdt, ...). */
export function setHypercallHandler(nr: number, handler: HypercallDef['handler'], decode?: HypercallDef['decode']): void {
  const d = hypercallTable[nr];
  if (!d) throw new Error(`no hypercall ${nr}`);
  d.handler = handler;
  if (decode) d.decode = decode;
}

export function hypercallName(nr: number): string { return hypercallTable[nr]?.name ?? `hypercall ${nr}`; }

const ARG_REGS_64 = [RDI, RSI, RDX, R10, R8];
const ARG_REGS_32 = [RBX, RCX, RDX, RSI, RDI];

/** Run hypercall `nr` for vCPU v (RIP already after the syscall/int). Stores the result in RAX and logs it. */
export function dispatchHypercall(domain: Domain, v: Vcpu, nr: number): HypercallLogEntry {
  const cpu = v.cpu;
  const lo = new Int32Array(5), hi = new Int32Array(5);
  const regs = v.is64 ? ARG_REGS_64 : ARG_REGS_32;
  for (let i = 0; i < 5; i++) {
    lo[i] = cpu.regs[regs[i] << 1];
    hi[i] = v.is64 ? cpu.regs[(regs[i] << 1) + 1] : 0;
  }
  const { entry, c } = invokeHypercall(domain, v, nr, lo, hi);
  const result = entry.result;
  if (!c.setsRax) {
    if (v.is64) cpu.setReg64(RAX, result | 0, result < 0 ? -1 : Math.floor(result / TWO32) | 0);
    else cpu.setReg32(RAX, result | 0);
  }
  domain.logHypercall(entry);
  return entry;
}

/** Run a hypercall's handler on given argument halves and build its log record (not yet logged). */
function invokeHypercall(domain: Domain, v: Vcpu, nr: number, lo: Int32Array, hi: Int32Array): { entry: HypercallLogEntry; c: HypercallContext } {
  const cpu = v.cpu;
  const c = new HypercallContext(domain, v, nr);
  c.lo.set(lo); c.hi.set(hi);
  const def = nr >= 0 ? hypercallTable[nr] : undefined;
  const usable = def !== undefined && def.handler !== null && (!def.only || def.only === v.kind);
  const decoded = def ? (def.decode ? safeDecode(def.decode, c) : defaultDecode(c, def.arity)) : defaultDecode(c, 5);
  const entry: HypercallLogEntry = {
    seq: domain.hypercallCount++, vcpu: v.id, icount: cpu.icount, rip: cpu.rip, nr, name: hypercallName(nr),
    args: Array.from({ length: def ? def.arity : 5 }, (_, i) => (c.hi[i] >>> 0) * TWO32 + (c.lo[i] >>> 0)),
    decoded, result: 0, resultText: '', diagnostic: '',
  };
  let result: number;
  if (!usable) {
    result = -ENOSYS;
    c.diag = def === undefined ? `unknown hypercall ${nr}` : def.only && def.only !== v.kind
      ? `${def.name} is not available to ${v.kind} guests` : `${def.name} is not implemented`;
  } else {
    try {
      result = (def.handler as NonNullable<HypercallDef['handler']>)(c);
    } catch (e) {
      result = -ENOSYS;
      const msg = e instanceof Error ? e.message : String(e);
      domain.crash(`internal error in hypercall ${def.name}: ${msg}`);
      c.diag = `internal error: ${msg}`;
    }
  }
  entry.result = result;
  entry.resultText = errnoText(result);
  entry.diagnostic = c.diag;
  if (c.mmDiag && result !== 0) {
    entry.mm = c.mmDiag;
    const why = `${c.mmDiag.rule}: ${c.mmDiag.message}`;
    entry.diagnostic = entry.diagnostic ? `${entry.diagnostic}; ${why}` : why;
  }
  return { entry, c };
}

/** Multicall entries: run the sub-call, log it (marked with its multicall), hand back its record. */
setSubcallRunner((parent, nr, lo, hi) => {
  const { entry, c } = invokeHypercall(parent.domain, parent.vcpu, nr, lo, hi);
  if (c.setsRax) { entry.result = 0; entry.resultText = '0'; }
  entry.multicall = true;
  parent.domain.logHypercall(entry);
  return entry;
});

function safeDecode(f: (c: HypercallContext) => string, c: HypercallContext): string {
  try { return f(c); } catch { return defaultDecode(c, 5); }
}
