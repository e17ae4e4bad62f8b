// Specialised 32-bit handlers for the hottest ALU ops (add sub cmp and or xor test): no size switch, no
// op dispatch, lazy flags recorded directly. Each op has an r/m worker and a register-destination worker.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder/insn';
import { LOP_ADD, LOP_LOGIC, LOP_SUB } from '../flags';
import { HandlerMap, lockUD, rmwLin } from './alu-common';

function fl(c: Cpu, lop: number, a: number, b: number, r: number): void {
  c.lop = lop; c.lsize = 32; c.ldst = a; c.lsrc = b; c.lres = r;
}

// ---- r/m destination workers (LOCK allowed only with a memory destination) ----
function addRm(c: Cpu, i: Insn, b: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 4), a = c.readLin32(l), r = (a + b) | 0;
    c.writeLin32(l, r); fl(c, LOP_ADD, a, b, r); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, a = c.regs[k], r = (a + b) | 0;
  c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_ADD, a, b, r);
}
function subRm(c: Cpu, i: Insn, b: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 4), a = c.readLin32(l), r = (a - b) | 0;
    c.writeLin32(l, r); fl(c, LOP_SUB, a, b, r); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, a = c.regs[k], r = (a - b) | 0;
  c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_SUB, a, b, r);
}
function andRm(c: Cpu, i: Insn, b: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 4), a = c.readLin32(l), r = a & b;
    c.writeLin32(l, r); fl(c, LOP_LOGIC, a, b, r); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, a = c.regs[k], r = a & b;
  c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_LOGIC, a, b, r);
}
function orRm(c: Cpu, i: Insn, b: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 4), a = c.readLin32(l), r = a | b;
    c.writeLin32(l, r); fl(c, LOP_LOGIC, a, b, r); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, a = c.regs[k], r = a | b;
  c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_LOGIC, a, b, r);
}
function xorRm(c: Cpu, i: Insn, b: number): void {
  if (i.isMem) {
    const l = rmwLin(c, i, 4), a = c.readLin32(l), r = a ^ b;
    c.writeLin32(l, r); fl(c, LOP_LOGIC, a, b, r); return;
  }
  if (i.lock) lockUD();
  const k = i.rm << 1, a = c.regs[k], r = a ^ b;
  c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_LOGIC, a, b, r);
}
function cmpRm(c: Cpu, i: Insn, b: number): void {
  if (i.lock) lockUD();
  const a = i.isMem ? c.readLin32(c.linear(i, 4, false)) : c.regs[i.rm << 1];
  fl(c, LOP_SUB, a, b, (a - b) | 0);
}
function testRm(c: Cpu, i: Insn, b: number): void {
  if (i.lock) lockUD();
  const a = i.isMem ? c.readLin32(c.linear(i, 4, false)) : c.regs[i.rm << 1];
  fl(c, LOP_LOGIC, a, b, a & b);
}

// ---- register destination workers (k = register index * 2) ----
function addReg(c: Cpu, k: number, b: number): void {
  const a = c.regs[k], r = (a + b) | 0; c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_ADD, a, b, r);
}
function subReg(c: Cpu, k: number, b: number): void {
  const a = c.regs[k], r = (a - b) | 0; c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_SUB, a, b, r);
}
function andReg(c: Cpu, k: number, b: number): void {
  const a = c.regs[k], r = a & b; c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_LOGIC, a, b, r);
}
function orReg(c: Cpu, k: number, b: number): void {
  const a = c.regs[k], r = a | b; c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_LOGIC, a, b, r);
}
function xorReg(c: Cpu, k: number, b: number): void {
  const a = c.regs[k], r = a ^ b; c.regs[k] = r; c.regs[k + 1] = 0; fl(c, LOP_LOGIC, a, b, r);
}

export const hot32Handlers: HandlerMap = {
  Add_rm32_r32: (c, i) => addRm(c, i, c.regs[i.reg << 1]),
  Add_rm32_imm32: (c, i) => addRm(c, i, i.imm),
  Add_rm32_imm8: (c, i) => addRm(c, i, i.imm),
  Add_r32_rm32: (c, i) => { if (i.lock) lockUD(); addReg(c, i.reg << 1, c.readRM32(i)); },
  Add_EAX_imm32: (c, i) => { if (i.lock) lockUD(); addReg(c, 0, i.imm); },

  Sub_rm32_r32: (c, i) => subRm(c, i, c.regs[i.reg << 1]),
  Sub_rm32_imm32: (c, i) => subRm(c, i, i.imm),
  Sub_rm32_imm8: (c, i) => subRm(c, i, i.imm),
  Sub_r32_rm32: (c, i) => { if (i.lock) lockUD(); subReg(c, i.reg << 1, c.readRM32(i)); },
  Sub_EAX_imm32: (c, i) => { if (i.lock) lockUD(); subReg(c, 0, i.imm); },

  And_rm32_r32: (c, i) => andRm(c, i, c.regs[i.reg << 1]),
  And_rm32_imm32: (c, i) => andRm(c, i, i.imm),
  And_rm32_imm8: (c, i) => andRm(c, i, i.imm),
  And_r32_rm32: (c, i) => { if (i.lock) lockUD(); andReg(c, i.reg << 1, c.readRM32(i)); },
  And_EAX_imm32: (c, i) => { if (i.lock) lockUD(); andReg(c, 0, i.imm); },

  Or_rm32_r32: (c, i) => orRm(c, i, c.regs[i.reg << 1]),
  Or_rm32_imm32: (c, i) => orRm(c, i, i.imm),
  Or_rm32_imm8: (c, i) => orRm(c, i, i.imm),
  Or_r32_rm32: (c, i) => { if (i.lock) lockUD(); orReg(c, i.reg << 1, c.readRM32(i)); },
  Or_EAX_imm32: (c, i) => { if (i.lock) lockUD(); orReg(c, 0, i.imm); },

  Xor_rm32_r32: (c, i) => xorRm(c, i, c.regs[i.reg << 1]),
  Xor_rm32_imm32: (c, i) => xorRm(c, i, i.imm),
  Xor_rm32_imm8: (c, i) => xorRm(c, i, i.imm),
  Xor_r32_rm32: (c, i) => { if (i.lock) lockUD(); xorReg(c, i.reg << 1, c.readRM32(i)); },
  Xor_EAX_imm32: (c, i) => { if (i.lock) lockUD(); xorReg(c, 0, i.imm); },

  Cmp_rm32_r32: (c, i) => cmpRm(c, i, c.regs[i.reg << 1]),
  Cmp_rm32_imm32: (c, i) => cmpRm(c, i, i.imm),
  Cmp_rm32_imm8: (c, i) => cmpRm(c, i, i.imm),
  Cmp_r32_rm32: (c, i) => {
    if (i.lock) lockUD();
    const b = c.readRM32(i), a = c.regs[i.reg << 1]; fl(c, LOP_SUB, a, b, (a - b) | 0);
  },
  Cmp_EAX_imm32: (c, i) => { if (i.lock) lockUD(); const a = c.regs[0], b = i.imm; fl(c, LOP_SUB, a, b, (a - b) | 0); },

  Test_rm32_r32: (c, i) => testRm(c, i, c.regs[i.reg << 1]),
  Test_rm32_imm32: (c, i) => testRm(c, i, i.imm),
  Test_rm32_imm32_F7r1: (c, i) => testRm(c, i, i.imm),
  Test_EAX_imm32: (c, i) => { if (i.lock) lockUD(); const a = c.regs[0], b = i.imm; fl(c, LOP_LOGIC, a, b, a & b); },
};
