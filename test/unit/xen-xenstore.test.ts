// The emulated xenstored (src/xen/xenstore.ts): requests written into the store ring as a guest would, answered on
// notify — reads, directories, permissions, writes, watches, transactions, malformed and oversized messages, index
// wrap-around — and a real pv64 guest talking to it through its start_info store page.

import * as assert from 'assert';
import { MachineMemory } from '../../src/cpu/memory';
import { XenstoreBackend } from '../../src/xen/xenstore';
import {
  XS_READ, XS_DIRECTORY, XS_WRITE, XS_MKDIR, XS_RM, XS_WATCH, XS_UNWATCH, XS_WATCH_EVENT, XS_ERROR, XS_GET_PERMS,
  XS_SET_PERMS, XS_TRANSACTION_START, XS_TRANSACTION_END, XS_GET_DOMAIN_PATH, XS_INTRODUCE, XS_DIRECTORY_PART,
  XS_GET_FEATURE, XENSTORE_DOMAIN_INTERFACE, XENSTORE_ERROR_PROTO, XENSTORE_ERROR_RINGIDX, XENSTORE_SERVER_FEATURE_ERROR,
} from '../../src/xen/public/xenstore';
import { buildGuest, guestSymbol } from '../guests/build';
import { createDomainFromElf } from '../../src/xen';
import { copyFromGuest } from '../../src/xen/guest-access';

const F = XENSTORE_DOMAIN_INTERFACE.fields;
const PAGE = 0x3000;

/** A guest-side xenstore client over the ring page (what a PV kernel's xenbus does). */
class Client {
  reqId = 1;
  constructor(readonly mem: MachineMemory, readonly base = PAGE) {}
  u32(off: number): number { return this.mem.read32(this.base + off) >>> 0; }
  set32(off: number, v: number): void { this.mem.write32(this.base + off, v >>> 0); }
  /** Put raw bytes into the request ring at req_prod (wrapping), then publish them. */
  push(bytes: Uint8Array): void {
    const prod = this.u32(F.req_prod);
    for (let i = 0; i < bytes.length; i++) this.mem.write8(this.base + F.req + ((prod + i) & 1023), bytes[i]);
    this.set32(F.req_prod, prod + bytes.length);
  }
  message(type: number, payload: string | Uint8Array, txId = 0, len?: number): Uint8Array {
    const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
    const out = new Uint8Array(16 + body.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, type, true); dv.setUint32(4, this.reqId++, true); dv.setUint32(8, txId, true);
    dv.setUint32(12, len ?? body.length, true);
    out.set(body, 16);
    return out;
  }
  /** Take every complete reply from the response ring. */
  replies(): { type: number; reqId: number; txId: number; body: string }[] {
    const out = [];
    for (;;) {
      const cons = this.u32(F.rsp_cons), prod = this.u32(F.rsp_prod);
      if (((prod - cons) >>> 0) < 16) break;
      const at = (k: number): number => this.mem.read8(this.base + F.rsp + ((cons + k) & 1023));
      const w = (o: number): number => (at(o) | (at(o + 1) << 8) | (at(o + 2) << 16) | (at(o + 3) << 24)) >>> 0;
      const len = w(12);
      if (((prod - cons) >>> 0) < 16 + len) break;
      let body = '';
      for (let k = 0; k < len; k++) body += String.fromCharCode(at(16 + k));
      out.push({ type: w(0), reqId: w(4), txId: w(8), body });
      this.set32(F.rsp_cons, cons + 16 + len);
    }
    return out;
  }
}

function setup(domid = 3): { be: XenstoreBackend; cl: Client; mem: MachineMemory } {
  const mem = new MachineMemory(0x10000);
  const be = new XenstoreBackend(mem, PAGE, domid, 'guest-one', { vcpus: 2, memoryKiB: 65536, storeMfn: 3, storePort: 1, consoleMfn: 7, consolePort: 2 });
  return { be, cl: new Client(mem), mem };
}
/** One request, notify, the replies. */
function ask(s: { be: XenstoreBackend; cl: Client }, type: number, payload: string, txId = 0): { type: number; body: string; reqId: number; txId: number }[] {
  s.cl.push(s.cl.message(type, payload, txId));
  assert.strictEqual(s.be.onNotify(), true, 'the backend moved the ring');
  return s.cl.replies();
}
function one(s: { be: XenstoreBackend; cl: Client }, type: number, payload: string, txId = 0): { type: number; body: string } {
  const r = ask(s, type, payload, txId);
  assert.strictEqual(r.length, 1, `one reply to ${type} ${JSON.stringify(payload)}: ${JSON.stringify(r)}`);
  return r[0];
}
const error = (name: string): { type: number; body: string } => ({ type: XS_ERROR, body: name + '\0' });
const strip = (r: { type: number; body: string }): { type: number; body: string } => ({ type: r.type, body: r.body });

describe('xen: xenstore backend', () => {
  it('advertises XENSTORE_SERVER_FEATURE_ERROR in the ring page', () => {
    const s = setup();
    assert.strictEqual(s.cl.u32(F.server_features), XENSTORE_SERVER_FEATURE_ERROR);
    assert.strictEqual(s.be.onNotify(), false, 'nothing to do');
  });

  it('XS_READ of relative and absolute keys: domid, name, vm, cpu availability; reply echoes req_id and tx_id', () => {
    const s = setup();
    s.cl.push(s.cl.message(XS_READ, 'domid\0'));
    s.be.onNotify();
    const [r] = s.cl.replies();
    assert.deepStrictEqual(r, { type: XS_READ, reqId: 1, txId: 0, body: '3' });
    assert.deepStrictEqual(strip(one(s, XS_READ, 'name\0')), { type: XS_READ, body: 'guest-one' });
    assert.deepStrictEqual(strip(one(s, XS_READ, '/local/domain/3/name\0')), { type: XS_READ, body: 'guest-one' });
    assert.match(one(s, XS_READ, 'vm\0').body, /^\/vm\/[0-9a-f-]{36}$/);
    assert.strictEqual(one(s, XS_READ, 'cpu/1/availability\0').body, 'online');
    assert.strictEqual(one(s, XS_READ, 'store/ring-ref\0').body, '3');
    assert.strictEqual(one(s, XS_READ, 'memory/target\0').body, '65536');
    assert.strictEqual(one(s, XS_READ, 'control/shutdown\0').body, '');
  });

  it('XS_DIRECTORY of the domain directory and of a subdirectory; XS_GET_DOMAIN_PATH', () => {
    const s = setup();
    const names = one(s, XS_DIRECTORY, '/local/domain/3\0').body.split('\0');
    assert.strictEqual(names.pop(), '', 'every name is NUL-terminated');
    for (const k of ['domid', 'name', 'vm', 'cpu', 'memory', 'device', 'control', 'data', 'console', 'store']) assert.ok(names.includes(k), k);
    assert.deepStrictEqual(strip(one(s, XS_DIRECTORY, 'cpu\0')), { type: XS_DIRECTORY, body: '0\x001\0' });
    assert.deepStrictEqual(strip(one(s, XS_DIRECTORY, 'data\0')), { type: XS_DIRECTORY, body: '' });
    assert.deepStrictEqual(strip(one(s, XS_GET_DOMAIN_PATH, '3\0')), { type: XS_GET_DOMAIN_PATH, body: '/local/domain/3\0' });
    assert.deepStrictEqual(strip(one(s, XS_GET_DOMAIN_PATH, '70000\0')), error('EINVAL'));
    const part = one(s, XS_DIRECTORY_PART, 'cpu\x000\0');
    assert.strictEqual(part.type, XS_DIRECTORY_PART);
    assert.match(part.body, /^\d+\x000\x001\x00\x00$/, 'generation, the names, an empty string at the end');
  });

  it('errors carry xenstored errno names: ENOENT, EACCES, EINVAL, ENOSYS', () => {
    const s = setup();
    assert.deepStrictEqual(strip(one(s, XS_READ, 'no-such-key\0')), error('ENOENT'));
    assert.deepStrictEqual(strip(one(s, XS_READ, 'data/missing\0')), error('ENOENT'));
    assert.deepStrictEqual(strip(one(s, XS_READ, '/local/domain/0/name\0')), error('EACCES'), "dom0's nodes are not readable");
    assert.deepStrictEqual(strip(one(s, XS_READ, '/local/domain/9/name\0')), error('EACCES'), 'nothing leaks about other domains');
    assert.deepStrictEqual(strip(one(s, XS_READ, 'bad path!\0')), error('EINVAL'));
    assert.deepStrictEqual(strip(one(s, XS_READ, 'trailing/\0')), error('EINVAL'));
    assert.deepStrictEqual(strip(one(s, XS_READ, 'a//b\0')), error('EINVAL'));
    assert.deepStrictEqual(strip(one(s, XS_READ, 'name')), error('EINVAL'), 'payload must be NUL-terminated');
    assert.deepStrictEqual(strip(one(s, XS_READ, 'name\0extra\0')), error('EINVAL'), 'exactly one argument');
    assert.deepStrictEqual(strip(one(s, XS_INTRODUCE, '5\x0012\x001\0')), error('EACCES'), 'privileged');
    assert.deepStrictEqual(strip(one(s, XS_WATCH_EVENT, '')), error('ENOSYS'));
    assert.deepStrictEqual(strip(one(s, 99, 'x\0')), error('ENOSYS'));
    assert.deepStrictEqual(strip(one(s, XS_READ, 'name\0', 77)), error('ENOENT'), 'unknown transaction');
    const last = s.be.log[s.be.log.length - 1];
    assert.deepStrictEqual({ type: last.type, path: last.path, reply: last.reply, error: last.error },
      { type: 'XS_READ', path: 'name', reply: 'ENOENT', error: true });
  });

  it('XS_WRITE under the domain\'s writable nodes; EACCES for read-only keys, the home node and outside it', () => {
    const s = setup();
    assert.deepStrictEqual(strip(one(s, XS_WRITE, 'data/greeting\0hello\0world')), { type: XS_WRITE, body: 'OK\0' });
    assert.strictEqual(one(s, XS_READ, 'data/greeting\0').body, 'hello\0world', 'values are binary-safe');
    assert.strictEqual(s.be.read('data/greeting'), 'hello\0world');
    assert.deepStrictEqual(strip(one(s, XS_WRITE, 'control/shutdown\0poweroff')), { type: XS_WRITE, body: 'OK\0' });
    assert.deepStrictEqual(strip(one(s, XS_WRITE, 'data/a/b/c\0deep')), { type: XS_WRITE, body: 'OK\0' }, 'parents created');
    assert.strictEqual(one(s, XS_READ, 'data/a/b\0').body, '');
    assert.deepStrictEqual(strip(one(s, XS_GET_PERMS, 'data/a\0')), { type: XS_GET_PERMS, body: 'n3\0' }, 'created nodes are owned by the guest');
    assert.deepStrictEqual(strip(one(s, XS_GET_PERMS, 'name\0')), { type: XS_GET_PERMS, body: 'n0\0r3\0' });
    assert.deepStrictEqual(strip(one(s, XS_WRITE, 'name\0evil')), error('EACCES'));
    assert.deepStrictEqual(strip(one(s, XS_WRITE, 'newkey\0x')), error('EACCES'), 'the home node is read-only for the guest');
    assert.deepStrictEqual(strip(one(s, XS_WRITE, '/local/domain/0/x\0x')), error('EACCES'));
    assert.deepStrictEqual(strip(one(s, XS_WRITE, '/tool/x\0x')), error('EACCES'));
    assert.deepStrictEqual(strip(one(s, XS_MKDIR, 'data/dir\0')), { type: XS_MKDIR, body: 'OK\0' });
    assert.deepStrictEqual(strip(one(s, XS_RM, 'data/a\0')), { type: XS_RM, body: 'OK\0' });
    assert.deepStrictEqual(strip(one(s, XS_READ, 'data/a/b/c\0')), error('ENOENT'), 'subtree removed');
    assert.deepStrictEqual(strip(one(s, XS_RM, 'data/never\0')), { type: XS_RM, body: 'OK\0' }, 'parent exists: fine');
    assert.deepStrictEqual(strip(one(s, XS_RM, 'data/never/deeper\0')), error('ENOENT'));
    assert.deepStrictEqual(strip(one(s, XS_RM, 'name\0')), error('EACCES'));
    assert.deepStrictEqual(strip(one(s, XS_SET_PERMS, 'data/dir\0n3\0r0\0')), { type: XS_SET_PERMS, body: 'OK\0' });
    assert.deepStrictEqual(strip(one(s, XS_SET_PERMS, 'data/dir\0n0\0')), error('EPERM'), 'no giving nodes away');
    assert.deepStrictEqual(strip(one(s, XS_SET_PERMS, 'data/dir\0x9\0')), error('EINVAL'));
    assert.strictEqual(one(s, XS_GET_FEATURE, '').body, `${XENSTORE_SERVER_FEATURE_ERROR}\0`);
  });

  it('XS_WATCH: OK, then the initial event (relative path kept); writes below fire; XS_UNWATCH stops them', () => {
    const s = setup();
    const r = ask(s, XS_WATCH, 'control/shutdown\0tok1\0');
    assert.deepStrictEqual(r.map(strip), [{ type: XS_WATCH, body: 'OK\0' }, { type: XS_WATCH_EVENT, body: 'control/shutdown\0tok1\0' }]);
    assert.strictEqual(r[1].reqId, 0);
    assert.deepStrictEqual(strip(one(s, XS_WATCH, 'control/shutdown\0tok1\0')), error('EEXIST'));
    const abs = ask(s, XS_WATCH, '/local/domain/3/data\0tok2\0');
    assert.deepStrictEqual(abs[1].body, '/local/domain/3/data\0tok2\0');
    // As in xenstored, the event a write fires is queued before the write's own reply.
    const w = ask(s, XS_WRITE, 'data/x\0' + '1');
    assert.deepStrictEqual(w.map(strip), [{ type: XS_WATCH_EVENT, body: '/local/domain/3/data/x\0tok2\0' }, { type: XS_WRITE, body: 'OK\0' }]);
    // The toolstack asks for a shutdown: the guest's watch fires without any request.
    assert.strictEqual(s.be.toolstackWrite('control/shutdown', 'poweroff'), true);
    assert.deepStrictEqual(s.cl.replies().map(strip), [{ type: XS_WATCH_EVENT, body: 'control/shutdown\0tok1\0' }]);
    assert.strictEqual(one(s, XS_READ, 'control/shutdown\0').body, 'poweroff');
    assert.deepStrictEqual(strip(one(s, XS_UNWATCH, '/local/domain/3/data\0tok2\0')), { type: XS_UNWATCH, body: 'OK\0' });
    assert.deepStrictEqual(ask(s, XS_WRITE, 'data/x\0' + '2').map(strip), [{ type: XS_WRITE, body: 'OK\0' }]);
    assert.deepStrictEqual(strip(one(s, XS_UNWATCH, 'data\0tok2\0')), error('ENOENT'));
    assert.deepStrictEqual(strip(one(s, XS_WATCH, 'only-one-arg\0')), error('EINVAL'));
    assert.ok(s.be.log.some((e) => e.type === 'XS_WATCH_EVENT' && e.reply === 'tok1'));
  });

  it('transactions: writes are private until commit, abort drops them, a conflicting change gives EAGAIN', () => {
    const s = setup();
    const t = one(s, XS_TRANSACTION_START, '\0');
    assert.strictEqual(t.type, XS_TRANSACTION_START);
    const id = Number(t.body.replace(/\0$/, ''));
    assert.ok(id > 0);
    assert.deepStrictEqual(strip(one(s, XS_TRANSACTION_START, '\0', id)), error('EBUSY'), 'no nesting');
    one(s, XS_WRITE, 'data/t\0in-tx', id);
    assert.strictEqual(one(s, XS_READ, 'data/t\0', id).body, 'in-tx');
    assert.deepStrictEqual(strip(one(s, XS_READ, 'data/t\0')), error('ENOENT'), 'not visible outside');
    assert.deepStrictEqual(strip(one(s, XS_TRANSACTION_END, 'T\0', id)), { type: XS_TRANSACTION_END, body: 'OK\0' });
    assert.strictEqual(one(s, XS_READ, 'data/t\0').body, 'in-tx');
    assert.deepStrictEqual(strip(one(s, XS_TRANSACTION_END, 'T\0', id)), error('ENOENT'), 'gone after the end');

    const id2 = Number(one(s, XS_TRANSACTION_START, '\0').body.replace(/\0$/, ''));
    assert.notStrictEqual(id2, id);
    one(s, XS_WRITE, 'data/t\0dropped', id2);
    assert.deepStrictEqual(strip(one(s, XS_TRANSACTION_END, 'F\0', id2)), { type: XS_TRANSACTION_END, body: 'OK\0' });
    assert.strictEqual(one(s, XS_READ, 'data/t\0').body, 'in-tx');

    const id3 = Number(one(s, XS_TRANSACTION_START, '\0').body.replace(/\0$/, ''));
    one(s, XS_READ, 'data/t\0', id3);
    one(s, XS_WRITE, 'data/t\0outside');
    one(s, XS_WRITE, 'data/u\0inside', id3);
    assert.deepStrictEqual(strip(one(s, XS_TRANSACTION_END, 'T\0', id3)), error('EAGAIN'));
    assert.deepStrictEqual(strip(one(s, XS_READ, 'data/u\0')), error('ENOENT'));
    assert.deepStrictEqual(strip(one(s, XS_TRANSACTION_END, 'T\0', id3)), error('ENOENT'), 'ended even when it failed');
    const id4 = Number(one(s, XS_TRANSACTION_START, '\0').body.replace(/\0$/, ''));
    assert.deepStrictEqual(strip(one(s, XS_TRANSACTION_END, 'X\0', id4)), error('EINVAL'));
  });

  it('a torn message waits for the rest; two messages in one notify are both answered', () => {
    const s = setup();
    const m = s.cl.message(XS_READ, 'domid\0');
    s.cl.push(m.subarray(0, 10));
    assert.strictEqual(s.be.onNotify(), true, 'partial header consumed');
    assert.deepStrictEqual(s.cl.replies(), []);
    s.cl.push(m.subarray(10, 18));
    s.be.onNotify();
    assert.deepStrictEqual(s.cl.replies(), [], 'payload still incomplete');
    s.cl.push(m.subarray(18));
    s.be.onNotify();
    assert.deepStrictEqual(s.cl.replies().map(strip), [{ type: XS_READ, body: '3' }]);
    s.cl.push(s.cl.message(XS_READ, 'name\0'));
    s.cl.push(s.cl.message(XS_READ, 'domid\0'));
    s.be.onNotify();
    assert.deepStrictEqual(s.cl.replies().map((r) => r.body), ['guest-one', '3']);
  });

  it('ring indexes wrap around the 1024-byte rings and the 32-bit counters', () => {
    const s = setup();
    // Start both rings just below 2^32 so the indexes overflow and the bytes straddle the ring end.
    for (const off of [F.req_cons, F.req_prod, F.rsp_cons, F.rsp_prod]) s.cl.set32(off, 0xfffffff9);
    for (let i = 0; i < 40; i++) {
      const r = one(s, XS_READ, i % 2 ? 'name\0' : 'cpu/0/availability\0');
      assert.strictEqual(r.body, i % 2 ? 'guest-one' : 'online');
    }
    assert.ok(s.cl.u32(F.req_prod) < 0x1000, 'req_prod wrapped past 2^32');
    assert.strictEqual(s.cl.u32(F.req_cons), s.cl.u32(F.req_prod));
  });

  it('a reply larger than the free response space is delivered as the guest consumes', () => {
    const s = setup();
    assert.strictEqual(s.be.toolstackWrite('data/big', 'x'.repeat(3000)), false, 'no watch: nothing to send');
    s.cl.push(s.cl.message(XS_READ, 'data/big\0'));
    s.be.onNotify();
    assert.strictEqual((s.cl.u32(F.rsp_prod) - s.cl.u32(F.rsp_cons)) >>> 0, 1024, 'the response ring is full');
    assert.deepStrictEqual(s.cl.replies(), [], 'the reply is not complete yet');
    // The guest drains what is there and notifies again, until the whole reply has come through.
    const acc: number[] = [];
    for (let k = 0; k < 10 && acc.length < 16 + 3000; k++) {
      const prod = s.cl.u32(F.rsp_prod);
      for (let c = s.cl.u32(F.rsp_cons); c !== prod; c = (c + 1) >>> 0) acc.push(s.mem.read8(PAGE + F.rsp + (c & 1023)));
      s.cl.set32(F.rsp_cons, prod);
      s.be.onNotify();
    }
    assert.strictEqual(acc.length, 16 + 3000);
    assert.strictEqual(new DataView(Uint8Array.from(acc).buffer).getUint32(12, true), 3000);
    assert.strictEqual(Buffer.from(acc.slice(16)).toString('latin1'), 'x'.repeat(3000));
    assert.strictEqual(s.be.pendingBytes(), 0);
  });

  it('an oversized message marks the ring XENSTORE_ERROR_PROTO and the backend stops (no throw, no loop)', () => {
    const s = setup();
    s.cl.push(s.cl.message(XS_READ, 'x\0', 0, 5000));
    assert.doesNotThrow(() => s.be.onNotify());
    assert.strictEqual(s.be.broken, XENSTORE_ERROR_PROTO);
    assert.strictEqual(s.cl.u32(F.error), XENSTORE_ERROR_PROTO);
    assert.match(s.be.brokenReason, /5000 > XENSTORE_PAYLOAD_MAX/);
    s.cl.push(s.cl.message(XS_READ, 'name\0'));
    assert.strictEqual(s.be.onNotify(), false, 'ignored from now on');
    assert.deepStrictEqual(s.cl.replies(), []);
    assert.strictEqual(s.be.log[s.be.log.length - 1].type, 'XENSTORE_ERROR_PROTO');
  });

  it('garbage ring indexes mark the ring XENSTORE_ERROR_RINGIDX; random garbage never throws or hangs', () => {
    const s = setup();
    s.cl.set32(F.req_prod, 5000);
    assert.strictEqual(s.be.onNotify(), false);
    assert.strictEqual(s.be.broken, XENSTORE_ERROR_RINGIDX);
    assert.strictEqual(s.cl.u32(F.error), XENSTORE_ERROR_RINGIDX);
    const t = setup();
    t.cl.push(t.cl.message(XS_READ, 'name\0'));
    t.cl.set32(F.rsp_prod, 0x12345678);
    t.be.onNotify();
    assert.strictEqual(t.be.broken, XENSTORE_ERROR_RINGIDX, 'response ring indexes checked too');
    // Random bytes as requests: every notify terminates; the backend answers or gives up cleanly.
    let seed = 12345;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 8; };
    for (let round = 0; round < 50; round++) {
      const g = setup();
      for (let k = 0; k < 20; k++) {
        const n = rnd() % 200;
        const bytes = new Uint8Array(n);
        for (let i = 0; i < n; i++) bytes[i] = rnd() & 0xff;
        if (rnd() % 3 === 0 && n >= 16) new DataView(bytes.buffer).setUint32(12, rnd() % 64, true);
        const room = 1024 - ((g.cl.u32(F.req_prod) - g.cl.u32(F.req_cons)) >>> 0);
        g.cl.push(bytes.subarray(0, Math.min(n, room)));
        assert.doesNotThrow(() => g.be.onNotify());
        g.cl.replies();
        if (g.be.broken) break;
      }
    }
  });

  it('a real pv64 guest reads its domid and name, lists its directory, is refused outside its home', () => {
    const bytes = buildGuest('pv64-xenstore', 'pv64');
    const d = createDomainFromElf(bytes, { name: 'pv64-guest' });
    const be = d.xenstore;
    // The domain's own xenstored answers each EVTCHNOP_send on the store port (no help from the test).
    d.run(2_000_000);
    assert.strictEqual(d.state, 'shutdown', d.crashDiagnostic);
    const notifies = d.hypercallLog.filter((e) => e.name === 'event_channel_op' && e.result === 0).length;
    assert.strictEqual(notifies, 6, 'one EVTCHNOP_send per request');
    const reply = (k: number): { type: number; body: string } => {
      const base = guestSymbol(bytes, 'replies') + k * 256;
      const b = copyFromGuest(d.vcpus[0].cpu, base, 256) as Uint8Array;
      const dv = new DataView(b.buffer);
      const len = dv.getUint32(12, true);
      return { type: dv.getUint32(0, true), body: Buffer.from(b.subarray(16, 16 + Math.min(len, 240))).toString('latin1') };
    };
    assert.deepStrictEqual(reply(0), { type: XS_READ, body: String(d.domid) });
    assert.deepStrictEqual(reply(1), { type: XS_READ, body: 'pv64-guest' });
    assert.strictEqual(reply(2).type, XS_DIRECTORY);
    assert.ok(reply(2).body.split('\0').includes('store'));
    assert.deepStrictEqual(reply(3), error('ENOENT'));
    assert.deepStrictEqual(reply(4), error('EACCES'));
    assert.deepStrictEqual(reply(5), { type: XS_WRITE, body: 'OK\0' });
    assert.strictEqual(be.read('data/from-guest'), 'hi');
    assert.deepStrictEqual(be.log.slice(0, 6).map((e) => `${e.type} ${e.path} ${e.reply}`), [
      'XS_READ domid 1', 'XS_READ name pv64-guest', `XS_DIRECTORY /local/domain/${d.domid} ${reply(2).body.replace(/\0$/, '').split('\0').join(' ')}`,
      'XS_READ nope ENOENT', 'XS_WRITE /local/domain/0/x EACCES', 'XS_WRITE data/from-guest OK',
    ].map((s) => s.replace('XS_READ domid 1', `XS_READ domid ${d.domid}`)));
  });
});

describe('xen: the domain\'s own xenstored on the store event channel', () => {
  for (const k of ['pv64', 'pv32'] as const) {
    it(`${k}: the guest reads domid and name with EVTCHNOP_send, waits in SCHEDOP_poll for a watch, prints both`, () => {
      const d = createDomainFromElf(buildGuest(`${k}-xshello`, k), { name: 'hello-dom' });
      const first = d.run(2_000_000);
      assert.strictEqual(first.reason, 'blocked-forever', `${first.reason} ${first.detail} ${d.crashDiagnostic}`);
      assert.strictEqual(d.consoleOutput, `xenstore: domid ${d.domid}, name hello-dom\n`);
      assert.ok(d.vcpus[0].blocked, 'polling the store port until control/shutdown changes');
      const polls = d.hypercallLog.filter((e) => e.name === 'sched_op' && /SCHEDOP_poll/.test(e.decoded));
      assert.ok(polls.length >= 1);
      assert.match(polls[polls.length - 1].diagnostic, /polling port 1: blocked/);
      const sends = d.hypercallLog.filter((e) => e.name === 'event_channel_op');
      assert.deepStrictEqual(sends.map((e) => e.result), [0, 0, 0, 0], 'domid, name, watch, read control/shutdown');
      assert.deepStrictEqual(d.xenstore.log.map((e) => `${e.type} ${e.path} ${e.reply}`), [
        `XS_READ domid ${d.domid}`, 'XS_READ name hello-dom', 'XS_WATCH control/shutdown OK',
        'XS_WATCH_EVENT control/shutdown tok', 'XS_READ control/shutdown ',
      ]);
      assert.strictEqual(d.evtchn.describe().find((p) => p.port === 1)?.backend, 'xenstore');

      // xl shutdown: the toolstack writes control/shutdown, the watch fires and the store port wakes the poller.
      d.toolstackWrite('control/shutdown', 'poweroff');
      assert.strictEqual(d.vcpus[0].blocked, false, 'the store port notification ended the poll');
      const second = d.run(2_000_000);
      assert.strictEqual(second.reason, 'shutdown', `${second.detail} ${d.crashDiagnostic}`);
      assert.strictEqual(d.shutdownReasonName, 'poweroff');
      assert.strictEqual(d.consoleOutput, `xenstore: domid ${d.domid}, name hello-dom\nxenstore: control/shutdown = poweroff\n`);
    });
  }

  it('the domain name defaults to the GUEST_OS note; the store nodes describe the domain as built', () => {
    const d = createDomainFromElf(buildGuest('pv64-xshello', 'pv64'), { vcpus: 2 });
    assert.strictEqual(d.name, 'xenpv-xshello-test');
    const xs = d.xenstore;
    assert.strictEqual(xs.read('name'), 'xenpv-xshello-test');
    assert.strictEqual(xs.read('domid'), String(d.domid));
    assert.strictEqual(xs.read('store/ring-ref'), String(d.image.storeMfn));
    assert.strictEqual(xs.read('store/port'), '1');
    assert.strictEqual(xs.read('console/ring-ref'), String(d.image.consoleMfn));
    assert.strictEqual(xs.read('console/port'), '2');
    assert.strictEqual(xs.read('memory/static-max'), String(d.image.nrPages * 4));
    assert.strictEqual(xs.read('cpu/1/availability'), 'online');
    d.run(2_000_000);
    assert.match(d.consoleOutput, /^xenstore: domid 1, name xenpv-xshello-test\n$/);
  });

  it('a toolstack write before the guest watches anything queues nothing and leaves the store port alone', () => {
    const d = createDomainFromElf(buildGuest('pv64-xshello', 'pv64'), {});
    d.toolstackWrite('control/shutdown', 'reboot');
    assert.strictEqual(d.evtchnPending(1), false, 'no watch registered yet: xenstored has nothing to send');
    assert.strictEqual(d.xenstore.read('control/shutdown'), 'reboot');
  });
});
