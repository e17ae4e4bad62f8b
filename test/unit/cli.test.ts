// The CLI end to end: the bundled sample runs and halts cleanly; bad images and bad usage give clear
// messages and distinct exit codes, never a stack trace.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { buildGuest } from '../guests/build';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'src/cli/main.ts');

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('xenpv CLI', function () {
  this.timeout(60000); // each case spawns a node process
  it('runs the npm start sample: a pv64 guest whose rejected hypercall shows errno and diagnostic', () => {
    const r = run(['run', 'samples/hello-pv64.s', '--trace']);
    assert.strictEqual(r.code, 0, r.err);
    assert.match(r.out, /Hello from a Xen PV guest running on an emulated hypervisor/);
    assert.match(r.out, /Xen refused to pin our L4 twice/);
    assert.match(r.err, /mmuext_op\(.*\) = -EINVAL .*already-pinned/);
    assert.match(r.err, /sched_op\(SCHEDOP_shutdown.*reason poweroff/);
    assert.match(r.err, /domain shut down: poweroff/);
  });
  it('runs the bundled sample from its assembly source and halts (exit 0)', () => {
    const r = run(['run', 'samples/bare-hello.s']);
    assert.strictEqual(r.code, 0, r.err);
    assert.match(r.out, /Hello from the emulated x86 CPU!/);
    assert.match(r.out, /Fibonacci: 1 1 2 3 5 8 13 21 34 55 89 144 233 377 610 987 1597 2584 4181 6765/);
    assert.match(r.out, /round trip OK/);
    assert.match(r.err, /halted after \d+ instructions/);
  });
  it('rejects a file that is not an ELF image with exit 65 and a reason', () => {
    const f = path.join(os.tmpdir(), `xenpv-not-elf-${process.pid}.bin`);
    fs.writeFileSync(f, Buffer.from('this is not an ELF file at all, just text........................'));
    try {
      const r = run(['run', f]);
      assert.strictEqual(r.code, 65);
      assert.match(r.err, /bad guest image: not an ELF file \(bad magic\)/);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    } finally { fs.unlinkSync(f); }
  });
  it('reports assembly errors with file:line:column (exit 65)', () => {
    const f = path.join(os.tmpdir(), `xenpv-bad-${process.pid}.s`);
    fs.writeFileSync(f, '  .text\n_start:\n  movx %eax, %ebx\n');
    try {
      const r = run(['run', f]);
      assert.strictEqual(r.code, 65);
      assert.match(r.err, /:3:\d+: error: /);
    } finally { fs.unlinkSync(f); }
  });
  it('reports a guest fault with registers (exit 2) and stops at the instruction limit (exit 3)', () => {
    const f = path.join(os.tmpdir(), `xenpv-fault-${process.pid}.s`);
    fs.writeFileSync(f, '  .code64\n  .text\n  .globl _start\n_start:\n  mov $1, %eax\n  ud2\n');
    const g = path.join(os.tmpdir(), `xenpv-loop-${process.pid}.s`);
    fs.writeFileSync(g, '  .code64\n  .text\n  .globl _start\n_start:\n  jmp _start\n');
    try {
      const r = run(['run', f]);
      assert.strictEqual(r.code, 2);
      assert.match(r.err, /guest fault #UD at rip 0x/);
      assert.match(r.err, /rax 0000000000000001/);
      const l = run(['run', g, '--max-instructions', '5000']);
      assert.strictEqual(l.code, 3);
      assert.match(l.err, /instruction limit reached after 5000 instructions/);
    } finally { fs.unlinkSync(f); fs.unlinkSync(g); }
  });
  it('explains usage errors (exit 64)', () => {
    assert.strictEqual(run([]).code, 64);
    const r = run(['run', 'samples/bare-hello.s', '--memory', 'lots']);
    assert.strictEqual(r.code, 64);
    assert.match(r.err, /--memory needs a number/);
    assert.strictEqual(run(['frobnicate']).code, 64);
  });

  describe('Xen PV guests', () => {
    const elf = (kind: 'pv64' | 'pv32'): string => { buildGuest(`${kind}-guest`, kind); return path.join(root, 'test/.build/guests', `${kind}-guest.elf`); };
    it('runs a pv64 and a pv32pae guest to poweroff (exit 0) with console output; --trace prints hypercalls to stderr', () => {
      const r = run(['run', elf('pv64'), '--trace']);
      assert.strictEqual(r.code, 0, r.err);
      assert.strictEqual(r.out, 'hello from pv64 via console_io\nhello from pv64 via the console ring\n');
      assert.match(r.err, /\[hypercall #0 vcpu0 rip 0x[0-9a-f]+\] hypercall console_io\(CONSOLEIO_write, count=31, buffer=0x[0-9a-f]+\) = 0/);
      assert.match(r.err, /hypercall sched_op\(SCHEDOP_shutdown, 0x[0-9a-f]+\) = 0 \(reason poweroff\)/);
      assert.match(r.err, /\(pv64\): domain shut down: poweroff/);
      const r32 = run(['run', elf('pv32')]);
      assert.strictEqual(r32.code, 0, r32.err);
      assert.match(r32.out, /hello from pv32pae via the console ring/);
      assert.doesNotMatch(r32.err, /\[hypercall/);
    });
    it('runs an assembly source with Xen notes on the Xen machine', () => {
      const r = run(['run', 'test/fixtures/debug/xen64.s']);
      assert.strictEqual(r.code, 0, r.err);
      assert.strictEqual(r.out, 'hello from an assembled pv64 guest\n');
      assert.match(r.err, /xen64\.s \(pv64\): domain shut down: poweroff/);
    });
    it('--break hypercall:NAME stops there, prints registers and Xen\'s GDT, exit 5', () => {
      const r = run(['run', elf('pv32'), '--break', 'hypercall:sched_op:shutdown']);
      assert.strictEqual(r.code, 5, r.err);
      assert.match(r.err, /stopped at hypercall sched_op\(SCHEDOP_shutdown, 0x[0-9a-f]+\) on vCPU 0/);
      assert.match(r.err, /rax 000000000000001d/);
      assert.match(r.err, /cs=e019/);
      assert.match(r.err, /\[0x1c03\] sel 0xe018 .*DPL1.*\(Xen reserved: FLAT_RING1_CS\)/);
      const x = run(['run', elf('pv64'), '--break', 'console_io@exit']);
      assert.strictEqual(x.code, 5, x.err);
      assert.match(x.err, /stopped at hypercall console_io\(CONSOLEIO_write, count=31, buffer=0x[0-9a-f]+\) = 0/);
      assert.match(x.out, /via console_io\n$/);
    });
    it('maps shutdown reasons to exit codes; a crash prints the diagnostic (exit 2)', () => {
      assert.strictEqual(run(['run', elf('pv64'), '--cmdline', 'S1']).code, 6, 'reboot');
      assert.strictEqual(run(['run', elf('pv64'), '--cmdline', 'S4']).code, 8, 'watchdog');
      const c = run(['run', elf('pv64'), '--cmdline', 'S3']);
      assert.strictEqual(c.code, 2);
      assert.match(c.err, /guest shut down with reason crash/);
      const n = run(['run', elf('pv64'), '--cmdline', 'n']);
      assert.strictEqual(n.code, 2);
      assert.match(n.err, /domain crashed: no trap handler for #UD/);
    });
    it('rejects bad --break specs and Xen options on a bare program (exit 64)', () => {
      const b = run(['run', elf('pv64'), '--break', 'hypercall:nosuch']);
      assert.strictEqual(b.code, 64);
      assert.match(b.err, /--break: unknown hypercall 'nosuch'/);
      const c = run(['run', 'samples/bare-hello.s', '--cmdline', 'x']);
      assert.strictEqual(c.code, 64);
      assert.match(c.err, /--cmdline needs a Xen PV guest/);
    });
    it('--name, --wallclock and --xs-write: the xenstore guest reads its name, then powers off as after xl shutdown', () => {
      buildGuest('pv64-xshello', 'pv64');
      const xs = path.join(root, 'test/.build/guests/pv64-xshello.elf');
      const r = run(['run', xs, '--name', 'web-01', '--wallclock', '2024-02-29T12:00:00Z', '--xs-write', 'data/first=1', '--xs-write', 'control/shutdown=poweroff']);
      assert.strictEqual(r.code, 0, r.err);
      assert.strictEqual(r.out, 'xenstore: domid 1, name web-01\nxenstore: control/shutdown = poweroff\n');
      assert.match(r.err, /\[xenpv\] toolstack wrote \/local\/domain\/1\/data\/first = "1"; no guest watch covers it/);
      assert.match(r.err, /\[xenpv\] toolstack wrote \/local\/domain\/1\/control\/shutdown = "poweroff"; 1 watch event queued \(control\/shutdown token tok\); store port 1 notified; vCPU 0 woken\.\n/);
      assert.match(r.err, /domain shut down: poweroff/);
      const w = run(['run', xs]);
      assert.strictEqual(w.code, 4, 'nobody writes control/shutdown: blocked forever');
      assert.match(w.out, /name xenpv-xshello-test\n$/);
    });
    it('rejects a bad --wallclock, --name or --xs-write with the reason (exit 64)', () => {
      const xs = path.join(root, 'test/.build/guests/pv64-xshello.elf');
      buildGuest('pv64-xshello', 'pv64');
      const a = run(['run', xs, '--wallclock', '2023-02-29']);
      assert.strictEqual(a.code, 64);
      assert.match(a.err, /--wallclock: wallclock '2023-02-29': 2023-02-29 is not a calendar date/);
      const b = run(['run', xs, '--wallclock', 'tomorrow']);
      assert.strictEqual(b.code, 64);
      assert.match(b.err, /--wallclock: wallclock 'tomorrow' is not an ISO date/);
      const c = run(['run', xs, '--xs-write', 'control/shutdown']);
      assert.strictEqual(c.code, 64);
      assert.match(c.err, /--xs-write needs PATH=VALUE/);
      const d = run(['run', xs, '--xs-write', 'bad//path=1']);
      assert.strictEqual(d.code, 64);
      assert.match(d.err, /--xs-write: xenstore path 'bad\/\/path' is not valid \(EINVAL\)/);
      const e = run(['run', xs, '--name', 'a/b']);
      assert.strictEqual(e.code, 64);
      assert.match(e.err, /--name: name "a\/b" contains '\/'/);
      const f = run(['run', 'samples/bare-hello.s', '--xs-write', 'a=b']);
      assert.strictEqual(f.code, 64);
      assert.match(f.err, /--xs-write needs a Xen PV guest/);
    });
  });
});
