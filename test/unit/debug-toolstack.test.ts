// The debugger as dom0's toolstack and the domain launch options: `domainName` / `wallclock` checked and passed to the
// domain, `xs-write` / `xs-read` in the REPL waking the xshello guest into poweroff, and data-breakpoint hits that
// happen while the guest is stopped (or in the run that ends it) reported as stops instead of console lines only.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildGuest } from '../guests/build';
import { DebugRuntime, LaunchError, LaunchOptions, StoppedInfo } from '../../src/debug/runtime';
import { XenDebugMachine } from '../../src/debug/xen-machine';
import { pcLinear } from '../../src/debug/guest-memory';
import { parseWallclock, checkDomainName } from '../../src/debug/domain-options';
import { parseToolstackCommand } from '../../src/debug/xen-toolstack';
import { SHARED_INFO } from '../../src/xen/public/layouts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xenpv-toolstack-'));

function xshello(): string {
  const file = path.join(dir, 'pv64-xshello.elf');
  if (!fs.existsSync(file)) fs.writeFileSync(file, buildGuest('pv64-xshello', 'pv64'));
  return file;
}

/** A pv64 guest whose one multicall entry is SCHEDOP_shutdown(poweroff): Xen then writes the entry's result. */
const MULTICALL_SHUTDOWN = `
        .xen_note XEN_ELFNOTE_GUEST_OS, "mc-shutdown"
        .xen_note XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
        .xen_note XEN_ELFNOTE_LOADER, "generic"
        .xen_note XEN_ELFNOTE_VIRT_BASE, 0x400000
        .xen_note XEN_ELFNOTE_PADDR_OFFSET, 0x400000
        .xen_note XEN_ELFNOTE_ENTRY, _start
        .xen_note XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
        .code64
        .text
        .globl _start
_start:
        lea mc(%rip), %rdi
        mov $1, %esi
        call hypercall_page + __HYPERVISOR_multicall * 32
        ud2
        .balign 16
mc:     .quad __HYPERVISOR_sched_op
mc_result:
        .quad 0x5a5a
        .quad SCHEDOP_shutdown, reason, 0, 0, 0, 0
reason: .long SHUTDOWN_poweroff
        .balign 4096
hypercall_page:
        .fill 4096, 1, 0xcc
`;

type Ev = { kind: 'stopped'; info: StoppedInfo } | { kind: 'exited'; code: number };

/** A runtime with an event queue: next() waits for the next stop or exit. */
function session(opts: LaunchOptions): { rt: DebugRuntime; next: () => Promise<Ev>; output: () => string } {
  const rt = new DebugRuntime();
  const queue: Ev[] = [];
  let out = '';
  rt.on('stopped', (info: StoppedInfo) => queue.push({ kind: 'stopped', info }));
  rt.on('exited', (code: number) => queue.push({ kind: 'exited', code }));
  rt.on('output', (t: string) => { out += t; });
  rt.launch({ stopOnEntry: false, ...opts });
  const next = async (): Promise<Ev> => {
    const t0 = Date.now();
    while (queue.length === 0) {
      if (Date.now() - t0 > 30000) throw new Error('no debug event');
      await new Promise((r) => setTimeout(r, 10));
    }
    return queue.shift()!;
  };
  return { rt, next, output: () => out };
}

const stopped = (ev: Ev): StoppedInfo => {
  assert.strictEqual(ev.kind, 'stopped', JSON.stringify(ev));
  return (ev as { info: StoppedInfo }).info;
};

/** Run xshello until it waits for control/shutdown (every vCPU blocked: the 'blocked' exception stop). */
async function waiting(opts: Partial<LaunchOptions> = {}): Promise<ReturnType<typeof session>> {
  const s = session({ program: xshello(), ...opts });
  s.rt.start();
  const info = stopped(await s.next());
  assert.strictEqual(info.reason, 'exception');
  assert.match(info.text ?? '', /every vCPU is blocked.*xs-write <path> <value>/);
  return s;
}

describe('debug: domain name and wallclock launch options', () => {
  it('parseWallclock takes ISO dates (UTC without a zone) and seconds; refuses garbage with a reason', () => {
    assert.strictEqual(parseWallclock('2024-02-29T12:00:00Z'), Date.UTC(2024, 1, 29, 12) / 1000);
    assert.strictEqual(parseWallclock('2024-02-29T12:00:00'), Date.UTC(2024, 1, 29, 12) / 1000);
    assert.strictEqual(parseWallclock('2024-02-29T13:00:00+01:00'), Date.UTC(2024, 1, 29, 12) / 1000);
    assert.strictEqual(parseWallclock('2024-02-29'), Date.UTC(2024, 1, 29) / 1000);
    assert.strictEqual(parseWallclock('1700000000'), 1700000000);
    assert.strictEqual(parseWallclock(86400.75), 86400);
    assert.strictEqual(parseWallclock(0), 0);
    assert.match(parseWallclock('2023-02-29') as string, /2023-02-29 is not a calendar date/);
    assert.match(parseWallclock('yesterday') as string, /not an ISO date/);
    assert.match(parseWallclock('2024-13-01') as string, /not a (valid|calendar) date/);
    assert.match(parseWallclock(-5) as string, /seconds since the epoch from 1970-01-01/);
    assert.match(parseWallclock(Number.NaN) as string, /seconds since the epoch/);
    assert.match(parseWallclock('') as string, /ISO date/);
    assert.match(parseWallclock({}) as string, /ISO date/);
    assert.match(parseWallclock('99999-01-01') as string, /not an ISO date/);
    assert.match(parseWallclock(1e15) as string, /to 9999-12-31/);
  });

  it('checkDomainName refuses empty, non-string, control characters and "/"', () => {
    assert.strictEqual(checkDomainName('web-01'), 'web-01');
    for (const bad of ['', '   ', 7, 'a/b', 'tab\there', 'x'.repeat(300)]) assert.ok(typeof checkDomainName(bad) !== 'string', String(bad));
  });

  it('launch passes name and wallclock to the domain (xenstore name, shared_info wc_sec); defaults stay', () => {
    const rt = new DebugRuntime();
    rt.launch({ program: xshello(), domainName: 'web-01', wallclock: '2024-02-29T12:00:00Z', console: false });
    const d = (rt.machine as XenDebugMachine).domain;
    assert.strictEqual(d.name, 'web-01');
    assert.strictEqual(d.xenstore.read('name'), 'web-01');
    const wc = d.mem.read32(d.sharedInfoPa + SHARED_INFO.pv64.fields.wc_sec) >>> 0;
    assert.strictEqual(wc, Date.UTC(2024, 1, 29, 12) / 1000);
    assert.match((rt.customRequest('xen/domain', {}) as { wallclock: string }).wallclock, /^2024-02-29T12:00:00/);
    rt.launch({ program: xshello(), wallclock: 1700000000, console: false });
    assert.strictEqual((rt.machine as XenDebugMachine).domain.time.wallclockSec, 1700000000);
    assert.strictEqual((rt.machine as XenDebugMachine).domain.name, 'xenpv-xshello-test', 'GUEST_OS note by default');
    rt.launch({ program: xshello(), name: 'Debug my PV kernel', console: false } as LaunchOptions);
    assert.strictEqual((rt.machine as XenDebugMachine).domain.name, 'xenpv-xshello-test', 'the configuration label (name) is not the domain name');
    rt.dispose();
  });

  it('a bad name or wallclock is a LaunchError naming the attribute; the old program stays', () => {
    const rt = new DebugRuntime();
    rt.launch({ program: xshello(), console: false });
    const before = rt.machine;
    assert.throws(() => rt.launch({ program: xshello(), wallclock: '2024-02-30' }), (e: Error) => e instanceof LaunchError && /"wallclock": .*2024-02-30 is not a calendar date/.test(e.message));
    assert.throws(() => rt.launch({ program: xshello(), wallclock: 'soon' as string }), /"wallclock": wallclock 'soon' is not an ISO date/);
    assert.throws(() => rt.launch({ program: xshello(), domainName: '' }), /"domainName": name must be a non-empty string/);
    assert.throws(() => rt.launch({ program: xshello(), domainName: 42 as unknown as string }), /"domainName"/);
    assert.strictEqual(rt.machine, before);
    rt.dispose();
  });
});

describe('debug: xs-write / xs-read (the toolstack in the REPL)', () => {
  it('parses the commands, quoted values and usage errors', () => {
    assert.deepStrictEqual(parseToolstackCommand('xs-write control/shutdown poweroff'), { op: 'write', path: 'control/shutdown', value: 'poweroff' });
    assert.deepStrictEqual(parseToolstackCommand('xs-write data/msg hello world'), { op: 'write', path: 'data/msg', value: 'hello world' });
    assert.deepStrictEqual(parseToolstackCommand('xs-write data/msg ""'), { op: 'write', path: 'data/msg', value: '' });
    assert.deepStrictEqual(parseToolstackCommand('xs-write data/msg " a\\tb "'), { op: 'write', path: 'data/msg', value: ' a\tb ' });
    assert.deepStrictEqual(parseToolstackCommand('  xs-read name '), { op: 'read', path: 'name' });
    assert.match((parseToolstackCommand('xs-write control/shutdown') as { error: string }).error, /usage: xs-write <path> <value>/);
    assert.match((parseToolstackCommand('xs-read') as { error: string }).error, /usage: xs-read <path>/);
    assert.match((parseToolstackCommand('xs-read a b') as { error: string }).error, /usage: xs-read <path>/);
    assert.match((parseToolstackCommand('xs-write a "unterminated') as { error: string }).error, /bad quoted value/);
    assert.strictEqual(parseToolstackCommand('xs_write a b'), undefined);
    assert.strictEqual(parseToolstackCommand('rax + 1'), undefined);
  });

  it('xs-write control/shutdown poweroff wakes the guest waiting in SCHEDOP_poll; continue ends in poweroff', async () => {
    const { rt, next, output } = await waiting({ console: true });
    assert.strictEqual(rt.evaluate('xs-read control/shutdown', 1, 'repl').result, '/local/domain/1/control/shutdown = ""');
    assert.strictEqual(rt.evaluate('xs-read /local/domain/1/name', 1, 'repl').result, '/local/domain/1/name = "xenpv-xshello-test"');
    assert.match(rt.evaluate('xs-read nothing/here', 1, 'repl').result, /nothing\/here: no such node \(ENOENT\)/);
    const r = rt.evaluate('xs-write control/shutdown poweroff', 1, 'repl').result;
    assert.match(r, /^toolstack wrote \/local\/domain\/1\/control\/shutdown = "poweroff"; 1 watch event queued \(control\/shutdown token tok\); store port 1 notified; vCPU 0 woken\. The guest sees it when continued\.$/);
    assert.strictEqual(rt.evaluate('xs-read control/shutdown', 1, 'repl').result, '/local/domain/1/control/shutdown = "poweroff"');
    assert.match(rt.evaluate('help', 1, 'repl').result, /xs-write <path> <value>[\s\S]*xs-read <path>/);
    rt.continue();
    assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 });
    assert.match(output(), /xenstore: control\/shutdown = poweroff\n[\s\S]*domain shut down: poweroff/);
    assert.match(rt.evaluate('xs-read control/shutdown', 1, 'repl').result, /= "poweroff"/, 'reads work after the end');
    assert.throws(() => rt.evaluate('xs-write control/shutdown reboot', 1, 'repl'), /domain is shut down \(poweroff\)/);
    rt.dispose();
  });

  it('without a write, continuing from the blocked stop still ends the session (exit 4)', async () => {
    const { rt, next } = await waiting({ console: false });
    assert.match(rt.evaluate('xs-write data/unwatched 1', 1, 'repl').result, /no guest watch covers it/);
    rt.continue();
    assert.deepStrictEqual(await next(), { kind: 'exited', code: 4 });
    rt.dispose();
  });

  it('refuses bad paths, oversized writes and writes while the guest runs, with the reason', async () => {
    const { rt } = await waiting({ console: false });
    assert.throws(() => rt.evaluate('xs-write bad//path x', 1, 'repl'), /not valid \(EINVAL\)/);
    assert.throws(() => rt.evaluate('xs-write trailing/ x', 1, 'repl'), /not valid \(EINVAL\)/);
    assert.throws(() => rt.evaluate('xs-write sp@ce! x', 1, 'repl'), /not valid \(EINVAL\)/);
    assert.throws(() => rt.evaluate(`xs-write data/big ${'v'.repeat(5000)}`, 1, 'repl'), /XENSTORE_PAYLOAD_MAX \(4096\) \(E2BIG\)/);
    assert.throws(() => rt.evaluate('xs-write control/shutdown', 1, 'repl'), /usage: xs-write/);
    rt.evaluate('xs-write data/x 1', 1, 'repl'); // wakes nobody: still blocked
    (rt as unknown as { running: boolean }).running = true; // as while a continue is under way
    assert.throws(() => rt.evaluate('xs-write control/shutdown poweroff', 1, 'repl'), /pause the guest first/);
    assert.match(rt.evaluate('xs-read data/x', 1, 'repl').result, /= "1"/);
    (rt as unknown as { running: boolean }).running = false;
    rt.dispose();
  });
});

describe('debug: data-breakpoint hits while stopped and in the run that ends the guest', () => {
  /** A write watch on the 4 bytes of the store ring where xenstored puts its next message (r15 = the ring page). */
  function nextReplyAddress(rt: DebugRuntime): string {
    const ring = BigInt(rt.evaluate('r15', 1, 'watch').result.split(' ')[0]);
    const prod = BigInt(rt.evaluate('*(u32*)(r15 + 2060)', 1, 'watch').result.split(' ')[0]);
    return `0x${(ring + 1024n + (prod & 1023n)).toString(16)}`;
  }
  function watchNextReply(rt: DebugRuntime, condition?: string): number {
    const info = rt.dataBreakpointInfo(nextReplyAddress(rt), 1, 4, true);
    assert.ok(info.dataId, info.description);
    const [bp] = rt.setDataBreakpoints([{ dataId: info.dataId!, accessType: 'write', condition }]);
    assert.strictEqual(bp.verified, true, bp.message);
    return bp.id;
  }

  it('xs-write hitting a watch is reported at once as a data breakpoint stop; continue then powers off', async () => {
    const { rt, next, output } = await waiting({ console: false });
    const id = watchNextReply(rt);
    const pc0 = pcLinear(rt.cpuOf(1));
    rt.evaluate('xs-write control/shutdown poweroff', 1, 'repl');
    const info = stopped(await next());
    assert.strictEqual(info.reason, 'data breakpoint');
    assert.deepStrictEqual(info.hitBreakpointIds, [id]);
    assert.match(info.description ?? '', /^write to 0x[0-9a-f]+ \(1 byte\) by the toolstack's xenstore write of \/local\/domain\/1\/control\/shutdown: 0x0 → 0xf \(while the guest was stopped\)$/);
    assert.match(output(), /\[xenpv\] data breakpoint \d+ \(write 0x[0-9a-f]+:4\): .*while the guest was stopped \(reported after the REPL command/);
    assert.strictEqual(pcLinear(rt.cpuOf(1)), pc0, 'nothing ran');
    rt.continue();
    assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 }, 'the next replies land elsewhere; the guest powers off');
    rt.dispose();
  });

  it('a hit made between runs by something else is reported when continuing, before any instruction runs', async () => {
    const { rt, next, output } = await waiting({ console: false });
    const id = watchNextReply(rt);
    const m = rt.machine as XenDebugMachine;
    const pc0 = pcLinear(m.vcpus[0]), n0 = m.instructions();
    m.domain.toolstackWrite('control/shutdown', 'poweroff'); // not through the REPL: nobody reports it yet
    rt.continue();
    const info = stopped(await next());
    assert.strictEqual(info.reason, 'data breakpoint');
    assert.deepStrictEqual(info.hitBreakpointIds, [id]);
    assert.match(info.description ?? '', /\(while the guest was stopped\)$/);
    assert.match(output(), /while the guest was stopped \(reported before continuing; the guest stays at 0x/);
    assert.strictEqual(pcLinear(m.vcpus[0]), pc0);
    assert.strictEqual(m.instructions(), n0, 'the stop came before the guest ran');
    rt.continue();
    assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 });
    rt.dispose();
  });

  it('a condition that is false keeps the hit quiet: continue runs to the poweroff', async () => {
    const { rt, next } = await waiting({ console: false });
    watchNextReply(rt, 'rax == 0x1234567');
    rt.evaluate('xs-write control/shutdown poweroff', 1, 'repl');
    rt.continue();
    assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 });
    rt.dispose();
  });

  it('a hypercall write that hits a watch and a shutdown in the same multicall: the hit stops first, continue ends', async () => {
    const src = path.join(dir, 'mc-shutdown.s');
    fs.writeFileSync(src, MULTICALL_SHUTDOWN);
    const { rt, next, output } = session({ program: src, console: false, stopOnEntry: true });
    rt.start();
    assert.strictEqual(stopped(await next()).reason, 'entry');
    const info0 = rt.dataBreakpointInfo('*(u64*)mc_result', 1);
    const [bp] = rt.setDataBreakpoints([{ dataId: info0.dataId!, accessType: 'write' }]);
    assert.strictEqual(bp.verified, true, bp.message);
    rt.continue();
    const info = stopped(await next());
    assert.strictEqual(info.reason, 'data breakpoint');
    assert.match(info.description ?? '', /^write to 0x[0-9a-f]+ \(8 bytes\) by hypercall multicall\(.*\): 0x5a5a → 0x0$/);
    assert.match(info.text ?? '', /\nthen domain shut down: poweroff after \d+ instructions: continue to end the session/);
    assert.strictEqual((rt.machine as XenDebugMachine).domain.state, 'shutdown');
    assert.strictEqual(rt.evaluate('*(u64*)mc_result', 1, 'watch').result.split(' ')[0], '0x0');
    assert.ok(!/domain shut down/.test(output()), 'not ended yet');
    rt.continue();
    assert.deepStrictEqual(await next(), { kind: 'exited', code: 0 });
    assert.match(output(), /\[xenpv\] domain shut down: poweroff/);
    rt.dispose();
  });
});
