// Disassembly for the DAP disassemble request and the REPL: iced-x86 decoding in the code segment's mode
// (AT&T by default, Intel on request), symbolized branch targets, source locations, unreadable bytes marked.

import { Decoder, DecoderOptions, Formatter, FormatterSyntax, FlowControl, Instruction } from 'iced-x86';
import type { Cpu } from '../cpu/cpu';
import { readLinear } from './guest-memory';
import type { SymbolTable } from './symbols';
import type { LineTable, LineRow } from './dwarf-line';

export type DisassemblySyntax = 'att' | 'intel';

export interface DisasmLine {
  address: number;
  bytes: string;
  text: string;
  /** "func+0x4" of the instruction address, when a symbol is near. */
  symbol?: string;
  row?: LineRow;
  invalid?: boolean;
}

const BRANCHES = new Set([FlowControl.UnconditionalBranch, FlowControl.ConditionalBranch, FlowControl.Call]);

export class Disassembler {
  private readonly formatter: Formatter;
  constructor(syntax: DisassemblySyntax, private readonly symbols?: SymbolTable, private readonly lines?: LineTable) {
    this.formatter = new Formatter(syntax === 'intel' ? FormatterSyntax.Intel : FormatterSyntax.Gas);
    const f = this.formatter;
    f.firstOperandCharIndex = 8;
    f.uppercaseHex = false;
    f.branchLeadingZeros = false;
    f.smallHexNumbersInDecimal = false;
    f.hexPrefix = '0x';
    f.hexSuffix = '';
  }

  dispose(): void { this.formatter.free(); }

  /** Decode count instructions starting exactly at addr (bitness 64/32/16). */
  decodeFrom(cpu: Cpu, addr: number, count: number, bitness: number): DisasmLine[] {
    const out: DisasmLine[] = [];
    let pc = addr;
    while (out.length < count) {
      const want = Math.min(4096, Math.max(64, (count - out.length) * 15));
      const r = readLinear(cpu, pc, want);
      if (r.data.length === 0) {
        // unreadable: one placeholder per byte so addresses keep advancing
        out.push({ address: pc, bytes: '', text: '??', invalid: true, symbol: this.symbols?.format(pc) });
        pc += 1;
        continue;
      }
      const data = r.data;
      const dec = new Decoder(bitness, data, DecoderOptions.None);
      dec.ip = BigInt.asUintN(64, BigInt(pc));
      const insn = new Instruction();
      let consumed = 0;
      try {
        while (out.length < count && consumed < data.length) {
          // near the end of a full read, read again from here so no instruction is cut off
          if (data.length - consumed < 15 && r.unreadable === 0 && consumed > 0) break;
          dec.decodeOut(insn);
          const len = Math.max(1, Math.min(insn.length, data.length - consumed));
          const invalid = insn.isInvalid;
          out.push(this.line(pc + consumed, data.subarray(consumed, consumed + len), invalid ? '(bad)' : this.format(insn), invalid));
          consumed += len;
        }
      } finally {
        insn.free();
        dec.free();
      }
      pc += Math.max(1, consumed);
    }
    return out.slice(0, count);
  }

  /**
   * count instructions around addr: instructionOffset may be negative (instructions before addr are found
   * by decoding forward from a symbol or line start, else from a guessed start that syncs on addr).
   */
  disassemble(cpu: Cpu, addr: number, instructionOffset: number, count: number, bitness: number): DisasmLine[] {
    let start = addr;
    if (instructionOffset < 0) {
      const n = -instructionOffset;
      const before = this.linesBefore(cpu, addr, n, bitness);
      const first = before.length > 0 ? before[0].address : addr;
      const lead: DisasmLine[] = [];
      for (let k = before.length; k < n; k++) lead.push({ address: first - (n - k), bytes: '', text: '??', invalid: true });
      const all = [...lead, ...before];
      return count <= n ? all.slice(0, count) : [...all, ...this.decodeFrom(cpu, addr, count - n, bitness)];
    }
    if (instructionOffset > 0) {
      const skip = this.decodeFrom(cpu, addr, instructionOffset, bitness);
      const last = skip[skip.length - 1];
      start = last ? last.address + Math.max(1, last.bytes.length / 2) : addr;
    }
    return this.decodeFrom(cpu, start, count, bitness);
  }

  /** Up to n instructions that end exactly at addr. */
  private linesBefore(cpu: Cpu, addr: number, n: number, bitness: number): DisasmLine[] {
    const starts: number[] = [];
    const sym = this.symbols?.lookup(addr, false);
    if (sym && addr - sym.address <= 4096) starts.push(sym.address);
    const row = this.lines?.lookup(addr);
    if (row) starts.push(row.address);
    for (let back = Math.min(n * 15, 512); back >= 1; back--) starts.push(addr - back);
    for (const s of starts) {
      if (s > addr || s < 0) continue;
      if (s === addr) return [];
      const list = this.decodeFrom(cpu, s, Math.min(addr - s, 4096), bitness);
      const idx = list.findIndex((l) => l.address === addr);
      if (idx >= 0 && !list.slice(0, idx).some((l) => l.invalid)) {
        const got = list.slice(0, idx);
        if (got.length >= n || s === sym?.address || s === row?.address) return got.slice(-n);
      }
    }
    return [];
  }

  private format(insn: Instruction): string {
    let text = this.formatter.format(insn);
    if (this.symbols && BRANCHES.has(insn.flowControl)) {
      const target = Number(insn.nearBranchTarget);
      const name = this.symbols.format(target > 0x7fffffffffffffff ? target - 2 ** 64 : target);
      if (name) text += ` <${name}>`;
    } else if (this.symbols && insn.isIpRelMemoryOperand) {
      const name = this.symbols.format(Number(insn.ipRelMemoryAddress));
      if (name) text += ` <${name}>`;
    }
    return text;
  }

  private line(address: number, bytes: Uint8Array, text: string, invalid: boolean): DisasmLine {
    const hexBytes = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { address, bytes: hexBytes, text, invalid: invalid || undefined, symbol: this.symbols?.format(address), row: this.lines?.lookup(address) };
  }
}
