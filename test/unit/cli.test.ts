// The CLI end to end: the bundled sample runs and halts cleanly; bad images and bad usage give clear
// messages and distinct exit codes, never a stack trace.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'src/cli/main.ts');

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('xenpv CLI', function () {
  this.timeout(60000); // each case spawns a node process
  it('runs the bundled sample from its assembly source and halts (exit 0)', () => {
    const r = run(['run', 'samples/hello.s']);
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
    const r = run(['run', 'samples/hello.s', '--memory', 'lots']);
    assert.strictEqual(r.code, 64);
    assert.match(r.err, /--memory needs a number/);
    assert.strictEqual(run(['frobnicate']).code, 64);
  });
});
