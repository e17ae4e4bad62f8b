// Debugger expressions: registers, symbols, numbers, C-like arithmetic and memory dereference such as
// `*(u64*)(rsp+8)`, `[rbp-8]` or `*(u32*)sym`, and the address-space qualifiers `pfn:N` / `mfn:N` (frame N of
// guest-pseudo-physical / machine memory, e.g. `*(u64*)(mfn:0x3f42 + 8)`). Evaluated with bigints; errors are ExprError.

export class ExprError extends Error {
  constructor(message: string) { super(message); this.name = 'ExprError'; }
}

/** What an expression may look up. readMemory throws (any Error) when the address does not translate. */
export interface EvalContext {
  register(name: string): bigint | undefined;
  symbol(name: string): bigint | undefined;
  readMemory(addr: bigint, size: number): bigint;
  /** Default dereference size in bytes (8 in 64-bit code, else 4). */
  pointerSize: number;
  /** Read size bytes at a pseudo-physical ('pfn') or machine ('mfn') byte address; absent: the qualifiers cannot be read. */
  readPhysical?(space: AddressSpace, addr: bigint, size: number): bigint;
}

/** Address spaces besides the default guest-linear one: guest pseudo-physical (pfn) and machine (mfn). */
export type AddressSpace = 'pfn' | 'mfn';

export interface TypedValue {
  value: bigint;
  /** Width in bytes and signedness of the value's type. */
  size: number;
  signed: boolean;
  /** Set when the value is an address in pseudo-physical or machine memory (from a `pfn:` / `mfn:` qualifier). */
  space?: AddressSpace;
}

const MASK64 = (1n << 64n) - 1n;

type Tok = { k: 'num'; v: bigint; pos: number } | { k: 'id'; v: string; pos: number } | { k: 'op'; v: string; pos: number } | { k: 'end'; pos: number };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '(', ')', '[', ']', '<', '>', '?', ':'];

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)/.exec(src.slice(i));
      if (!m) throw new ExprError(`bad number at column ${i + 1}`);
      const text = m[0].replace(/_/g, '');
      if (/^0[xXbBoO]$/.test(text)) throw new ExprError(`bad number '${m[0]}' at column ${i + 1}`);
      i += m[0].length;
      if (i < src.length && /[A-Za-z_]/.test(src[i])) throw new ExprError(`bad number '${src.slice(start, i + 1)}' at column ${start + 1}`);
      out.push({ k: 'num', v: BigInt(text.replace(/^0[oO]/, '0o')), pos: start });
      continue;
    }
    if (/[A-Za-z_.]/.test(c) || ((c === '$' || c === '%') && /[A-Za-z_]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_.$@]/.test(src[j])) j++;
      let name = src.slice(i, j);
      if (name[0] === '$' || name[0] === '%') name = name.slice(1);
      out.push({ k: 'id', v: name, pos: start });
      i = j;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected character '${c}' at column ${i + 1}`);
    out.push({ k: 'op', v: op, pos: start });
    i += op.length;
  }
  out.push({ k: 'end', pos: src.length });
  return out;
}

/** Type names accepted in casts: u8..u64, s8..s64, i8..i64, uint8_t.., int8_t.., char, short, int, long, byte, word, dword, qword. */
export function typeInfo(name: string): { size: number; signed: boolean } | undefined {
  let m = /^([usi])(8|16|32|64)$/.exec(name);
  if (m) return { size: Number(m[2]) / 8, signed: m[1] !== 'u' };
  m = /^(u?)int(8|16|32|64)_t$/.exec(name);
  if (m) return { size: Number(m[2]) / 8, signed: m[1] !== 'u' };
  const fixed: Record<string, [number, boolean]> = {
    char: [1, true], short: [2, true], int: [4, true], long: [8, true], byte: [1, false], word: [2, false], dword: [4, false], qword: [8, false],
  };
  const f = fixed[name];
  return f ? { size: f[0], signed: f[1] } : undefined;
}

function truncate(v: bigint, size: number, signed: boolean): bigint {
  const bits = BigInt(size * 8);
  return signed ? BigInt.asIntN(Number(bits), v) : BigInt.asUintN(Number(bits), v);
}

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[], private readonly ctx: EvalContext) {}

  private peek(): Tok { return this.toks[this.p]; }
  private isOp(v: string, off = 0): boolean { const t = this.toks[this.p + off]; return t !== undefined && t.k === 'op' && t.v === v; }
  private take(v: string): void {
    const t = this.peek();
    if (t.k !== 'op' || t.v !== v) throw new ExprError(`expected '${v}' at column ${t.pos + 1}${t.k === 'end' ? ' (end of expression)' : ''}`);
    this.p++;
  }

  parse(): TypedValue {
    if (this.peek().k === 'end') throw new ExprError('empty expression');
    const v = this.ternary();
    const t = this.peek();
    if (t.k !== 'end') throw new ExprError(`unexpected ${describe(t)} at column ${t.pos + 1}`);
    return v;
  }

  private ternary(): TypedValue {
    const c = this.binary(0);
    if (!this.isOp('?')) return c;
    this.p++;
    const a = this.ternary();
    this.take(':');
    const b = this.ternary();
    return c.value !== 0n ? a : b;
  }

  private static readonly LEVELS: string[][] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
  ];

  private binary(level: number): TypedValue {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.k !== 'op' || !Parser.LEVELS[level].includes(t.v)) return left;
      this.p++;
      const right = this.binary(level + 1);
      left = apply(t.v, left, right, t.pos);
    }
  }

  private unary(): TypedValue {
    const t = this.peek();
    if (t.k === 'op') {
      switch (t.v) {
        case '-': { this.p++; const v = this.unary(); return norm({ ...v, value: -v.value }); }
        case '+': this.p++; return this.unary();
        case '~': { this.p++; const v = this.unary(); return norm({ ...v, value: ~v.value }); }
        case '!': { this.p++; const v = this.unary(); return { value: v.value === 0n ? 1n : 0n, size: 4, signed: true }; }
        case '*': {
          this.p++;
          // *(type*)expr reads a `type`; a plain *expr reads a pointer-sized value
          const cast = this.tryCast();
          const target = cast ? this.unary() : this.unary();
          const ty = cast && cast.pointer ? cast : { size: this.ctx.pointerSize, signed: false, pointer: true };
          if (cast && !cast.pointer) throw new ExprError(`cannot dereference a non-pointer cast (${cast.name}); write *(${cast.name}*)...`);
          return this.deref(target.value, ty.size, ty.signed, target.space);
        }
        case '(': {
          const cast = this.tryCast();
          if (cast) {
            const v = this.unary();
            if (cast.pointer) return { value: BigInt.asUintN(64, v.value), size: 8, signed: false, ...(v.space ? { space: v.space } : {}) };
            return { value: truncate(v.value, cast.size, cast.signed), size: cast.size, signed: cast.signed };
          }
          return this.primary();
        }
      }
    }
    return this.primary();
  }

  /** At '(' type ['*'] ')': consume it and return the type; otherwise leave the position alone. */
  private tryCast(): { size: number; signed: boolean; pointer: boolean; name: string } | undefined {
    if (!this.isOp('(')) return undefined;
    const id = this.toks[this.p + 1];
    if (!id || id.k !== 'id') return undefined;
    const ti = typeInfo(id.v);
    if (!ti) return undefined;
    let k = this.p + 2, pointer = false;
    if (this.toks[k]?.k === 'op' && (this.toks[k] as { v: string }).v === '*') { pointer = true; k++; }
    if (!(this.toks[k]?.k === 'op' && (this.toks[k] as { v: string }).v === ')')) return undefined;
    this.p = k + 1;
    return { ...ti, pointer, name: id.v + (pointer ? '*' : '') };
  }

  private deref(addr: bigint, size: number, signed: boolean, space?: AddressSpace): TypedValue {
    let raw: bigint;
    const phys = this.ctx.readPhysical;
    if (space && !phys) throw new ExprError(`${space}: addresses need a machine with ${space === 'pfn' ? 'a p2m (a Xen PV guest)' : 'machine memory'}`);
    try {
      raw = space && phys ? phys.call(this.ctx, space, BigInt.asUintN(64, addr), size) : this.ctx.readMemory(BigInt.asUintN(64, addr), size);
    } catch (e) {
      throw new ExprError(e instanceof Error ? e.message : String(e));
    }
    return { value: truncate(raw, size, signed), size, signed };
  }

  private primary(): TypedValue {
    const t = this.peek();
    if (t.k === 'num') { this.p++; return { value: t.v & MASK64, size: 8, signed: false }; }
    if (t.k === 'id') {
      this.p++;
      const q = t.v.toLowerCase();
      const colon = this.peek();
      // `pfn:N` / `mfn:N` (the colon right after the word): byte address of frame N in that space
      if ((q === 'pfn' || q === 'mfn') && colon.k === 'op' && colon.v === ':' && colon.pos === t.pos + 3) {
        this.p++;
        const frame = this.unary();
        if (frame.space) throw new ExprError(`'${q}:' cannot qualify an address that already has a space (${frame.space}:) at column ${t.pos + 1}`);
        if (BigInt.asUintN(64, frame.value) >= 1n << 52n) throw new ExprError(`${q} 0x${frame.value.toString(16)} is too large (frame numbers are below 2^52)`);
        return { value: BigInt.asUintN(64, frame.value) << 12n, size: 8, signed: false, space: q };
      }
      const reg = this.ctx.register(t.v.toLowerCase());
      if (reg !== undefined) return { value: reg, size: 8, signed: false };
      const sym = this.ctx.symbol(t.v);
      if (sym !== undefined) return { value: sym, size: 8, signed: false };
      throw new ExprError(`unknown register or symbol '${t.v}'`);
    }
    if (t.k === 'op' && t.v === '(') {
      this.p++;
      const v = this.ternary();
      this.take(')');
      return v;
    }
    if (t.k === 'op' && t.v === '[') {
      this.p++;
      const v = this.ternary();
      this.take(']');
      return this.deref(v.value, this.ctx.pointerSize, false, v.space);
    }
    throw new ExprError(`unexpected ${describe(t)} at column ${t.pos + 1}`);
  }
}

function describe(t: Tok): string {
  return t.k === 'end' ? 'end of expression' : t.k === 'num' ? `number ${t.v}` : `'${t.v}'`;
}

function norm(v: TypedValue): TypedValue { return { ...v, value: truncate(v.value, v.size, v.signed) }; }

function apply(op: string, a: TypedValue, b: TypedValue, pos: number): TypedValue {
  if (a.space || b.space) return applySpaced(op, a, b, pos);
  const size = Math.max(a.size, b.size);
  const signed = a.signed && b.signed;
  const x = a.value, y = b.value;
  const bool = (c: boolean): TypedValue => ({ value: c ? 1n : 0n, size: 4, signed: true });
  switch (op) {
    case '+': return norm({ value: x + y, size, signed });
    case '-': return norm({ value: x - y, size, signed });
    case '*': return norm({ value: x * y, size, signed });
    case '/': case '%':
      if (y === 0n) throw new ExprError(`division by zero at column ${pos + 1}`);
      return norm({ value: op === '/' ? x / y : x % y, size, signed });
    case '&': return norm({ value: x & y, size, signed });
    case '|': return norm({ value: x | y, size, signed });
    case '^': return norm({ value: x ^ y, size, signed });
    case '<<': return norm({ value: y >= 64n ? 0n : x << y, size, signed });
    case '>>': return norm({ value: y >= 64n ? (x < 0n ? -1n : 0n) : x >> y, size, signed });
    case '==': return bool(x === y);
    case '!=': return bool(x !== y);
    case '<': return bool(x < y);
    case '>': return bool(x > y);
    case '<=': return bool(x <= y);
    case '>=': return bool(x >= y);
    case '&&': return bool(x !== 0n && y !== 0n);
    case '||': return bool(x !== 0n || y !== 0n);
  }
  throw new ExprError(`unknown operator ${op}`);
}

/** Arithmetic on pfn:/mfn: addresses: +/- an offset keeps the space, the difference of two is a plain number. */
function applySpaced(op: string, a: TypedValue, b: TypedValue, pos: number): TypedValue {
  const plain = apply(op, { ...a, space: undefined }, { ...b, space: undefined }, pos);
  if (op === '+' && a.space && b.space) throw new ExprError(`cannot add two ${a.space}: addresses at column ${pos + 1}`);
  if (op === '+') return { ...plain, size: 8, signed: false, space: a.space ?? b.space };
  if (op === '-' && a.space && !b.space) return { ...plain, size: 8, signed: false, space: a.space };
  if (op === '-' && a.space && b.space && a.space !== b.space) throw new ExprError(`cannot subtract a ${b.space}: address from a ${a.space}: address at column ${pos + 1}`);
  return plain;
}

/** Evaluate an expression; throws ExprError with a readable message. */
export function evaluateExpression(src: string, ctx: EvalContext): TypedValue {
  if (typeof src !== 'string') throw new ExprError('expression must be a string');
  if (src.length > 10000) throw new ExprError('expression too long');
  return new Parser(tokenize(src), ctx).parse();
}

/** An address expression's space ('linear' unless it used pfn:/mfn:) and value. */
export function evaluateAddress(src: string, ctx: EvalContext): { space: AddressSpace | 'linear'; address: bigint } {
  const v = evaluateExpression(src, ctx);
  return { space: v.space ?? 'linear', address: BigInt.asUintN(64, v.value) };
}

/** A memoryReference / expression naming a byte of pfn or mfn space: "mfn:0x3f42+0x8". */
export function spaceReference(space: AddressSpace, addr: bigint): string {
  const off = addr & 0xfffn;
  return `${space}:0x${(addr >> 12n).toString(16)}${off ? `+0x${off.toString(16)}` : ''}`;
}

/** "0x2a" (hex, unsigned view) or signed decimal for negative signed values: "-5 (0xfffffffb)". */
export function formatValue(v: TypedValue, hex = true): string {
  const unsigned = BigInt.asUintN(v.size * 8, v.value);
  if (!hex) return v.value.toString();
  if (v.signed && v.value < 0n) return `${v.value} (0x${unsigned.toString(16)})`;
  return '0x' + unsigned.toString(16);
}
