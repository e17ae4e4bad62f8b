// Reads the program a launch configuration names: an ELF image, or a guest assembly source (.s/.S/.asm)
// assembled in memory. Every problem is an ElfError with a readable message.

import * as fs from 'fs';
import * as path from 'path';
import { parseElf, ElfError, ElfImage } from '../common/elf';
import { assemble } from '../asm';

export const ASSEMBLY_EXTENSIONS = ['.s', '.S', '.asm'];

export function loadProgramFile(file: string): ElfImage {
  if (typeof file !== 'string' || file === '') throw new ElfError('no program given (launch attribute "program")');
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch { throw new ElfError(`program ${file} does not exist`); }
  if (!st.isFile()) throw new ElfError(`program ${file} is not a file`);
  if (ASSEMBLY_EXTENSIONS.includes(path.extname(file))) {
    const source = fs.readFileSync(file, 'utf8');
    const dir = path.dirname(file);
    const res = assemble(source, {
      fileName: path.resolve(file),
      readFile: (p) => { try { return fs.readFileSync(path.resolve(dir, p), 'utf8'); } catch { return undefined; } },
    });
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    if (!res.ok || !res.elf || errors.length > 0) {
      const shown = errors.slice(0, 20).map((d) => `${d.file}:${d.line}:${d.column}: error: ${d.message}`);
      throw new ElfError(`assembly of ${file} failed:\n${shown.join('\n')}`);
    }
    return parseElf(res.elf);
  }
  let bytes: Uint8Array;
  try { bytes = fs.readFileSync(file); } catch (e) { throw new ElfError(`cannot read ${file}: ${(e as Error).message}`); }
  return parseElf(bytes);
}
