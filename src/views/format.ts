// Number formatting for the Xen views: hex or decimal, applied to numbers and to "0x..." strings in DAP replies.
// Pure (no `vscode`): the views and their tests share it.

export type NumberFormat = 'hex' | 'decimal';

const HEX = /^0x[0-9a-f]+$/i;

/** Render a value from a DAP reply; numbers and 0x-strings follow the format, everything else as text. */
export function formatValue(v: unknown, fmt: NumberFormat): string {
  if (typeof v === 'number' && Number.isFinite(v)) return fmt === 'hex' && Number.isInteger(v) ? hexOf(v) : String(v);
  if (typeof v === 'bigint') return fmt === 'hex' ? '0x' + BigInt.asUintN(64, v).toString(16) : v.toString();
  if (typeof v === 'string') return fmt === 'decimal' && HEX.test(v) ? BigInt(v).toString() : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => formatValue(x, fmt)).join(', ');
  return JSON.stringify(v);
}

export function hexOf(v: number): string {
  return v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16);
}

/** Parse user input ("0x1c03", "7171", "0b101", "1_000") as an unsigned 64-bit value; undefined if not a number. */
export function parseNumber(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$/i.test(t)) return undefined;
  const v = BigInt(t);
  return v < 0n || v > 0xffffffffffffffffn ? undefined : v;
}

/** The file "Export Hypercall Log as JSON…" writes: the reply as indented JSON, newline-terminated. */
export function exportJson(body: unknown): string {
  return JSON.stringify(body ?? null, null, 2) + '\n';
}
