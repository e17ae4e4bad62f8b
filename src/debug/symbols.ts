// Symbol lookups over an ELF .symtab for the debugger: name -> address, and address -> "name+0xoff"
// (functions and global labels preferred for frame names, any label for branch targets); carries the image's CFI.

import { ElfImage, ElfSymbol, elfSymbols } from '../common/elf';
import { CfiTable, readCfi } from './cfi';

const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
const STB_GLOBAL = 1, STB_WEAK = 2;
const SHN_UNDEF = 0;

export interface SymbolHit { name: string; address: number; offset: number; size: number; }

export class SymbolTable {
  private readonly byName = new Map<string, ElfSymbol>();
  /** Code/data labels sorted by address. */
  private readonly sorted: ElfSymbol[];
  /** Functions and global labels sorted by address (frame names). */
  private readonly functions: ElfSymbol[];

  constructor(symbols: ElfSymbol[]) {
    const useful = symbols.filter((s) => s.shndx !== SHN_UNDEF && s.type !== STT_SECTION && s.type !== STT_FILE &&
      (s.type === STT_NOTYPE || s.type === STT_OBJECT || s.type === STT_FUNC));
    for (const s of useful) {
      const old = this.byName.get(s.name);
      // a global definition wins over a local one of the same name
      if (!old || (old.bind !== STB_GLOBAL && s.bind === STB_GLOBAL)) this.byName.set(s.name, s);
    }
    this.sorted = useful.slice().sort((a, b) => a.value - b.value || rank(b) - rank(a));
    this.functions = this.sorted.filter((s) => s.type === STT_FUNC || s.bind === STB_GLOBAL || s.bind === STB_WEAK);
  }

  /** Call-frame information of the image (.eh_frame / .debug_frame), used by the stack walk when present. */
  cfi: CfiTable | undefined;

  static fromImage(img: ElfImage): SymbolTable {
    const t = new SymbolTable(elfSymbols(img));
    try { const c = readCfi(img); if (c.size > 0) t.cfi = c; } catch { t.cfi = undefined; }
    return t;
  }

  get size(): number { return this.byName.size; }
  names(): string[] { return [...this.byName.keys()]; }

  /** Address of a symbol by exact name. */
  address(name: string): number | undefined { return this.byName.get(name)?.value; }
  symbol(name: string): ElfSymbol | undefined { return this.byName.get(name); }

  /** Nearest symbol at or below addr; functions=true restricts to functions/global labels (frame names). */
  lookup(addr: number, functions = false, maxOffset = 0x100000): SymbolHit | undefined {
    const list = functions ? this.functions : this.sorted;
    let lo = 0, hi = list.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].value <= addr) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) return functions ? undefined : undefined;
    // among symbols at the same address pick the best-ranked (they are sorted best first)
    let k = best;
    while (k > 0 && list[k - 1].value === list[best].value) k--;
    const s = list[k];
    const offset = addr - s.value;
    if (s.size > 0 && offset >= s.size && s.type !== STT_NOTYPE) return undefined;
    if (offset > maxOffset) return undefined;
    return { name: s.name, address: s.value, offset, size: s.size };
  }

  /** "name" or "name+0x12" for an address, or undefined when no symbol is near. */
  format(addr: number, functions = false): string | undefined {
    const hit = this.lookup(addr, functions) ?? (functions ? this.lookup(addr, false) : undefined);
    if (!hit) return undefined;
    return hit.offset === 0 ? hit.name : `${hit.name}+0x${hit.offset.toString(16)}`;
  }
}

function rank(s: ElfSymbol): number {
  return (s.type === STT_FUNC ? 4 : 0) + (s.bind === STB_GLOBAL ? 2 : s.bind === STB_WEAK ? 1 : 0);
}
