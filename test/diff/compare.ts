// Compares native and emulator outcomes of a differential case (GPRs, memory buffer, flags under the
// SDM undefined-flag mask, faults) and formats mismatches with the instruction text and inputs.

import { DiffCase } from './cases';
import type { Outcome } from './native';
import { COMPARED_FLAGS, undefinedFlags, flagNames } from './flagmask';
import { EMU_RSP } from './emu';

const NAMES64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const NAMES32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

export interface Mismatch { c: DiffCase; native: Outcome; emu: Outcome; first: string; details: string[]; }

const hex = (v: bigint, bits: number): string => '0x' + BigInt.asUintN(bits, v).toString(16).padStart(bits / 4, '0');

function faultMatches(nat: string, emu: string): boolean {
  if (nat === '' || emu === '') return nat === emu;
  return nat.split('/').some((n) => emu === n || emu.startsWith(n + ' '));
}

/** Null when the outcomes agree, else the differences (first one first). */
export function compareOutcome(c: DiffCase, nat: Outcome, emu: Outcome): Mismatch | null {
  const bits = c.mode;
  const names = bits === 64 ? NAMES64 : NAMES32;
  const details: string[] = [];
  if (emu.fault.startsWith('internal')) details.push(`emulator ${emu.fault}`);
  else if (!faultMatches(nat.fault, emu.fault)) details.push(`fault: native ${nat.fault || 'none'}, emulator ${emu.fault || 'none'}`);
  for (let r = 0; r < names.length; r++) {
    let n = nat.regs[r], e = emu.regs[r];
    if (r === 4) {
      if (e !== BigInt(EMU_RSP)) details.push(`${names[r]}: emulator changed the stack pointer to ${hex(e, bits)}`);
      continue;
    }
    if (r === c.baseReg) { n -= nat.bufPtr; e -= emu.bufPtr; }
    if (BigInt.asUintN(bits, n) !== BigInt.asUintN(bits, e)) {
      details.push(`${names[r]}${r === c.baseReg ? ' (base, relative to buffer)' : ''}: native ${hex(n, bits)} emulator ${hex(e, bits)} (input ${hex(c.regs[r], bits)})`);
    }
  }
  const undef = undefinedFlags(c.family, c.mask);
  const cmp = COMPARED_FLAGS & ~undef;
  const diff = (nat.flags ^ emu.flags) & cmp;
  if (diff) {
    details.push(`flags ${flagNames(diff)}: native ${hex(BigInt(nat.flags & COMPARED_FLAGS), 16)} emulator ${hex(BigInt(emu.flags & COMPARED_FLAGS), 16)}` +
      ` (input ${hex(BigInt(c.flags), 16)}, undefined ${flagNames(undef)})`);
  }
  for (let k = 0; k < nat.mem.length; k++) {
    if (nat.mem[k] !== emu.mem[k]) {
      const end = Math.min(nat.mem.length, k + 8);
      details.push(`memory at buffer+${k - 128}: native ${bytesHex(nat.mem.subarray(k, end))} emulator ${bytesHex(emu.mem.subarray(k, end))}`);
      break;
    }
  }
  if (details.length === 0) return null;
  return { c, native: nat, emu, first: details[0], details };
}

export function bytesHex(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' '); }

/** Multi-line report of one mismatch. */
export function formatMismatch(m: Mismatch): string {
  const c = m.c, bits = c.mode;
  const names = bits === 64 ? NAMES64 : NAMES32;
  const inputs = names.map((n, r) => (r === 4 ? null : `${n}=${r === c.baseReg ? '&buf' : hex(c.regs[r], bits)}`)).filter((x) => x !== null);
  return [
    `[${bits}-bit ${c.family}] ${c.text}   (${c.codeName}; bytes ${bytesHex(c.bytes)}${c.mask.count !== undefined ? `; count ${c.mask.count}` : ''})`,
    `  first difference: ${m.first}`,
    ...m.details.slice(1).map((d) => `  also: ${d}`),
    `  inputs: ${inputs.join(' ')} flags=${hex(BigInt(c.flags), 16)}`,
  ].join('\n');
}
