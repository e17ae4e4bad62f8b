// The Hypercalls view's break-on-entry checkboxes, pure part (src/views/hypercall-breaks.ts): which hypercalls a list
// of function breakpoints stops on, what a toggle adds or removes, the "Break on entry" group and the log rows' keys.

import * as assert from 'assert';
import {
  ABI_HYPERCALLS, breakGroupNode, entryBreakText, FnBreakpointLike, HypercallBreakIndex, hypercallBreakTarget, logEntryCheckKey,
  planToggle, resolveHypercall, checkboxTooltip,
} from '../../src/views/hypercall-breaks';
import { hypercallsView } from '../../src/views/view-specs';
import type { Requester } from '../../src/views/spec';

const fb = (functionName: string, more: Partial<FnBreakpointLike> = {}): FnBreakpointLike => ({ functionName, enabled: true, ...more });

/** Apply a plan the way HypercallBreakpoints does with vscode.debug.remove/addBreakpoints. */
function apply(list: FnBreakpointLike[], nr: number, on: boolean): FnBreakpointLike[] {
  const plan = planToggle(list, nr, on);
  return [...list.filter((b) => !plan.remove.includes(b)), ...plan.add];
}

describe('views: hypercall break-on-entry checkboxes', () => {
  it('reads breakpoint names as the adapter does: entry of any sub-op, sub-op / @exit, or not a hypercall', () => {
    for (const t of ['hypercall:console_io', ' hypercall:18 ', 'hypercall:0x12', 'HYPERCALL:Console_IO', 'hypercall:__HYPERVISOR_console_io', 'hypercall:console_io@entry']) {
      assert.deepStrictEqual(hypercallBreakTarget(t), { nr: 18, entryAnySubop: true }, t);
    }
    assert.deepStrictEqual(hypercallBreakTarget('hypercall:sched_op:shutdown'), { nr: 29, entryAnySubop: false });
    assert.deepStrictEqual(hypercallBreakTarget('hypercall:mmuext_op:3'), { nr: 26, entryAnySubop: false });
    assert.strictEqual(hypercallBreakTarget('hypercall:mmuext_op:pin_l2_table'), undefined, 'the adapter refuses it (the op is inside the batch)');
    assert.deepStrictEqual(hypercallBreakTarget('hypercall:console_io@exit'), { nr: 18, entryAnySubop: false });
    for (const t of ['main', 'hypercall:', 'hypercall:nosuch', 'hypercall:99', 'hypercall:console_io@later', 'hypercall:a:b:c', '', 42 as unknown as string]) {
      assert.strictEqual(hypercallBreakTarget(t), undefined, String(t));
    }
  });

  it('lists every hypercall xen.h names, each with a breakpoint text that parses back to its number', () => {
    assert.strictEqual(ABI_HYPERCALLS.length, 50, '0..42 without 11, and arch_0..arch_7');
    assert.deepStrictEqual(ABI_HYPERCALLS.slice(0, 3).map((h) => `${h.nr} ${h.name}`), ['0 set_trap_table', '1 mmu_update', '2 set_gdt']);
    assert.ok(!ABI_HYPERCALLS.some((h) => h.nr === 11));
    assert.strictEqual(entryBreakText(18), 'hypercall:console_io');
    assert.strictEqual(entryBreakText(26), 'hypercall:mmuext_op');
    assert.strictEqual(entryBreakText(48), 'hypercall:48', 'arch_0 has no name the adapter accepts: by number');
    assert.strictEqual(entryBreakText(11), 'hypercall:11');
    for (const h of ABI_HYPERCALLS) assert.deepStrictEqual(hypercallBreakTarget(h.breakText), { nr: h.nr, entryAnySubop: true }, h.breakText);
  });

  it('a box is checked for an enabled break-on-entry breakpoint; disabled ones, logpoints, sub-ops and @exit do not check it', () => {
    const idx = new HypercallBreakIndex([
      fb('hypercall:console_io'),
      fb('hypercall:1', { condition: 'count > 1' }),
      fb('hypercall:sched_op:shutdown'), fb('hypercall:sched_op@exit'),
      fb('hypercall:set_gdt', { enabled: false }),
      fb('hypercall:xen_version', { logMessage: 'xen_version {rdi}' }),
      fb('start_kernel'), fb('hypercall:nosuch'),
    ]);
    assert.deepStrictEqual(idx.armed(), [1, 18]);
    assert.deepStrictEqual(idx.state(18), { nr: 18, armed: true, conditional: false, disabled: 0, others: [] });
    assert.deepStrictEqual(idx.state(1), { nr: 1, armed: true, conditional: true, disabled: 0, others: [] });
    assert.deepStrictEqual(idx.state(29), { nr: 29, armed: false, conditional: false, disabled: 0, others: ['hypercall:sched_op:shutdown', 'hypercall:sched_op@exit'] });
    assert.deepStrictEqual(idx.state(2), { nr: 2, armed: false, conditional: false, disabled: 1, others: [] });
    assert.strictEqual(idx.isArmed(17), false, 'a logpoint never stops');
    assert.strictEqual(idx.isArmed(40), false);
    assert.strictEqual(new HypercallBreakIndex([fb('hypercall:18', { condition: 'x' }), fb('hypercall:console_io')]).state(18).conditional, false,
      'one unconditional breakpoint makes the stop certain');
  });

  it('checking adds hypercall:NAME, or re-enables a disabled one with its condition; checking an armed box changes nothing', () => {
    assert.deepStrictEqual(planToggle([], 18, true), { remove: [], add: [{ functionName: 'hypercall:console_io', enabled: true }] });
    assert.deepStrictEqual(planToggle([], 48, true).add, [{ functionName: 'hypercall:48', enabled: true }]);
    const armed = [fb('hypercall:18')];
    assert.deepStrictEqual(planToggle(armed, 18, true), { remove: [], add: [] });
    const off = fb('hypercall:mmu_update', { enabled: false, condition: 'rsi > 4', hitCondition: '2' });
    const plan = planToggle([fb('hypercall:mmu_update@exit'), off], 1, true);
    assert.deepStrictEqual(plan.remove, [off]);
    assert.deepStrictEqual(plan.add, [{ functionName: 'hypercall:mmu_update', enabled: true, condition: 'rsi > 4', hitCondition: '2' }]);
    const after = apply([fb('hypercall:mmu_update@exit'), off], 1, true);
    assert.strictEqual(new HypercallBreakIndex(after).isArmed(1), true);
    assert.strictEqual(after.length, 2, 're-enabled, not duplicated');
  });

  it('unchecking removes every enabled break-on-entry breakpoint of that hypercall and nothing else', () => {
    const keep = [fb('hypercall:sched_op:shutdown'), fb('hypercall:console_io@exit'), fb('hypercall:console_io', { logMessage: 'log' }),
      fb('hypercall:console_io', { enabled: false }), fb('hypercall:mmu_update'), fb('console_io')];
    const list = [fb('hypercall:console_io'), fb('hypercall:18', { condition: 'rdi == 0' }), ...keep];
    const after = apply(list, 18, false);
    assert.deepStrictEqual(after, keep);
    assert.strictEqual(new HypercallBreakIndex(after).isArmed(18), false);
    assert.strictEqual(new HypercallBreakIndex(after).isArmed(1), true);
    assert.deepStrictEqual(planToggle(keep, 23, false), { remove: [], add: [] }, 'nothing to remove');
  });

  it('the command argument names a hypercall by number, name, breakpoint text or row; bad ones give a clear error', () => {
    assert.strictEqual(resolveHypercall(18), 18);
    assert.strictEqual(resolveHypercall('console_io'), 18);
    assert.strictEqual(resolveHypercall(' 18 '), 18);
    assert.strictEqual(resolveHypercall('__HYPERVISOR_mmu_update'), 1);
    assert.strictEqual(resolveHypercall('hypercall:console_io'), 18);
    assert.strictEqual(resolveHypercall({ label: '#3 console_io', checkKey: '18' }), 18);
    assert.match(String(resolveHypercall('nosuch')), /unknown hypercall 'nosuch'/);
    assert.match(String(resolveHypercall('sched_op:shutdown')), /sub-operation or @exit/);
    assert.match(String(resolveHypercall(64)), /out of range/);
    assert.match(String(resolveHypercall(1.5)), /out of range/);
    for (const bad of [undefined, null, '', {}, [], true]) assert.match(String(resolveHypercall(bad)), /name a hypercall/, JSON.stringify(bad));
  });

  it('"Break on entry (N set)": one checkbox row per ABI hypercall with stable ids, notes for conditions, sub-ops and disabled', () => {
    const g = breakGroupNode(new HypercallBreakIndex([fb('hypercall:console_io'), fb('hypercall:mmu_update', { condition: 'rdx > 1' }),
      fb('hypercall:sched_op:shutdown'), fb('hypercall:set_gdt', { enabled: false })]));
    assert.strictEqual(g.label, 'Break on entry (2 set)');
    assert.strictEqual(g.description, 'mmu_update, console_io');
    assert.strictEqual(g.id, 'xenpv.hypercalls.breakOnEntry');
    assert.strictEqual(g.checkKey, undefined, 'the group itself has no checkbox');
    assert.strictEqual(g.iconColor, 'debugIcon.breakpointForeground');
    const rows = g.children ?? [];
    assert.strictEqual(rows.length, ABI_HYPERCALLS.length);
    assert.strictEqual(new Set(rows.map((r) => r.id)).size, rows.length, 'ids are unique');
    const by = (name: string) => rows.find((r) => r.label === name)!;
    assert.strictEqual(by('console_io').checkKey, '18');
    assert.strictEqual(by('console_io').description, '18');
    assert.strictEqual(by('mmu_update').description, '1 · conditional');
    assert.strictEqual(by('sched_op').description, '29 · also sched_op:shutdown');
    assert.strictEqual(by('set_gdt').description, '2 · disabled');
    assert.strictEqual(by('console_io').copyText, 'hypercall:console_io');
    assert.match(by('console_io').tooltip ?? '', /^__HYPERVISOR_console_io \(18\)\nBreaks on entry to console_io: uncheck to remove hypercall:console_io/);
    const none = breakGroupNode(new HypercallBreakIndex([]));
    assert.deepStrictEqual([none.label, none.description, none.iconColor], ['Break on entry (0 set)', undefined, 'debugIcon.breakpointDisabledForeground']);
    const many = breakGroupNode(new HypercallBreakIndex([0, 1, 2, 3, 4, 5].map((n) => fb(`hypercall:${n}`))));
    assert.strictEqual(many.description, 'set_trap_table, mmu_update, set_gdt, stack_switch, …');
    assert.match(checkboxTooltip(new HypercallBreakIndex([fb('hypercall:2', { enabled: false })]).state(2)), /adds the function breakpoint hypercall:set_gdt \(re-enables the disabled one\)/);
  });

  it('log rows carry their hypercall number as the checkbox key; the view pins the group above them', async () => {
    assert.strictEqual(logEntryCheckKey({ nr: 18 }), '18');
    assert.strictEqual(logEntryCheckKey({ nr: '0x1a' }), '26');
    for (const nr of [undefined, -1, 64, 1.5, 'x', null, {}]) assert.strictEqual(logEntryCheckKey({ nr }), undefined, JSON.stringify(nr));
    const reply = { total: 3, rows: [
      { seq: 1, nr: 17, name: 'xen_version', decoded: 'XENVER_version', result: 0x40014 },
      { seq: 2, nr: 18, name: 'console_io', decoded: 'CONSOLEIO_write, count=5', result: 5 },
      { seq: 3, name: 'mystery', decoded: '?', result: -38 },
    ] };
    const req: Requester = { request: async <T>() => reply as T };
    const group = breakGroupNode(new HypercallBreakIndex([fb('hypercall:console_io')]));
    const spec = hypercallsView(() => 10, () => [group]);
    assert.deepStrictEqual(spec.pinned?.(), [group]);
    const rows = await spec.load(req, 'hex');
    assert.deepStrictEqual(rows.slice(0, 3).map((r) => [r.label, r.checkKey]), [['#3 mystery', undefined], ['#2 console_io', '18'], ['#1 xen_version', '17']]);
    assert.strictEqual(hypercallsView(() => 10).pinned, undefined);
  });
});
