// Command-line parsing for the CLI: positional arguments plus --name value / --flag options, with clear errors.

export interface ParsedArgs {
  positional: string[];
  /** The last value of each option (true for a flag). */
  options: Map<string, string | true>;
  /** Every value of each valued option, in order (for options that may repeat, e.g. --xs-write). */
  all: Map<string, string[]>;
}

export class UsageError extends Error {}

/** Parse argv; `valued` lists options that take a value (--name value or --name=value). */
export function parseArgs(argv: string[], valued: Set<string>, flags: Set<string>): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const all = new Map<string, string[]>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (!a.startsWith('--') || a === '--') { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (valued.has(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++k];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      options.set(name, value);
      all.set(name, [...(all.get(name) ?? []), value]);
    } else if (flags.has(name)) {
      if (eq > 0) throw new UsageError(`option --${name} takes no value`);
      options.set(name, true);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { positional, options, all };
}

/** A positive integer option (decimal or 0x hex) or the default. */
export function intOption(p: ParsedArgs, name: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = p.options.get(name);
  if (v === undefined) return dflt;
  if (v === true || !/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new UsageError(`--${name} needs a number, got '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0 || n > max) throw new UsageError(`--${name} must be between 1 and ${max}, got ${v}`);
  return n;
}
