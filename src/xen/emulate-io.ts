// Port I/O a PV guest attempts (pv/emul-priv-op.c guest_io_okay, guest_io_read/write, rep_ins/rep_outs):
// allowed when the vCPU's virtual IOPL covers the guest's ring (iopl_ok); a domU owns no real ports, so reads
// return all ones and writes are dropped, except the PCI CONFIG_ADDRESS latch (0xcf8, dword) Xen keeps per domain.

import type { Cpu } from '../cpu/cpu';
import type { Insn } from '../cpu/decoder/insn';
import { RAX, RCX, RDX, RSI, RDI, ES } from '../cpu/state';
import { getFlags, F_DF } from '../cpu/flags';
import { PF, GP, PFEC_WRITE } from '../cpu/fault';
import type { Vcpu } from './vcpu';
import { copyFromGuest, copyToGuest, encodeWord } from './guest-access';
import type { PrivOpOutcome } from './emulate-privop';
import { hexAddr } from '../common/bits';
import { guestIoOkay } from './io-permission';

/** At most this many repetitions per trip; the instruction restarts for the rest (Xen's preemption point). */
const MAX_REPS_PER_TRIP = 4096;

/** PCI CONFIG_ADDRESS latch per domain (d->arch.pci_cf8). */
const pciCf8 = new WeakMap<object, number>();

/** iopl_ok: the virtual IOPL against the assumed CPL (kernel: 1, or 0 with VMASST architectural_iopl; user: 3). */
export function ioplOk(v: Vcpu): boolean {
  const cpl = v.guestKernelMode() ? (v.domain?.vmAssistArchitecturalIopl ? 0 : 1) : 3;
  return (cpl << 12) <= v.iopl;
}

function ioplText(v: Vcpu): string {
  return `port I/O needs IOPL >= ${v.guestKernelMode() ? (v.domain?.vmAssistArchitecturalIopl ? 0 : 1) : 3}, ` +
    `virtual IOPL is ${(v.iopl >> 12) & 3}, and the I/O bitmap (PHYSDEVOP_set_iobitmap) does not allow it`;
}

function guestIoRead(v: Vcpu, port: number, bytes: number): number {
  if (port === 0xcf8 && bytes === 4) return (pciCf8.get(v.domain ?? v) ?? 0) >>> 0;
  return bytes === 4 ? 0xffffffff : (1 << (bytes * 8)) - 1;
}

function guestIoWrite(v: Vcpu, port: number, bytes: number, data: number): void {
  if (port === 0xcf8 && bytes === 4) pciCf8.set(v.domain ?? v, data >>> 0);
}

const hx = (n: number, w: number): string => `0x${(n >>> 0).toString(16).padStart(w, '0')}`;

/** in/out/ins/outs. `code` is the decoded Code name; the caller has checked it is an I/O instruction. */
export function emulateIo(v: Vcpu, i: Insn): PrivOpOutcome {
  const cpu = v.cpu;
  const code = i.code;
  const bytes = i.opsize / 8;
  const port = code.includes('imm8') ? i.imm & 0xff : cpu.getReg32(RDX) & 0xffff;
  const isIn = code.startsWith('In');
  const isString = code.startsWith('Ins') || code.startsWith('Outs');
  const name = `${code.split('_')[0].toLowerCase()} port ${hx(port, 4)}`;
  const ok = guestIoOkay(v, port, bytes);
  if (ok === 'gp') return { kind: 'unhandled', text: `${name}: ${ioplText(v)}` };
  if (ok !== 'okay') {
    return { kind: 'exception', vector: PF, errorCode: 0, cr2: ok.pageFault, text: `${name}: I/O bitmap byte at 0x${hexAddr(ok.pageFault)} not readable` };
  }
  if (!isString) {
    if (isIn) {
      const val = guestIoRead(v, port, bytes);
      if (bytes === 4) cpu.setReg32(RAX, val | 0);
      else cpu.setReg(bytes * 8, RAX, val);
      return { kind: 'done', text: `${name} = ${hx(val, bytes * 2)}` };
    }
    const val = bytes === 4 ? cpu.getReg32(RAX) >>> 0 : cpu.getReg(bytes * 8, RAX) & ((1 << (bytes * 8)) - 1);
    guestIoWrite(v, port, bytes, val);
    return { kind: 'done', text: `${name} <- ${hx(val, bytes * 2)}` };
  }
  return stringIo(v, cpu, i, isIn, port, bytes, name);
}

function readIndex(cpu: Cpu, asize: number, r: number): number {
  if (asize === 64) return (cpu.regs[(r << 1) + 1] | 0) * 2 ** 32 + (cpu.regs[r << 1] >>> 0);
  return asize === 32 ? cpu.getReg32(r) >>> 0 : cpu.getReg32(r) & 0xffff;
}

function writeIndex(cpu: Cpu, asize: number, r: number, val: number): void {
  if (asize === 64) cpu.setReg64(r, val | 0, Math.floor(val / 2 ** 32) | 0);
  else if (asize === 32) cpu.setReg32(r, val | 0);
  else cpu.setReg(16, r, val & 0xffff);
}

/** rep_ins / rep_outs: element by element through the guest's page tables; a bad buffer is #PF to the guest. */
function stringIo(v: Vcpu, cpu: Cpu, i: Insn, isIn: boolean, port: number, bytes: number, name: string): PrivOpOutcome {
  const seg = isIn ? ES : i.seg;
  const idxReg = isIn ? RDI : RSI;
  const a = i.asize;
  let reps = i.rep ? readIndex(cpu, a, RCX) : 1;
  if (reps === 0) return { kind: 'done', text: `${name}: rep count 0` };
  const step = getFlags(cpu) & F_DF ? -bytes : bytes;
  let off = readIndex(cpu, a, idxReg);
  let done = 0;
  const base = cpu.mode === 64 ? (seg >= 4 ? cpu.segBase[seg] : 0) : cpu.segBase[seg];
  while (reps > 0 && done < MAX_REPS_PER_TRIP) {
    if (cpu.mode !== 64 && (off + bytes - 1 > cpu.segLimit[seg] || !cpu.segValid[seg])) {
      return { kind: 'exception', vector: GP, errorCode: 0, cr2: 0, text: `${name}: offset 0x${off.toString(16)} beyond the segment limit` };
    }
    const lin = cpu.mode === 64 ? base + off : (base + off) >>> 0;
    if (isIn) {
      if (!copyToGuest(cpu, lin, encodeWord(guestIoRead(v, port, bytes), 4).subarray(0, bytes))) {
        return { kind: 'exception', vector: PF, errorCode: PFEC_WRITE, cr2: lin, text: `${name}: buffer at 0x${hexAddr(lin)} not writable` };
      }
    } else {
      const b = copyFromGuest(cpu, lin, bytes);
      if (b === null) return { kind: 'exception', vector: PF, errorCode: 0, cr2: lin, text: `${name}: buffer at 0x${hexAddr(lin)} not readable` };
      let val = 0;
      for (let k = bytes - 1; k >= 0; k--) val = val * 256 + b[k];
      guestIoWrite(v, port, bytes, val);
    }
    off += step;
    if (a === 32) off >>>= 0; else if (a === 16) off &= 0xffff;
    writeIndex(cpu, a, idxReg, off);
    reps--; done++;
    if (i.rep) writeIndex(cpu, a, RCX, reps);
  }
  // Not finished: the instruction runs again for the remaining count.
  return { kind: 'done', text: `${name}: ${done} x ${bytes} bytes`, restart: i.rep !== 0 && reps > 0 };
}
