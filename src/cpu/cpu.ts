// The x86 CPU: architectural state (typed-array register file, segment caches, control registers),
// and the data path every instruction handler uses: registers, segmentation, the TLB, memory, stack.
// Instruction fetch, the decode cache and the step loop live in runner.ts.

import { MachineMemory } from './memory';
import { CpuOps, BareOps, DescriptorSource } from './ops';
import { Insn, REG_RIP } from './decoder/insn';
import { CpuFault, GP, SS as SS_FAULT, PF } from './fault';
import { isCanonicalHi, TWO32 } from '../common/bits';
import { walk, ACC_READ, ACC_WRITE, ACC_EXEC, CR0_PG, CR0_WP, CR4_SMEP, EFER_LMA, EFER_NXE, PagingRegs, Translation } from './mmu/paging';
import { Tlb } from './mmu/tlb';
import {
  CS, SS, FS, GS, RSP, ATTR_DB, ATTR_L, ATTR_P, ATTR_S, TYPE_CODE, TYPE_EXPAND_DOWN, TYPE_READABLE, TYPE_WRITABLE,
  attrFromDescHi,
} from './state';
import { F_FIXED, F_IF, LOP_NONE } from './flags';
import { runCpu, StopReason } from './runner';
import { WatchSet, WATCH_TRAP, WATCHED_PAGE } from './watch';

export class Cpu implements PagingRegs {
  readonly mem: MachineMemory;
  ops: CpuOps;

  // ---- general registers: GPR n is (lo = regs[2n], hi = regs[2n+1]) ----
  readonly regs = new Int32Array(32);
  /** RIP (offset in CS). In 64-bit mode a canonical signed number; otherwise an unsigned 32-bit offset. */
  rip = 0;
  /** Address of the instruction being executed (faults restart here). */
  insnRip = 0;
  /** Scratch: high half returned by the 64-bit read helpers. */
  rhi = 0;

  // ---- RFLAGS (see flags.ts for the lazy arithmetic part) ----
  flagsBits = F_FIXED;
  lop = LOP_NONE; lsize = 32;
  ldst = 0; ldstHi = 0; lsrc = 0; lsrcHi = 0; lres = 0; lresHi = 0;

  // ---- segment registers ES CS SS DS FS GS LDTR TR: selector + hidden descriptor cache ----
  readonly segSel = new Int32Array(8);
  /** Base as a number (32-bit bases; FS/GS: the 64-bit base as a canonical signed number). */
  readonly segBase = new Float64Array(8);
  /** Base halves, kept in step with segBase, for 64-bit address arithmetic. */
  readonly segBaseLo = new Int32Array(8);
  readonly segBaseHi = new Int32Array(8);
  /** Effective byte-granular limit (inclusive), 0..0xffffffff. */
  readonly segLimit = new Float64Array(8);
  /** Attributes: see ATTR_* in state.ts. */
  readonly segAttr = new Int32Array(8);
  /** 0 when a null selector is loaded (unusable in protected mode). */
  readonly segValid = new Uint8Array(8);
  /** 1 when the segment is usable, base 0, limit 4 GiB, expand-up, writable data: the 32-bit fast path. */
  readonly segFlat = new Uint8Array(8);

  cpl = 0;
  /** Current code size: 64 (long mode, CS.L), 32 or 16. */
  mode = 32;
  /** Stack address size: 64 in 64-bit mode, else 32 if SS.B else 16. */
  stackSize = 32;

  // ---- system registers ----
  cr0 = 0x00000011; cr2 = 0; cr3 = 0; cr4 = 0; cr8 = 0; efer = 0;
  xcr0 = 1;
  gdtrBase = 0; gdtrLimit = 0xffff; idtrBase = 0; idtrLimit = 0xffff;
  readonly dr = new Float64Array(8);
  /** MSRs other than those with dedicated fields, as [lo, hi] int32 halves. */
  readonly msrs = new Map<number, [number, number]>();
  /** Hidden KERNEL_GS_BASE for swapgs, as halves. */
  kernelGsBaseLo = 0; kernelGsBaseHi = 0;
  /** Optional override for GDT/LDT descriptor reads (the hypervisor's view of the guest's tables). */
  descriptors: DescriptorSource | null = null;

  // ---- SSE / x87 state (see exec/sse.ts, exec/x87.ts) ----
  /** XMM0..15, 4 int32 lanes each (lane 0 least significant). */
  readonly xmm = new Int32Array(64);
  mxcsr = 0x1f80;
  /** x87 control/status/tag(abridged) words, opcode, and 8 registers x 10 bytes (80-bit extended, little-endian). */
  fcw = 0x037f; fsw = 0; ftw = 0; fop = 0;
  /** Physical x87 registers R0..R7 (ST(i) is R((TOP + i) & 7)); ftw is the abridged tag (bit r set = R(r) non-empty). */
  readonly fpuRegs = new Uint8Array(80);
  /** x87 last instruction / data pointers: 64-bit offsets as halves, 16-bit selectors for the 32-bit layouts. */
  fipLo = 0; fipHi = 0; fcs = 0; fdpLo = 0; fdpHi = 0; fds = 0;
  /** icount of the instruction covered by an interrupt shadow (after MOV SS, POP SS, STI), or -1. */
  intShadowAt = -1;
  /** The hypervisor's CPUID policy: may rewrite [eax, ebx, ecx, edx] for a leaf (null = the CPU's own values). */
  cpuidFilter: ((cpu: Cpu, leaf: number, subleaf: number, regs: Int32Array) => void) | null = null;

  // ---- execution bookkeeping ----
  /** Instructions retired. */
  icount = 0;
  /** Virtual TSC = tscOffset + icount * tscPerInsn (deterministic, independent of wall time). */
  tscOffset = 0; tscPerInsn = 1;
  halted = false;
  stopRequested = false;
  stopReason: StopReason = 'none';
  stopDetail = '';
  /** Instruction breakpoints by linear address (change through runner.setBreakpoints so the cache is refreshed). */
  readonly breakpoints = new Set<number>();
  /** Resume over a breakpoint at this linear address once (set by the debugger on continue/step). */
  skipBreakpointAt: number | null = null;
  /** Code name of the last instruction that had no handler (reported with its #UD). */
  lastUnimplemented = '';
  /** Data watchpoints (cpu/watch.ts) when any is set, else null: the slow paths check them, the fast paths never see them. */
  watch: WatchSet | null = null;
  /**
   * Rep-string trap after a watch hit: -1 off; n >= 0 lets n more data accesses finish the current iteration, then
   * the next translation throws WATCH_TRAP (the runner leaves RIP on the instruction, as x86 does for rep + #DB).
   */
  watchTrap = -1;

  // ---- TLB: one set for supervisor accesses (CPL 0-2), one for user (CPL 3) ----
  readonly tlbSup = new Tlb();
  readonly tlbUser = new Tlb();
  tagR: Float64Array; tagW: Float64Array; tagX: Float64Array; tphys: Float64Array;

  // ---- decode cache, owned by runner.ts: per machine frame, instruction by page offset ----
  readonly codeCache: (Insn[] | undefined)[] = [];
  /** Per code frame: bytes covered by cached instructions (1 = covered), to ignore data writes beside code. */
  readonly codeBytes: (Uint8Array | undefined)[] = [];
  /** Bumped whenever cached branch links may be stale: TLB flushes, CS/CPL changes, code invalidation. */
  linkEpoch = 0;
  /** Machine address of the most recent fetch (runner). */
  fetchPa = 0;

  constructor(mem: MachineMemory, ops: CpuOps = new BareOps()) {
    this.mem = mem;
    this.ops = ops;
    this.tagR = this.tlbSup.tagR; this.tagW = this.tlbSup.tagW; this.tagX = this.tlbSup.tagX; this.tphys = this.tlbSup.phys;
    mem.onCodeWrite = (frame) => this.invalidateCodeFrame(frame);
    this.flagsBits = F_FIXED | F_IF;
    for (let s = 0; s < 6; s++) this.setSegment(s, 0, 0, 0xffffffff, 0x4093 | (s === CS ? 0x8 : 0));
    this.setSegment(CS, 0, 0, 0xffffffff, 0xc09b);
  }

  // ====================================================================================
  // General registers
  // ====================================================================================
  getReg8(r: number): number {
    return r < 16 ? this.regs[r << 1] & 0xff : (this.regs[(r - 16) << 1] >> 8) & 0xff;
  }
  setReg8(r: number, v: number): void {
    if (r < 16) { const k = r << 1; this.regs[k] = (this.regs[k] & ~0xff) | (v & 0xff); }
    else { const k = (r - 16) << 1; this.regs[k] = (this.regs[k] & ~0xff00) | ((v & 0xff) << 8); }
  }
  getReg16(r: number): number { return this.regs[r << 1] & 0xffff; }
  setReg16(r: number, v: number): void { const k = r << 1; this.regs[k] = (this.regs[k] & ~0xffff) | (v & 0xffff); }
  getReg32(r: number): number { return this.regs[r << 1]; }
  /** 32-bit register write: zero-extends into the upper half (as in 64-bit mode; harmless in 32-bit mode). */
  setReg32(r: number, v: number): void { const k = r << 1; this.regs[k] = v; this.regs[k + 1] = 0; }
  /** Low half of a 64-bit register; the high half is left in rhi. */
  getReg64(r: number): number { const k = r << 1; this.rhi = this.regs[k + 1]; return this.regs[k]; }
  setReg64(r: number, lo: number, hi: number): void { const k = r << 1; this.regs[k] = lo; this.regs[k + 1] = hi; }
  /** Register as a JS number (unsigned; exact below 2^53, else approximate): for the debugger and hypercall args. */
  regNumber(r: number): number { const k = r << 1; return (this.regs[k + 1] >>> 0) * TWO32 + (this.regs[k] >>> 0); }
  /** Read a register at an operand size (8 uses REG8 numbering); 64 returns lo and leaves hi in rhi. */
  getReg(size: number, r: number): number {
    switch (size) {
      case 8: return this.getReg8(r);
      case 16: return this.getReg16(r);
      case 32: return this.getReg32(r);
      default: return this.getReg64(r);
    }
  }
  setReg(size: number, r: number, v: number, hi = 0): void {
    switch (size) {
      case 8: this.setReg8(r, v); break;
      case 16: this.setReg16(r, v); break;
      case 32: this.setReg32(r, v); break;
      default: this.setReg64(r, v, hi); break;
    }
  }

  // ====================================================================================
  // Segments and modes
  // ====================================================================================
  /** Load a segment's hidden cache directly (no checks): used by segment loads after their checks, and by the hypervisor. */
  setSegment(seg: number, sel: number, base: number, limit: number, attr: number, valid = true): void {
    this.segSel[seg] = sel & 0xffff;
    this.segBase[seg] = base;
    this.segBaseLo[seg] = base | 0;
    this.segBaseHi[seg] = Math.floor(base / TWO32) | 0;
    this.segLimit[seg] = limit;
    this.segAttr[seg] = attr;
    this.segValid[seg] = valid ? 1 : 0;
    const type = attr & 0xf;
    this.segFlat[seg] = valid && base === 0 && limit === 0xffffffff && (attr & ATTR_S) !== 0 && (attr & ATTR_P) !== 0 &&
      (type & TYPE_CODE) === 0 && (type & TYPE_EXPAND_DOWN) === 0 && (type & TYPE_WRITABLE) !== 0 ? 1 : 0;
    if (seg === CS) this.linkEpoch++;
    if (seg === CS || seg === SS) this.updateMode();
  }
  /** Load a segment cache from a raw 8-byte descriptor (lo, hi dwords). */
  setSegmentFromDescriptor(seg: number, sel: number, lo: number, hi: number, valid = true): void {
    const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
    let limit = (lo & 0xffff) | (hi & 0x000f0000);
    if (hi & 0x00800000) limit = ((limit << 12) | 0xfff) >>> 0;
    this.setSegment(seg, sel, base, limit, attrFromDescHi(hi), valid);
  }
  /** Set FS or GS base to a 64-bit value given as halves (wrfsbase, MSR writes, set_segment_base). */
  setSegmentBase64(seg: number, lo: number, hi: number): void {
    this.segBaseLo[seg] = lo; this.segBaseHi[seg] = hi;
    this.segBase[seg] = (hi | 0) * TWO32 + (lo >>> 0);
    if (this.segBase[seg] !== 0) this.segFlat[seg] = 0;
  }
  /** Recompute code size, stack size after CS/SS/EFER/CR0 changes. */
  updateMode(): void {
    this.linkEpoch++;
    const lma = (this.efer & EFER_LMA) !== 0;
    const csAttr = this.segAttr[CS];
    this.mode = lma && (csAttr & ATTR_L) ? 64 : (csAttr & ATTR_DB) ? 32 : 16;
    this.stackSize = this.mode === 64 ? 64 : (this.segAttr[SS] & ATTR_DB) ? 32 : 16;
  }
  /** Change CPL (after a privilege-changing transfer); switches the TLB set. */
  setCpl(cpl: number): void {
    this.cpl = cpl;
    this.linkEpoch++;
    const t = cpl === 3 ? this.tlbUser : this.tlbSup;
    this.tagR = t.tagR; this.tagW = t.tagW; this.tagX = t.tagX; this.tphys = t.phys;
  }

  // ====================================================================================
  // Effective addresses and segmentation
  // ====================================================================================
  /** Linear address of insn's memory operand for an access of `size` bytes; applies segmentation and canonical checks. */
  linear(i: Insn, size: number, write: boolean): number {
    const seg = i.seg;
    if (i.asize === 64) {
      let lo = i.disp, hi = i.dispHi, s: number;
      const b = i.base;
      if (b >= 0) {
        let blo: number, bhi: number;
        if (b === REG_RIP) { const r = this.rip; blo = r | 0; bhi = Math.floor(r / TWO32) | 0; }
        else { blo = this.regs[b << 1]; bhi = this.regs[(b << 1) + 1]; }
        s = (lo >>> 0) + (blo >>> 0);
        hi = (hi + bhi + (s >= TWO32 ? 1 : 0)) | 0; lo = s | 0;
      }
      const x = i.index;
      if (x >= 0) {
        let xlo = this.regs[x << 1], xhi = this.regs[(x << 1) + 1];
        const sc = i.scale;
        if (sc) { xhi = (xhi << sc) | (xlo >>> (32 - sc)); xlo = xlo << sc; }
        s = (lo >>> 0) + (xlo >>> 0);
        hi = (hi + xhi + (s >= TWO32 ? 1 : 0)) | 0; lo = s | 0;
      }
      if (seg >= FS) {
        s = (lo >>> 0) + (this.segBaseLo[seg] >>> 0);
        hi = (hi + this.segBaseHi[seg] + (s >= TWO32 ? 1 : 0)) | 0; lo = s | 0;
      }
      if (!isCanonicalHi(hi)) throw new CpuFault(seg === SS ? SS_FAULT : GP, 0);
      return hi * TWO32 + (lo >>> 0);
    }
    let off = i.disp;
    if (i.base >= 0) off += i.base === REG_RIP ? this.rip : this.regs[i.base << 1];
    if (i.index >= 0) off += this.regs[i.index << 1] << i.scale;
    off = i.asize === 16 ? off & 0xffff : off >>> 0;
    return this.segmentOffset(seg, off, size, write);
  }

  /** Apply segment `seg` to an offset: 64-bit mode adds FS/GS bases; otherwise base + limit/type checks. */
  segmentOffset(seg: number, off: number, size: number, write: boolean): number {
    if (this.mode === 64) {
      if (seg < FS) return off;
      const lin = off + this.segBase[seg];
      // Wrap to 64 bits only matters for non-canonical results, which fault.
      if (lin < -0x800000000000 || lin >= 0x800000000000) throw new CpuFault(seg === SS ? SS_FAULT : GP, 0);
      return lin;
    }
    if (this.segFlat[seg] === 1) return off;
    this.checkSegmentAccess(seg, off, size, write);
    return (this.segBase[seg] + off) >>> 0;
  }

  /** Protected-mode data access checks (SDM 5.3, 5.5): usable, type allows the access, offset within limit. */
  checkSegmentAccess(seg: number, off: number, size: number, write: boolean): void {
    const vec = seg === SS ? SS_FAULT : GP;
    if (this.segValid[seg] === 0) throw new CpuFault(vec, 0);
    const attr = this.segAttr[seg], type = attr & 0xf;
    if (type & TYPE_CODE) {
      if (write || !(type & TYPE_READABLE)) throw new CpuFault(vec, 0);
    } else if (write && !(type & TYPE_WRITABLE)) throw new CpuFault(vec, 0);
    const last = off + size - 1;
    if (!(type & TYPE_CODE) && (type & TYPE_EXPAND_DOWN)) {
      const upper = (attr & ATTR_DB) ? 0xffffffff : 0xffff;
      if (off <= this.segLimit[seg] || last > upper) throw new CpuFault(vec, 0);
    } else if (last > this.segLimit[seg]) throw new CpuFault(vec, 0);
  }

  // ====================================================================================
  // Paging: TLB fast path, walk on miss
  // ====================================================================================
  /**
   * Machine address for linear `lin`; fills the TLB. access: ACC_READ/ACC_WRITE/ACC_EXEC. user: CPL3 access.
   * While data watchpoints are set, a read or write translation of a page that carries a watch of that kind returns
   * WATCHED_PAGE (-1) after the usual checks: callers that would access machine memory directly (the rep movs/stos
   * fast paths) must fall back to readLin/writeLin, which check the watched bytes.
   */
  translate(lin: number, access: number, user = this.cpl === 3): number {
    const pa = this.translateData(lin, access, user);
    const w = this.watch;
    return w === null || access === ACC_EXEC || !w.pageWatched(lin, access === ACC_WRITE) ? pa : WATCHED_PAGE;
  }
  /** translate() for the checking data paths in this file (never WATCHED_PAGE). */
  private translateData(lin: number, access: number, user = this.cpl === 3): number {
    if (this.watchTrap === 0) throw WATCH_TRAP;
    if (!(this.cr0 & CR0_PG)) {
      const pa = this.mode === 64 ? lin : lin >>> 0;
      if (pa >= 0 && pa < this.mem.size) this.tlbFill(lin, pa - (pa % 4096), true, true, user);
      return pa;
    }
    let t: Translation;
    const quiet = this.mem.watchFrames !== null; // A/D updates are not data accesses for write watches
    if (quiet) this.mem.watchMuted++;
    try {
      t = walk(this.mem, this, lin, access, user);
    } catch (e) {
      if (e instanceof CpuFault && e.vector === PF) this.cr2 = e.cr2;
      throw e;
    } finally {
      if (quiet) this.mem.watchMuted--;
    }
    const canWrite = access === ACC_WRITE;
    const canExec = !(t.nx && (this.efer & EFER_NXE)) && (user ? t.user : !(t.user && (this.cr4 & CR4_SMEP)));
    const pa = t.frame + (lin - Math.floor(lin / 4096) * 4096);
    if (t.frame + 4096 <= this.mem.size) this.tlbFill(lin, t.frame, canWrite && (t.writable || (!user && !(this.cr0 & CR0_WP))), canExec, user);
    return pa;
  }
  private tlbFill(lin: number, frameAddr: number, canWrite: boolean, canExec: boolean, user: boolean): void {
    const t = user === (this.cpl === 3) ? (this.cpl === 3 ? this.tlbUser : this.tlbSup) : (user ? this.tlbUser : this.tlbSup);
    const frame = Math.floor(frameAddr / 4096), vpn = Math.floor(lin / 4096);
    let canRead = true;
    const w = this.watch;
    if (w !== null) {
      if (this.watchTrap >= 0) return; // every access of the rest of this instruction must reach translateData
      if (w.readPages.has(vpn)) canRead = false;
      if (w.writePages.has(vpn)) canWrite = false;
    }
    t.fill(vpn, frameAddr, canWrite && this.mem.codeFrames[frame] === 0, canExec, canRead);
  }
  /** Drop all TLB entries (CR3 load, paging mode change). */
  flushTlb(): void { this.tlbSup.flush(); this.tlbUser.flush(); this.linkEpoch++; }
  /** Drop the entries for one linear page (invlpg). */
  flushTlbPage(lin: number): void {
    const vpn = Math.floor(lin / 4096);
    this.tlbSup.flushPage(vpn); this.tlbUser.flushPage(vpn);
    this.linkEpoch++;
  }
  /** Drop write permissions cached for a frame (it now holds decoded code). */
  flushTlbWrites(): void { this.tlbSup.tagW.fill(NaN); this.tlbUser.tagW.fill(NaN); }

  // ====================================================================================
  // Linear memory access (faults: #PF via translate; page-crossing accesses split)
  // ====================================================================================
  readLin8(lin: number): number {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095;
    if (this.tagR[k] === vpn) return this.mem.bytes[this.tphys[k] + (lin & 0xfff)];
    return this.readSlow8(lin);
  }
  private readSlow8(lin: number): number {
    const pa = this.translateData(lin, ACC_READ);
    if (this.watch !== null) this.watch.cpuAccess(this, lin, 1, false);
    return this.mem.read8(pa);
  }
  readLin16(lin: number): number {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095, o = lin & 0xfff;
    if (this.tagR[k] === vpn && o <= 4094) return this.mem.view.getUint16(this.tphys[k] + o, true);
    return this.readSplit(lin, 2);
  }
  /** 32-bit read as int32. */
  readLin32(lin: number): number {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095, o = lin & 0xfff;
    if (this.tagR[k] === vpn && o <= 4092) return this.mem.view.getInt32(this.tphys[k] + o, true);
    return this.readSplit(lin, 4) | 0;
  }
  /** 64-bit read: returns the low half, high half in rhi. */
  readLin64(lin: number): number {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095, o = lin & 0xfff;
    if (this.tagR[k] === vpn && o <= 4088) {
      const pa = this.tphys[k] + o;
      this.rhi = this.mem.view.getInt32(pa + 4, true);
      return this.mem.view.getInt32(pa, true);
    }
    return this.readSlow64(lin);
  }
  private readSlow64(lin: number): number {
    if ((lin & 0xfff) <= 4088) {
      const pa = this.translateData(lin, ACC_READ);
      if (this.watch !== null) this.watch.cpuAccess(this, lin, 8, false);
      this.rhi = this.mem.read32(pa + 4) | 0;
      return this.mem.read32(pa) | 0;
    }
    const lo = this.readSplit(lin, 4, false) | 0;
    this.rhi = this.readSplit(lin + 4, 4, false) | 0;
    if (this.watch !== null) this.watch.cpuAccess(this, lin, 8, false);
    return lo;
  }
  /** Read 2 or 4 bytes on the slow path (TLB miss, watched page or page crossing); check: report it to the watches. */
  private readSplit(lin: number, size: number, check = true): number {
    const o = lin & 0xfff;
    if (o + size <= 4096) {
      const pa = this.translateData(lin, ACC_READ);
      if (check && this.watch !== null) this.watch.cpuAccess(this, lin, size, false);
      return size === 2 ? this.mem.read16(pa) : this.mem.read32(pa);
    }
    const first = 4096 - o;
    const pa1 = this.translateData(lin, ACC_READ);
    const pa2 = this.translateData(lin + first, ACC_READ);
    if (check && this.watch !== null) this.watch.cpuAccess(this, lin, size, false);
    let v = 0;
    for (let b = size - 1; b >= 0; b--) v = v * 256 + this.mem.read8(b < first ? pa1 + b : pa2 + b - first);
    return v;
  }

  writeLin8(lin: number, v: number): void {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095;
    if (this.tagW[k] === vpn) { this.mem.bytes[this.tphys[k] + (lin & 0xfff)] = v; return; }
    this.writeSlow(lin, 1, v, 0);
  }
  writeLin16(lin: number, v: number): void {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095, o = lin & 0xfff;
    if (this.tagW[k] === vpn && o <= 4094) { this.mem.view.setUint16(this.tphys[k] + o, v, true); return; }
    this.writeSlow(lin, 2, v, 0);
  }
  writeLin32(lin: number, v: number): void {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095, o = lin & 0xfff;
    if (this.tagW[k] === vpn && o <= 4092) { this.mem.view.setInt32(this.tphys[k] + o, v, true); return; }
    this.writeSlow(lin, 4, v, 0);
  }
  writeLin64(lin: number, lo: number, hi: number): void {
    const vpn = Math.floor(lin / 4096), k = vpn & 4095, o = lin & 0xfff;
    if (this.tagW[k] === vpn && o <= 4088) {
      const pa = this.tphys[k] + o;
      this.mem.view.setInt32(pa, lo, true); this.mem.view.setInt32(pa + 4, hi, true);
      return;
    }
    this.writeSlow(lin, 8, lo, hi);
  }
  /** Translate every page first (so a fault leaves memory untouched), then store byte by byte with code-cache checks. */
  private writeSlow(lin: number, size: number, lo: number, hi: number): void {
    const o = lin & 0xfff;
    const first = Math.min(size, 4096 - o);
    const pa1 = this.translateData(lin, ACC_WRITE);
    const pa2 = first < size ? this.translateData(lin + first, ACC_WRITE) : 0;
    if (this.watch !== null) this.watch.cpuAccess(this, lin, size, true);
    for (let b = 0; b < size; b++) {
      const byte = b < 4 ? (lo >>> (b * 8)) & 0xff : (hi >>> ((b - 4) * 8)) & 0xff;
      this.storeByte(b < first ? pa1 + b : pa2 + b - first, byte);
    }
  }
  /** Store one byte at a machine address, invalidating decoded code only when the byte is covered by it. */
  private storeByte(pa: number, v: number): void {
    if (pa < 0 || pa >= this.mem.size) return;
    const frame = Math.floor(pa / 4096);
    if (this.mem.codeFrames[frame]) {
      const cover = this.codeBytes[frame];
      if (cover === undefined || cover[pa & 0xfff]) { this.mem.codeFrames[frame] = 0; this.invalidateCodeFrame(frame); }
    }
    this.mem.bytes[pa] = v;
  }

  /** Implicit supervisor reads (descriptor tables, TSS) regardless of CPL. */
  readSys32(lin: number): number {
    const pa = this.translateData(lin, ACC_READ, false);
    if (this.watch !== null) this.watch.cpuAccess(this, lin, 4, false);
    return this.mem.read32(pa) | 0;
  }
  writeSys8(lin: number, v: number): void {
    const pa = this.translateData(lin, ACC_WRITE, false);
    if (this.watch !== null) this.watch.cpuAccess(this, lin, 1, true);
    this.storeByte(pa, v);
  }

  // ====================================================================================
  // ModRM operand helpers: register when !isMem, else memory through linear()
  // ====================================================================================
  readRM8(i: Insn): number { return i.isMem ? this.readLin8(this.linear(i, 1, false)) : this.getReg8(i.rm); }
  readRM16(i: Insn): number { return i.isMem ? this.readLin16(this.linear(i, 2, false)) : this.regs[i.rm << 1] & 0xffff; }
  readRM32(i: Insn): number { return i.isMem ? this.readLin32(this.linear(i, 4, false)) : this.regs[i.rm << 1]; }
  /** Returns lo, hi in rhi. */
  readRM64(i: Insn): number {
    if (i.isMem) return this.readLin64(this.linear(i, 8, false));
    const k = i.rm << 1; this.rhi = this.regs[k + 1]; return this.regs[k];
  }
  writeRM8(i: Insn, v: number): void { if (i.isMem) this.writeLin8(this.linear(i, 1, true), v); else this.setReg8(i.rm, v); }
  writeRM16(i: Insn, v: number): void { if (i.isMem) this.writeLin16(this.linear(i, 2, true), v); else this.setReg16(i.rm, v); }
  writeRM32(i: Insn, v: number): void { if (i.isMem) this.writeLin32(this.linear(i, 4, true), v); else this.setReg32(i.rm, v); }
  writeRM64(i: Insn, lo: number, hi: number): void {
    if (i.isMem) this.writeLin64(this.linear(i, 8, true), lo, hi); else this.setReg64(i.rm, lo, hi);
  }
  /** Generic by size (8/16/32/64); 64 returns lo with hi in rhi. */
  readRM(i: Insn, size: number): number {
    switch (size) {
      case 8: return this.readRM8(i);
      case 16: return this.readRM16(i);
      case 32: return this.readRM32(i);
      default: return this.readRM64(i);
    }
  }
  writeRM(i: Insn, size: number, v: number, hi = 0): void {
    switch (size) {
      case 8: this.writeRM8(i, v); break;
      case 16: this.writeRM16(i, v); break;
      case 32: this.writeRM32(i, v); break;
      default: this.writeRM64(i, v, hi); break;
    }
  }
  /** Memory read/write at a linear address by size (8/16/32/64; 64 uses rhi). */
  readLin(lin: number, size: number): number {
    switch (size) {
      case 8: return this.readLin8(lin);
      case 16: return this.readLin16(lin);
      case 32: return this.readLin32(lin);
      default: return this.readLin64(lin);
    }
  }
  writeLin(lin: number, size: number, v: number, hi = 0): void {
    switch (size) {
      case 8: this.writeLin8(lin, v); break;
      case 16: this.writeLin16(lin, v); break;
      case 32: this.writeLin32(lin, v); break;
      default: this.writeLin64(lin, v, hi); break;
    }
  }

  // ====================================================================================
  // Stack (SS, stack address size); RSP changes only after the memory access succeeded
  // ====================================================================================
  /** Linear address for a stack access at offset `off` (already wrapped to the stack size). */
  stackLinear(off: number, size: number, write: boolean): number {
    if (this.mode === 64) {
      if (off < -0x800000000000 || off >= 0x800000000000) throw new CpuFault(SS_FAULT, 0);
      return off;
    }
    return this.segmentOffset(SS, off, size, write);
  }
  /** Current stack pointer as an offset number (64-bit: signed canonical-style number of rsp). */
  getSP(): number {
    if (this.stackSize === 64) return this.regs[(RSP << 1) + 1] * TWO32 + (this.regs[RSP << 1] >>> 0);
    return this.stackSize === 32 ? this.regs[RSP << 1] >>> 0 : this.regs[RSP << 1] & 0xffff;
  }
  /** Set the stack pointer from an offset number, respecting the stack size (16-bit keeps the upper bits). */
  setSP(v: number): void {
    const k = RSP << 1;
    if (this.stackSize === 64) { this.regs[k] = v | 0; this.regs[k + 1] = Math.floor(v / TWO32) | 0; }
    else if (this.stackSize === 32) { this.regs[k] = v | 0; this.regs[k + 1] = 0; }
    else this.regs[k] = (this.regs[k] & ~0xffff) | (v & 0xffff);
  }
  /** Offset `delta` bytes from the stack pointer, wrapped to the stack size. */
  spPlus(delta: number): number {
    const sp = this.getSP() + delta;
    if (this.stackSize === 64) {
      // wrap to 64 bits in the signed-number representation (only matters far outside canonical space)
      return sp;
    }
    return this.stackSize === 32 ? sp >>> 0 : sp & 0xffff;
  }
  push(size: number, v: number, hi = 0): void {
    const off = this.spPlus(-(size >> 3));
    this.writeLin(this.stackLinear(off, size >> 3, true), size, v, hi);
    this.setSP(off);
  }
  /** Pop; 64-bit returns lo with hi in rhi. */
  pop(size: number): number {
    const sp = this.getSP();
    const v = this.readLin(this.stackLinear(sp, size >> 3, false), size);
    const hi = this.rhi;
    this.setSP(this.spPlus(size >> 3));
    this.rhi = hi;
    return v;
  }

  // ====================================================================================
  // Control
  // ====================================================================================
  /**
   * Ask the step loop to return after the current instruction. A data-watch hit ('watchpoint') is not hidden by a
   * later request in the same run (the hypervisor blocking the vCPU, a timer ending the slice): hosts keep such
   * state in flags (halted, blocked, the domain's state), and the watch hit is reported first.
   */
  requestStop(reason: StopReason, detail = ''): void {
    if (this.stopRequested && this.stopReason === 'watchpoint' && reason !== 'watchpoint') return;
    this.stopRequested = true;
    this.stopReason = reason;
    this.stopDetail = detail;
  }
  /** Run up to `budget` instructions; returns why it stopped. Guest faults never escape as JS exceptions. */
  run(budget: number): StopReason { return runCpu(this, budget); }
  /** Execute exactly one instruction (or deliver its fault). */
  step(): StopReason { return runCpu(this, 1); }
  /** Virtual time-stamp counter. */
  tsc(): number { return this.tscOffset + this.icount * this.tscPerInsn; }
  /** Drop decoded instructions of one frame (a write hit decoded code). */
  invalidateCodeFrame(frame: number): void {
    this.linkEpoch++;
    const page = this.codeCache[frame];
    if (page !== undefined) {
      for (const insn of page) if (insn !== undefined) insn.next = null;
      this.codeCache[frame] = undefined;
      this.codeBytes[frame] = undefined;
    }
    this.mem.codeFrames[frame] = 0;
  }
  /** Drop the whole decode cache (breakpoints changed, mode tables changed). */
  invalidateAllCode(): void {
    for (let f = 0; f < this.codeCache.length; f++) if (this.codeCache[f] !== undefined) this.invalidateCodeFrame(f);
  }
  /** MSR value halves for MSRs without dedicated fields ([0,0] when never written). */
  msr(index: number): [number, number] { return this.msrs.get(index >>> 0) ?? [0, 0]; }

  static readonly ACC_READ = ACC_READ;
  static readonly ACC_WRITE = ACC_WRITE;
  static readonly ACC_EXEC = ACC_EXEC;
}

export type { StopReason };
