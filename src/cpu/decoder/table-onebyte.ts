// Opcode table, part 1: the one-byte opcode map (general-purpose instructions and the x87 escapes D8-DF).
// Rows follow the format documented in table-defs.ts.

import { Row, CC, hex2 } from './table-defs';

const ALU = ['Add', 'Or', 'Adc', 'Sbb', 'And', 'Sub', 'Xor', 'Cmp'];
const SHIFT = ['Rol', 'Ror', 'Rcl', 'Rcr', 'Shl', 'Shr', 'Sal', 'Sar'];

function aluRows(): Row[] {
  const r: Row[] = [];
  ALU.forEach((n, i) => {
    const b = i * 8, l = n === 'Cmp' ? '' : 'L';
    r.push([hex2(b), 'Eb,Gb', `${n}_rm8_r8`, l]);
    r.push([hex2(b + 1), 'Ev,Gv', `${n}_rm{v}_r{v}`, l]);
    r.push([hex2(b + 2), 'Gb,Eb', `${n}_r8_rm8`]);
    r.push([hex2(b + 3), 'Gv,Ev', `${n}_r{v}_rm{v}`]);
    r.push([hex2(b + 4), 'AL,Ib', `${n}_AL_imm8`]);
    r.push([hex2(b + 5), 'rAX,Iz', `${n}_{ax}_imm{z}`]);
    r.push([`80 /${i}`, 'Eb,Ib', `${n}_rm8_imm8`, l]);
    r.push([`81 /${i}`, 'Ev,Iz', `${n}_rm{v}_imm{z}`, l]);
    r.push([`82 /${i}`, 'Eb,Ib', `${n}_rm8_imm8_82`, l + ' i64']);
    r.push([`83 /${i}`, 'Ev,Ibs', `${n}_rm{v}_imm8`, l]);
  });
  return r;
}

function shiftRows(): Row[] {
  const r: Row[] = [];
  SHIFT.forEach((n, i) => {
    r.push([`C0 /${i}`, 'Eb,Ib', `${n}_rm8_imm8`]);
    r.push([`C1 /${i}`, 'Ev,Ib', `${n}_rm{v}_imm8`]);
    r.push([`D0 /${i}`, 'Eb,1', `${n}_rm8_1`]);
    r.push([`D1 /${i}`, 'Ev,1', `${n}_rm{v}_1`]);
    r.push([`D2 /${i}`, 'Eb,CL', `${n}_rm8_CL`]);
    r.push([`D3 /${i}`, 'Ev,CL', `${n}_rm{v}_CL`]);
  });
  return r;
}

function jccRows(): Row[] {
  return CC.map((c, i): Row => [hex2(0x70 + i), 'Jb', `J${c}_rel8_{v}`, 'B f64']);
}

function sregRows(): Row[] {
  const r: Row[] = [];
  const segs = ['ES', 'CS', 'SS', 'DS'];
  segs.forEach((s, i) => {
    r.push([hex2(i * 8 + 6), s, `Push{w}_${s}`, 'i64']);
    if (s !== 'CS') r.push([hex2(i * 8 + 7), s, `Pop{w}_${s}`, 'i64 B']);
  });
  return r;
}

function x87Rows(): Row[] {
  const r: Row[] = [];
  const arith = ['add', 'mul', 'com', 'comp', 'sub', 'subr', 'div', 'divr'];
  arith.forEach((n, i) => {
    r.push([`D8 /${i} mem`, 'Md', `F${n}_m32fp`]);
    r.push([`D8 /${i} reg`, 'ST,STi', `F${n}_st0_sti`]);
    r.push([`DC /${i} mem`, 'Mq', `F${n}_m64fp`]);
    r.push([`DA /${i} mem`, 'Md', `Fi${n}_m32int`]);
    r.push([`DE /${i} mem`, 'Mw', `Fi${n}_m16int`]);
  });
  const dcReg = ['Fadd_sti_st0', 'Fmul_sti_st0', 'Fcom_st0_sti_DCD0', 'Fcomp_st0_sti_DCD8',
    'Fsubr_sti_st0', 'Fsub_sti_st0', 'Fdivr_sti_st0', 'Fdiv_sti_st0'];
  const ord = (n: string): string => (n.indexOf('_st0_sti') >= 0 ? 'ST,STi' : 'STi,ST');
  dcReg.forEach((n, i) => r.push([`DC /${i} reg`, ord(n), n]));
  const deReg = ['Faddp_sti_st0', 'Fmulp_sti_st0', 'Fcomp_st0_sti_DED0', '', 'Fsubrp_sti_st0',
    'Fsubp_sti_st0', 'Fdivrp_sti_st0', 'Fdivp_sti_st0'];
  deReg.forEach((n, i) => { if (n) r.push([`DE /${i} reg`, ord(n), n]); });
  r.push(['DE !D9', '', 'Fcompp']);
  // D9
  r.push(['D9 /0 mem', 'Md', 'Fld_m32fp'], ['D9 /0 reg', 'STi', 'Fld_sti'], ['D9 /1 reg', 'ST,STi', 'Fxch_st0_sti'],
    ['D9 /2 mem', 'Md', 'Fst_m32fp'], ['D9 !D0', '', 'Fnop'], ['D9 /3 mem', 'Md', 'Fstp_m32fp'],
    ['D9 /3 reg', 'STi', 'Fstpnce_sti'], ['D9 /4 mem', 'M', 'Fldenv_m14byte|Fldenv_m28byte|Fldenv_m28byte'],
    ['D9 /5 mem', 'Mw', 'Fldcw_m2byte'], ['D9 /6 mem', 'M', 'Fnstenv_m14byte|Fnstenv_m28byte|Fnstenv_m28byte'],
    ['D9 /7 mem', 'Mw', 'Fnstcw_m2byte']);
  const d9 = ['Fchs', 'Fabs', '', '', 'Ftst', 'Fxam', '', '', 'Fld1', 'Fldl2t', 'Fldl2e', 'Fldpi', 'Fldlg2', 'Fldln2',
    'Fldz', '', 'F2xm1', 'Fyl2x', 'Fptan', 'Fpatan', 'Fxtract', 'Fprem1', 'Fdecstp', 'Fincstp', 'Fprem', 'Fyl2xp1',
    'Fsqrt', 'Fsincos', 'Frndint', 'Fscale', 'Fsin', 'Fcos'];
  d9.forEach((n, i) => { if (n) r.push([`D9 !${hex2(0xe0 + i)}`, '', n]); });
  // DA
  ['b', 'e', 'be', 'u'].forEach((c, i) => r.push([`DA /${i} reg`, 'ST,STi', `Fcmov${c}_st0_sti`]));
  r.push(['DA !E9', '', 'Fucompp']);
  // DB
  ['nb', 'ne', 'nbe', 'nu'].forEach((c, i) => r.push([`DB /${i} reg`, 'ST,STi', `Fcmov${c}_st0_sti`]));
  r.push(['DB /0 mem', 'Md', 'Fild_m32int'], ['DB /1 mem', 'Md', 'Fisttp_m32int'], ['DB /2 mem', 'Md', 'Fist_m32int'],
    ['DB /3 mem', 'Md', 'Fistp_m32int'], ['DB /5 mem', 'M', 'Fld_m80fp'], ['DB /7 mem', 'M', 'Fstp_m80fp'],
    ['DB !E0', '', 'Fneni'], ['DB !E1', '', 'Fndisi'], ['DB !E2', '', 'Fnclex'], ['DB !E3', '', 'Fninit'],
    ['DB !E4', '', 'Fnsetpm'], ['DB /5 reg', 'ST,STi', 'Fucomi_st0_sti'], ['DB /6 reg', 'ST,STi', 'Fcomi_st0_sti']);
  // DD
  r.push(['DD /0 mem', 'Mq', 'Fld_m64fp'], ['DD /1 mem', 'Mq', 'Fisttp_m64int'], ['DD /2 mem', 'Mq', 'Fst_m64fp'],
    ['DD /3 mem', 'Mq', 'Fstp_m64fp'], ['DD /4 mem', 'M', 'Frstor_m94byte|Frstor_m108byte|Frstor_m108byte'],
    ['DD /6 mem', 'M', 'Fnsave_m94byte|Fnsave_m108byte|Fnsave_m108byte'], ['DD /7 mem', 'Mw', 'Fnstsw_m2byte'],
    ['DD /0 reg', 'STi', 'Ffree_sti'], ['DD /1 reg', 'ST,STi', 'Fxch_st0_sti_DDC8'], ['DD /2 reg', 'STi', 'Fst_sti'],
    ['DD /3 reg', 'STi', 'Fstp_sti'], ['DD /4 reg', 'ST,STi', 'Fucom_st0_sti'], ['DD /5 reg', 'ST,STi', 'Fucomp_st0_sti']);
  // DF
  r.push(['DF /0 mem', 'Mw', 'Fild_m16int'], ['DF /1 mem', 'Mw', 'Fisttp_m16int'], ['DF /2 mem', 'Mw', 'Fist_m16int'],
    ['DF /3 mem', 'Mw', 'Fistp_m16int'], ['DF /4 mem', 'M', 'Fbld_m80bcd'], ['DF /5 mem', 'Mq', 'Fild_m64int'],
    ['DF /6 mem', 'M', 'Fbstp_m80bcd'], ['DF /7 mem', 'Mq', 'Fistp_m64int'], ['DF /0 reg', 'STi', 'Ffreep_sti'],
    ['DF /1 reg', 'ST,STi', 'Fxch_st0_sti_DFC8'], ['DF /2 reg', 'STi', 'Fstp_sti_DFD0'],
    ['DF /3 reg', 'STi', 'Fstp_sti_DFD8'], ['DF !E0', 'AX', 'Fnstsw_AX'], ['DF /5 reg', 'ST,STi', 'Fucomip_st0_sti'],
    ['DF /6 reg', 'ST,STi', 'Fcomip_st0_sti']);
  return r;
}

function groupRows(): Row[] {
  const r: Row[] = [];
  const g3 = ['Test', 'Test', 'Not', 'Neg', 'Mul', 'Imul', 'Div', 'Idiv'];
  g3.forEach((n, i) => {
    if (i === 0) { r.push(['F6 /0', 'Eb,Ib', 'Test_rm8_imm8'], ['F7 /0', 'Ev,Iz', 'Test_rm{v}_imm{z}']); return; }
    if (i === 1) { r.push(['F6 /1', 'Eb,Ib', 'Test_rm8_imm8_F6r1'], ['F7 /1', 'Ev,Iz', 'Test_rm{v}_imm{z}_F7r1']); return; }
    const l = i <= 3 ? 'L' : '';
    r.push([`F6 /${i}`, 'Eb', `${n}_rm8`, l], [`F7 /${i}`, 'Ev', `${n}_rm{v}`, l]);
  });
  r.push(['FE /0', 'Eb', 'Inc_rm8', 'L'], ['FE /1', 'Eb', 'Dec_rm8', 'L'],
    ['FF /0', 'Ev', 'Inc_rm{v}', 'L'], ['FF /1', 'Ev', 'Dec_rm{v}', 'L'],
    ['FF /2', 'Ev', 'Call_rm{v}', 'B f64'], ['FF /3 mem', 'Mp', 'Call_m1616|Call_m1632|Call_m1664', 'B'],
    ['FF /4', 'Ev', 'Jmp_rm{v}', 'B f64'], ['FF /5 mem', 'Mp', 'Jmp_m1616|Jmp_m1632|Jmp_m1664', 'B'],
    ['FF /6', 'Ev', 'Push_rm{v}', 'd64']);
  return r;
}

export const ONE_BYTE_ROWS: Row[] = [
  ...aluRows(), ...shiftRows(), ...jccRows(), ...sregRows(), ...x87Rows(), ...groupRows(),
  ['27', '', 'Daa', 'i64'], ['2F', '', 'Das', 'i64'], ['37', '', 'Aaa', 'i64'], ['3F', '', 'Aas', 'i64'],
  ['40+r', 'Zv', 'Inc_r{v}', 'i64'], ['48+r', 'Zv', 'Dec_r{v}', 'i64'],
  ['50+r', 'Zv', 'Push_r{v}', 'd64'], ['58+r', 'Zv', 'Pop_r{v}', 'd64'],
  ['60', '', 'Pushaw|Pushad|Pushad', 'i64'], ['61', '', 'Popaw|Popad|Popad', 'i64'],
  ['62 mem', 'Gv,M', 'Bound_r16_m1616|Bound_r32_m3232|Bound_r32_m3232', 'i64'],
  ['63', 'Gv,Ed', 'Movsxd_r16_rm16|Movsxd_r32_rm32|Movsxd_r64_rm32', 'o64'],
  ['63', 'Ew,Gw', 'Arpl_rm16_r16|Arpl_r32m16_r32|Arpl_r32m16_r32', 'i64'],
  ['68', 'Iz', 'Push_imm16|Pushd_imm32|Pushq_imm32', 'd64'],
  ['69', 'Gv,Ev,Iz', 'Imul_r{v}_rm{v}_imm{z}'],
  ['6A', 'Ibs', 'Push{w}_imm8', 'd64'],
  ['6B', 'Gv,Ev,Ibs', 'Imul_r{v}_rm{v}_imm8'],
  ['6C', 'Yb,DX', 'Insb_m8_DX', 'B'], ['6D', 'Yz,DX', 'Ins{w}_m{v}_DX', 'B no64'],
  ['6E', 'DX,Xb', 'Outsb_DX_m8', 'B'], ['6F', 'DX,Xz', 'Outs{w}_DX_m{v}', 'B no64'],
  ['84', 'Eb,Gb', 'Test_rm8_r8'], ['85', 'Ev,Gv', 'Test_rm{v}_r{v}'],
  ['86', 'Eb,Gb', 'Xchg_rm8_r8', 'L'], ['87', 'Ev,Gv', 'Xchg_rm{v}_r{v}', 'L'],
  ['88', 'Eb,Gb', 'Mov_rm8_r8'], ['89', 'Ev,Gv', 'Mov_rm{v}_r{v}'],
  ['8A', 'Gb,Eb', 'Mov_r8_rm8'], ['8B', 'Gv,Ev', 'Mov_r{v}_rm{v}'],
  ['8C', 'Ev,Sw', 'Mov_rm16_Sreg|Mov_r32m16_Sreg|Mov_r64m16_Sreg', 'sreg'],
  ['8D mem', 'Gv,M', 'Lea_r{v}_m'],
  ['8E', 'Sw,Ew', 'Mov_Sreg_rm16|Mov_Sreg_r32m16|Mov_Sreg_r64m16', 'B sregw'],
  ['8F /0', 'Ev', 'Pop_rm{v}', 'd64'],
  ['F3 90', '', 'Pause'], ['90', '', 'Nopw|Nopd|Nopq'],
  ['91', 'Zv,rAX', 'Xchg_r{v}_{ax}'], ['92', 'Zv,rAX', 'Xchg_r{v}_{ax}'], ['93', 'Zv,rAX', 'Xchg_r{v}_{ax}'],
  ['94', 'Zv,rAX', 'Xchg_r{v}_{ax}'], ['95', 'Zv,rAX', 'Xchg_r{v}_{ax}'], ['96', 'Zv,rAX', 'Xchg_r{v}_{ax}'],
  ['97', 'Zv,rAX', 'Xchg_r{v}_{ax}'],
  ['98', '', 'Cbw|Cwde|Cdqe'], ['99', '', 'Cwd|Cdq|Cqo'],
  ['9A', 'Ap', 'Call_ptr1616|Call_ptr1632|Call_ptr1632', 'B i64'],
  ['9B', '', 'Wait'], ['9C', '', 'Pushf{w}', 'd64'], ['9D', '', 'Popf{w}', 'B d64'], ['9E', '', 'Sahf'], ['9F', '', 'Lahf'],
  ['A0', 'AL,Ob', 'Mov_AL_moffs8'], ['A1', 'rAX,Ov', 'Mov_{ax}_moffs{v}'],
  ['A2', 'Ob,AL', 'Mov_moffs8_AL'], ['A3', 'Ov,rAX', 'Mov_moffs{v}_{ax}'],
  ['A4', 'Yb,Xb', 'Movsb_m8_m8'], ['A5', 'Yv,Xv', 'Movs{w}_m{v}_m{v}'],
  ['A6', 'Xb,Yb', 'Cmpsb_m8_m8'], ['A7', 'Xv,Yv', 'Cmps{w}_m{v}_m{v}'],
  ['A8', 'AL,Ib', 'Test_AL_imm8'], ['A9', 'rAX,Iz', 'Test_{ax}_imm{z}'],
  ['AA', 'Yb,AL', 'Stosb_m8_AL'], ['AB', 'Yv,rAX', 'Stos{w}_m{v}_{ax}'],
  ['AC', 'AL,Xb', 'Lodsb_AL_m8'], ['AD', 'rAX,Xv', 'Lods{w}_{ax}_m{v}'],
  ['AE', 'AL,Yb', 'Scasb_AL_m8'], ['AF', 'rAX,Yv', 'Scas{w}_{ax}_m{v}'],
  ['B0+r', 'Zb,Ib', 'Mov_r8_imm8'], ['B8+r', 'Zv,Iv', 'Mov_r{v}_imm{v}'],
  ['C2', 'Iw', 'Retn{w}_imm16', 'B f64'], ['C3', '', 'Retn{w}', 'B f64'],
  ['C4 mem', 'Gv,Mp', 'Les_r16_m1616|Les_r32_m1632|Les_r32_m1632', 'B i64'],
  ['C5 mem', 'Gv,Mp', 'Lds_r16_m1616|Lds_r32_m1632|Lds_r32_m1632', 'B i64'],
  ['C6 /0', 'Eb,Ib', 'Mov_rm8_imm8'], ['C7 /0', 'Ev,Iz', 'Mov_rm{v}_imm{z}'],
  ['C8', 'Iw,Ib', 'Enter{w}_imm16_imm8', 'd64'], ['C9', '', 'Leave{w}', 'd64'],
  ['CA', 'Iw', 'Retf{w}_imm16', 'B'], ['CB', '', 'Retf{w}', 'B'],
  ['CC', '', 'Int3', 'B'], ['CD', 'Ib', 'Int_imm8', 'B'], ['CE', '', 'Into', 'B i64'], ['CF', '', 'Iret{w}', 'B'],
  ['D4', 'Ib', 'Aam_imm8', 'i64'], ['D5', 'Ib', 'Aad_imm8', 'i64'], ['D6', '', 'Salc', 'i64'], ['D7', 'XLAT', 'Xlat_m8'],
  ['E0', 'Jb', 'Loopne_rel8_{v}_{acx}', 'B f64'], ['E1', 'Jb', 'Loope_rel8_{v}_{acx}', 'B f64'],
  ['E2', 'Jb', 'Loop_rel8_{v}_{acx}', 'B f64'], ['E3', 'Jb', 'J{acl}z_rel8_{v}', 'B f64'],
  ['E4', 'AL,Ib', 'In_AL_imm8', 'B'], ['E5', 'eAX,Ib', 'In_{ax}_imm8', 'B no64'],
  ['E6', 'Ib,AL', 'Out_imm8_AL', 'B'], ['E7', 'Ib,eAX', 'Out_imm8_{ax}', 'B no64'],
  ['E8', 'Jz', 'Call_rel16|Call_rel32_32|Call_rel32_64', 'B f64'],
  ['E9', 'Jz', 'Jmp_rel16|Jmp_rel32_32|Jmp_rel32_64', 'B f64'],
  ['EA', 'Ap', 'Jmp_ptr1616|Jmp_ptr1632|Jmp_ptr1632', 'B i64'],
  ['EB', 'Jb', 'Jmp_rel8_{v}', 'B f64'],
  ['EC', 'AL,DX', 'In_AL_DX', 'B'], ['ED', 'eAX,DX', 'In_{ax}_DX', 'B no64'],
  ['EE', 'DX,AL', 'Out_DX_AL', 'B'], ['EF', 'DX,eAX', 'Out_DX_{ax}', 'B no64'],
  ['F1', '', 'Int1', 'B'], ['F4', '', 'Hlt', 'B'], ['F5', '', 'Cmc'],
  ['F8', '', 'Clc'], ['F9', '', 'Stc'], ['FA', '', 'Cli', 'B'], ['FB', '', 'Sti', 'B'], ['FC', '', 'Cld'], ['FD', '', 'Std'],
];

