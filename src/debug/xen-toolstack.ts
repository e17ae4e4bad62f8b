// The REPL's dom0 toolstack: `xs-write <path> <value>` writes a xenstore node as xl/libxl would (watches fire, the
// store port is notified, e.g. `xs-write control/shutdown poweroff` is `xl shutdown`), `xs-read <path>` reads one.

import type { XenDebugMachine } from './xen-machine';
import { canonicalize } from '../xen/xenstore-protocol';
import { XENSTORE_PAYLOAD_MAX } from '../xen/public/xenstore';
import { STORE_EVTCHN } from '../xen/builder/build';

export const XEN_TOOLSTACK_REPL_HELP = [
  'xs-write <path> <value>   as dom0\'s toolstack: write a xenstore node (relative paths are under the domain\'s home,',
  '                    /local/domain/<domid>); watches fire and the store port is notified, the guest sees it when',
  '                    continued. `xs-write control/shutdown poweroff` is `xl shutdown`; quote a value with "…" for',
  '                    spaces or an empty value',
  'xs-read <path>      read a xenstore node (no permission checks)',
].join('\n');

/** A parsed `xs-write` / `xs-read`; error is a usage message. */
export type ToolstackCommand = { op: 'write'; path: string; value: string } | { op: 'read'; path: string } | { error: string };

/** The value part of `xs-write`: the rest of the line, or one "…" string (JSON escapes) for spaces or an empty value. */
function parseValue(text: string): string | { error: string } {
  if (!text.startsWith('"')) return text;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'string') return v;
  } catch { /* reported below */ }
  return { error: `xs-write: bad quoted value ${text} (use "…" with JSON escapes, e.g. "" for an empty value)` };
}

/** Parse `xs-write <path> <value>` / `xs-read <path>`; undefined when the text is neither command. */
export function parseToolstackCommand(text: string): ToolstackCommand | undefined {
  const t = text.trim();
  const m = /^xs-(write|read)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(t);
  if (!m) return /^xs-(write|read)\b/.test(t) ? { error: `usage: xs-write <path> <value> | xs-read <path>` } : undefined;
  const [, op, path, rest] = m;
  if (op === 'read') {
    if (path === undefined || rest !== undefined) return { error: 'usage: xs-read <path>' };
    return { op: 'read', path };
  }
  if (path === undefined || rest === undefined) return { error: 'usage: xs-write <path> <value> (e.g. xs-write control/shutdown poweroff)' };
  const value = parseValue(rest.trim());
  if (typeof value !== 'string') return value;
  return { op: 'write', path, value };
}

/** The absolute path of a node; throws a readable reason when xenstored would refuse it (EINVAL). */
export function absolutePath(m: XenDebugMachine, path: string): string {
  const home = m.domain.xenstore.home;
  const abs = canonicalize(home, path, false);
  if (abs === null || abs === '/') {
    throw new Error(`xenstore path '${path}' is not valid (EINVAL): use letters, digits and - / _ @, no trailing or double '/', at most 2048 bytes below ${home}`);
  }
  return abs;
}

/** xs-read: the node's value. */
export function toolstackRead(m: XenDebugMachine, path: string): string {
  const abs = absolutePath(m, path);
  const v = m.domain.xenstore.read(abs);
  return v === undefined ? `${abs}: no such node (ENOENT)` : `${abs} = ${JSON.stringify(v)}`;
}

/**
 * xs-write: the toolstack writes the node now, while the guest is stopped. Hypervisor writes into guest memory it
 * causes (the watch event in the store ring, the port's pending bit) are attributed to it for data breakpoints.
 * Returns what happened: watches fired, the port notified, a vCPU woken.
 */
export function toolstackWrite(m: XenDebugMachine, path: string, value: string): string {
  const d = m.domain;
  if (d.state !== 'running') throw new Error(`xs-write: the domain is ${d.state === 'shutdown' ? `shut down (${d.shutdownReasonName})` : 'crashed'}; its xenstore connection is gone`);
  const abs = absolutePath(m, path);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (abs.length + 1 + bytes > XENSTORE_PAYLOAD_MAX) throw new Error(`xs-write: path and value are ${abs.length + 1 + bytes} bytes, more than XENSTORE_PAYLOAD_MAX (${XENSTORE_PAYLOAD_MAX}) (E2BIG)`);
  const xs = d.xenstore;
  const seq0 = xs.log.length ? xs.log[xs.log.length - 1].seq + 1 : 0;
  const blocked0 = d.vcpus.map((v) => v.blocked);
  const pending0 = d.evtchn.isPending(STORE_EVTCHN);
  m.asHypervisor(() => `the toolstack's xenstore write of ${abs}`, () => d.toolstackWrite(abs, value));
  const events = xs.log.filter((e) => e.seq >= seq0 && e.type === 'XS_WATCH_EVENT');
  const woken = d.vcpus.filter((v, i) => blocked0[i] && !v.blocked).map((v) => v.id);
  const out = [`toolstack wrote ${abs} = ${JSON.stringify(value)}`];
  if (events.length === 0) out.push('no guest watch covers it');
  else out.push(`${events.length} watch event${events.length === 1 ? '' : 's'} queued (${events.map((e) => `${e.path} token ${e.reply}`).join(', ')})`);
  if (xs.brokenReason) out.push(`xenstored ignores this domain's ring (${xs.brokenReason}): nothing is delivered`);
  else if (d.evtchn.isPending(STORE_EVTCHN) && !pending0) out.push(`store port ${STORE_EVTCHN} notified`);
  else if (pending0) out.push(`store port ${STORE_EVTCHN} was already pending`);
  if (woken.length) out.push(`vCPU ${woken.join(', ')} woken`);
  return `${out.join('; ')}. The guest sees it when continued.`;
}

/** REPL `xs-write` / `xs-read`; undefined when the text is neither. running: the guest is running (writes refused). */
export function toolstackReplCommand(m: XenDebugMachine, text: string, running: boolean): string | undefined {
  const c = parseToolstackCommand(text);
  if (c === undefined) return undefined;
  if ('error' in c) throw new Error(c.error);
  if (c.op === 'read') return toolstackRead(m, c.path);
  if (running) throw new Error('xs-write: pause the guest first (the toolstack\'s write is made while the guest is stopped and seen when it continues)');
  return toolstackWrite(m, c.path, c.value);
}
