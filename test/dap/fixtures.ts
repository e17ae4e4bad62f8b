// Builds the debugger's test guests (test/fixtures/debug/*.s) with binutils into test/.build/debug/,
// and finds "@marker" line numbers in their sources.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/debug');
export const BUILD = path.join(ROOT, 'test/.build/debug');

/** Assemble and link a fixture; dwarf selects the line-table version (as -gdwarf-N). Returns the ELF path. */
export function buildGuest(name: string, opts: { bits?: 32 | 64; dwarf?: 2 | 3 | 4 | 5; base?: number } = {}): string {
  const bits = opts.bits ?? 64;
  const dwarf = opts.dwarf ?? 5;
  fs.mkdirSync(BUILD, { recursive: true });
  const src = path.join(FIXTURES, `${name}.s`);
  const tag = `${name}-d${dwarf}`;
  const obj = path.join(BUILD, `${tag}.o`);
  const elf = path.join(BUILD, `${tag}.elf`);
  const srcTime = fs.statSync(src).mtimeMs;
  if (fs.existsSync(elf) && fs.statSync(elf).mtimeMs >= srcTime) return elf;
  execFileSync('as', [bits === 64 ? '--64' : '--32', `-gdwarf-${dwarf}`, '-o', obj, src]);
  execFileSync('ld', [...(bits === 32 ? ['-m', 'elf_i386'] : []), `-Ttext=0x${(opts.base ?? 0x100000).toString(16)}`, '-e', '_start', '-o', elf, obj]);
  return elf;
}

export function sourceOf(name: string): string { return path.join(FIXTURES, `${name}.s`); }

/** 1-based line of the "@marker" comment in a fixture. */
export function lineOf(name: string, marker: string): number {
  const lines = fs.readFileSync(sourceOf(name), 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`@${marker}\\b`).test(l));
  if (i < 0) throw new Error(`no @${marker} in ${name}.s`);
  return i + 1;
}

/** Symbol address from `nm`. */
export function symbolAddress(elf: string, sym: string): number {
  const out = execFileSync('nm', [elf], { encoding: 'utf8' });
  const m = new RegExp(`^([0-9a-f]+) \\w ${sym}$`, 'm').exec(out);
  if (!m) throw new Error(`no symbol ${sym} in ${elf}`);
  return parseInt(m[1], 16);
}
