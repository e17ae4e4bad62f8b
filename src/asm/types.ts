// Shared types of the guest assembler: public options/results, source locations, diagnostics and the
// exception used to abort one statement while assembly continues with the next.

export interface AsmOptions {
  /** Name of the main source file (used in diagnostics, line table, listing). */
  fileName: string;
  /** Reads an `.include`d file; return undefined when it does not exist. */
  readFile?: (path: string) => string | undefined;
  /** Address of the first loadable section (.text), default 0x00400000. */
  base?: number | bigint;
  /** Default code size before any .code32/.code64; also selects ELF32 vs ELF64 when no directive does. */
  bits?: 32 | 64;
  /** Extra directories searched by `.include`. */
  includePaths?: string[];
  /** Explicit start addresses for named sections (like ld --section-start). */
  sectionAddresses?: Record<string, number | bigint>;
  /** Entry symbol (default `_start`; falls back to the XEN_ELFNOTE_ENTRY note, then start of .text). */
  entrySymbol?: string;
  /** Predefine Xen constants (__HYPERVISOR_*, XEN_ELFNOTE_*, ...); default true. */
  xenSymbols?: boolean;
  /** Emit DWARF (.debug_line/.debug_info/.debug_abbrev); default true. */
  debugInfo?: boolean;
  /** Cap on statements processed, counting every .rept/.macro expansion (default 500000). */
  maxStatements?: number;
  /** Wall-clock safety net for the parse phase in milliseconds (default 60000). */
  timeLimitMs?: number;
}

export interface AsmDiagnostic {
  file: string;
  line: number;
  column: number;
  endColumn?: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface AsmSymbol {
  name: string;
  value: number;
  /** Exact value (kernel addresses above 2^53 do not fit a double). */
  valueBig: bigint;
  section: string;
  global: boolean;
  file: string;
  line: number;
}

export interface AsmLine {
  address: number;
  addressBig: bigint;
  file: string;
  line: number;
  length: number;
  /** 'insn' for an instruction, 'data' for bytes emitted by a data directive in a code section. */
  kind: 'insn' | 'data';
}

export interface AsmSectionInfo {
  name: string;
  address: number;
  addressBig: bigint;
  size: number;
  flags: string;
}

export interface AsmResult {
  ok: boolean;
  diagnostics: AsmDiagnostic[];
  elf?: Uint8Array;
  bits: 32 | 64;
  entry: number;
  entryBig: bigint;
  symbols: AsmSymbol[];
  lines: AsmLine[];
  listing: string;
  /** Loadable sections with their final addresses. */
  sections: AsmSectionInfo[];
}

/** Where a statement came from. `line`/`column` are 1-based. */
export interface SourceLoc {
  file: string;
  line: number;
  column: number;
  endColumn?: number;
  /** When the statement came from a macro expansion: the invocation site (outermost). */
  via?: { file: string; line: number; column: number; macro: string };
}

/** Thrown to abandon the current statement; the message becomes an error diagnostic. */
export class AsmError extends Error {
  constructor(message: string, public column?: number, public endColumn?: number) {
    super(message);
  }
}

export class Diagnostics {
  readonly list: AsmDiagnostic[] = [];
  private errorCount = 0;
  private seen = new Set<string>();
  /** Cap so that pathological input cannot produce unbounded output. */
  private readonly max = 1000;

  get errors(): number { return this.errorCount; }

  report(severity: 'error' | 'warning', loc: SourceLoc, message: string, column?: number, endColumn?: number): void {
    if (severity === 'error') this.errorCount++;
    if (this.list.length >= this.max) return;
    // Diagnostics from inside a macro are reported at the invocation site, naming the macro line.
    let file = loc.file, line = loc.line, col = column ?? loc.column, end = column !== undefined ? endColumn : loc.endColumn;
    if (loc.via) {
      message = `${message} (in macro '${loc.via.macro}' at ${loc.file}:${loc.line})`;
      file = loc.via.file; line = loc.via.line; col = loc.via.column; end = undefined;
    }
    const d: AsmDiagnostic = { file, line, column: Math.max(1, col | 0), severity, message };
    if (end !== undefined && end > d.column) d.endColumn = end;
    const key = `${severity}|${file}|${line}|${d.column}|${message}`;
    if (this.seen.has(key)) return; // e.g. the same error in every .rept iteration
    this.seen.add(key);
    this.list.push(d);
  }
  error(loc: SourceLoc, message: string, column?: number, endColumn?: number): void {
    this.report('error', loc, message, column, endColumn);
  }
  warning(loc: SourceLoc, message: string, column?: number, endColumn?: number): void {
    this.report('warning', loc, message, column, endColumn);
  }
  /** Diagnostics ordered by file (in order of first appearance) and position. */
  sorted(): AsmDiagnostic[] {
    const order = new Map<string, number>();
    for (const d of this.list) if (!order.has(d.file)) order.set(d.file, order.size);
    return this.list.map((d, i) => ({ d, i }))
      .sort((a, b) => order.get(a.d.file)! - order.get(b.d.file)! || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
      .map((x) => x.d);
  }
}

/** Format a bigint as 0x-prefixed hex (negative values as two's complement 64-bit). */
export function hex(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16);
}
