// System instructions from real bytes: CPL-dependent #GP for every privileged instruction, CPL0 semantics
// (control/debug registers, descriptor-table registers, MSRs), PUSHF/POPF and CLI/STI rules, fast system
// calls, CPUID, TSC, port I/O, FS/GS base instructions, and the handler-name coverage of both families.
import * as assert from 'assert';
import { handlerFor } from '../../src/cpu/exec/registry';
import { gdtMachine, exec, expectFault, expectOk, putSeg, putDesc, descHi, SEL, GDT, TSS, LDT, CODE } from './segmentation-gdt.test';
import { SegmentDescriptor } from '../../src/cpu/mmu/segmentation';
import { GP, UD } from '../../src/cpu/fault';
import type { Cpu } from '../../src/cpu/cpu';
import type { CpuOps } from '../../src/cpu/ops';
import {
  CS, SS, FS, GS, LDTR, TR, RAX, RBX, RCX, RDX, RSI, RSP, R11, MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_SFMASK,
  MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_EIP, MSR_IA32_SYSENTER_ESP, MSR_IA32_PAT, MSR_IA32_TSC,
} from '../../src/cpu/state';
import { getFlags, setFlags, F_IF, F_IOPL, F_CF, F_DF, F_RF, F_AC } from '../../src/cpu/flags';
import { CR0_PG, CR0_PE, CR4_PAE, EFER_SCE, EFER_LMA, EFER_NXE } from '../../src/cpu/mmu/paging';
import { segmentHandlers } from '../../src/cpu/exec/segments';
import { systemHandlers } from '../../src/cpu/exec/system';
import { cpuidLeaf, setCpuidFilter } from '../../src/cpu/exec/cpuid';
import { readMsr, writeMsr } from '../../src/cpu/exec/msr';
import { CR4_UMIP, CR4_TSD, CR4_FSGSBASE, CR4_OSXSAVE } from '../../src/cpu/exec/system-cr';
import { popfMask } from '../../src/cpu/exec/system-flags';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICED_CODE = require('iced-x86').Code as Record<string, number>;

const PRIVILEGED_32: [string, number[]][] = [
  ['lgdt [ebx]', [0x0f, 0x01, 0x13]], ['lidt [ebx]', [0x0f, 0x01, 0x1b]], ['lldt ax', [0x0f, 0x00, 0xd0]],
  ['ltr ax', [0x0f, 0x00, 0xd8]], ['mov cr0, eax', [0x0f, 0x22, 0xc0]], ['mov cr3, eax', [0x0f, 0x22, 0xd8]],
  ['mov cr4, eax', [0x0f, 0x22, 0xe0]], ['mov eax, cr0', [0x0f, 0x20, 0xc0]], ['mov eax, cr3', [0x0f, 0x20, 0xd8]],
  ['mov dr0, eax', [0x0f, 0x23, 0xc0]], ['mov eax, dr7', [0x0f, 0x21, 0xf8]], ['invlpg [ebx]', [0x0f, 0x01, 0x3b]],
  ['hlt', [0xf4]], ['wrmsr', [0x0f, 0x30]], ['rdmsr', [0x0f, 0x32]], ['clts', [0x0f, 0x06]], ['lmsw ax', [0x0f, 0x01, 0xf0]],
  ['invd', [0x0f, 0x08]], ['wbinvd', [0x0f, 0x09]], ['sysexit', [0x0f, 0x35]],
];

describe('handler coverage', () => {
  it('every registered name is an iced-x86 Code name', () => {
    for (const n of [...Object.keys(segmentHandlers), ...Object.keys(systemHandlers)]) assert.ok(ICED_CODE[n] !== undefined, n);
  });
  it('covers the 16/32/64-bit forms of the family', () => {
    const want = ['Mov_Sreg_rm16', 'Mov_Sreg_r32m16', 'Mov_Sreg_r64m16', 'Pop_FS', 'Popq_FS', 'Pushq_GS', 'Jmp_m1664', 'Call_ptr1616',
      'Retfq_imm16', 'Iretw', 'Iretd', 'Iretq', 'Int_imm8', 'Int3', 'Into', 'Int1', 'Syscall', 'Sysretq', 'Sysenter', 'Sysexitq',
      'Cpuid', 'Mov_cr_r64', 'Mov_r32_dr', 'Lgdt_m1664', 'Lgdt_m1632_16', 'Sidt_m1632', 'Pushfq', 'Popfw', 'Lss_r64_m1664',
      'Lar_r64_r64m16', 'Verw_r64m16', 'Arpl_r32m16_r32', 'Swapgs', 'Wrgsbase_r64', 'Rdtscp', 'Insd_m32_DX', 'Outsb_DX_m8',
      'Xgetbv', 'Ud2', 'Ud1_r64_rm64', 'Lfence_EF', 'Reservednop_rm64_r64_0F1F', 'Clflush_m8', 'Smsw_r64m16', 'Invlpg_m'];
    // Fences, prefetches and clflush are registered by the SSE family; check through the merged registry.
    for (const n of want) if (ICED_CODE[n] !== undefined) assert.ok(handlerFor(n), n);
  });
});

describe('privileged instructions at CPL > 0', () => {
  for (const cpl of [1, 3]) {
    for (const [name, bytes] of PRIVILEGED_32) {
      it(`${name} → #GP(0) at CPL${cpl}`, () => {
        const m = gdtMachine(32, cpl);
        m.cpu.setReg32(RBX, 0x3000);
        m.cpu.setReg32(RAX, 0);
        expectFault(m, bytes, GP, 0);
      });
    }
  }
  it('64-bit: swapgs, sysret, mov cr8 at CPL3 → #GP(0)', () => {
    const m = gdtMachine(64, 3);
    m.cpu.efer |= EFER_SCE;
    expectFault(m, [0x0f, 0x01, 0xf8], GP, 0);
    expectFault(m, [0x48, 0x0f, 0x07], GP, 0);
    expectFault(m, [0x44, 0x0f, 0x22, 0xc0], GP, 0);
  });
  it('store forms work at CPL3 unless CR4.UMIP', () => {
    const m = gdtMachine(32, 3);
    m.cpu.setReg32(RBX, 0x3000);
    m.cpu.gdtrBase = 0x12345678; m.cpu.gdtrLimit = 0x1ff;
    expectOk(m, [0x0f, 0x01, 0x03]); // sgdt [ebx]
    assert.deepStrictEqual([m.mem.read16(0x3000), m.mem.read32(0x3002)], [0x1ff, 0x12345678]);
    m.cpu.cr0 = (m.cpu.cr0 | 0x8) >>> 0;
    expectOk(m, [0x0f, 0x01, 0xe0]); // smsw eax
    assert.strictEqual(m.cpu.getReg32(RAX), m.cpu.cr0 | 0);
    m.cpu.setSegment(TR, 0x28, 0, 0x67, 0x8b);
    expectOk(m, [0x0f, 0x00, 0xc8]); // str eax
    assert.strictEqual(m.cpu.getReg32(RAX), 0x28);
    m.cpu.cr4 |= CR4_UMIP;
    for (const b of [[0x0f, 0x01, 0x03], [0x0f, 0x01, 0x0b], [0x0f, 0x00, 0xc0], [0x0f, 0x00, 0xc8], [0x0f, 0x01, 0xe0]]) expectFault(m, b, GP, 0);
    const m0 = gdtMachine(32, 0);
    m0.cpu.cr4 |= CR4_UMIP;
    expectOk(m0, [0x0f, 0x01, 0xe0]);
  });
});

describe('system registers at CPL0', () => {
  it('lgdt/lidt load the registers (16-bit operand size keeps 24 bits); 64-bit bases must be canonical', () => {
    const m = gdtMachine(32, 0);
    m.cpu.setReg32(RBX, 0x3000);
    m.mem.write16(0x3000, 0x7ff); m.mem.write32(0x3002, 0xc0012345);
    expectOk(m, [0x0f, 0x01, 0x13]);
    assert.deepStrictEqual([m.cpu.gdtrBase, m.cpu.gdtrLimit], [0xc0012345, 0x7ff]);
    expectOk(m, [0x66, 0x0f, 0x01, 0x1b]);
    assert.deepStrictEqual([m.cpu.idtrBase, m.cpu.idtrLimit], [0x012345, 0x7ff]);
    const m64 = gdtMachine(64, 0);
    m64.cpu.setReg64(RBX, 0x3000, 0);
    m64.mem.write16(0x3000, 0xfff); m64.mem.write32(0x3002, 0x1000); m64.mem.write32(0x3006, 0xffff8000);
    expectOk(m64, [0x0f, 0x01, 0x13]);
    assert.strictEqual(m64.cpu.gdtrBase, -0x800000000000 + 0x1000);
    m64.mem.write32(0x3006, 0x00008000);
    expectFault(m64, [0x0f, 0x01, 0x13], GP, 0);
  });
  it('lldt and ltr load LDTR/TR from the GDT; ltr marks the TSS busy', () => {
    const m = gdtMachine(32, 0);
    putSeg(m, SEL.ldt, SegmentDescriptor.build(LDT, 0xff, 0x82, 0));
    putSeg(m, SEL.tss, SegmentDescriptor.build(TSS, 0x67, 0x89, 0));
    m.cpu.setReg32(RAX, SEL.ldt);
    expectOk(m, [0x0f, 0x00, 0xd0]);
    assert.deepStrictEqual([m.cpu.segSel[LDTR], m.cpu.segBase[LDTR], m.cpu.segLimit[LDTR]], [SEL.ldt, LDT, 0xff]);
    m.cpu.setReg32(RAX, SEL.tss);
    expectOk(m, [0x0f, 0x00, 0xd8]);
    assert.deepStrictEqual([m.cpu.segSel[TR], m.cpu.segAttr[TR] & 0xf], [SEL.tss, 0xb]);
    assert.strictEqual((descHi(m, SEL.tss) >>> 8) & 0xf, 0xb);
    expectFault(m, [0x0f, 0x00, 0xd8], GP, SEL.tss); // busy TSS
    m.cpu.setReg32(RAX, SEL.data0);
    expectFault(m, [0x0f, 0x00, 0xd0], GP, SEL.data0);
    m.cpu.setReg32(RAX, 0);
    expectFault(m, [0x0f, 0x00, 0xd8], GP, 0);
    expectOk(m, [0x0f, 0x00, 0xd0]);
    assert.strictEqual(m.cpu.segValid[LDTR], 0);
    putSeg(m, 0x100, SegmentDescriptor.build(LDT, 0xff, 0x02, 0));
    m.cpu.setReg32(RAX, 0x100);
    expectFault(m, [0x0f, 0x00, 0xd0], 11, 0x100);
  });
  it('64-bit lldt/ltr read 16-byte descriptors with the upper base', () => {
    const m = gdtMachine(64, 0);
    putSeg(m, SEL.tss, SegmentDescriptor.build(TSS, 0x67, 0x89, 0));
    putDesc(m, GDT, SEL.tss + 8, 0xffff8000, 0);
    m.cpu.setReg32(RAX, SEL.tss);
    expectOk(m, [0x0f, 0x00, 0xd8]);
    assert.strictEqual(m.cpu.segBase[TR], -0x800000000000 + TSS);
  });
  it('mov cr: reserved bits and invalid combinations → #GP(0); cr8 only in 64-bit mode', () => {
    const m = gdtMachine(32, 0);
    m.cpu.setReg32(RAX, 1 << 12);
    expectFault(m, [0x0f, 0x22, 0xe0], GP, 0); // cr4 bit 12 (LA57)
    m.cpu.setReg32(RAX, (CR0_PG | 0x10) | 0);
    expectFault(m, [0x0f, 0x22, 0xc0], GP, 0); // PG without PE
    m.cpu.setReg32(RAX, (0x20000000 | CR0_PE) | 0);
    expectFault(m, [0x0f, 0x22, 0xc0], GP, 0); // NW without CD
    m.cpu.setReg32(RAX, 0x5000);
    expectOk(m, [0x0f, 0x22, 0xd8]);
    assert.strictEqual(m.cpu.cr3, 0x5000);
    expectOk(m, [0x0f, 0x20, 0xd9]); // mov ecx, cr3
    assert.strictEqual(m.cpu.getReg32(RCX), 0x5000);
    m.cpu.setReg32(RAX, CR4_PAE);
    expectOk(m, [0x0f, 0x22, 0xe0]);
    assert.strictEqual(m.cpu.cr4, CR4_PAE);
    const m64 = gdtMachine(64, 0);
    m64.cpu.setReg64(RAX, 0x1000, 0x100);
    expectFault(m64, [0x0f, 0x22, 0xd8], GP, 0); // cr3 above MAXPHYADDR
    m64.cpu.setReg64(RAX, 0x1000, 0x1);
    expectOk(m64, [0x0f, 0x22, 0xd8]);
    assert.strictEqual(m64.cpu.cr3, 0x100001000);
    m64.cpu.setReg64(RAX, 0, 0);
    expectFault(m64, [0x0f, 0x22, 0xe0], GP, 0); // clearing PAE in IA-32e mode
    m64.cpu.setReg64(RAX, 5, 0);
    expectOk(m64, [0x44, 0x0f, 0x22, 0xc0]); // mov cr8, rax
    assert.strictEqual(m64.cpu.cr8, 5);
    m64.cpu.cr0 = (m64.cpu.cr0 | CR0_PG) >>> 0;
    m64.cpu.setReg64(RAX, CR0_PE | 0x10, 0);
    expectFault(m64, [0x0f, 0x22, 0xc0], GP, 0); // clearing PG in 64-bit mode
  });
  it('enabling paging with EFER.LME activates IA-32e mode', () => {
    const m = gdtMachine(32, 0);
    m.cpu.efer = 0x100; m.cpu.cr4 = CR4_PAE;
    m.cpu.setReg32(RAX, (CR0_PG | CR0_PE | 0x10) | 0);
    expectOk(m, [0x0f, 0x22, 0xc0]);
    assert.ok(m.cpu.efer & EFER_LMA);
    assert.strictEqual(m.cpu.mode, 32, 'compatibility mode until a 64-bit CS is loaded');
  });
  it('debug registers: DR4/5 alias DR6/7; DR7 fixed bits', () => {
    const m = gdtMachine(32, 0);
    m.cpu.setReg32(RAX, 0x1);
    expectOk(m, [0x0f, 0x23, 0xf8]); // mov dr7, eax
    assert.strictEqual(m.cpu.dr[7], 0x401);
    expectOk(m, [0x0f, 0x21, 0xe9]); // mov ecx, dr5 (alias dr7)
    assert.strictEqual(m.cpu.getReg32(RCX), 0x401);
    m.cpu.cr4 |= 1 << 3;
    expectFault(m, [0x0f, 0x21, 0xe9], UD, 0xffffffff);
  });
  it('hlt at CPL0 asks the host to halt', () => {
    const m = gdtMachine(32, 0);
    loadAndRun(m, [0xf4]);
    assert.strictEqual(m.cpu.stopReason, 'halt');
  });
  it('MSRs: EFER, LSTAR canonical, unknown → #GP, PAT types, TSC write', () => {
    const m = gdtMachine(64, 0);
    const wr = (idx: number, lo: number, hi: number): void => { m.cpu.setReg32(RCX, idx); m.cpu.setReg32(RAX, lo); m.cpu.setReg32(RDX, hi); };
    wr(MSR_EFER, m.cpu.efer | EFER_SCE | EFER_NXE, 0);
    expectOk(m, [0x0f, 0x30]);
    assert.ok((m.cpu.efer & (EFER_SCE | EFER_NXE | EFER_LMA)) === (EFER_SCE | EFER_NXE | EFER_LMA));
    wr(MSR_EFER, 1 << 14, 0);
    expectFault(m, [0x0f, 0x30], GP, 0);
    wr(MSR_LSTAR, 0, 0x00008000);
    expectFault(m, [0x0f, 0x30], GP, 0);
    wr(MSR_LSTAR, 0x1000, -0x8000);
    expectOk(m, [0x0f, 0x30]);
    m.cpu.setReg32(RCX, MSR_LSTAR);
    expectOk(m, [0x0f, 0x32]);
    assert.deepStrictEqual([m.cpu.getReg32(RAX), m.cpu.getReg32(RDX)], [0x1000, -0x8000]);
    wr(0x12345, 0, 0);
    expectFault(m, [0x0f, 0x32], GP, 0);
    expectFault(m, [0x0f, 0x30], GP, 0);
    wr(MSR_IA32_PAT, 0x00000002, 0);
    expectFault(m, [0x0f, 0x30], GP, 0);
    assert.ok(writeMsr(m.cpu, MSR_IA32_TSC, 1000000, 0));
    const out = [0, 0];
    assert.ok(readMsr(m.cpu, MSR_IA32_TSC, out));
    assert.strictEqual(out[0], 1000000);
    assert.ok(writeMsr(m.cpu, 0xc0000100, 0x1234, 0x7fff));
    assert.deepStrictEqual([m.cpu.segBaseLo[FS], m.cpu.segBaseHi[FS]], [0x1234, 0x7fff]);
  });
});

function loadAndRun(m: ReturnType<typeof gdtMachine>, bytes: number[]): void {
  m.mem.writeBytes(CODE, Uint8Array.from(bytes));
  m.cpu.rip = CODE;
  m.cpu.run(1);
}

describe('PUSHF/POPF, CLI/STI', () => {
  for (const cpl of [0, 1, 3]) {
    for (const iopl of [0, 1, 3]) {
      it(`popfd at CPL${cpl} IOPL${iopl}: IOPL changes only at CPL0, IF only if CPL <= IOPL`, () => {
        const m = gdtMachine(32, cpl);
        setFlags(m.cpu, iopl << 12, F_IOPL | F_IF);
        m.cpu.setReg32(RSP, 0x100000);
        m.mem.write32(0x100000, (F_IF | 0x2000 | F_CF | F_DF | F_RF | F_AC) >>> 0);
        expectOk(m, [0x9d]);
        const f = getFlags(m.cpu);
        assert.strictEqual((f & F_IOPL) >>> 12, cpl === 0 ? 2 : iopl);
        assert.strictEqual((f & F_IF) !== 0, cpl <= iopl);
        assert.strictEqual(f & (F_CF | F_DF | F_AC | F_RF), F_CF | F_DF | F_AC);
        assert.strictEqual(popfMask(cpl, iopl, 16) & ~0xffff, 0);
        // cli/sti follow the same CPL <= IOPL rule
        if (cpl > iopl) { expectFault(m, [0xfa], GP, 0); expectFault(m, [0xfb], GP, 0); }
        else { expectOk(m, [0xfa]); assert.strictEqual(getFlags(m.cpu) & F_IF, 0); expectOk(m, [0xfb]); assert.strictEqual(getFlags(m.cpu) & F_IF, F_IF); }
      });
    }
  }
  it('pushfd clears VM and RF in the image; pushfq/popfq in 64-bit mode; popfw keeps the upper half', () => {
    const m = gdtMachine(32, 0);
    m.cpu.flagsBits |= F_RF;
    m.cpu.setReg32(RSP, 0x100000);
    expectOk(m, [0x9c]);
    assert.strictEqual(m.mem.read32(0xffffc) & F_RF, 0);
    m.mem.write16(0xffffc, 0);
    setFlags(m.cpu, F_AC, F_AC);
    expectOk(m, [0x66, 0x9d]);
    assert.strictEqual(getFlags(m.cpu) & (F_AC | F_IF), F_AC);
    const m64 = gdtMachine(64, 3);
    m64.cpu.setReg64(RSP, 0x100000, 0);
    expectOk(m64, [0x9c]);
    assert.deepStrictEqual([m64.cpu.getReg32(RSP), m64.mem.read32(0xffff8), m64.mem.read32(0xffffc)], [0xffff8, getFlags(m64.cpu), 0]);
    m64.mem.write32(0xffff8, 0x3003);
    expectOk(m64, [0x9d]);
    assert.strictEqual(getFlags(m64.cpu) & (F_CF | F_IOPL | F_IF), F_CF | F_IF, 'IF kept (IOPL0 at CPL3), IOPL unchanged');
  });
});

describe('fast system calls', () => {
  it('syscall goes to the host first; a handled syscall leaves the CPU as the host set it', () => {
    const m = gdtMachine(64, 3);
    let called = 0;
    const ops: CpuOps = m.ops;
    ops.syscall = (c: Cpu) => { called++; assert.strictEqual(c.rip, CODE + 2); return true; };
    expectOk(m, [0x0f, 0x05]);
    assert.deepStrictEqual([called, m.cpu.rip, m.cpu.cpl], [1, CODE + 2, 3]);
  });
  it('architectural syscall/sysretq with STAR/LSTAR/SFMASK; EFER.SCE=0 → #UD', () => {
    const m = gdtMachine(64, 3);
    expectFault(m, [0x0f, 0x05], UD, 0xffffffff);
    m.cpu.efer |= EFER_SCE;
    m.cpu.msrs.set(MSR_STAR, [0, (0x23 << 16) | 0x08]);
    m.cpu.msrs.set(MSR_LSTAR, [0x6000, 0]);
    m.cpu.msrs.set(MSR_SFMASK, [F_IF | F_DF, 0]);
    setFlags(m.cpu, F_IF | F_DF | F_CF, F_IF | F_DF | F_CF);
    expectOk(m, [0x0f, 0x05]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.mode], [0x6000, 0, 0x08, 0x10, 64]);
    assert.deepStrictEqual([m.cpu.getReg32(RCX), m.cpu.getReg32(R11) & (F_IF | F_DF | F_CF)], [CODE + 2, F_IF | F_DF | F_CF]);
    assert.strictEqual(getFlags(m.cpu) & (F_IF | F_DF | F_CF), F_CF);
    m.cpu.setReg64(RCX, 0x7000, 0);
    loadAndRun(m, [0x48, 0x0f, 0x07]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.mode], [0x7000, 3, 0x33, 0x2b, 64]);
    assert.strictEqual(getFlags(m.cpu) & F_IF, F_IF);
  });
  it('sysretq to a non-canonical RCX → #GP(0) at CPL0', () => {
    const m = gdtMachine(64, 0);
    m.cpu.efer |= EFER_SCE;
    m.cpu.setReg64(RCX, 0, 0x8000);
    expectFault(m, [0x48, 0x0f, 0x07], GP, 0);
    assert.strictEqual(m.cpu.cpl, 0);
  });
  it('sysenter/sysexit (32-bit) from the SYSENTER MSRs; SYSENTER_CS = 0 → #GP(0)', () => {
    const m = gdtMachine(32, 3);
    expectFault(m, [0x0f, 0x34], GP, 0);
    m.cpu.msrs.set(MSR_IA32_SYSENTER_CS, [0x08, 0]);
    m.cpu.msrs.set(MSR_IA32_SYSENTER_EIP, [0x6000, 0]);
    m.cpu.msrs.set(MSR_IA32_SYSENTER_ESP, [0x180000, 0]);
    expectOk(m, [0x0f, 0x34]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.getReg32(RSP)], [0x6000, 0, 0x08, 0x10, 0x180000]);
    m.cpu.setReg32(RDX, 0x7000); m.cpu.setReg32(RCX, 0x90000);
    loadAndRun(m, [0x0f, 0x35]);
    assert.deepStrictEqual([m.cpu.rip, m.cpu.cpl, m.cpu.segSel[CS], m.cpu.segSel[SS], m.cpu.getReg32(RSP)], [0x7000, 3, 0x1b, 0x23, 0x90000]);
  });
  it('swapgs and RD/WR FS/GS BASE', () => {
    const m = gdtMachine(64, 0);
    m.cpu.kernelGsBaseLo = 0x1000; m.cpu.kernelGsBaseHi = -0x8000;
    expectOk(m, [0x0f, 0x01, 0xf8]);
    assert.deepStrictEqual([m.cpu.segBaseLo[GS], m.cpu.segBaseHi[GS], m.cpu.kernelGsBaseLo], [0x1000, -0x8000, 0]);
    expectFault(m, [0xf3, 0x48, 0x0f, 0xae, 0xc0], UD, 0xffffffff);
    m.cpu.cr4 |= CR4_FSGSBASE;
    m.cpu.setReg64(RAX, 0x5000, 0x7fff);
    expectOk(m, [0xf3, 0x48, 0x0f, 0xae, 0xd0]); // wrfsbase rax
    assert.strictEqual(m.cpu.segBase[FS], 0x7fff * 4294967296 + 0x5000);
    expectOk(m, [0xf3, 0x48, 0x0f, 0xae, 0xc1]); // rdfsbase rcx
    assert.deepStrictEqual([m.cpu.getReg32(RCX), m.cpu.regs[RCX * 2 + 1]], [0x5000, 0x7fff]);
    m.cpu.setReg64(RAX, 0, 0x8000);
    expectFault(m, [0xf3, 0x48, 0x0f, 0xae, 0xd0], GP, 0);
    expectFault(gdtMachine(32, 0), [0x0f, 0x01, 0xf8], UD, 0xffffffff);
  });
});

describe('CPUID, TSC, misc', () => {
  it('cpuid leaves 0, 1, 7, 0x80000001, 0x80000008 and unknown leaves', () => {
    const m = gdtMachine(64, 3);
    m.cpu.setReg64(RAX, 0, 0);
    expectOk(m, [0x0f, 0xa2]);
    const vendor = Buffer.alloc(12);
    vendor.writeInt32LE(m.cpu.getReg32(RBX), 0); vendor.writeInt32LE(m.cpu.getReg32(RDX), 4); vendor.writeInt32LE(m.cpu.getReg32(RCX), 8);
    assert.strictEqual(vendor.toString('latin1'), 'GenuineIntel');
    const out = new Int32Array(4);
    cpuidLeaf(1, 0, out);
    assert.strictEqual((out[0] >> 8) & 0xf, 6);
    for (const bit of [0, 4, 5, 6, 8, 11, 15, 16, 19, 23, 24, 25, 26]) assert.ok(out[3] & (1 << bit), `leaf 1 edx bit ${bit}`);
    assert.strictEqual(out[2] & 1, 0, 'no SSE3 unless implemented');
    cpuidLeaf(0x80000001, 0, out);
    for (const bit of [11, 20, 29]) assert.ok(out[3] & (1 << bit));
    cpuidLeaf(0x80000008, 0, out);
    assert.strictEqual(out[0] & 0xffff, (48 << 8) | 40);
    cpuidLeaf(0x12345, 0, out);
    assert.deepStrictEqual(Array.from(out), [0, 0, 0, 0]);
    setCpuidFilter(m.cpu, (_c, leaf, _s, r) => { if (leaf === 1) r[2] |= 1 << 31; });
    m.cpu.setReg64(RAX, 1, 0);
    expectOk(m, [0x0f, 0xa2]);
    assert.ok(m.cpu.getReg32(RCX) & (1 << 31));
  });
  it('rdtsc: #GP(0) at CPL>0 with CR4.TSD; otherwise the virtual TSC', () => {
    const m = gdtMachine(32, 3);
    m.cpu.tscOffset = 0x100000000 * 2 + 5;
    expectOk(m, [0x0f, 0x31]);
    assert.deepStrictEqual([m.cpu.getReg32(RAX), m.cpu.getReg32(RDX)], [5 + m.cpu.icount - 1, 2]);
    m.cpu.cr4 |= CR4_TSD;
    expectFault(m, [0x0f, 0x31], GP, 0);
    expectFault(m, [0x0f, 0x33], GP, 0); // rdpmc without PCE
  });
  it('port I/O needs CPL <= IOPL; rep outsb streams bytes to the host', () => {
    const m = gdtMachine(32, 3);
    expectFault(m, [0xec], GP, 0);
    setFlags(m.cpu, F_IOPL, F_IOPL);
    const writes: number[] = [];
    const ops: CpuOps = m.ops;
    ops.ioRead = (_c: Cpu, port: number, size: number) => (port === 0x3f8 && size === 1 ? 0x41 : 0);
    ops.ioWrite = (_c: Cpu, port: number, _size: number, v: number) => { writes.push(port, v); };
    m.cpu.setReg32(RDX, 0x3f8);
    expectOk(m, [0xec]);
    assert.strictEqual(m.cpu.getReg32(RAX) & 0xff, 0x41);
    m.mem.writeBytes(0x3000, Uint8Array.from([0x68, 0x69]));
    m.cpu.setReg32(RSI, 0x3000); m.cpu.setReg32(RCX, 2);
    expectOk(m, [0xf3, 0x6e]);
    assert.deepStrictEqual(writes, [0x3f8, 0x68, 0x3f8, 0x69]);
    assert.deepStrictEqual([m.cpu.getReg32(RSI), m.cpu.getReg32(RCX)], [0x3002, 0]);
    expectOk(m, [0xe6, 0x80]); // out 0x80, al
    assert.deepStrictEqual(writes.slice(4), [0x80, 0x41]);
  });
  it('xgetbv needs CR4.OSXSAVE; ud2 is #UD; fences and hint nops do nothing', () => {
    const m = gdtMachine(64, 3);
    expectFault(m, [0x0f, 0x01, 0xd0], UD, 0xffffffff);
    m.cpu.cr4 |= CR4_OSXSAVE;
    m.cpu.setReg64(RCX, 0, 0);
    expectOk(m, [0x0f, 0x01, 0xd0]);
    assert.strictEqual(m.cpu.getReg32(RAX), 1);
    expectFault(m, [0x0f, 0x0b], UD, 0xffffffff);
    expectOk(m, [0x0f, 0xae, 0xe8]);
    assert.strictEqual(m.cpu.rip, CODE + 3);
    const e = exec(m, [0x0f, 0x18, 0x03]); // prefetchnta [rbx]
    assert.strictEqual(e, null);
  });
});
