// The Event Channels view's pure logic (src/views/view-specs.ts): port rows "port 3  virq VIRQ_TIMER → vCPU0 …", the
// warning on pending-but-masked ports, upcall rows per vCPU, the empty message, and adapter errors as clear rows.

import * as assert from 'assert';
import { eventChannelsView, eventChannelDescription, upcallNode } from '../../src/views/view-specs';
import { errorRow } from '../../src/views/nodes';
import type { Requester } from '../../src/views/spec';

const REPLY = {
  rows: [
    { port: 1, state: 'interdomain', vcpu: 0, pending: true, masked: false, remoteDomain: 0, remotePort: 1, backend: 'xenstore' },
    { port: 3, state: 'virq', vcpu: 0, pending: true, masked: true, virq: 0, virqName: 'VIRQ_TIMER' },
    { port: 4, state: 'unbound', vcpu: 1, pending: false, masked: false, remoteDomain: 0 },
    { port: 5, state: 'ipi', vcpu: 1, pending: false, masked: true },
  ],
  upcall: [{ vcpu: 0, pending: 1, mask: 1, pendingSel: '0x1' }, { vcpu: 1, pending: 0, mask: 0, pendingSel: '0x0' }],
};

function fake(reply: unknown): Requester & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async request<T>(command: string): Promise<T> {
      asked.push(command);
      if (reply instanceof Error) throw reply;
      return reply as T;
    },
  };
}

describe('views: Event Channels', () => {
  it('rows read "port N" and "virq VIRQ_TIMER → vCPU0  pending masked", by state', () => {
    assert.strictEqual(eventChannelDescription(REPLY.rows[1]), 'virq VIRQ_TIMER → vCPU0  pending masked');
    assert.strictEqual(eventChannelDescription(REPLY.rows[0]), 'interdomain d0 port 1 (xenstore) → vCPU0  pending');
    assert.strictEqual(eventChannelDescription(REPLY.rows[2]), 'unbound for d0 → vCPU1');
    assert.strictEqual(eventChannelDescription(REPLY.rows[3]), 'ipi → vCPU1  masked');
    assert.strictEqual(eventChannelDescription({ port: 9, state: 'virq', virq: 7, vcpu: '0x0' }), 'virq 7 → vCPU0', 'numbers as strings and no name');
  });

  it('loads xen/eventChannels: ports in order with icons, a warning when pending and masked, then upcall rows', async () => {
    const a = fake(REPLY);
    const rows = await eventChannelsView().load(a, 'hex');
    assert.deepStrictEqual(a.asked, ['xen/eventChannels']);
    assert.deepStrictEqual(rows.map((r) => r.label), ['port 1', 'port 3', 'port 4', 'port 5', 'vCPU0 upcall', 'vCPU1 upcall']);
    assert.deepStrictEqual(rows.map((r) => r.icon), ['plug', 'warning', 'debug-disconnect', 'arrow-swap', 'warning', 'pulse']);
    assert.strictEqual(rows[1].description, 'virq VIRQ_TIMER → vCPU0  pending masked');
    assert.strictEqual(rows[4].description, 'pending 1, mask 1, pending_sel 0x1');
    assert.match(rows[4].tooltip!, /pending but the guest has events masked/);
    assert.strictEqual(rows[1].contextValue, 'entry', 'copyable');
    const kids = new Map(rows[1].children!.map((c) => [c.label, c.description]));
    assert.strictEqual(kids.get('virqName'), 'VIRQ_TIMER');
    assert.strictEqual(kids.get('masked'), 'yes');
    assert.match(rows[1].copyText!, /^port 3\tvirq VIRQ_TIMER → vCPU0 {2}pending masked\n\{/);
  });

  it('port numbers stay decimal in the decimal format; pending_sel follows the format', async () => {
    const rows = await eventChannelsView().load(fake({ rows: [{ port: 12, state: 'ipi', vcpu: 0, pending: false, masked: false }], upcall: [{ vcpu: 0, pending: 0, mask: 0, pendingSel: '0x10' }] }), 'decimal');
    assert.deepStrictEqual(rows.map((r) => `${r.label}: ${r.description}`), ['port 12: ipi → vCPU0', 'vCPU0 upcall: pending 0, mask 0, pending_sel 16']);
    assert.strictEqual(upcallNode({ vcpu: 2, pending: 0, mask: 1, pendingSel: '0x0' }, 'hex').icon, 'pulse', 'masked but nothing pending: no warning');
  });

  it('no ports: the "No event channels bound" message, still followed by the upcall state', async () => {
    const rows = await eventChannelsView().load(fake({ rows: [], upcall: [{ vcpu: 0, pending: 0, mask: 1, pendingSel: '0x0' }] }), 'hex');
    assert.deepStrictEqual(rows.map((r) => r.label), ['No event channels bound', 'vCPU0 upcall']);
    assert.strictEqual(rows[0].contextValue, 'message');
    const garbage = await eventChannelsView().load(fake({ rows: 'nope', upcall: [null, 3] }), 'hex');
    assert.deepStrictEqual(garbage.map((r) => r.label), ['No event channels bound'], 'malformed replies never throw');
  });

  it('an adapter without the request or a bare machine rejects; the provider turns it into a clear row', async () => {
    const e = new Error("unrecognized request 'xen/eventChannels'");
    await assert.rejects(eventChannelsView().load(fake(e), 'hex'), /unrecognized request/);
    assert.strictEqual(errorRow(e).label, 'Not supported by this debug adapter (xen/eventChannels)');
    const bare = new Error('xen/eventChannels needs a Xen PV guest (this is a bare machine)');
    await assert.rejects(eventChannelsView().load(fake(bare), 'hex'));
    assert.strictEqual(errorRow(bare).label, 'Not available on the bare machine');
  });
});
