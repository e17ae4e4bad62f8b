// The console backend (xenconsoled's role): consumes the guest's console ring (struct xencons_interface in the
// console page) from out_cons to out_prod when the guest notifies the console event channel.

import type { MachineMemory } from '../cpu/memory';
import { XENCONS_INTERFACE, XENCONS_OUT_SIZE } from './public';

const { out: XENCONS_out, out_cons: XENCONS_out_cons, out_prod: XENCONS_out_prod } = XENCONS_INTERFACE.fields;

export class ConsoleRing {
  constructor(private readonly mem: MachineMemory, readonly mfn: number) {}

  /** Take every byte the guest produced and advance out_cons; returns the text (latin1). */
  consume(): string {
    const base = this.mfn * 4096;
    let cons = this.mem.read32(base + XENCONS_out_cons);
    const prod = this.mem.read32(base + XENCONS_out_prod);
    // A producer more than a ring ahead is a guest bug: take the last ring's worth, as a reader would.
    if (((prod - cons) >>> 0) > XENCONS_OUT_SIZE) cons = (prod - XENCONS_OUT_SIZE) >>> 0;
    let out = '';
    while (cons !== prod) {
      out += String.fromCharCode(this.mem.read8(base + XENCONS_out + (cons & (XENCONS_OUT_SIZE - 1))));
      cons = (cons + 1) >>> 0;
    }
    this.mem.write32(base + XENCONS_out_cons, prod);
    return out;
  }
}
