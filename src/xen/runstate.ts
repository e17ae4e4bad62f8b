// Per-vCPU runstate accounting (struct vcpu_runstate_info, xen/common/sched/core.c vcpu_runstate_change): the
// current RUNSTATE_*, when it was entered and the ns spent in each state, all on the domain's virtual clock.

import type { GuestKind } from './builder/elf-notes';
import { RUNSTATE_offline, VCPU_RUNSTATE_INFO } from './public';

export interface RunstateInfo { state: number; stateEntryTime: number; time: [number, number, number, number]; }

export class Runstate {
  state = RUNSTATE_offline;
  entryTime = 0;
  readonly time: [number, number, number, number] = [0, 0, 0, 0];

  /** vcpu_runstate_change: account the time in the old state, enter the new one at `now` (ns). */
  change(state: number, now: number): void {
    if (state === this.state) return;
    const delta = now - this.entryTime;
    if (delta > 0) this.time[this.state] += delta;
    this.state = state;
    this.entryTime = Math.max(now, this.entryTime);
  }

  /** vcpu_runstate_get: the record with the current state's time accrued up to `now`. */
  snapshot(now: number): RunstateInfo {
    const time = [...this.time] as RunstateInfo['time'];
    if (now > this.entryTime) time[this.state] += now - this.entryTime;
    return { state: this.state, stateEntryTime: this.entryTime, time };
  }
}

/** struct vcpu_runstate_info bytes for the guest ABI. */
export function encodeRunstate(kind: GuestKind, r: RunstateInfo): Uint8Array {
  const l = VCPU_RUNSTATE_INFO[kind];
  const out = new Uint8Array(l.size);
  const dv = new DataView(out.buffer);
  const put64 = (o: number, v: number): void => { dv.setUint32(o, v % 2 ** 32, true); dv.setUint32(o + 4, Math.floor(v / 2 ** 32), true); };
  dv.setInt32(l.fields.state, r.state, true);
  put64(l.fields.state_entry_time, r.stateEntryTime);
  for (let i = 0; i < 4; i++) put64(l.fields.time + i * 8, r.time[i]);
  return out;
}
