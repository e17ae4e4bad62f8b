// Opcode table, part 3: SSE/SSE2/SSE3/SSSE3 and MMX rows of the 0F, 0F 38 and 0F 3A maps, selected by the
// mandatory prefix (NP / 66 / F3 / F2). The format is documented in table-defs.ts.

import { Row, hex2 } from './table-defs';

/** Packed-single/double/scalar arithmetic: NP ps, 66 pd, F3 ss, F2 sd (Vx,Wx forms). */
function arith4(op: number, n: string, scalar = true): Row[] {
  const k = `0F ${hex2(op)}`;
  const r: Row[] = [
    [`NP ${k}`, 'Vx,Wx', `${n}ps_xmm_xmmm128`],
    [`66 ${k}`, 'Vx,Wx', `${n}pd_xmm_xmmm128`],
  ];
  if (scalar) r.push([`F3 ${k}`, 'Vx,Wss', `${n}ss_xmm_xmmm32`], [`F2 ${k}`, 'Vx,Wsd', `${n}sd_xmm_xmmm64`]);
  return r;
}

/** MMX (NP, mm) and SSE2 (66, xmm) forms of one integer instruction. */
function pint(map: string, op: number, n: string, mmSrc = 'mmm64'): Row[] {
  const k = `${map}${hex2(op)}`;
  return [
    [`NP ${k}`, mmSrc === 'mmm32' ? 'Pq,Qd' : 'Pq,Qq', `${n}_mm_${mmSrc}`],
    [`66 ${k}`, 'Vx,Wx', `${n}_xmm_xmmm128`],
  ];
}

function intBlock(): Row[] {
  const r: Row[] = [];
  const m = '0F ';
  const list: [number, string][] = [
    [0x63, 'Packsswb'], [0x64, 'Pcmpgtb'], [0x65, 'Pcmpgtw'], [0x66, 'Pcmpgtd'], [0x67, 'Packuswb'],
    [0x68, 'Punpckhbw'], [0x69, 'Punpckhwd'], [0x6a, 'Punpckhdq'], [0x6b, 'Packssdw'],
    [0x74, 'Pcmpeqb'], [0x75, 'Pcmpeqw'], [0x76, 'Pcmpeqd'],
    [0xd1, 'Psrlw'], [0xd2, 'Psrld'], [0xd3, 'Psrlq'], [0xd4, 'Paddq'], [0xd5, 'Pmullw'],
    [0xd8, 'Psubusb'], [0xd9, 'Psubusw'], [0xda, 'Pminub'], [0xdb, 'Pand'], [0xdc, 'Paddusb'], [0xdd, 'Paddusw'],
    [0xde, 'Pmaxub'], [0xdf, 'Pandn'], [0xe0, 'Pavgb'], [0xe1, 'Psraw'], [0xe2, 'Psrad'], [0xe3, 'Pavgw'],
    [0xe4, 'Pmulhuw'], [0xe5, 'Pmulhw'], [0xe8, 'Psubsb'], [0xe9, 'Psubsw'], [0xea, 'Pminsw'], [0xeb, 'Por'],
    [0xec, 'Paddsb'], [0xed, 'Paddsw'], [0xee, 'Pmaxsw'], [0xef, 'Pxor'], [0xf1, 'Psllw'], [0xf2, 'Pslld'],
    [0xf3, 'Psllq'], [0xf4, 'Pmuludq'], [0xf5, 'Pmaddwd'], [0xf6, 'Psadbw'], [0xf8, 'Psubb'], [0xf9, 'Psubw'],
    [0xfa, 'Psubd'], [0xfb, 'Psubq'], [0xfc, 'Paddb'], [0xfd, 'Paddw'], [0xfe, 'Paddd'],
  ];
  for (const [op, n] of list) r.push(...pint(m, op, n));
  r.push(...pint(m, 0x60, 'Punpcklbw', 'mmm32'), ...pint(m, 0x61, 'Punpcklwd', 'mmm32'),
    ...pint(m, 0x62, 'Punpckldq', 'mmm32'));
  r.push(['66 0F 6C', 'Vx,Wx', 'Punpcklqdq_xmm_xmmm128'], ['66 0F 6D', 'Vx,Wx', 'Punpckhqdq_xmm_xmmm128']);
  // shift groups 12/13/14
  const g: [number, number, string, boolean][] = [
    [0x71, 2, 'Psrlw', true], [0x71, 4, 'Psraw', true], [0x71, 6, 'Psllw', true],
    [0x72, 2, 'Psrld', true], [0x72, 4, 'Psrad', true], [0x72, 6, 'Pslld', true],
    [0x73, 2, 'Psrlq', true], [0x73, 3, 'Psrldq', false], [0x73, 6, 'Psllq', true], [0x73, 7, 'Pslldq', false],
  ];
  for (const [op, ext, n, mmx] of g) {
    if (mmx) r.push([`NP 0F ${hex2(op)} /${ext} reg`, 'Nq,Ib', `${n}_mm_imm8`]);
    r.push([`66 0F ${hex2(op)} /${ext} reg`, 'Ux,Ib', `${n}_xmm_imm8`]);
  }
  return r;
}

function ssse3(): Row[] {
  const r: Row[] = [];
  const l38: [number, string][] = [
    [0x00, 'Pshufb'], [0x01, 'Phaddw'], [0x02, 'Phaddd'], [0x03, 'Phaddsw'], [0x04, 'Pmaddubsw'], [0x05, 'Phsubw'],
    [0x06, 'Phsubd'], [0x07, 'Phsubsw'], [0x08, 'Psignb'], [0x09, 'Psignw'], [0x0a, 'Psignd'], [0x0b, 'Pmulhrsw'],
    [0x1c, 'Pabsb'], [0x1d, 'Pabsw'], [0x1e, 'Pabsd'],
  ];
  for (const [op, n] of l38) r.push(...pint('0F 38 ', op, n));
  r.push(['NP 0F 3A 0F', 'Pq,Qq,Ib', 'Palignr_mm_mmm64_imm8'], ['66 0F 3A 0F', 'Vx,Wx,Ib', 'Palignr_xmm_xmmm128_imm8']);
  return r;
}

export const SSE_ROWS: Row[] = [
  ...intBlock(), ...ssse3(),
  ['NP 0F 10', 'Vx,Wx', 'Movups_xmm_xmmm128'], ['66 0F 10', 'Vx,Wx', 'Movupd_xmm_xmmm128'],
  ['F3 0F 10', 'Vx,Wss', 'Movss_xmm_xmmm32'], ['F2 0F 10', 'Vx,Wsd', 'Movsd_xmm_xmmm64'],
  ['NP 0F 11', 'Wx,Vx', 'Movups_xmmm128_xmm'], ['66 0F 11', 'Wx,Vx', 'Movupd_xmmm128_xmm'],
  ['F3 0F 11', 'Wss,Vx', 'Movss_xmmm32_xmm'], ['F2 0F 11', 'Wsd,Vx', 'Movsd_xmmm64_xmm'],
  ['NP 0F 12 mem', 'Vx,Mq', 'Movlps_xmm_m64'], ['NP 0F 12 reg', 'Vx,Ux', 'Movhlps_xmm_xmm'],
  ['66 0F 12 mem', 'Vx,Mq', 'Movlpd_xmm_m64'], ['F3 0F 12', 'Vx,Wx', 'Movsldup_xmm_xmmm128'],
  ['F2 0F 12', 'Vx,Wsd', 'Movddup_xmm_xmmm64'],
  ['NP 0F 13 mem', 'Mq,Vx', 'Movlps_m64_xmm'], ['66 0F 13 mem', 'Mq,Vx', 'Movlpd_m64_xmm'],
  ['NP 0F 14', 'Vx,Wx', 'Unpcklps_xmm_xmmm128'], ['66 0F 14', 'Vx,Wx', 'Unpcklpd_xmm_xmmm128'],
  ['NP 0F 15', 'Vx,Wx', 'Unpckhps_xmm_xmmm128'], ['66 0F 15', 'Vx,Wx', 'Unpckhpd_xmm_xmmm128'],
  ['NP 0F 16 mem', 'Vx,Mq', 'Movhps_xmm_m64'], ['NP 0F 16 reg', 'Vx,Ux', 'Movlhps_xmm_xmm'],
  ['66 0F 16 mem', 'Vx,Mq', 'Movhpd_xmm_m64'], ['F3 0F 16', 'Vx,Wx', 'Movshdup_xmm_xmmm128'],
  ['NP 0F 17 mem', 'Mq,Vx', 'Movhps_m64_xmm'], ['66 0F 17 mem', 'Mq,Vx', 'Movhpd_m64_xmm'],
  ['NP 0F 28', 'Vx,Wx', 'Movaps_xmm_xmmm128'], ['66 0F 28', 'Vx,Wx', 'Movapd_xmm_xmmm128'],
  ['NP 0F 29', 'Wx,Vx', 'Movaps_xmmm128_xmm'], ['66 0F 29', 'Wx,Vx', 'Movapd_xmmm128_xmm'],
  ['NP 0F 2A', 'Vx,Qq', 'Cvtpi2ps_xmm_mmm64'], ['66 0F 2A', 'Vx,Qq', 'Cvtpi2pd_xmm_mmm64'],
  ['F3 0F 2A', 'Vx,Ey', 'Cvtsi2ss_xmm_rm32|Cvtsi2ss_xmm_rm32|Cvtsi2ss_xmm_rm64'],
  ['F2 0F 2A', 'Vx,Ey', 'Cvtsi2sd_xmm_rm32|Cvtsi2sd_xmm_rm32|Cvtsi2sd_xmm_rm64'],
  ['NP 0F 2B mem', 'Mx,Vx', 'Movntps_m128_xmm'], ['66 0F 2B mem', 'Mx,Vx', 'Movntpd_m128_xmm'],
  ['NP 0F 2C', 'Pq,Wq', 'Cvttps2pi_mm_xmmm64'], ['66 0F 2C', 'Pq,Wx', 'Cvttpd2pi_mm_xmmm128'],
  ['F3 0F 2C', 'Gy,Wss', 'Cvttss2si_r32_xmmm32|Cvttss2si_r32_xmmm32|Cvttss2si_r64_xmmm32'],
  ['F2 0F 2C', 'Gy,Wsd', 'Cvttsd2si_r32_xmmm64|Cvttsd2si_r32_xmmm64|Cvttsd2si_r64_xmmm64'],
  ['NP 0F 2D', 'Pq,Wq', 'Cvtps2pi_mm_xmmm64'], ['66 0F 2D', 'Pq,Wx', 'Cvtpd2pi_mm_xmmm128'],
  ['F3 0F 2D', 'Gy,Wss', 'Cvtss2si_r32_xmmm32|Cvtss2si_r32_xmmm32|Cvtss2si_r64_xmmm32'],
  ['F2 0F 2D', 'Gy,Wsd', 'Cvtsd2si_r32_xmmm64|Cvtsd2si_r32_xmmm64|Cvtsd2si_r64_xmmm64'],
  ['NP 0F 2E', 'Vx,Wss', 'Ucomiss_xmm_xmmm32'], ['66 0F 2E', 'Vx,Wsd', 'Ucomisd_xmm_xmmm64'],
  ['NP 0F 2F', 'Vx,Wss', 'Comiss_xmm_xmmm32'], ['66 0F 2F', 'Vx,Wsd', 'Comisd_xmm_xmmm64'],
  ['NP 0F 50 reg', 'Gy,Ux', 'Movmskps_r32_xmm|Movmskps_r32_xmm|Movmskps_r64_xmm'],
  ['66 0F 50 reg', 'Gy,Ux', 'Movmskpd_r32_xmm|Movmskpd_r32_xmm|Movmskpd_r64_xmm'],
  ...arith4(0x51, 'Sqrt'),
  ['NP 0F 52', 'Vx,Wx', 'Rsqrtps_xmm_xmmm128'], ['F3 0F 52', 'Vx,Wss', 'Rsqrtss_xmm_xmmm32'],
  ['NP 0F 53', 'Vx,Wx', 'Rcpps_xmm_xmmm128'], ['F3 0F 53', 'Vx,Wss', 'Rcpss_xmm_xmmm32'],
  ...arith4(0x54, 'And', false), ...arith4(0x55, 'Andn', false), ...arith4(0x56, 'Or', false), ...arith4(0x57, 'Xor', false),
  ...arith4(0x58, 'Add'), ...arith4(0x59, 'Mul'),
  ['NP 0F 5A', 'Vx,Wq', 'Cvtps2pd_xmm_xmmm64'], ['66 0F 5A', 'Vx,Wx', 'Cvtpd2ps_xmm_xmmm128'],
  ['F3 0F 5A', 'Vx,Wss', 'Cvtss2sd_xmm_xmmm32'], ['F2 0F 5A', 'Vx,Wsd', 'Cvtsd2ss_xmm_xmmm64'],
  ['NP 0F 5B', 'Vx,Wx', 'Cvtdq2ps_xmm_xmmm128'], ['66 0F 5B', 'Vx,Wx', 'Cvtps2dq_xmm_xmmm128'],
  ['F3 0F 5B', 'Vx,Wx', 'Cvttps2dq_xmm_xmmm128'],
  ...arith4(0x5c, 'Sub'), ...arith4(0x5d, 'Min'), ...arith4(0x5e, 'Div'), ...arith4(0x5f, 'Max'),
  ['NP 0F 6E', 'Pq,Ey', 'Movd_mm_rm32|Movd_mm_rm32|Movq_mm_rm64'],
  ['66 0F 6E', 'Vx,Ey', 'Movd_xmm_rm32|Movd_xmm_rm32|Movq_xmm_rm64'],
  ['NP 0F 6F', 'Pq,Qq', 'Movq_mm_mmm64'], ['66 0F 6F', 'Vx,Wx', 'Movdqa_xmm_xmmm128'],
  ['F3 0F 6F', 'Vx,Wx', 'Movdqu_xmm_xmmm128'],
  ['NP 0F 70', 'Pq,Qq,Ib', 'Pshufw_mm_mmm64_imm8'], ['66 0F 70', 'Vx,Wx,Ib', 'Pshufd_xmm_xmmm128_imm8'],
  ['F3 0F 70', 'Vx,Wx,Ib', 'Pshufhw_xmm_xmmm128_imm8'], ['F2 0F 70', 'Vx,Wx,Ib', 'Pshuflw_xmm_xmmm128_imm8'],
  ['NP 0F 77', '', 'Emms'],
  ['66 0F 7C', 'Vx,Wx', 'Haddpd_xmm_xmmm128'], ['F2 0F 7C', 'Vx,Wx', 'Haddps_xmm_xmmm128'],
  ['66 0F 7D', 'Vx,Wx', 'Hsubpd_xmm_xmmm128'], ['F2 0F 7D', 'Vx,Wx', 'Hsubps_xmm_xmmm128'],
  ['NP 0F 7E', 'Ey,Pq', 'Movd_rm32_mm|Movd_rm32_mm|Movq_rm64_mm'],
  ['66 0F 7E', 'Ey,Vx', 'Movd_rm32_xmm|Movd_rm32_xmm|Movq_rm64_xmm'],
  ['F3 0F 7E', 'Vx,Wq', 'Movq_xmm_xmmm64'],
  ['NP 0F 7F', 'Qq,Pq', 'Movq_mmm64_mm'], ['66 0F 7F', 'Wx,Vx', 'Movdqa_xmmm128_xmm'],
  ['F3 0F 7F', 'Wx,Vx', 'Movdqu_xmmm128_xmm'],
  ['NP 0F C2', 'Vx,Wx,Ib', 'Cmpps_xmm_xmmm128_imm8'], ['66 0F C2', 'Vx,Wx,Ib', 'Cmppd_xmm_xmmm128_imm8'],
  ['F3 0F C2', 'Vx,Wss,Ib', 'Cmpss_xmm_xmmm32_imm8'], ['F2 0F C2', 'Vx,Wsd,Ib', 'Cmpsd_xmm_xmmm64_imm8'],
  ['NP 0F C4', 'Pq,Ew,Ib', 'Pinsrw_mm_r32m16_imm8|Pinsrw_mm_r32m16_imm8|Pinsrw_mm_r64m16_imm8'],
  ['66 0F C4', 'Vx,Ew,Ib', 'Pinsrw_xmm_r32m16_imm8|Pinsrw_xmm_r32m16_imm8|Pinsrw_xmm_r64m16_imm8'],
  ['NP 0F C5 reg', 'Gy,Nq,Ib', 'Pextrw_r32_mm_imm8|Pextrw_r32_mm_imm8|Pextrw_r64_mm_imm8'],
  ['66 0F C5 reg', 'Gy,Ux,Ib', 'Pextrw_r32_xmm_imm8|Pextrw_r32_xmm_imm8|Pextrw_r64_xmm_imm8'],
  ['NP 0F C6', 'Vx,Wx,Ib', 'Shufps_xmm_xmmm128_imm8'], ['66 0F C6', 'Vx,Wx,Ib', 'Shufpd_xmm_xmmm128_imm8'],
  ['66 0F D0', 'Vx,Wx', 'Addsubpd_xmm_xmmm128'], ['F2 0F D0', 'Vx,Wx', 'Addsubps_xmm_xmmm128'],
  ['66 0F D6', 'Wq,Vx', 'Movq_xmmm64_xmm'], ['F3 0F D6 reg', 'Vx,Nq', 'Movq2dq_xmm_mm'],
  ['F2 0F D6 reg', 'Pq,Ux', 'Movdq2q_mm_xmm'],
  ['NP 0F D7 reg', 'Gy,Nq', 'Pmovmskb_r32_mm|Pmovmskb_r32_mm|Pmovmskb_r64_mm'],
  ['66 0F D7 reg', 'Gy,Ux', 'Pmovmskb_r32_xmm|Pmovmskb_r32_xmm|Pmovmskb_r64_xmm'],
  ['66 0F E6', 'Vx,Wx', 'Cvttpd2dq_xmm_xmmm128'], ['F3 0F E6', 'Vx,Wq', 'Cvtdq2pd_xmm_xmmm64'],
  ['F2 0F E6', 'Vx,Wx', 'Cvtpd2dq_xmm_xmmm128'],
  ['NP 0F E7 mem', 'Mq,Pq', 'Movntq_m64_mm'], ['66 0F E7 mem', 'Mx,Vx', 'Movntdq_m128_xmm'],
  ['F2 0F F0 mem', 'Vx,Mx', 'Lddqu_xmm_m128'],
  ['NP 0F F7 reg', 'DI,Pq,Nq', 'Maskmovq_rDI_mm_mm'], ['66 0F F7 reg', 'DI,Vx,Ux', 'Maskmovdqu_rDI_xmm_xmm'],
];
