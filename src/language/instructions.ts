// Our own short reference for common integer and system instructions (meaning and flags affected), used by
// hover and completion; resolves AT&T size suffixes (movl, addq) and condition-code families (jne, setb, cmovz).

export interface InsnDoc {
  /** Canonical mnemonic the text describes (without size suffix). */
  name: string;
  summary: string;
  /** Flags written, e.g. "OF SF ZF AF CF PF" or "none". */
  flags: string;
  /** Privilege / Xen PV remark. */
  note?: string;
}

const ARITH = 'OF SF ZF AF CF PF';
const LOGIC = 'OF=0 CF=0, SF ZF PF set, AF undefined';
const NONE = 'none';
const PRIV = 'privileged (CPL 0): a PV guest kernel runs at CPL 1 (pv32) or 3 (pv64), so this faults to Xen, which emulates or rejects it';

/** name -> [summary, flags, note?] */
const TABLE: Record<string, [string, string, string?]> = {
  mov: ['Copy source to destination (moves to a segment register load a descriptor).', NONE],
  movabs: ['Move a 64-bit immediate or a 64-bit absolute address.', NONE],
  movzb: ['Move with zero-extension from a byte.', NONE], movzw: ['Move with zero-extension from a word.', NONE],
  movsb: ['Move byte string [rsi] -> [rdi] (movsbw/movsbl/movsbq with operands: sign-extend a byte).', NONE],
  movsw: ['Move word string (with operands: sign-extend a word).', NONE],
  movsl: ['Move doubleword string [rsi] -> [rdi].', NONE], movsq: ['Move quadword string [rsi] -> [rdi].', NONE],
  movslq: ['Sign-extend a doubleword into a 64-bit register (movsxd).', NONE],
  movzx: ['Move with zero-extension.', NONE], movsx: ['Move with sign-extension.', NONE],
  lea: ['Load effective address: compute the address of the memory operand, no memory access.', NONE],
  xchg: ['Exchange operands (with memory: implicitly locked).', NONE],
  push: ['Decrement the stack pointer and store the operand.', NONE],
  pop: ['Load from the stack and increment the stack pointer.', NONE],
  pushf: ['Push the flags register.', NONE],
  popf: ['Pop into the flags register (IF/IOPL changes silently ignored at CPL > 0 — PV kernels use the event mask instead).', 'all writable flags'],
  add: ['Add source to destination.', ARITH], adc: ['Add with carry.', ARITH], sub: ['Subtract source from destination.', ARITH],
  sbb: ['Subtract with borrow.', ARITH], cmp: ['Compare: subtract without storing the result.', ARITH],
  inc: ['Increment by one.', 'OF SF ZF AF PF (CF unchanged)'], dec: ['Decrement by one.', 'OF SF ZF AF PF (CF unchanged)'],
  neg: ['Two\'s-complement negate.', ARITH + ' (CF = operand != 0)'],
  and: ['Bitwise AND.', LOGIC], or: ['Bitwise OR.', LOGIC], xor: ['Bitwise XOR (xor %eax,%eax clears a register).', LOGIC],
  not: ['Bitwise complement.', NONE], test: ['Bitwise AND without storing the result.', LOGIC],
  mul: ['Unsigned multiply rAX by the operand into rDX:rAX.', 'OF CF (SF ZF AF PF undefined)'],
  imul: ['Signed multiply (one, two or three operand forms).', 'OF CF (SF ZF AF PF undefined)'],
  div: ['Unsigned divide rDX:rAX by the operand (#DE on zero or overflow).', 'all arithmetic flags undefined'],
  idiv: ['Signed divide rDX:rAX by the operand (#DE on zero or overflow).', 'all arithmetic flags undefined'],
  shl: ['Shift left.', 'CF OF(count 1) SF ZF PF'], sal: ['Shift left (same as shl).', 'CF OF(count 1) SF ZF PF'],
  shr: ['Logical shift right.', 'CF OF(count 1) SF ZF PF'], sar: ['Arithmetic shift right.', 'CF OF(count 1) SF ZF PF'],
  rol: ['Rotate left.', 'CF OF(count 1)'], ror: ['Rotate right.', 'CF OF(count 1)'],
  rcl: ['Rotate left through carry.', 'CF OF(count 1)'], rcr: ['Rotate right through carry.', 'CF OF(count 1)'],
  shld: ['Double-precision shift left.', 'CF SF ZF PF (OF count 1)'], shrd: ['Double-precision shift right.', 'CF SF ZF PF (OF count 1)'],
  bt: ['Bit test: copy the selected bit to CF.', 'CF'], bts: ['Bit test and set.', 'CF'], btr: ['Bit test and reset.', 'CF'], btc: ['Bit test and complement.', 'CF'],
  bsf: ['Bit scan forward: index of the lowest set bit.', 'ZF (others undefined)'], bsr: ['Bit scan reverse: index of the highest set bit.', 'ZF (others undefined)'],
  bswap: ['Reverse the byte order of a register.', NONE],
  cbw: ['Sign-extend AL into AX.', NONE], cwde: ['Sign-extend AX into EAX.', NONE], cdqe: ['Sign-extend EAX into RAX.', NONE],
  cltq: ['Sign-extend EAX into RAX (cdqe).', NONE], cwtl: ['Sign-extend AX into EAX (cwde).', NONE], cbtw: ['Sign-extend AL into AX (cbw).', NONE],
  cltd: ['Sign-extend EAX into EDX:EAX (cdq).', NONE], cqto: ['Sign-extend RAX into RDX:RAX (cqo).', NONE],
  cdq: ['Sign-extend EAX into EDX:EAX.', NONE], cqo: ['Sign-extend RAX into RDX:RAX.', NONE],
  jmp: ['Jump (near, or far through a selector with ljmp).', NONE],
  ljmp: ['Far jump: load CS:IP from a selector and offset.', NONE],
  call: ['Push the return address and jump.', NONE], lcall: ['Far call through a selector (or call gate).', NONE],
  ret: ['Pop the return address and jump (optional immediate: bytes to pop).', NONE],
  lret: ['Far return: pop IP and CS (changing privilege also pops SS:SP).', NONE],
  loop: ['Decrement rCX and jump if it is not zero.', NONE], jcxz: ['Jump if CX is zero.', NONE], jecxz: ['Jump if ECX is zero.', NONE], jrcxz: ['Jump if RCX is zero.', NONE],
  enter: ['Create a stack frame.', NONE], leave: ['Tear down a stack frame: mov rBP,rSP; pop rBP.', NONE],
  nop: ['No operation.', NONE], pause: ['Spin-loop hint.', NONE],
  int: ['Software interrupt through the IDT. pv32 guests make hypercalls with int $0x82 (vector must have DPL allowing the caller).', 'IF TF cleared on delivery'],
  int3: ['Breakpoint trap (#BP).', NONE], into: ['Interrupt 4 if OF is set (not in 64-bit mode).', NONE],
  iret: ['Return from interrupt: pop IP, CS, FLAGS (and SP, SS on privilege change). PV guests use the iret hypercall instead when returning from Xen frames.', 'all flags restored'],
  syscall: ['Fast system call. In a pv64 guest this is how the kernel enters Xen (hypercall) and how user mode enters the guest kernel.', 'RFLAGS masked by SFMASK'],
  sysret: ['Return from syscall to user mode.', 'RFLAGS restored from R11'],
  sysenter: ['Fast system call (legacy).', 'IF VM RF cleared'], sysexit: ['Return from sysenter.', NONE],
  hlt: ['Halt until the next interrupt.', NONE, PRIV + ' (PV guests block with sched_op SCHEDOP_block)'],
  cli: ['Clear IF: mask maskable interrupts.', 'IF', PRIV + ' (PV guests set vcpu_info.evtchn_upcall_mask)'],
  sti: ['Set IF: unmask interrupts after the next instruction.', 'IF', PRIV + ' (PV guests clear evtchn_upcall_mask)'],
  clc: ['Clear the carry flag.', 'CF'], stc: ['Set the carry flag.', 'CF'], cmc: ['Complement the carry flag.', 'CF'],
  cld: ['Clear the direction flag (string operations increment).', 'DF'], std: ['Set the direction flag (string operations decrement).', 'DF'],
  lahf: ['Load SF ZF AF PF CF into AH.', NONE], sahf: ['Store AH into SF ZF AF PF CF.', 'SF ZF AF PF CF'],
  cpuid: ['CPU identification by leaf EAX / subleaf ECX. PV guests prefix it with ud2; .ascii "xen" to get Xen\'s filtered view.', NONE],
  rdtsc: ['Read the time-stamp counter into EDX:EAX.', NONE], rdtscp: ['Read the time-stamp counter and TSC_AUX.', NONE],
  rdmsr: ['Read MSR ECX into EDX:EAX.', NONE, PRIV], wrmsr: ['Write EDX:EAX to MSR ECX.', NONE, PRIV],
  lgdt: ['Load GDTR.', NONE, PRIV + ' (PV guests use the set_gdt hypercall)'], lidt: ['Load IDTR.', NONE, PRIV + ' (PV guests use set_trap_table)'],
  sgdt: ['Store GDTR.', NONE], sidt: ['Store IDTR.', NONE], sldt: ['Store the LDT selector.', NONE], str: ['Store the task register selector.', NONE],
  lldt: ['Load the LDT register.', NONE, PRIV + ' (PV guests use mmuext_op MMUEXT_SET_LDT)'], ltr: ['Load the task register.', NONE, PRIV],
  invlpg: ['Invalidate the TLB entry for an address.', NONE, PRIV + ' (PV guests use mmuext_op MMUEXT_INVLPG_LOCAL)'],
  wbinvd: ['Write back and invalidate caches.', NONE, PRIV], invd: ['Invalidate caches without write-back.', NONE, PRIV],
  clts: ['Clear CR0.TS.', NONE, PRIV + ' (PV guests use fpu_taskswitch)'],
  lmsw: ['Load the machine status word (CR0 low bits).', NONE, PRIV], smsw: ['Store the machine status word.', NONE],
  swapgs: ['Exchange GS base with the kernel GS base MSR.', NONE, PRIV + ' (pv64 guests use set_segment_base)'],
  in: ['Read from an I/O port.', NONE, 'needs IOPL or I/O bitmap permission (physdev_op set_iopl)'],
  out: ['Write to an I/O port.', NONE, 'needs IOPL or I/O bitmap permission (physdev_op set_iopl)'],
  lar: ['Load access rights of a selector.', 'ZF'], lsl: ['Load segment limit of a selector.', 'ZF'],
  verr: ['Verify a segment is readable.', 'ZF'], verw: ['Verify a segment is writable.', 'ZF'], arpl: ['Adjust RPL field of a selector.', 'ZF'],
  lds: ['Load DS and a register from a far pointer.', NONE], les: ['Load ES and a register from a far pointer.', NONE],
  lfs: ['Load FS and a register from a far pointer.', NONE], lgs: ['Load GS and a register from a far pointer.', NONE], lss: ['Load SS and a register from a far pointer.', NONE],
  ud2: ['Raise #UD. `ud2; .ascii "xen"; cpuid` is Xen\'s forced-emulation prefix.', NONE],
  lods: ['Load string element from [rsi] into rAX.', NONE], stos: ['Store rAX to string [rdi].', NONE],
  scas: ['Compare rAX with string [rdi].', ARITH], cmps: ['Compare strings [rsi] and [rdi].', ARITH],
  cmpxchg: ['Compare rAX with the destination; if equal store the source, else load the destination into rAX.', ARITH],
  cmpxchg8b: ['Compare EDX:EAX with m64; if equal store ECX:EBX.', 'ZF'], cmpxchg16b: ['Compare RDX:RAX with m128; if equal store RCX:RBX.', 'ZF'],
  xadd: ['Exchange and add.', ARITH], mfence: ['Memory fence.', NONE], lfence: ['Load fence.', NONE], sfence: ['Store fence.', NONE],
  popcnt: ['Count set bits.', 'ZF (others cleared)'], lzcnt: ['Count leading zero bits.', 'CF ZF'], tzcnt: ['Count trailing zero bits.', 'CF ZF'],
  xlat: ['Table lookup: AL = [rBX + AL].', NONE], xgetbv: ['Read an extended control register (XCR0).', NONE],
  fxsave: ['Save x87/SSE state (512 bytes).', NONE], fxrstor: ['Restore x87/SSE state.', NONE],
};

/** Condition-code suffixes and their meaning. */
const CC: Record<string, string> = {
  o: 'overflow (OF=1)', no: 'not overflow (OF=0)', b: 'below, unsigned < (CF=1)', c: 'carry (CF=1)', nae: 'not above or equal (CF=1)',
  ae: 'above or equal, unsigned >= (CF=0)', nb: 'not below (CF=0)', nc: 'no carry (CF=0)', e: 'equal (ZF=1)', z: 'zero (ZF=1)',
  ne: 'not equal (ZF=0)', nz: 'not zero (ZF=0)', be: 'below or equal, unsigned <= (CF=1 or ZF=1)', na: 'not above (CF=1 or ZF=1)',
  a: 'above, unsigned > (CF=0 and ZF=0)', nbe: 'not below or equal (CF=0 and ZF=0)', s: 'sign (SF=1)', ns: 'not sign (SF=0)',
  p: 'parity even (PF=1)', pe: 'parity even (PF=1)', np: 'parity odd (PF=0)', po: 'parity odd (PF=0)',
  l: 'less, signed < (SF!=OF)', nge: 'not greater or equal (SF!=OF)', ge: 'greater or equal, signed >= (SF=OF)', nl: 'not less (SF=OF)',
  le: 'less or equal, signed <= (ZF=1 or SF!=OF)', ng: 'not greater (ZF=1 or SF!=OF)', g: 'greater, signed > (ZF=0 and SF=OF)', nle: 'not less or equal (ZF=0 and SF=OF)',
};

const SUFFIX_SIZE: Record<string, string> = { b: 'byte (8-bit)', w: 'word (16-bit)', l: 'long (32-bit)', q: 'quad (64-bit)' };

export interface ResolvedInsn extends InsnDoc {
  /** Operand size implied by an AT&T suffix ("long (32-bit)"), if the mnemonic had one. */
  size?: string;
}

function ccDoc(m: string): InsnDoc | undefined {
  for (const [pre, what] of [['j', 'Jump if'], ['set', 'Set byte to 1 if'], ['cmov', 'Move if']] as const) {
    if (!m.startsWith(pre)) continue;
    const cc = m.slice(pre.length);
    if (CC[cc]) return { name: m, summary: `${what} ${CC[cc]}.`, flags: 'none (reads flags)' };
  }
  if (m.startsWith('loop') && ['e', 'z', 'ne', 'nz'].includes(m.slice(4))) {
    return { name: m, summary: `Decrement rCX and jump if it is not zero and ${m.slice(4).startsWith('n') ? 'ZF=0' : 'ZF=1'}.`, flags: NONE };
  }
  return undefined;
}

function direct(m: string): InsnDoc | undefined {
  const e = TABLE[m];
  if (e) return { name: m, summary: e[0], flags: e[1], note: e[2] };
  return ccDoc(m);
}

/** Describe a mnemonic as written (any case, optional AT&T size suffix, string-op suffix). */
export function describeMnemonic(written: string): ResolvedInsn | undefined {
  const m = written.toLowerCase();
  const d = direct(m);
  if (d) return d;
  const last = m.slice(-1);
  if (SUFFIX_SIZE[last] && m.length > 2) {
    // movzbl / movsbq style: movz/movs + source size + destination size
    const mz = /^mov([zs])([bwl])([wlq])$/.exec(m);
    if (mz) {
      return { name: m, summary: `Move with ${mz[1] === 'z' ? 'zero' : 'sign'}-extension from ${SUFFIX_SIZE[mz[2]]} to ${SUFFIX_SIZE[mz[3]]}.`, flags: NONE };
    }
    const bd = direct(m.slice(0, -1));
    if (bd) return { ...bd, size: SUFFIX_SIZE[last] };
  }
  return undefined;
}

/** Mnemonics we document (canonical names), for completion. */
export function documentedMnemonics(): string[] {
  const cc = Object.keys(CC);
  return [...Object.keys(TABLE), ...cc.map((c) => 'j' + c), ...cc.map((c) => 'set' + c), ...cc.map((c) => 'cmov' + c)];
}

export const PREFIXES = ['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'data16', 'addr32', 'rex64'];
