// DAP: scopes and variables (general, segment with hidden caches, control/system), setVariable, evaluate
// (registers, memory, symbols, REPL commands), readMemory/writeMemory and disassemble.

import * as assert from 'assert';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildGuest, lineOf, sourceOf, symbolAddress } from './fixtures';
import { AdapterServer, startAdapterServer, connect, launchStopped, pc, topFrame, untilStopped, variables } from './harness';

describe('DAP: inspection', function () {
  this.timeout(20000);
  let server: AdapterServer;
  let dc: DebugClient;
  let prog: string;
  before(async () => { server = await startAdapterServer(); prog = buildGuest('prog64'); });
  after(() => server?.stop());
  beforeEach(async () => { dc = await connect(server); });
  afterEach(async () => { await dc.stop(); });

  const scopes = async (): Promise<DebugProtocol.Scope[]> => (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes;
  const evaluate = async (expression: string, context = 'repl'): Promise<string> => (await dc.evaluateRequest({ expression, context })).body.result;

  it('shows general, segment and control/system registers with decoded children', async () => {
    await launchStopped(dc, { program: prog });
    const sc = await scopes();
    assert.deepStrictEqual(sc.map((s) => s.name), ['General registers', 'Segment registers', 'Control/system registers']);
    assert.ok(sc.every((s) => s.presentationHint === 'registers'));

    const gen = await variables(dc, sc[0].variablesReference);
    assert.deepStrictEqual([...gen.keys()], ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags']);
    assert.strictEqual(gen.get('rip')!.value, '0x0000000000100000');
    assert.strictEqual(gen.get('rsp')!.value, '0x0000000003fffff0');
    assert.match(gen.get('rflags')!.value, /^0x202 \[IF\]$/);
    const flags = await variables(dc, gen.get('rflags')!.variablesReference);
    assert.strictEqual(flags.get('IF')!.value, '1');
    assert.strictEqual(flags.get('ZF')!.value, '0');
    assert.strictEqual(flags.get('IOPL')!.value, '0');

    const seg = await variables(dc, sc[1].variablesReference);
    assert.deepStrictEqual([...seg.keys()], ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr']);
    assert.match(seg.get('cs')!.value, /^0x0008 \(code, base 0x0, limit 0xffffffff, DPL0\)$/);
    const cs = await variables(dc, seg.get('cs')!.variablesReference);
    const sel = await variables(dc, cs.get('selector')!.variablesReference);
    assert.deepStrictEqual([sel.get('index')!.value, sel.get('TI')!.value, sel.get('RPL')!.value], ['0x1', '0 (GDT)', '0']);
    const cache = await variables(dc, cs.get('hidden cache')!.variablesReference);
    const want: Record<string, string> = { base: '0x0', limit: '0xffffffff', S: '1 (code/data)', DPL: '0', P: '1', L: '1', D: '0', G: '1' };
    for (const [k, v] of Object.entries(want)) assert.strictEqual(cache.get(k)!.value, v, `cs.${k}`);
    assert.match(cache.get('type')!.value, /^0xb \(code \(execute\/read, accessed\)\)$/);
    const ssCache = await variables(dc, (await variables(dc, seg.get('ss')!.variablesReference)).get('hidden cache')!.variablesReference);
    assert.deepStrictEqual([ssCache.get('L')!.value, ssCache.get('D')!.value], ['0', '1']);
    assert.match(ssCache.get('type')!.value, /data \(read\/write, accessed\)/);

    const sys = await variables(dc, sc[2].variablesReference);
    assert.match(sys.get('CR0')!.value, /^0x00000011 \[PE ET\]$/);
    assert.match(sys.get('CR4')!.value, /\[PAE\]/);
    assert.match(sys.get('EFER')!.value, /\[LME LMA\]/);
    const efer = await variables(dc, sys.get('EFER')!.variablesReference);
    assert.strictEqual(efer.get('LMA')!.value, '1');
    assert.strictEqual(sys.get('CPL')!.value, '0');
    assert.strictEqual(sys.get('mode')!.value, '64-bit long mode');
    assert.ok(sys.has('GDTR') && sys.has('IDTR') && sys.has('ldtr') && sys.has('tr'));
  });

  it('setVariable on rax and a flag; the guest sees the new value', async () => {
    await launchStopped(dc, { program: prog });
    await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    const gen = (await scopes())[0].variablesReference;
    const r = await dc.setVariableRequest({ variablesReference: gen, name: 'rax', value: '0x1234 + 1' });
    assert.strictEqual(r.body.value, '0x0000000000001235');
    assert.strictEqual(await evaluate('rax', 'watch'), '0x1235');
    await dc.setVariableRequest({ variablesReference: gen, name: 'rax', value: '-1' });
    assert.strictEqual(await evaluate('eax', 'watch'), '0xffffffff');
    const flagsRef = (await variables(dc, gen)).get('rflags')!.variablesReference;
    await dc.setVariableRequest({ variablesReference: flagsRef, name: 'ZF', value: '1' });
    assert.strictEqual(await evaluate('zf', 'watch'), '0x1');
    await assert.rejects(dc.setVariableRequest({ variablesReference: gen, name: 'rax', value: 'bogus + ' }), /unknown register or symbol 'bogus'/);
    await assert.rejects(dc.setVariableRequest({ variablesReference: gen, name: 'nosuch', value: '1' }), /no variable 'nosuch'/);
  });

  it('evaluates registers, symbols, arithmetic and memory dereference in every context', async () => {
    await launchStopped(dc, { program: prog });
    await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual(await evaluate('rax', 'watch'), '0x2a');
    assert.strictEqual(await evaluate('rax * 2 + 1', 'hover'), '0x55');
    const result = symbolAddress(prog, 'result');
    assert.strictEqual(await evaluate('result', 'watch'), `0x${result.toString(16)}`);
    assert.strictEqual(await evaluate('result'), `0x${result.toString(16)} <result>`);
    assert.strictEqual(await evaluate('*(u32*)0x100000', 'watch'), '0x2ac0c748', 'mov $0x2a,%rax is 48 c7 c0 2a');
    // inside puts: the return address is on the stack
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'puts' }] });
    await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(await evaluate('*(u64*)rsp', 'watch'), '0x100013');
    assert.strictEqual(await evaluate('*(u8*)rsi', 'watch'), '0x68', "'h' of the message");
    assert.strictEqual(await evaluate('[rsp] == 0x100013', 'watch'), '0x1');
    await assert.rejects(dc.evaluateRequest({ expression: '*(u64*)0xfffffff00000', context: 'watch' }), /cannot read memory at 0xfffffff00000/);
    await assert.rejects(dc.evaluateRequest({ expression: '1 +* (', context: 'repl' }), /unexpected|expected/);
    await assert.rejects(dc.evaluateRequest({ expression: 'nosuchsymbol', context: 'hover' }), /unknown register or symbol/);
  });

  it('REPL commands: gdt, pt, x, disas, help', async () => {
    await launchStopped(dc, { program: prog });
    assert.match(await evaluate('gdt'), /^GDTR base 0x0 limit 0xffff/);
    const pt = await evaluate('pt 0x100000');
    assert.match(pt, /paging none \(identity\)/);
    assert.match(pt, /-> machine 0x100000/);
    assert.strictEqual(await evaluate('x/4xb 0x100000'), '0x100000: 0x48 0xc7 0xc0 0x2a');
    assert.match(await evaluate('x/2xg _start'), /^0x100000: 0x[0-9a-f]{16} 0x[0-9a-f]{16}$/);
    const dis = await evaluate('disas _start 3');
    assert.match(dis, /mov\s+\$0x2a,%rax/);
    assert.match(dis, /call\s+0x[0-9a-f]+ <puts>/);
    assert.match(await evaluate('help'), /x\/NFU/);
    await assert.rejects(dc.evaluateRequest({ expression: 'pt', context: 'repl' }), /usage: pt/);
  });

  it('readMemory and writeMemory (memory event, code rewritten under the decode cache)', async () => {
    await launchStopped(dc, { program: prog });
    const rd = await dc.customRequest('readMemory', { memoryReference: '0x100000', count: 4 }) as DebugProtocol.ReadMemoryResponse;
    assert.strictEqual(rd.body!.address, '0x100000');
    assert.deepStrictEqual([...Buffer.from(rd.body!.data!, 'base64')], [0x48, 0xc7, 0xc0, 0x2a]);
    const msg = symbolAddress(prog, 'msg');
    const rd2 = await dc.customRequest('readMemory', { memoryReference: 'msg', offset: 6, count: 4 }) as DebugProtocol.ReadMemoryResponse;
    assert.strictEqual(rd2.body!.address, `0x${(msg + 6).toString(16)}`);
    assert.strictEqual(Buffer.from(rd2.body!.data!, 'base64').toString('latin1'), 'from');
    // beyond guest memory: reported as unreadable, not an error
    const rd3 = await dc.customRequest('readMemory', { memoryReference: '0x3fffffe', count: 4 }) as DebugProtocol.ReadMemoryResponse;
    assert.strictEqual(rd3.body!.unreadableBytes, 2);
    // execute the first instruction so it sits in the decode cache, then patch the immediate of the same bytes
    await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    const memEvent = dc.waitForEvent('memory') as Promise<DebugProtocol.MemoryEvent>;
    const wr = await dc.customRequest('writeMemory', { memoryReference: '0x100000', offset: 3, data: Buffer.from([0x99]).toString('base64') }) as DebugProtocol.WriteMemoryResponse;
    assert.strictEqual(wr.body!.bytesWritten, 1);
    const ev = await memEvent;
    assert.strictEqual(ev.body.memoryReference, '0x100003');
    await dc.setVariableRequest({ variablesReference: (await scopes())[0].variablesReference, name: 'rip', value: '0x100000' });
    await untilStopped(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.strictEqual(await evaluate('rax', 'watch'), '0x99', 'the patched instruction ran');
    // the message is changed by a write and the guest prints the new text
    await dc.customRequest('writeMemory', { memoryReference: 'msg', data: Buffer.from('HELLO').toString('base64') });
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') out.push(e.body.output); });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await exited;
    assert.strictEqual(out.join(''), 'HELLO from the guest\n');
  });

  it('disassembles with AT&T by default, symbols and source lines, and backwards', async () => {
    await launchStopped(dc, { program: prog });
    const r = await dc.disassembleRequest({ memoryReference: '0x100000', instructionCount: 6, resolveSymbols: true });
    const ins = r.body!.instructions;
    assert.strictEqual(ins.length, 6);
    assert.strictEqual(ins[0].address, '0x100000');
    assert.strictEqual(ins[0].instructionBytes, '48 c7 c0 2a 00 00 00');
    assert.strictEqual(ins[0].symbol, '_start');
    assert.strictEqual(ins[0].line, lineOf('prog64', 'entry'));
    assert.strictEqual(ins[0].location?.path, sourceOf('prog64'));
    const text = ins.map((i) => i.instruction).join('\n');
    for (const m of [/mov\s+\$0x2a,%rax/, /lea\s+0x[0-9a-f]+,%rsi <msg>/, /call\s+0x[0-9a-f]+ <puts>/, /call\s+0x[0-9a-f]+ <sum_to>/]) assert.match(text, m);
    // instructionOffset -2 from the third instruction starts at the first
    const back = await dc.disassembleRequest({ memoryReference: '0x10000e', instructionOffset: -2, instructionCount: 3 });
    assert.deepStrictEqual(back.body!.instructions.map((i) => i.address), ['0x100000', '0x100007', '0x10000e']);
    // unreadable memory is marked invalid, not an error
    const far = await dc.disassembleRequest({ memoryReference: '0x7fffffff0000', instructionCount: 2 });
    assert.strictEqual(far.body!.instructions[0].presentationHint, 'invalid');
  });

  it('disassemblySyntax intel', async () => {
    await launchStopped(dc, { program: prog, disassemblySyntax: 'intel' });
    const r = await dc.disassembleRequest({ memoryReference: '0x100000', instructionCount: 1 });
    assert.strictEqual(r.body!.instructions[0].instruction, 'mov     rax,0x2a');
  });
});
