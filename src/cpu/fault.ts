// CPU exceptions as a typed value: thrown by instruction handlers and memory accesses, caught once in the step loop.

export const DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7;
export const DF = 8, TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;

export const VECTOR_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF',
  10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

/** Page-fault error code bits (SDM Vol 3, 4.7). */
export const PFEC_PRESENT = 1, PFEC_WRITE = 2, PFEC_USER = 4, PFEC_RSVD = 8, PFEC_INSN = 16;

/** Vectors that push an error code when delivered. */
export function hasErrorCode(vector: number): boolean {
  return vector === DF || vector === TS || vector === NP || vector === SS || vector === GP ||
    vector === PF || vector === AC;
}

export class CpuFault {
  /** errorCode is -1 for vectors without one. cr2 is the faulting linear address for #PF. */
  constructor(readonly vector: number, readonly errorCode: number = -1, readonly cr2: number = 0) {}
  get name(): string { return VECTOR_NAMES[this.vector] ?? `vector ${this.vector}`; }
  toString(): string {
    const ec = this.errorCode >= 0 ? `(0x${this.errorCode.toString(16)})` : '';
    return this.vector === PF ? `${this.name}${ec} at 0x${toHex64(this.cr2)}` : `${this.name}${ec}`;
  }
}

function toHex64(v: number): string {
  return v < 0 ? (BigInt(v) + (1n << 64n)).toString(16) : v.toString(16);
}

export function fault(vector: number, errorCode = -1): CpuFault {
  return new CpuFault(vector, hasErrorCode(vector) && errorCode < 0 ? 0 : errorCode);
}
export const gp = (ec = 0): CpuFault => new CpuFault(GP, ec);
export const ud = (): CpuFault => new CpuFault(UD);
export const pageFault = (lin: number, ec: number): CpuFault => new CpuFault(PF, ec, lin);
