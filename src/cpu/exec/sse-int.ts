// SSE2 packed-integer arithmetic on XMM registers: bitwise logic (also the ps/pd forms), add/sub with
// wraparound and saturation, compares, min/max, averages, multiplies and psadbw. Results are exact per lane.

import type { Handler } from '../decoder/insn';
import { mulHiU32 } from '../../common/bits';
import {
  binop128, A, B, A8, B8, A8s, B8s, A16, B16, A16s, B16s, satS8, satS16, satU8, satU16,
} from './sse-common';

// ---- bitwise ----
const and = binop128(() => { for (let k = 0; k < 4; k++) A[k] &= B[k]; });
const or = binop128(() => { for (let k = 0; k < 4; k++) A[k] |= B[k]; });
const xor = binop128(() => { for (let k = 0; k < 4; k++) A[k] ^= B[k]; });
const andn = binop128(() => { for (let k = 0; k < 4; k++) A[k] = ~A[k] & B[k]; });

// ---- add / sub with wraparound (typed-array stores truncate) ----
const paddb = binop128(() => { for (let k = 0; k < 16; k++) A8[k] = A8[k] + B8[k]; });
const paddw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = A16[k] + B16[k]; });
const paddd = binop128(() => { for (let k = 0; k < 4; k++) A[k] = (A[k] + B[k]) | 0; });
const paddq = binop128(() => {
  for (let k = 0; k < 4; k += 2) {
    const lo = (A[k] >>> 0) + (B[k] >>> 0);
    A[k + 1] = (A[k + 1] + B[k + 1] + (lo > 0xffffffff ? 1 : 0)) | 0;
    A[k] = lo | 0;
  }
});
const psubb = binop128(() => { for (let k = 0; k < 16; k++) A8[k] = A8[k] - B8[k]; });
const psubw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = A16[k] - B16[k]; });
const psubd = binop128(() => { for (let k = 0; k < 4; k++) A[k] = (A[k] - B[k]) | 0; });
const psubq = binop128(() => {
  for (let k = 0; k < 4; k += 2) {
    const borrow = (A[k] >>> 0) < (B[k] >>> 0) ? 1 : 0;
    A[k] = (A[k] - B[k]) | 0;
    A[k + 1] = (A[k + 1] - B[k + 1] - borrow) | 0;
  }
});

// ---- saturating add / sub ----
const paddsb = binop128(() => { for (let k = 0; k < 16; k++) A8s[k] = satS8(A8s[k] + B8s[k]); });
const paddsw = binop128(() => { for (let k = 0; k < 8; k++) A16s[k] = satS16(A16s[k] + B16s[k]); });
const paddusb = binop128(() => { for (let k = 0; k < 16; k++) A8[k] = satU8(A8[k] + B8[k]); });
const paddusw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = satU16(A16[k] + B16[k]); });
const psubsb = binop128(() => { for (let k = 0; k < 16; k++) A8s[k] = satS8(A8s[k] - B8s[k]); });
const psubsw = binop128(() => { for (let k = 0; k < 8; k++) A16s[k] = satS16(A16s[k] - B16s[k]); });
const psubusb = binop128(() => { for (let k = 0; k < 16; k++) A8[k] = satU8(A8[k] - B8[k]); });
const psubusw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = satU16(A16[k] - B16[k]); });

// ---- compares: all-ones lanes where true ----
const pcmpeqb = binop128(() => { for (let k = 0; k < 16; k++) A8[k] = A8[k] === B8[k] ? 0xff : 0; });
const pcmpeqw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = A16[k] === B16[k] ? 0xffff : 0; });
const pcmpeqd = binop128(() => { for (let k = 0; k < 4; k++) A[k] = A[k] === B[k] ? -1 : 0; });
const pcmpgtb = binop128(() => { for (let k = 0; k < 16; k++) A8s[k] = A8s[k] > B8s[k] ? -1 : 0; });
const pcmpgtw = binop128(() => { for (let k = 0; k < 8; k++) A16s[k] = A16s[k] > B16s[k] ? -1 : 0; });
const pcmpgtd = binop128(() => { for (let k = 0; k < 4; k++) A[k] = A[k] > B[k] ? -1 : 0; });

// ---- min / max / average ----
const pminub = binop128(() => { for (let k = 0; k < 16; k++) if (B8[k] < A8[k]) A8[k] = B8[k]; });
const pmaxub = binop128(() => { for (let k = 0; k < 16; k++) if (B8[k] > A8[k]) A8[k] = B8[k]; });
const pminsw = binop128(() => { for (let k = 0; k < 8; k++) if (B16s[k] < A16s[k]) A16s[k] = B16s[k]; });
const pmaxsw = binop128(() => { for (let k = 0; k < 8; k++) if (B16s[k] > A16s[k]) A16s[k] = B16s[k]; });
const pavgb = binop128(() => { for (let k = 0; k < 16; k++) A8[k] = (A8[k] + B8[k] + 1) >>> 1; });
const pavgw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = (A16[k] + B16[k] + 1) >>> 1; });

// ---- multiplies ----
const pmullw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = Math.imul(A16s[k], B16s[k]); });
const pmulhw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = (A16s[k] * B16s[k]) >> 16; });
const pmulhuw = binop128(() => { for (let k = 0; k < 8; k++) A16[k] = (A16[k] * B16[k]) >>> 16; });
/** pmuludq: unsigned 32x32 -> 64 of dword lanes 0 and 2 into qwords 0 and 1. */
const pmuludq = binop128(() => {
  for (let k = 0; k < 4; k += 2) {
    const a = A[k], b = B[k];
    A[k + 1] = mulHiU32(a, b) | 0;
    A[k] = Math.imul(a, b);
  }
});
/** psadbw: per 8-byte half, the sum of absolute byte differences in the low word of its qword. */
const psadbw = binop128(() => {
  for (let h = 0; h < 2; h++) {
    let s = 0;
    for (let k = h * 8; k < h * 8 + 8; k++) s += Math.abs(A8[k] - B8[k]);
    A[h * 2] = s; A[h * 2 + 1] = 0;
  }
});

export const sseIntHandlers: Record<string, Handler> = {
  Pand_xmm_xmmm128: and, Andps_xmm_xmmm128: and, Andpd_xmm_xmmm128: and,
  Por_xmm_xmmm128: or, Orps_xmm_xmmm128: or, Orpd_xmm_xmmm128: or,
  Pxor_xmm_xmmm128: xor, Xorps_xmm_xmmm128: xor, Xorpd_xmm_xmmm128: xor,
  Pandn_xmm_xmmm128: andn, Andnps_xmm_xmmm128: andn, Andnpd_xmm_xmmm128: andn,
  Paddb_xmm_xmmm128: paddb, Paddw_xmm_xmmm128: paddw, Paddd_xmm_xmmm128: paddd, Paddq_xmm_xmmm128: paddq,
  Psubb_xmm_xmmm128: psubb, Psubw_xmm_xmmm128: psubw, Psubd_xmm_xmmm128: psubd, Psubq_xmm_xmmm128: psubq,
  Paddsb_xmm_xmmm128: paddsb, Paddsw_xmm_xmmm128: paddsw, Paddusb_xmm_xmmm128: paddusb, Paddusw_xmm_xmmm128: paddusw,
  Psubsb_xmm_xmmm128: psubsb, Psubsw_xmm_xmmm128: psubsw, Psubusb_xmm_xmmm128: psubusb, Psubusw_xmm_xmmm128: psubusw,
  Pcmpeqb_xmm_xmmm128: pcmpeqb, Pcmpeqw_xmm_xmmm128: pcmpeqw, Pcmpeqd_xmm_xmmm128: pcmpeqd,
  Pcmpgtb_xmm_xmmm128: pcmpgtb, Pcmpgtw_xmm_xmmm128: pcmpgtw, Pcmpgtd_xmm_xmmm128: pcmpgtd,
  Pminub_xmm_xmmm128: pminub, Pmaxub_xmm_xmmm128: pmaxub, Pminsw_xmm_xmmm128: pminsw, Pmaxsw_xmm_xmmm128: pmaxsw,
  Pavgb_xmm_xmmm128: pavgb, Pavgw_xmm_xmmm128: pavgw,
  Pmullw_xmm_xmmm128: pmullw, Pmulhw_xmm_xmmm128: pmulhw, Pmulhuw_xmm_xmmm128: pmulhuw, Pmuludq_xmm_xmmm128: pmuludq,
  Psadbw_xmm_xmmm128: psadbw,
};
