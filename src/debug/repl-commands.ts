// Debug-console commands beside expressions: `gdt` (decoded GDT entries), `pt <va>` (page-table walk),
// `x/NFU <addr>` (memory dump, gdb style), `disas [addr] [n]`, `help`. All reads are side-effect free.

import type { Cpu } from '../cpu/cpu';
import { SegmentDescriptor } from '../cpu/mmu/segmentation';
import { probe, pagingMode } from '../cpu/mmu/paging';
import { readLinear } from './guest-memory';
import { hex } from './variables';

export interface ReplHost {
  cpu: Cpu;
  /** Evaluate an address expression (throws with a readable message). */
  address(expr: string): number;
  disassemble(addr: number, count: number): string[];
}

export const REPL_HELP = [
  'expressions: registers (rax, eax, $rip, cr3...), symbols, numbers, + - * / % << >> & | ^ ~, comparisons,',
  '             *(u64*)(rsp+8), *(u32*)addr, [rbp-8] (pointer-sized), (u8)x casts',
  'gdt                 decoded GDT entries (GDTR base/limit)',
  'pt <va>             page-table walk for a linear address (levels, entries, translation)',
  'x/NFU <addr>        dump memory: N count, F x|d|u|c, U b|h|w|g (e.g. x/16xb rsp, x/4xg $rsp)',
  'disas [addr] [n]    disassemble n instructions (default: at rip, 8)',
].join('\n');

/** Run a REPL command; undefined when the text is not a command (then it is an expression). */
export function runReplCommand(host: ReplHost, text: string): string | undefined {
  const t = text.trim();
  if (t === 'help' || t === '?') return REPL_HELP;
  if (t === 'gdt') return gdtCommand(host.cpu);
  let m = /^pt\s+(.+)$/.exec(t);
  if (m) return ptCommand(host.cpu, host.address(m[1]));
  if (t === 'pt') throw new Error('usage: pt <linear address>');
  m = /^x(?:\/(\d*)([xduc]?)([bhwg]?))?\s+(.+)$/.exec(t);
  if (m) return examine(host, m[4], m[1] ? Number(m[1]) : 16, m[2] || 'x', m[3] || 'b');
  m = /^disas(?:semble)?(?:\s+(.*))?$/.exec(t);
  if (m) {
    const parts = (m[1] ?? '').trim();
    let count = 8, addrExpr = parts;
    const cm = /^(.*?)\s+(\d+)$/.exec(parts);
    if (cm) { addrExpr = cm[1]; count = Number(cm[2]); }
    const addr = addrExpr ? host.address(addrExpr) : host.address('rip');
    return host.disassemble(addr, Math.min(count, 200)).join('\n');
  }
  return undefined;
}

export function gdtCommand(cpu: Cpu): string {
  const base = cpu.gdtrBase, limit = cpu.gdtrLimit;
  const longMode = (cpu.efer & (1 << 10)) !== 0;
  const lines = [`GDTR base ${hex(base)} limit ${hex(limit)} (${Math.floor((limit + 1) / 8)} entries)`];
  const r = readLinear(cpu, base, Math.min(limit + 1, 0x10000));
  let empty = 0;
  const n = Math.floor(r.data.length / 8);
  const v = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  for (let i = 0; i < n; i++) {
    const lo = v.getInt32(i * 8, true), hi = v.getInt32(i * 8 + 4, true);
    if (lo === 0 && hi === 0) { empty++; continue; }
    const d = new SegmentDescriptor(lo, hi);
    lines.push(`  [${hex(i)}] sel ${hex(i * 8, 4)}  ${d.toString(longMode)}`);
    if (longMode && d.isLongSystem) i++; // 16-byte system descriptor
    if (lines.length > 512) { lines.push('  ... (truncated)'); break; }
  }
  if (r.unreadable) lines.push(`  (unreadable from ${r.error})`);
  lines.push(`  ${empty} empty entries`);
  return lines.join('\n');
}

export function ptCommand(cpu: Cpu, va: number): string {
  const mode = pagingMode(cpu);
  const res = probe(cpu.mem, cpu, va);
  const lines = [`${hex(va)}: paging ${mode}${mode === 'none' ? ' (identity)' : `, CR3 ${hex(cpu.cr3)}`}`];
  for (const l of res.levels) {
    const entry = l.entryHi ? hex((BigInt(l.entryHi >>> 0) << 32n) | BigInt(l.entryLo >>> 0), 16) : hex(l.entryLo >>> 0, 8);
    const bits = ['P', 'RW', 'US', 'PWT', 'PCD', 'A', 'D', 'PS', 'G'].filter((_, b) => ((l.entryLo >>> b) & 1) === 1);
    if (l.entryHi < 0) bits.push('NX');
    lines.push(`  ${l.name} table ${hex(l.tableAddr)} [${l.index}] = ${entry} ${bits.join(' ')}${l.leaf ? ' (leaf)' : ''}`);
  }
  if (res.phys !== undefined && res.translation) {
    const t = res.translation;
    lines.push(`  -> machine ${hex(res.phys)} (page ${t.pageSize >= 0x40000000 ? '1G' : t.pageSize >= 0x200000 ? (t.pageSize === 0x400000 ? '4M' : '2M') : '4K'}, ${t.writable ? 'writable' : 'read-only'}, ${t.user ? 'user' : 'supervisor'}${t.nx ? ', NX' : ''})`);
  } else lines.push(`  -> not mapped: ${res.stop ?? 'unknown'}`);
  return lines.join('\n');
}

function examine(host: ReplHost, expr: string, count: number, fmt: string, unit: string): string {
  const addr = host.address(expr);
  const size = unit === 'b' ? 1 : unit === 'h' ? 2 : unit === 'w' ? 4 : 8;
  count = Math.max(1, Math.min(count, 4096));
  const r = readLinear(host.cpu, addr, count * size);
  const perLine = Math.max(1, 16 / size);
  const lines: string[] = [];
  for (let i = 0; i * size < r.data.length; i += perLine) {
    const cells: string[] = [];
    for (let k = i; k < Math.min(i + perLine, count) && (k + 1) * size <= r.data.length; k++) {
      let v = 0n;
      for (let b = size - 1; b >= 0; b--) v = (v << 8n) | BigInt(r.data[k * size + b]);
      if (fmt === 'x') cells.push('0x' + v.toString(16).padStart(size * 2, '0'));
      else if (fmt === 'd') cells.push(BigInt.asIntN(size * 8, v).toString());
      else if (fmt === 'c') cells.push(JSON.stringify(String.fromCharCode(Number(v & 0xffn))));
      else cells.push(v.toString());
    }
    lines.push(`${hex(addr + i * size)}: ${cells.join(' ')}`);
  }
  if (r.unreadable) lines.push(`(cannot read ${r.error})`);
  return lines.join('\n');
}
