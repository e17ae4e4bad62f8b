// Short descriptions of assembler directives and registers for hovers and completion details (our own text;
// directive spellings follow the guest assembler in src/asm/directives.ts).

export const DIRECTIVE_DOCS: Record<string, string> = {
  '.text': 'Switch to the .text (code) section.', '.data': 'Switch to the .data section.', '.bss': 'Switch to the .bss (zero-filled) section.',
  '.rodata': 'Switch to the .rodata section.', '.section': 'Switch to a named section: `.section name[, "flags"[, @type]]`.',
  '.pushsection': 'Switch section, remembering the current one.', '.popsection': 'Return to the section before .pushsection.',
  '.previous': 'Return to the previous section.', '.globl': 'Make symbols global (visible in the ELF symbol table).', '.global': 'Same as .globl.',
  '.local': 'Make symbols local.', '.weak': 'Make symbols weak.', '.type': 'Set a symbol type: `.type sym, @function`.', '.size': 'Set a symbol size: `.size sym, . - sym`.',
  '.comm': 'Declare a common symbol: `.comm name, size[, align]`.', '.lcomm': 'Reserve local zeroed storage: `.lcomm name, size`.',
  '.set': 'Define or redefine a symbol: `.set name, expr`.', '.equ': 'Define a symbol: `.equ name, expr`.', '.equiv': 'Define a symbol; error if already defined.',
  '.eqv': 'Define a symbol whose expression is evaluated at each use.',
  '.byte': 'Emit bytes.', '.word': 'Emit 16-bit values.', '.short': 'Emit 16-bit values.', '.hword': 'Emit 16-bit values.', '.value': 'Emit 16-bit values.',
  '.long': 'Emit 32-bit values.', '.int': 'Emit 32-bit values.', '.4byte': 'Emit 32-bit values.', '.2byte': 'Emit 16-bit values.',
  '.quad': 'Emit 64-bit values (GDT descriptors, page-table entries...).', '.8byte': 'Emit 64-bit values.',
  '.ascii': 'Emit string bytes (no terminator).', '.asciz': 'Emit NUL-terminated strings.', '.string': 'Emit NUL-terminated strings.',
  '.fill': 'Emit `repeat` copies of a `size`-byte value: `.fill repeat, size, value`.', '.skip': 'Reserve bytes: `.skip size[, fill]`.',
  '.space': 'Reserve bytes: `.space size[, fill]`.', '.zero': 'Emit zero bytes.', '.align': 'Align to a byte boundary (x86 ELF: bytes).',
  '.balign': 'Align to a byte boundary.', '.p2align': 'Align to a power of two: `.p2align 12` = 4 KiB (page tables).', '.org': 'Advance the location counter to an offset.',
  '.incbin': 'Include a binary file verbatim.', '.include': 'Include another source file (relative to this file).',
  '.code32': 'Assemble 32-bit code (pv32pae guests).', '.code64': 'Assemble 64-bit code (pv64 guests).', '.code16': 'Assemble 16-bit code.',
  '.intel_syntax': 'Switch to Intel syntax (`noprefix` for bare register names).', '.att_syntax': 'Switch back to AT&T syntax.',
  '.macro': 'Define a macro: `.macro name arg1, arg2=default` … `.endm`; arguments are used as `\\arg`.', '.endm': 'End a macro definition.',
  '.exitm': 'Leave the current macro expansion.', '.purgem': 'Forget a macro.', '.rept': 'Repeat the block up to .endr `count` times.',
  '.irp': 'Repeat the block for each value: `.irp r, a, b, c` … `.endr`.', '.irpc': 'Repeat the block for each character.', '.endr': 'End a .rept/.irp block.',
  '.if': 'Assemble the block if the expression is non-zero.', '.ifdef': 'Assemble the block if the symbol is defined.', '.ifndef': 'Assemble the block if the symbol is not defined.',
  '.else': 'Alternative block of a conditional.', '.elseif': 'Chained conditional.', '.endif': 'End a conditional.',
  '.err': 'Report an error.', '.error': 'Report an error with a message.', '.warning': 'Report a warning.', '.print': 'Print a message while assembling.', '.end': 'End of the source.',
  '.xen_note': 'Emit a Xen ELF note into the note section: `.xen_note TYPE, value-or-string` (e.g. XEN_ELFNOTE_ENTRY, XEN_ELFNOTE_HYPERCALL_PAGE).',
  '.xen_elfnote': 'Same as .xen_note.', '.nops': 'Emit `size` bytes of NOPs.', '.uleb128': 'Emit unsigned LEB128 values.', '.sleb128': 'Emit signed LEB128 values.',
};

export function directiveDoc(name: string): string | undefined {
  return DIRECTIVE_DOCS[name.toLowerCase()];
}

const GPR_ROLES: Record<string, string> = {
  ax: 'accumulator; hypercall number and return value', bx: 'pv32 hypercall argument 1', cx: 'pv32 hypercall argument 2; clobbered by syscall (return RIP)',
  dx: 'pv32 argument 3 / pv64 argument 3', si: 'pv32 argument 4 / pv64 argument 2; start_info pointer at guest entry', di: 'pv32 argument 5 / pv64 argument 1',
  sp: 'stack pointer', bp: 'frame pointer', r8: 'pv64 hypercall argument 5', r10: 'pv64 hypercall argument 4', r11: 'clobbered by syscall (saved RFLAGS)',
};

/** "%eax: 32-bit general register — accumulator; ..." or undefined for unknown names. */
export function describeRegister(name: string): string | undefined {
  const n = name.toLowerCase();
  let m: RegExpExecArray | null;
  const role = (k: string) => (GPR_ROLES[k] ? ` — ${GPR_ROLES[k]}` : '');
  if ((m = /^([re]?)([abcd])x$/.exec(n))) return `%${n}: ${m[1] === 'r' ? 64 : m[1] === 'e' ? 32 : 16}-bit general register${role(m[2] + 'x')}`;
  if ((m = /^([abcd])([lh])$/.exec(n))) return `%${n}: 8-bit general register (${m[2] === 'l' ? 'low' : 'high'} byte of %${m[1]}x)`;
  if ((m = /^([re]?)(sp|bp|si|di)$/.exec(n))) return `%${n}: ${m[1] === 'r' ? 64 : m[1] === 'e' ? 32 : 16}-bit general register${role(m[2])}`;
  if ((m = /^(sp|bp|si|di)l$/.exec(n))) return `%${n}: 8-bit low byte of %r${m[1]} (needs REX)`;
  if ((m = /^r([89]|1[0-5])([bwdl]?)$/.exec(n))) {
    const size = m[2] === '' ? 64 : m[2] === 'd' ? 32 : m[2] === 'w' ? 16 : 8;
    return `%${n}: ${size}-bit general register (REX)${size === 64 ? role('r' + m[1]) : ''}`;
  }
  if (/^[cdefgs]s$/.test(n)) return `%${n}: segment register (selector + hidden descriptor cache)${n === 'fs' || n === 'gs' ? '; in pv64 the base is set with set_segment_base' : ''}`;
  if ((m = /^cr([0-9]|1[0-5])$/.exec(n))) {
    const what: Record<string, string> = { '0': 'PE, WP, PG, TS...', '2': 'page-fault linear address (PV: in vcpu_info arch.cr2)', '3': 'page-table base (PV: mmuext_op MMUEXT_NEW_BASEPTR)', '4': 'PAE, PGE, PSE...', '8': 'task priority' };
    return `%${n}: control register${what[m[1]] ? ` — ${what[m[1]]}` : ''} (privileged)`;
  }
  if ((m = /^d[rb]([0-9]|1[0-5])$/.exec(n))) return `%${n}: debug register (PV: set_debugreg / get_debugreg)`;
  if ((m = /^([xyz])mm([0-9]|[12][0-9]|3[01])$/.exec(n))) return `%${n}: ${m[1] === 'x' ? 128 : m[1] === 'y' ? 256 : 512}-bit vector register`;
  if (/^mm[0-7]$/.test(n)) return `%${n}: 64-bit MMX register (aliases x87 st)`;
  if (/^st(\(\s*[0-7]\s*\)|[0-7])?$/.test(n)) return `%${n}: x87 stack register`;
  if (n === 'rip' || n === 'eip') return `%${n}: instruction pointer (RIP-relative addressing: sym(%rip))`;
  return undefined;
}

/** Every register name we complete (without '%'). */
export function registerNames(): string[] {
  const out: string[] = [];
  for (const b of ['a', 'b', 'c', 'd']) out.push(`r${b}x`, `e${b}x`, `${b}x`, `${b}l`, `${b}h`);
  for (const b of ['sp', 'bp', 'si', 'di']) out.push(`r${b}`, `e${b}`, b, `${b}l`);
  for (let i = 8; i < 16; i++) out.push(`r${i}`, `r${i}d`, `r${i}w`, `r${i}b`);
  out.push('cs', 'ds', 'es', 'fs', 'gs', 'ss', 'rip', 'eip');
  for (const i of [0, 2, 3, 4, 8]) out.push(`cr${i}`);
  for (let i = 0; i < 8; i++) out.push(`dr${i}`, `mm${i}`, `st(${i})`);
  for (let i = 0; i < 16; i++) out.push(`xmm${i}`);
  return out;
}
