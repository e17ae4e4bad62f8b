// The `hypercall:` breakpoint syntax: names, numbers, sub-operations by name or number, @exit, and clear errors.

import * as assert from 'assert';
import { parseHypercallSpec, argNames, subopNames } from '../../src/debug/xen-hypercalls';

describe('debug: hypercall breakpoint specs', () => {
  it('parses names, numbers, sub-ops and @exit', () => {
    assert.deepStrictEqual(parseHypercallSpec('hypercall:mmu_update'), { nr: 1, name: 'mmu_update', phase: 'entry' });
    assert.deepStrictEqual(parseHypercallSpec('hypercall:29'), { nr: 29, name: 'sched_op', phase: 'entry' });
    assert.deepStrictEqual(parseHypercallSpec('hypercall:sched_op:shutdown@exit'), { nr: 29, name: 'sched_op', phase: 'exit', subop: 2, subopName: 'shutdown' });
    assert.deepStrictEqual(parseHypercallSpec('hypercall:__HYPERVISOR_console_io:SCHEDOP_x'), "console_io has no sub-operation 'SCHEDOP_x' (known: write, read)");
    assert.strictEqual((parseHypercallSpec('hypercall:console_io:CONSOLEIO_write') as { subop: number }).subop, 0);
    assert.strictEqual((parseHypercallSpec('hypercall:event_channel_op:send') as { subop: number }).subop, 4);
    assert.strictEqual((parseHypercallSpec('hypercall:mmuext_op:7') as { subop: number }).subop, 7);
  });
  it('rejects bad specs with a reason', () => {
    assert.match(parseHypercallSpec('hypercall:nosuch') as string, /unknown hypercall 'nosuch'/);
    assert.match(parseHypercallSpec('hypercall:99') as string, /out of range/);
    assert.match(parseHypercallSpec('hypercall:') as string, /bad hypercall breakpoint/);
    assert.match(parseHypercallSpec('hypercall:sched_op@later') as string, /@entry or @exit/);
    assert.match(parseHypercallSpec('hypercall:mmu_update:foo') as string, /no named sub-operations/);
  });
  it('knows argument names and sub-op names from the table decoders', () => {
    assert.deepStrictEqual(argNames(1), ['req', 'count', 'pdone', 'foreigndom']);
    assert.deepStrictEqual(argNames(18), ['cmd', 'count', 'buffer']);
    assert.strictEqual(subopNames(29).get('shutdown'), 2);
    assert.strictEqual(subopNames(1).size, 0);
  });
});
