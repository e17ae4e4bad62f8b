// Loads a guest program for the CLI: an ELF image as is, or a guest assembly source (.s/.S/.asm)
// assembled in memory with our assembler (diagnostics reported as file:line:column: message).

import * as fs from 'fs';
import * as path from 'path';
import { parseElf, ElfError, ElfImage } from '../common/elf';
import { assemble } from '../asm';

export const ASSEMBLY_EXTENSIONS = ['.s', '.S', '.asm'];

export function isAssemblySource(file: string): boolean { return ASSEMBLY_EXTENSIONS.includes(path.extname(file)); }

/** Read and parse the program; throws ElfError with a readable message (assembly errors included). */
export function loadProgram(file: string): ElfImage {
  let bytes: Uint8Array;
  if (isAssemblySource(file)) {
    let source: string;
    try { source = fs.readFileSync(file, 'utf8'); } catch (e) { throw new ElfError(`cannot read ${file}: ${(e as Error).message}`); }
    const dir = path.dirname(file);
    const res = assemble(source, {
      fileName: file,
      readFile: (p) => { try { return fs.readFileSync(path.resolve(dir, p), 'utf8'); } catch { return undefined; } },
    });
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    if (!res.ok || !res.elf || errors.length > 0) {
      const shown = errors.slice(0, 20).map((d) => `${d.file}:${d.line}:${d.column}: error: ${d.message}`);
      const more = errors.length > 20 ? `\n... and ${errors.length - 20} more errors` : '';
      throw new ElfError(`assembly of ${file} failed:\n${shown.join('\n')}${more}`);
    }
    bytes = res.elf;
  } else {
    try { bytes = fs.readFileSync(file); } catch (e) { throw new ElfError(`cannot read ${file}: ${(e as Error).message}`); }
  }
  return parseElf(bytes);
}
