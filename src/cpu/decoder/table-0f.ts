// Opcode table, part 2: the general-purpose and system rows of the two-byte (0F) map.
// SSE/MMX rows live in table-sse.ts; the format is documented in table-defs.ts.

import { Row, CC, hex2 } from './table-defs';

function ccRows(): Row[] {
  const r: Row[] = [];
  CC.forEach((c, i) => {
    r.push([`0F ${hex2(0x40 + i)}`, 'Gv,Ev', `Cmov${c}_r{v}_rm{v}`]);
    r.push([`0F ${hex2(0x80 + i)}`, 'Jz', `J${c}_rel16|J${c}_rel32_32|J${c}_rel32_64`, 'B f64']);
    r.push([`0F ${hex2(0x90 + i)}`, 'Eb', `Set${c}_rm8`]);
  });
  return r;
}

function nopRows(): Row[] {
  const r: Row[] = [];
  for (let op = 0x19; op <= 0x1f; op++) {
    const name = `Reservednop_rm{v}_r{v}_0F${hex2(op)}`;
    r.push([`0F ${hex2(op)}`, 'Ev,Gv', name]);
  }
  r.push(['0F 18', 'Ev,Gv', 'Reservednop_rm{v}_r{v}_0F18']);
  r.push(['0F 0D reg', 'Ev,Gv', 'Reservednop_rm{v}_r{v}_0F0D']);
  const pf18 = ['Prefetchnta_m8', 'Prefetcht0_m8', 'Prefetcht1_m8', 'Prefetcht2_m8', '', '', 'Prefetchit1_m8', 'Prefetchit0_m8'];
  pf18.forEach((n, i) => { if (n) r.push([`0F 18 /${i} mem`, 'Mb', n]); });
  const pf0d = ['Prefetch_m8', 'Prefetchw_m8', 'Prefetchwt1_m8', 'Prefetchreserved3_m8', 'Prefetchreserved4_m8',
    'Prefetchreserved5_m8', 'Prefetchreserved6_m8', 'Prefetchreserved7_m8'];
  pf0d.forEach((n, i) => r.push([`0F 0D /${i} mem`, 'Mb', n]));
  r.push(['0F 1F /0', 'Ev', 'Nop_rm{v}']);
  r.push(['NP 0F 1C /0 mem', 'Mb', 'Cldemote_m8']);
  r.push(['F3 0F 1E !FA', '', 'Endbr64'], ['F3 0F 1E !FB', '', 'Endbr32']);
  return r;
}

/** lfence/mfence/sfence: iced names the rm != 0 encodings separately (Lfence_E9 ...). */
function fenceRows(): Row[] {
  const r: Row[] = [];
  ['Lfence', 'Mfence', 'Sfence'].forEach((n, g) => {
    for (let rm = 0; rm < 8; rm++) {
      const b = 0xe8 + g * 8 + rm;
      r.push([`NP 0F AE !${hex2(b)}`, '', rm === 0 ? n : `${n}_${hex2(b)}`]);
    }
  });
  return r;
}

export const TWO_BYTE_ROWS: Row[] = [
  ...ccRows(), ...nopRows(),
  // group 6
  ['0F 00 /0', 'Ev', 'Sldt_rm16|Sldt_r32m16|Sldt_r64m16'],
  ['0F 00 /1', 'Ev', 'Str_rm16|Str_r32m16|Str_r64m16'],
  ['0F 00 /2', 'Ew', 'Lldt_rm16|Lldt_r32m16|Lldt_r64m16', 'B'],
  ['0F 00 /3', 'Ew', 'Ltr_rm16|Ltr_r32m16|Ltr_r64m16', 'B'],
  ['0F 00 /4', 'Ew', 'Verr_rm16|Verr_r32m16|Verr_r64m16'],
  ['0F 00 /5', 'Ew', 'Verw_rm16|Verw_r32m16|Verw_r64m16'],
  // group 7
  ['0F 01 /0 mem', 'Ms', 'Sgdt_m1632_16|Sgdt_m1632|Sgdt_m1664', 'f64'],
  ['0F 01 /1 mem', 'Ms', 'Sidt_m1632_16|Sidt_m1632|Sidt_m1664', 'f64'],
  ['0F 01 /2 mem', 'Ms', 'Lgdt_m1632_16|Lgdt_m1632|Lgdt_m1664', 'B f64'],
  ['0F 01 /3 mem', 'Ms', 'Lidt_m1632_16|Lidt_m1632|Lidt_m1664', 'B f64'],
  ['0F 01 /4', 'Ev', 'Smsw_rm16|Smsw_r32m16|Smsw_r64m16'],
  ['0F 01 /6', 'Ew', 'Lmsw_rm16|Lmsw_r32m16|Lmsw_r64m16', 'B'],
  ['0F 01 /7 mem', 'Mb', 'Invlpg_m', 'B'],
  ['NP 0F 01 !C8', '', 'Monitor{aw}'], ['NP 0F 01 !C9', '', 'Mwait'],
  ['NP 0F 01 !D0', '', 'Xgetbv'], ['NP 0F 01 !D1', '', 'Xsetbv', 'B'],
  ['0F 01 !F8', '', 'Swapgs', 'B o64'], ['0F 01 !F9', '', 'Rdtscp'],
  ['0F 02', 'Gv,Ew', 'Lar_r16_rm16|Lar_r32_r32m16|Lar_r64_r64m16'],
  ['0F 03', 'Gv,Ew', 'Lsl_r16_rm16|Lsl_r32_r32m16|Lsl_r64_r64m16'],
  ['0F 05', '', 'Syscall', 'B'], ['0F 06', '', 'Clts', 'B'], ['0F 07', '', 'Sysretd|Sysretd|Sysretq', 'B'],
  ['0F 08', '', 'Invd'], ['0F 09', '', 'Wbinvd'], ['0F 0B', '', 'Ud2', 'B'],
  ['0F 20', 'Ry,Cd', 'Mov_r{v}_cr', 'cr modreg crn'], ['0F 21', 'Ry,Dd', 'Mov_r{v}_dr', 'cr modreg drn'],
  ['0F 22', 'Cd,Ry', 'Mov_cr_r{v}', 'B cr modreg crn'], ['0F 23', 'Dd,Ry', 'Mov_dr_r{v}', 'B cr modreg drn'],
  ['0F 30', '', 'Wrmsr', 'B'], ['0F 31', '', 'Rdtsc'], ['0F 32', '', 'Rdmsr', 'B'], ['0F 33', '', 'Rdpmc'],
  ['0F 34', '', 'Sysenter', 'B'], ['0F 35', '', 'Sysexitd|Sysexitd|Sysexitq', 'B'],
  ['0F A0', 'FS', 'Push{w}_FS', 'd64'], ['0F A1', 'FS', 'Pop{w}_FS', 'B d64'], ['0F A2', '', 'Cpuid', 'B'],
  ['0F A3', 'Ev,Gv', 'Bt_rm{v}_r{v}'], ['0F A4', 'Ev,Gv,Ib', 'Shld_rm{v}_r{v}_imm8'], ['0F A5', 'Ev,Gv,CL', 'Shld_rm{v}_r{v}_CL'],
  ['0F A8', 'GS', 'Push{w}_GS', 'd64'], ['0F A9', 'GS', 'Pop{w}_GS', 'B d64'], ['0F AA', '', 'Rsm', 'B'],
  ['0F AB', 'Ev,Gv', 'Bts_rm{v}_r{v}', 'L'], ['0F AC', 'Ev,Gv,Ib', 'Shrd_rm{v}_r{v}_imm8'], ['0F AD', 'Ev,Gv,CL', 'Shrd_rm{v}_r{v}_CL'],
  // group 15
  ['NP 0F AE /0 mem', 'M', 'Fxsave_m512byte|Fxsave_m512byte|Fxsave64_m512byte'],
  ['NP 0F AE /1 mem', 'M', 'Fxrstor_m512byte|Fxrstor_m512byte|Fxrstor64_m512byte'],
  ['NP 0F AE /2 mem', 'Md', 'Ldmxcsr_m32'], ['NP 0F AE /3 mem', 'Md', 'Stmxcsr_m32'],
  ['NP 0F AE /4 mem', 'M', 'Xsave_mem|Xsave_mem|Xsave64_mem'], ['NP 0F AE /5 mem', 'M', 'Xrstor_mem|Xrstor_mem|Xrstor64_mem'],
  ['NP 0F AE /6 mem', 'M', 'Xsaveopt_mem|Xsaveopt_mem|Xsaveopt64_mem'], ['66 0F AE /6 mem', 'Mb', 'Clwb_m8'],
  ['NP 0F AE /7 mem', 'Mb', 'Clflush_m8'], ['66 0F AE /7 mem', 'Mb', 'Clflushopt_m8'],
  ...fenceRows(),
  ['F3 0F AE /0 reg', 'Ry', 'Rdfsbase_r{y}', 'o64'], ['F3 0F AE /1 reg', 'Ry', 'Rdgsbase_r{y}', 'o64'],
  ['F3 0F AE /2 reg', 'Ry', 'Wrfsbase_r{y}', 'o64'], ['F3 0F AE /3 reg', 'Ry', 'Wrgsbase_r{y}', 'o64'],
  ['0F AF', 'Gv,Ev', 'Imul_r{v}_rm{v}'],
  ['0F B0', 'Eb,Gb', 'Cmpxchg_rm8_r8', 'L'], ['0F B1', 'Ev,Gv', 'Cmpxchg_rm{v}_r{v}', 'L'],
  ['0F B2 mem', 'Gv,Mp', 'Lss_r16_m1616|Lss_r32_m1632|Lss_r64_m1664', 'B'],
  ['0F B3', 'Ev,Gv', 'Btr_rm{v}_r{v}', 'L'],
  ['0F B4 mem', 'Gv,Mp', 'Lfs_r16_m1616|Lfs_r32_m1632|Lfs_r64_m1664', 'B'],
  ['0F B5 mem', 'Gv,Mp', 'Lgs_r16_m1616|Lgs_r32_m1632|Lgs_r64_m1664', 'B'],
  ['0F B6', 'Gv,Eb', 'Movzx_r{v}_rm8'], ['0F B7', 'Gv,Ew', 'Movzx_r{v}_rm16'],
  ['F3 0F B8', 'Gv,Ev', 'Popcnt_r{v}_rm{v}'],
  ['0F B9', 'Gv,Ev', 'Ud1_r{v}_rm{v}', 'B'],
  ['0F BA /4', 'Ev,Ib', 'Bt_rm{v}_imm8'], ['0F BA /5', 'Ev,Ib', 'Bts_rm{v}_imm8', 'L'],
  ['0F BA /6', 'Ev,Ib', 'Btr_rm{v}_imm8', 'L'], ['0F BA /7', 'Ev,Ib', 'Btc_rm{v}_imm8', 'L'],
  ['0F BB', 'Ev,Gv', 'Btc_rm{v}_r{v}', 'L'],
  ['F3 0F BC', 'Gv,Ev', 'Tzcnt_r{v}_rm{v}'], ['0F BC', 'Gv,Ev', 'Bsf_r{v}_rm{v}'],
  ['F3 0F BD', 'Gv,Ev', 'Lzcnt_r{v}_rm{v}'], ['0F BD', 'Gv,Ev', 'Bsr_r{v}_rm{v}'],
  ['0F BE', 'Gv,Eb', 'Movsx_r{v}_rm8'], ['0F BF', 'Gv,Ew', 'Movsx_r{v}_rm16'],
  ['0F C0', 'Eb,Gb', 'Xadd_rm8_r8', 'L'], ['0F C1', 'Ev,Gv', 'Xadd_rm{v}_r{v}', 'L'],
  ['NP 0F C3 mem', 'My,Gy', 'Movnti_m32_r32|Movnti_m32_r32|Movnti_m64_r64'],
  ['0F C7 /1 mem', 'Mq', 'Cmpxchg8b_m64|Cmpxchg8b_m64|Cmpxchg16b_m128', 'L'],
  ['0F C8+r', 'Zv', 'Bswap_r{v}'],
  ['0F FF', 'Gv,Ev', 'Ud0_r{v}_rm{v}', 'B'],
];
