// End-to-end tests for the data/stack/control/string handlers: real machine code decoded by the table decoder
// and run by the step loop (programs end at ud2, which stops the bare machine with #UD).
import * as assert from 'assert';
import { UD } from '../../src/cpu/fault';
import { RAX, RCX, RDX, RBX, RSP, RSI, RDI } from '../../src/cpu/state';
import { makeMachine, loadCode, runN, TestMachine } from './helpers/machine';

const UD2 = [0x0f, 0x0b];
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const reg = (m: TestMachine, r: number): number => m.cpu.regs[2 * r] >>> 0;
const hex = (m: TestMachine, r: number): string => {
  const c = m.cpu; return (c.regs[2 * r + 1] >>> 0).toString(16).padStart(8, '0') + (c.regs[2 * r] >>> 0).toString(16).padStart(8, '0');
};
/** Run until the program's ud2 (or the budget) and check it stopped there. */
function runToUd2(m: TestMachine, ud2At: number, budget = 10000): void {
  const why = runN(m, budget);
  assert.strictEqual(why, 'exception', `stopped by ${why} at rip 0x${m.cpu.rip.toString(16)}`);
  assert.strictEqual(m.ops.lastException?.vector, UD, `last exception ${JSON.stringify(m.ops.lastException)}`);
  assert.strictEqual(m.cpu.rip, ud2At, `ud2 expected at 0x${ud2At.toString(16)}, rip 0x${m.cpu.rip.toString(16)}`);
}

describe('run: data/stack/control/string programs', () => {
  it('64-bit: call/ret with push/pop, enter/leave, lea arithmetic', () => {
    const m = makeMachine(64);
    const code = [
      0xb8, ...le32(5),                         // 0x1000 mov eax, 5
      0xe8, ...le32(2),                         // 0x1005 call 0x100c
      ...UD2,                                   // 0x100a ud2
      0xc8, 0x10, 0x00, 0x00,                   // 0x100c enter 0x10, 0
      0x50,                                     //        push rax
      0x48, 0x8d, 0x04, 0xc5, ...le32(3),       //        lea rax, [rax*8 + 3]
      0x59,                                     //        pop rcx
      0x48, 0x89, 0x65, 0xf8,                   //        mov [rbp-8], rsp
      0x48, 0x8b, 0x55, 0xf8,                   //        mov rdx, [rbp-8]
      0xc9,                                     //        leave
      0xc3,                                     //        ret
    ];
    loadCode(m, 0x1000, code);
    runToUd2(m, 0x100a);
    assert.strictEqual(reg(m, RAX), 43);
    assert.strictEqual(reg(m, RCX), 5);
    assert.strictEqual(reg(m, RDX), 0x200000 - 8 - 8 - 0x10, 'rsp after enter (ret addr, rbp, 0x10 locals)');
    assert.strictEqual(reg(m, RSP), 0x200000);
  });

  it('64-bit: loop summing with lea, jcc on cmpxchg flags, xchg/bswap/movzx/cdqe', () => {
    const m = makeMachine(64);
    const code = [
      0xb8, ...le32(0),                         // 0x1000 mov eax, 0
      0xb9, ...le32(10),                        // 0x1005 mov ecx, 10
      0x8d, 0x04, 0x08,                         // 0x100a lea eax, [rax + rcx]
      0xe2, 0xfb,                               // 0x100d loop 0x100a
      0xbb, ...le32(55),                        // 0x100f mov ebx, 55
      0xba, ...le32(0x12345678),                // 0x1014 mov edx, 0x12345678
      0x0f, 0xb1, 0xd3,                         // 0x1019 cmpxchg ebx, edx (eax == ebx -> ebx = edx, ZF=1)
      0x74, 0x02,                               // 0x101c je +2
      ...UD2,                                   // 0x101e (skipped)
      0x48, 0x87, 0xd8,                         // 0x1020 xchg rax, rbx
      0x0f, 0xc8,                               // 0x1023 bswap eax
      0x48, 0x0f, 0xb6, 0xf0,                   // 0x1025 movzx rsi, al
      0x48, 0x98,                               // 0x1029 cdqe
      ...UD2,                                   // 0x102b
    ];
    loadCode(m, 0x1000, code);
    runToUd2(m, 0x102b);
    assert.strictEqual(reg(m, RBX), 55);
    assert.strictEqual(hex(m, RAX), '0000000078563412');
    assert.strictEqual(reg(m, RSI), 0x12);
    assert.strictEqual(hex(m, RCX), '0000000000000000');
  });

  it('64-bit: rep movsb block copy and a long rep stosq resumed by the step loop', () => {
    const m = makeMachine(64, { memBytes: 8 * 1024 * 1024 });
    for (let k = 0; k < 0x3000; k++) m.mem.bytes[0x10000 + k] = (k * 13) & 0xff;
    const code = [
      0x48, 0xc7, 0xc6, ...le32(0x10000),       // mov rsi, 0x10000
      0x48, 0xc7, 0xc7, ...le32(0x20000),       // mov rdi, 0x20000
      0xb9, ...le32(0x3000),                    // mov ecx, 0x3000
      0xf3, 0xa4,                               // rep movsb
      0x48, 0xb8, ...le32(0x11223344), ...le32(0x55667788), // mov rax, imm64
      0x48, 0xc7, 0xc7, ...le32(0x100000),      // mov rdi, 0x100000
      0xb9, ...le32(200000),                    // mov ecx, 200000
      0xf3, 0x48, 0xab,                         // rep stosq
      ...UD2,
    ];
    loadCode(m, 0x1000, code);
    runToUd2(m, 0x1000 + code.length - 2);
    assert.ok(Buffer.from(m.mem.bytes.subarray(0x20000, 0x23000)).equals(Buffer.from(m.mem.bytes.subarray(0x10000, 0x13000))));
    assert.strictEqual(reg(m, RDI), 0x100000 + 8 * 200000);
    assert.strictEqual(m.mem.read32(0x100000 + 8 * 199999 + 4), 0x55667788);
    assert.strictEqual(m.mem.read32(0x100000 + 8 * 200000), 0);
    assert.strictEqual(reg(m, RCX), 0);
  });

  it('rep movsb patching code that already ran: the decode cache is invalidated and the new bytes execute', () => {
    const m = makeMachine(64);
    m.mem.bytes.set(UD2, 0x3000);
    const code = [
      0xb9, ...le32(2),                         // 0x1000 mov ecx, 2
      0x90, 0x90,                               // 0x1005 L: patch site (nops on the first pass)
      0x51,                                     // 0x1007 push rcx
      0x48, 0xc7, 0xc7, ...le32(0x1005),        // 0x1008 mov rdi, 0x1005
      0xbe, ...le32(0x3000),                    // 0x100f mov esi, 0x3000
      0xb9, ...le32(2),                         // 0x1014 mov ecx, 2
      0xf3, 0xa4,                               // 0x1019 rep movsb (fast path: a 2-byte run)
      0x59,                                     // 0x101b pop rcx
      0xe2, 0xe7,                               // 0x101c loop L
      ...UD2,                                   // 0x101e (not reached)
    ];
    loadCode(m, 0x1000, code);
    runToUd2(m, 0x1005);
    assert.strictEqual(reg(m, RCX), 1, 'second pass');
  });

  it('32-bit: strlen with repne scasb, then a jecxz/loopne fall-through and ret imm16', () => {
    const m = makeMachine(32);
    m.mem.bytes.set(Buffer.from('hypercall\0'), 0x3000);
    const code = [
      0x6a, 0x07,                               // 0x1000 push 7 (argument, dropped by ret 4)
      0xe8, ...le32(2),                         // 0x1002 call 0x1009
      ...UD2,                                   // 0x1007
      0xbf, ...le32(0x3000),                    // 0x1009 mov edi, 0x3000
      0xb9, ...le32(0xffffffff),                // 0x100e mov ecx, -1
      0xb0, 0x00,                               // 0x1013 mov al, 0
      0xf2, 0xae,                               // 0x1015 repne scasb
      0xe3, 0x02,                               // 0x1017 jecxz +2 (not taken)
      0x89, 0xcb,                               // 0x1019 mov ebx, ecx
      0xc2, 0x04, 0x00,                         // 0x101b ret 4
    ];
    loadCode(m, 0x1000, code);
    runToUd2(m, 0x1007);
    assert.strictEqual(reg(m, RBX), (0xffffffff - 10) >>> 0);
    assert.strictEqual(reg(m, RDI), 0x300a);
    assert.strictEqual(reg(m, RSP), 0x200000);
  });

  it('32-bit: pushad/popad, xlat, movsx', () => {
    const m = makeMachine(32);
    m.mem.bytes.set([0x10, 0x20, 0x30, 0xf0], 0x4000);
    const code = [
      0xbb, ...le32(0x4000),                    // 0x1000 mov ebx, 0x4000
      0xb8, ...le32(0xaaaa0003),                // 0x1005 mov eax, 0xaaaa0003
      0x60,                                     // 0x100a pushad
      0xd7,                                     // 0x100b xlat -> al = 0xf0
      0x0f, 0xbe, 0xf0,                         // 0x100c movsx esi, al
      0x89, 0xf7,                               // 0x100f mov edi, esi
      0x61,                                     // 0x1011 popad (restores edi/esi/eax...)
      0x0f, 0xbe, 0xd0,                         // 0x1012 movsx edx, al
      ...UD2,                                   // 0x1015
    ];
    loadCode(m, 0x1000, code);
    runToUd2(m, 0x1015);
    assert.strictEqual(reg(m, RAX), 0xaaaa0003);
    assert.strictEqual(reg(m, RDX), 3);
    assert.strictEqual(reg(m, RSI), 0);
    assert.strictEqual(reg(m, RSP), 0x200000);
    void RDI;
  });
});
