// The assembler's predefined Xen constants come from src/xen/public (same names, same values), FLAT_* and the
// virtual ranges follow the guest ABI (bits option or first .code32/.code64); macro arguments bind like GNU as.

import * as assert from 'assert';
import { assemble, AsmOptions, AsmResult, predefinedSymbols } from '../../../src/asm';
import * as XenPublic from '../../../src/xen/public';
import * as AbiNames from '../../../src/xen/public/abi-names';
import { macroArgValue } from '../../../src/asm/source';
import { readElf } from '../../fixtures/asm/elf-read';

function asm(src: string, opts: Partial<AsmOptions> = {}): AsmResult {
  const r = assemble(src, { fileName: 't.s', ...opts });
  assert.ok(r.ok, r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return r;
}
const data = (r: AsmResult, name = '.data'): string => Buffer.from(readElf(r.elf!).sections.get(name)!.data).toString('hex');
const le = (v: number, bytes: number): string => Buffer.from(BigInt.asUintN(bytes * 8, BigInt(v)).toString(16).padStart(bytes * 2, '0'), 'hex').reverse().toString('hex');

describe('asm: predefined Xen constants from src/xen/public', () => {
  it('every predefined symbol is a src/xen/public constant with the same value (no second table)', () => {
    const pub: Record<string, unknown> = { ...XenPublic, ...AbiNames };
    for (const bits of [64, 32] as const) {
      const p = predefinedSymbols(bits);
      assert.ok(p.size > 300, `${p.size} symbols`);
      for (const [name, v] of p) {
        if (/^XEN_E[A-Z0-9]+$/.test(name)) { // public/errno.h's assembler spelling of EINVAL...
          assert.strictEqual(BigInt(pub[name.slice(4)] as number), v, name);
          continue;
        }
        if (name in AbiNames.ABI_NAMES[bits === 64 ? 'pv64' : 'pv32pae']) {
          assert.strictEqual(BigInt(AbiNames.ABI_NAMES[bits === 64 ? 'pv64' : 'pv32pae'][name]), v, name);
          continue;
        }
        assert.strictEqual(typeof pub[name], 'number', `${name} is exported by src/xen/public`);
        assert.strictEqual(BigInt(pub[name] as number), v, name);
      }
    }
  });

  it('the families a PV guest writer reaches for', () => {
    const p = predefinedSymbols();
    const expect: Record<string, number> = {
      XENVER_version: 0, XENVER_get_features: 6, EVTCHNOP_send: 4, EVTCHNOP_bind_virq: 1, VIRQ_TIMER: 0, VIRQ_CONSOLE: 2,
      VCPUOP_up: 1, VCPUOP_register_vcpu_info: 10, GNTTABOP_setup_table: 2, SCHEDOP_shutdown: 2, SHUTDOWN_crash: 3,
      CONSOLEIO_write: 0, MMUEXT_PIN_L4_TABLE: 3, MMUEXT_NEW_USER_BASEPTR: 15, MMU_MACHPHYS_UPDATE: 1, UVMF_INVLPG: 2,
      CALLBACKTYPE_syscall: 2, CALLBACKOP_register: 0, CALLBACKF_mask_events: 1, VMASST_TYPE_writable_pagetables: 2,
      XENMEM_populate_physmap: 6, XENMEM_memory_map: 9, DOMID_SELF: 0x7ff0, SEGBASE_GS_USER_SEL: 3, XENFEAT_dom0: 11,
      XEN_ELFNOTE_PHYS32_ENTRY: 18, FIRST_RESERVED_GDT_ENTRY: 0x1c00, XEN_EINVAL: 22, XEN_ENOSYS: 38, GNTST_bad_domain: -2,
    };
    for (const [k, v] of Object.entries(expect)) assert.strictEqual(p.get(k), BigInt(v), k);
    for (const absent of ['__HYPERVISOR_CS', 'HYPERCALL_STUB_SIZE', 'EVTCHN_2L_NR_CHANNELS_PV64', 'PV64_FLAT_KERNEL_CS', 'EINVAL']) {
      assert.ok(!p.has(absent), `${absent} is not a Xen header name for guests`);
    }
  });

  it('FLAT_* selectors follow xen-x86_64.h for pv64 images', () => {
    const r = asm('.data\n.word FLAT_KERNEL_CS, FLAT_KERNEL_SS, FLAT_KERNEL_DS, FLAT_USER_CS, FLAT_RING3_CS32, FLAT_USER_DS32\n.quad HYPERVISOR_VIRT_START, MACH2PHYS_VIRT_END\n');
    assert.strictEqual(data(r), [0xe033, 0xe02b, 0, 0xe033, 0xe023, 0xe02b].map((v) => le(v, 2)).join('') + le(-0x800000000000, 8) + le(-0x7fc000000000, 8));
    const bad = assemble('.data\n.word FLAT_RING1_CS\n', { fileName: 't.s' });
    assert.match(bad.diagnostics.map((d) => d.message).join('\n'), /undefined symbol 'FLAT_RING1_CS'/, 'pv32-only names are not defined for pv64');
  });

  it('FLAT_* selectors follow xen-x86_32.h after a first .code32 or with bits: 32', () => {
    const src = '.data\n.word FLAT_KERNEL_CS, FLAT_KERNEL_DS, FLAT_KERNEL_SS, FLAT_USER_CS, FLAT_USER_DS, FLAT_RING1_CS\n.long HYPERVISOR_VIRT_START, MACH2PHYS_VIRT_END\n';
    const want = [0xe019, 0xe021, 0xe021, 0xe02b, 0xe033, 0xe019].map((v) => le(v, 2)).join('') + le(0xf5800000, 4) + le(0xf6800000, 4);
    assert.strictEqual(data(asm('.code32\n' + src)), want);
    assert.strictEqual(data(asm(src, { bits: 32 })), want);
    const bad = assemble('.code32\n.data\n.word FLAT_RING3_CS64\n', { fileName: 't.s' });
    assert.match(bad.diagnostics.map((d) => d.message).join('\n'), /undefined symbol 'FLAT_RING3_CS64'/);
    // A later .code64 switches the code size, not the image's ABI.
    assert.strictEqual(data(asm('.code32\n.code64\n.data\n.word FLAT_KERNEL_CS\n')), le(0xe019, 2));
  });

  it('a source definition wins over the ABI switch; xenSymbols: false predefines nothing', () => {
    const r = asm('.equ FLAT_KERNEL_CS, 0x1234\n.code32\n.data\n.word FLAT_KERNEL_CS, FLAT_KERNEL_DS\n');
    assert.strictEqual(data(r), le(0x1234, 2) + le(0xe021, 2));
    const off = assemble('.code32\n.data\n.word FLAT_KERNEL_CS\n', { fileName: 't.s', xenSymbols: false });
    assert.match(off.diagnostics.map((d) => d.message).join('\n'), /undefined symbol 'FLAT_KERNEL_CS'/);
  });

  it('hypercall numbers in instructions: mov $__HYPERVISOR_xen_version / XENVER_*', () => {
    const r = asm('mov $__HYPERVISOR_xen_version, %eax\nmov $XENVER_extraversion, %edi\nmov $EVTCHNOP_send, %edi\n');
    assert.strictEqual(data(r, '.text'), 'b811000000' + 'bf01000000' + 'bf04000000');
  });
});

describe('asm: macro arguments bind like GNU as (macro.c getstring)', () => {
  it('a quoted argument loses its quotes, so ".asciz \\"\\str\\"" re-quotes it', () => {
    const r = asm('.macro s str\n.asciz "\\str"\n.endm\n.data\ns "xen-3.0"\ns "a b, c"\ns plain\n');
    assert.strictEqual(Buffer.from(data(r), 'hex').toString('latin1'), 'xen-3.0\0a b, c\0plain\0');
  });
  it('defaults, keyword arguments and .irp values too; escapes are kept, "" inside stands for one quote', () => {
    const r = asm('.macro m s="def ault", t=1\n.ascii "<\\s|\\t>"\n.endm\n.data\nm\nm t="k w"\nm s="a\\"b" t=3\n.irp x, "p q", r\n.ascii "[\\x]"\n.endr\n');
    assert.strictEqual(Buffer.from(data(r), 'hex').toString('latin1'), '<def ault|1><def ault|k w><a"b|3>[p q][r]');
    assert.strictEqual(macroArgValue('"x""y"'), 'x"y');
    assert.strictEqual(macroArgValue('"ab"cd'), 'abcd');
    assert.strictEqual(macroArgValue('(1, "q")'), '(1, "q")');
  });
  it('a vararg parameter keeps its text as written', () => {
    const r = asm('.macro v a, rest:vararg\n.ascii \\rest\n.endm\n.data\nv 1, "x", "y"\n');
    assert.strictEqual(Buffer.from(data(r), 'hex').toString('latin1'), 'xy');
  });
});
