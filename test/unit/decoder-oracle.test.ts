// Differential tests of the table-driven decoder against iced-x86 (the oracle): seeded random byte streams
// (plain and biased towards prefixes/REX/0F escapes) in 16/32/64-bit modes, and the real .text of /bin/ls and gcc.

import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Decoder, DecoderOptions, Code, Register, OpKind, CpuidFeature, EncodingKind, Instruction } from 'iced-x86';
import { decode } from '../../src/cpu/decoder/decode';
import type { Insn } from '../../src/cpu/decoder/insn';
import { REG_RIP } from '../../src/cpu/decoder/insn';
import { ALL_ROWS, expandName } from '../../src/cpu/decoder/table';

/** CPUID features whose (legacy-encoded) instructions the decoder must decode exactly like iced. */
const SUPPORTED = new Set<string>([
  'INTEL8086', 'INTEL186', 'INTEL286', 'INTEL386', 'INTEL486', 'X64', 'CMOV', 'CX8', 'CMPXCHG16B', 'FPU', 'FPU287',
  'FPU387', 'SSE', 'SSE2', 'SSE3', 'SSSE3', 'SYSCALL', 'SEP', 'RDTSCP', 'POPCNT', 'LZCNT', 'BMI1', 'MSR', 'TSC',
  'CPUID', 'CLFSH', 'FXSR', 'MMX', 'PAUSE', 'MONITOR', 'MULTIBYTENOP', 'CET_IBT', 'FSGSBASE', 'RDPMC', 'SMM',
]);

/** Operand spec (from the table) per Code name. */
const OPS_OF = new Map<string, string[]>();
for (const [, ops, name] of ALL_ROWS) {
  for (const o of [16, 32, 64]) for (const a of [16, 32, 64]) OPS_OF.set(expandName(name, o, a), ops === '' ? [] : ops.split(','));
}

interface Stats { total: number; compared: number; outside: number; invalid: number; mismatches: string[] }
function newStats(): Stats { return { total: 0, compared: 0, outside: 0, invalid: 0, mismatches: [] }; }

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Our register number for an iced register (GPR n, 16..19 for ah..bh, xmm/mm/st/cr/dr n, sreg index). */
function regNum(r: Register): number {
  const name = Register[r];
  const gp64 = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI'];
  const gp32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'];
  const gp16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI'];
  const gp8 = ['AL', 'CL', 'DL', 'BL', 'SPL', 'BPL', 'SIL', 'DIL'];
  for (const t of [gp64, gp32, gp16, gp8]) { const k = t.indexOf(name); if (k >= 0) return k; }
  const hi = ['AH', 'CH', 'DH', 'BH'].indexOf(name);
  if (hi >= 0) return 16 + hi;
  const segs = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'].indexOf(name);
  if (segs >= 0) return segs;
  if (name === 'RIP' || name === 'EIP') return REG_RIP;
  const m = /^(?:R(\d+)[DWL]?|XMM(\d+)|MM(\d+)|ST(\d+)|CR(\d+)|DR(\d+))$/.exec(name);
  if (m) return Number(m.slice(1).find((x) => x !== undefined));
  if (name === 'None') return -1;
  throw new Error(`unmapped register ${name}`);
}

const FIXED_TOKENS = new Set(['AL', 'CL', 'DX', 'AX', 'eAX', 'rAX', 'ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'ST', 'DI', 'XLAT']);

function ours64(lo: number, hi: number): bigint { return (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0); }

/** Compare operands of a supported instruction; returns a description of the first difference or ''. */
function compareOperands(ins: Instruction, i: Insn, bitness: number): string {
  const ops = OPS_OF.get(i.code);
  if (ops === undefined) return `no table operands for ${i.code}`;
  const n = ins.opCount;
  let ti = 0;
  const seen = new Set<string>();
  for (let k = 0; k < n; k++) {
    const kind = ins.opKind(k);
    const tok = ops[ti++] ?? '';
    const c = tok.charAt(0);
    if (FIXED_TOKENS.has(tok)) continue;
    if (kind === OpKind.Register) {
      const r = regNum(ins.opRegister(k));
      if (tok === 'STi' || 'ERWUQN'.includes(c)) { if (i.rm !== r) return `op${k} rm ${i.rm} != ${r}`; seen.add('rm'); }
      else if ('GSCDVPZ'.includes(c)) { if (i.reg !== r) return `op${k} reg ${i.reg} != ${r}`; seen.add('reg'); }
    } else if (kind === OpKind.Memory) {
      if (!i.isMem) return `op${k} not memory`;
      const base = regNum(ins.memoryBase), index = regNum(ins.memoryIndex);
      if (c === 'O') {
        const want = BigInt.asUintN(i.asize, ins.memoryDisplacement);
        const got = BigInt.asUintN(i.asize, ours64(i.disp, i.dispHi));
        if (want !== got) return `moffs ${got} != ${want}`;
      } else if (tok !== 'XLAT') {
        if (i.base !== base) return `base ${i.base} != ${base}`;
        if (i.index !== index) return `index ${i.index} != ${index}`;
        if (index >= 0 && (1 << i.scale) !== ins.memoryIndexScale) return `scale ${i.scale}`;
        let want = ins.memoryDisplacement;
        if (base === REG_RIP) want -= BigInt(ins.length);
        const bits = i.asize;
        if (BigInt.asUintN(bits, want) !== BigInt.asUintN(bits, ours64(i.disp, i.dispHi))) return `disp ${i.disp} != ${want}`;
      }
      const seg = regNum(ins.memorySegment);
      const expectSeg = bitness === 64 && seg < 4 ? (base === 4 || base === 5 ? 2 : 3) : seg;
      if (i.seg !== expectSeg) return `seg ${i.seg} != ${expectSeg}`;
    } else if (kind >= OpKind.MemorySegSI && kind <= OpKind.MemorySegRSI) {
      const seg = regNum(ins.memorySegment);
      const expectSeg = bitness === 64 && seg < 4 ? 3 : seg;
      if (i.seg !== expectSeg) return `string seg ${i.seg} != ${expectSeg}`;
    } else if (kind === OpKind.NearBranch16 || kind === OpKind.NearBranch32 || kind === OpKind.NearBranch64) {
      const bits = kind === OpKind.NearBranch16 ? 16 : kind === OpKind.NearBranch32 ? 32 : 64;
      const target = kind === OpKind.NearBranch16 ? BigInt(ins.nearBranch16) : kind === OpKind.NearBranch32 ? BigInt(ins.nearBranch32) : ins.nearBranch64;
      const want = BigInt.asUintN(bits, target - BigInt(ins.length));
      if (BigInt.asUintN(bits, ours64(i.imm, i.immHi)) !== want) return `rel ${i.imm} != ${want}`;
    } else if (kind === OpKind.FarBranch16 || kind === OpKind.FarBranch32) {
      const off = kind === OpKind.FarBranch16 ? ins.farBranch16 : ins.farBranch32;
      if ((i.imm >>> 0) !== off || i.imm2 !== ins.farBranchSelector) return `far ${i.imm}:${i.imm2}`;
    } else if (kind === OpKind.Immediate8_2nd) {
      if (i.imm2 !== ins.immediate8_2nd) return `imm2 ${i.imm2} != ${ins.immediate8_2nd}`;
    } else if (kind >= OpKind.Immediate8 && kind <= OpKind.Immediate32to64) {
      if (tok === '1') continue;
      const bits = kind === OpKind.Immediate8 ? 8 : kind === OpKind.Immediate16 || kind === OpKind.Immediate8to16 ? 16
        : kind === OpKind.Immediate32 || kind === OpKind.Immediate8to32 ? 32 : 64;
      const want = BigInt.asUintN(bits, ins.immediate(k));
      if (BigInt.asUintN(bits, ours64(i.imm, i.immHi)) !== want) return `imm ${i.imm}/${i.immHi} != ${want}`;
    }
  }
  if (!seen.has('rm') && !i.isMem && i.rm !== -1 && ops.some((t) => t !== 'STi' && 'ERWUQN'.includes(t.charAt(0)))) return `rm ${i.rm} unexpected`;
  return '';
}

function featuresOf(ins: Instruction): string[] {
  return Array.from(ins.cpuidFeatures(), (f) => CpuidFeature[f]);
}

/**
 * Decode `count` instructions (or until the data ends) from data[start..] with iced and with ours, comparing.
 * `step` 'linear' follows iced's lengths; otherwise each sample is at a multiple of `step` bytes.
 */
function compareStream(data: Uint8Array, bitness: number, stats: Stats, step: number | 'linear', maxInsns: number): void {
  const dec = new Decoder(bitness, data, DecoderOptions.None);
  try {
    let pos = 0;
    for (let n = 0; n < maxInsns && pos < data.length; n++) {
      const end = step === 'linear' ? data.length : Math.min(data.length, pos + step);
      dec.position = pos;
      dec.ip = 0n;
      const ins = dec.decode();
      const err = dec.lastError;
      const avail = Math.min(15, end - pos);
      const mine = decode(data.subarray(pos, pos + avail), avail, bitness);
      stats.total++;
      const bytes = data.subarray(pos, pos + Math.max(ins.length, 1));
      const fail = (why: string): void => {
        if (stats.mismatches.length < 50) {
          stats.mismatches.push(`${bitness} ${hex(data.subarray(pos, pos + 15))} iced=${Code[ins.code]}/${ins.length} ours=${mine ? mine.code + '/' + mine.len : 'null'}: ${why}`);
        } else stats.mismatches.push('');
      };
      if (ins.code === Code.INVALID && err === 2) {
        // iced ran out of bytes (end of this sample): ours must say "need more bytes" or INVALID (too long)
        if (mine !== null && !(mine.code === 'INVALID' && avail === 15) && step !== 'linear') fail('expected null (truncated)');
        if (step === 'linear') break;
      } else if (ins.code === Code.INVALID) {
        stats.invalid++;
        if (mine === null || mine.code !== 'INVALID') fail('iced INVALID');
      } else if (ins.encoding !== EncodingKind.Legacy || !featuresOf(ins).every((f) => SUPPORTED.has(f))) {
        stats.outside++;
        if (mine === null || (mine.code !== 'INVALID' && mine.len !== ins.length)) fail(`outside set (${featuresOf(ins)}), length differs`);
      } else {
        stats.compared++;
        if (mine === null) fail('null');
        else if (mine.code !== Code[ins.code]) fail('code');
        else if (mine.len !== ins.length) fail('length');
        else if (mine.lock !== ins.hasLockPrefix) fail('lock');
        else if (ins.isStringInstruction && mine.rep !== (ins.hasRepPrefix ? 1 : ins.hasRepnePrefix ? 2 : 0)) fail('rep');
        else {
          const why = compareOperands(ins, mine, bitness);
          if (why !== '') fail(why);
        }
      }
      void bytes;
      pos = step === 'linear' ? pos + Math.max(1, ins.length) : pos + step;
    }
  } finally {
    dec.free();
  }
}

/** Deterministic PRNG (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** Assert no mismatches, printing up to 50 of them. */
function assertClean(label: string, st: Stats): void {
  console.log(`      oracle ${label}: ${st.total} insns, ${st.compared} compared, ${st.mismatches.length} mismatches, ` +
    `${st.outside} outside the supported set, ${st.invalid} invalid`);
  if (st.mismatches.length) assert.fail(`${st.mismatches.length} mismatches:\n${st.mismatches.filter((x) => x).join('\n')}`);
}

const PREFIX_POOL = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65];

function randomStream(seed: number, n: number): Uint8Array {
  const r = rng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r() & 0xff;
  return b;
}

/** Samples of 16 bytes, each starting with prefixes / REX / 0F escapes and then random bytes. */
function biasedSamples(seed: number, count: number, bitness: number): Uint8Array {
  const r = rng(seed);
  const b = new Uint8Array(count * 16);
  for (let s = 0; s < count; s++) {
    let p = s * 16;
    const nPfx = r() % 4;
    for (let k = 0; k < nPfx; k++) b[p++] = PREFIX_POOL[r() % PREFIX_POOL.length];
    if (bitness === 64 && r() % 2) b[p++] = 0x40 | (r() & 15);
    const esc = r() % 6;
    if (esc === 1 || esc === 2) b[p++] = 0x0f;
    else if (esc === 3) { b[p++] = 0x0f; b[p++] = 0x38; }
    else if (esc === 4) { b[p++] = 0x0f; b[p++] = 0x3a; }
    while (p < s * 16 + 16) b[p++] = r() & 0xff;
  }
  return b;
}

function textOf(file: string): Uint8Array | null {
  if (!fs.existsSync(file)) return null;
  const tmp = path.join(os.tmpdir(), `dec-text-${process.pid}-${path.basename(file)}.bin`);
  try {
    execFileSync('objcopy', ['-O', 'binary', '--only-section=.text', fs.realpathSync(file), tmp]);
    return new Uint8Array(fs.readFileSync(tmp));
  } catch {
    return null;
  } finally {
    try { fs.unlinkSync(tmp); } catch { /* absent */ }
  }
}

/** Every opcode of every map with representative ModRM bytes and prefix combinations, 16-byte samples. */
function opcodeSweep(bitness: number, seed: number): Uint8Array {
  const r = rng(seed);
  const maps = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a]];
  const pfx: number[][] = [[], [0x66], [0xf3], [0xf2], [0x67], [0xf0], [0x26], [0x64], [0x66, 0xf3]];
  if (bitness === 64) pfx.push([0x48], [0x44], [0x41], [0x66, 0x48], [0xf3, 0x48], [0x40]);
  const modrms: number[] = [];
  for (let reg = 0; reg < 8; reg++) {
    for (const m of [0x00, 0x04, 0x05, 0x46, 0x84, 0xc0 | (reg ^ 3)]) modrms.push(m | (reg << 3));
  }
  const all = Array.from({ length: 256 }, (_, k) => k);
  // Opcodes whose meaning depends on the whole ModRM byte get every ModRM value.
  const full = (mi: number, op: number): boolean => (mi === 0 && op >= 0xd8 && op <= 0xdf) ||
    (mi === 1 && [0x00, 0x01, 0x0d, 0x18, 0x1e, 0x20, 0x21, 0x22, 0x23, 0x71, 0x72, 0x73, 0xae, 0xba, 0xc7].includes(op));
  let total = 0;
  maps.forEach((_, mi) => { for (let op = 0; op < 256; op++) total += (full(mi, op) ? 256 : modrms.length) * pfx.length; });
  const out = new Uint8Array(total * 16);
  let p = 0;
  for (const [mi, m] of maps.entries()) for (let op = 0; op < 256; op++) for (const pf of pfx) for (const mr of (full(mi, op) ? all : modrms)) {
    const start = p;
    for (const b of pf) out[p++] = b;
    for (const b of m) out[p++] = b;
    out[p++] = op;
    out[p++] = mr;
    while (p < start + 16) out[p++] = r() & 0xff;
  }
  return out;
}

describe('decoder oracle (iced-x86)', function () {
  this.timeout(300000);
  for (const bits of [64, 32, 16]) {
    it(`opcode sweep, ${bits}-bit: all maps x opcodes x ModRM forms x prefix sets`, () => {
      const st = newStats();
      const data = opcodeSweep(bits, 0x5eed + bits);
      compareStream(data, bits, st, 16, data.length / 16);
      assertClean(`${bits}-bit opcode sweep`, st);
    });
  }
  it('null exactly when truncated: every shorter prefix of a valid instruction needs more bytes (iced agrees)', () => {
    const r = rng(99);
    let checked = 0;
    for (const bits of [64, 32, 16]) {
      const dec = new Decoder(bits, new Uint8Array(16), DecoderOptions.None);
      dec.free();
      for (let s = 0; s < 3000; s++) {
        const buf = new Uint8Array(16);
        for (let k = 0; k < 16; k++) buf[k] = r() & 0xff;
        if (s % 3 === 0) buf[0] = 0x0f;
        const full = decode(buf, 15, bits);
        assert.ok(full !== null, 'never null with 15 bytes');
        if (full.code === 'INVALID') continue;
        for (let k = 0; k < full.len; k++) {
          assert.strictEqual(decode(buf, k, bits), null, `${hex(buf)} avail ${k} < len ${full.len}`);
          const d = new Decoder(bits, buf.slice(0, k), DecoderOptions.None);
          try {
            const ins = d.decode();
            assert.ok(ins.code === Code.INVALID && d.lastError === 2, `iced decodes ${hex(buf)} in ${k} bytes`);
          } finally { d.free(); }
        }
        for (let k = full.len; k <= 15; k++) {
          const again = decode(buf, k, bits);
          assert.ok(again !== null && again.code === full.code && again.len === full.len, `${hex(buf)} avail ${k}`);
        }
        checked++;
      }
    }
    assert.ok(checked > 3000);
  });
  it('never throws on random bytes and any avail; avail 0 needs more bytes', () => {
    const r = rng(4242);
    const buf = new Uint8Array(16);
    for (let s = 0; s < 30000; s++) {
      for (let k = 0; k < 16; k++) buf[k] = r() & 0xff;
      const avail = r() % 16, bits = [16, 32, 64][s % 3];
      const i = decode(buf, avail, bits);
      if (i !== null) assert.ok(i.len >= 1 && i.len <= Math.min(avail, 15) && i.bytes !== null && i.bytes.length === i.len);
    }
    assert.strictEqual(decode(buf, 0, 64), null);
  });
  for (const bits of [64, 32, 16]) {
    it(`random byte streams, ${bits}-bit: 20000 instructions`, () => {
      const st = newStats();
      compareStream(randomStream(0x1234 + bits, 20000 * 6), bits, st, 'linear', 20000);
      assertClean(`${bits}-bit random`, st);
    });
    it(`prefix/REX/0F-biased samples, ${bits}-bit: 20000 samples`, () => {
      const st = newStats();
      compareStream(biasedSamples(0x777 + bits, 20000, bits), bits, st, 16, 20000);
      assertClean(`${bits}-bit biased`, st);
    });
  }
  for (const file of ['/bin/ls', '/usr/bin/gcc']) {
    it(`real code: .text of ${file}, 64-bit linear sweep`, function () {
      const text = textOf(file);
      assert.ok(text !== null && text.length > 0, `could not extract .text of ${file}`);
      const st = newStats();
      compareStream(text, 64, st, 'linear', 1 << 30);
      assertClean(`${file}`, st);
    });
  }
});
