// The variables model the runtime hands to the DAP session: a tree of named values with lazy children,
// optional memory references and setters. The session maps nodes to DAP variablesReference handles.

export interface VarNode {
  name: string;
  value: string;
  type?: string;
  /** Expression that evaluates to this value (for watch / copy as expression). */
  evaluateName?: string;
  /** "0x…" address the value points at (the client offers a memory view). */
  memoryReference?: string;
  /** Lazily built children; absent for leaves. */
  children?: () => VarNode[];
  /** Assign from an expression; returns the new displayed value. Absent when read-only. */
  set?: (expression: string) => string;
}

export interface Scope {
  name: string;
  /** DAP presentation hint ('registers' for register groups). */
  hint?: 'arguments' | 'locals' | 'registers';
  expensive?: boolean;
  nodes: () => VarNode[];
}

export const hex = (v: number | bigint, digits = 0): string => {
  const b = typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(Math.trunc(v)));
  return '0x' + b.toString(16).padStart(digits, '0');
};

export const leaf = (name: string, value: string, type?: string): VarNode => ({ name, value, type });
export const yesNo = (b: boolean): string => (b ? '1' : '0');
