// Builds our PV test guests with the machine's binutils (as + ld with our linker scripts) into test/.build/.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const GUESTS = __dirname;
const OUT = path.join(__dirname, '..', '.build', 'guests');

/** Assemble and link test/guests/<name>.S for 'pv64' or 'pv32'; returns the ELF bytes (cached per process). */
const cache = new Map<string, Uint8Array>();
export function buildGuest(name: string, kind: 'pv64' | 'pv32'): Uint8Array {
  const key = `${name}:${kind}`;
  const hit = cache.get(key);
  if (hit) return hit;
  fs.mkdirSync(OUT, { recursive: true });
  const src = path.join(GUESTS, `${name}.S`);
  const obj = path.join(OUT, `${name}.o`);
  const elf = path.join(OUT, `${name}.elf`);
  execFileSync('as', [kind === 'pv64' ? '--64' : '--32', '-I', GUESTS, '-o', obj, src], { stdio: 'pipe' });
  execFileSync('ld', ['-m', kind === 'pv64' ? 'elf_x86_64' : 'elf_i386', '-T', path.join(GUESTS, `${kind}.ld`),
    '-o', elf, obj], { stdio: 'pipe' });
  const bytes = new Uint8Array(fs.readFileSync(elf));
  cache.set(key, bytes);
  return bytes;
}

/**
 * Exact value of a symbol (common/elf.ts rounds 64-bit values above 2^53): 64-bit symbols come back as signed
 * numbers, exact for kernel-half addresses such as 0xffffffff80000123.
 */
export function guestSymbol(bytes: Uint8Array, name: string): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const is64 = bytes[4] === 2;
  const shoff = is64 ? v.getUint32(40, true) : v.getUint32(32, true);
  const shentsize = v.getUint16(is64 ? 58 : 46, true), shnum = v.getUint16(is64 ? 60 : 48, true);
  const sh = (k: number, f64: number, f32: number): number => v.getUint32(shoff + k * shentsize + (is64 ? f64 : f32), true);
  for (let k = 0; k < shnum; k++) {
    if (sh(k, 4, 4) !== 2 /* SHT_SYMTAB */) continue;
    const off = sh(k, 24, 16), size = sh(k, 32, 20), link = sh(k, 40, 24);
    const strOff = sh(link, 24, 16);
    const ent = is64 ? 24 : 16;
    for (let o = off; o < off + size; o += ent) {
      let s = strOff + v.getUint32(o, true), n = '';
      while (bytes[s] !== 0) n += String.fromCharCode(bytes[s++]);
      if (n !== name) continue;
      return is64 ? v.getInt32(o + 12, true) * 2 ** 32 + v.getUint32(o + 8, true) : v.getUint32(o + 4, true);
    }
  }
  throw new Error(`no symbol ${name}`);
}
