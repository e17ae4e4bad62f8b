// A minimal xenstored for the domain's store ring: the node tree libxl leaves for a PV domU (with its permissions),
// read/directory/write/mkdir/rm/perms, watches (fired once on registration, then on changes), transactions, and a
// request log. onNotify() is what the store event channel calls; it never throws on guest garbage: a bad ring
// index or an oversized message makes the connection ignored, with the reason in the page's `error` field.

import type { MachineMemory } from '../cpu/memory';
import {
  XS_CONTROL, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH, XS_TRANSACTION_START, XS_TRANSACTION_END,
  XS_INTRODUCE, XS_RELEASE, XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS, XS_WATCH_EVENT, XS_ERROR,
  XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET, XS_RESET_WATCHES, XS_DIRECTORY_PART, XS_GET_FEATURE,
  XS_SET_FEATURE, XS_GET_QUOTA, XS_SET_QUOTA, XSD_SOCKMSG, XENSTORE_PAYLOAD_MAX, XENSTORE_SERVER_FEATURE_ERROR,
  XENSTORE_ERROR_NONE, XENSTORE_ERROR_RINGIDX, XENSTORE_ERROR_PROTO, XS_TYPE_COUNT, xsTypeName,
} from './public/xenstore';
import {
  XenstoreRing, encodeMessage, decodeHeader, bytesToStr, strToBytes, payloadStrings, oneArg, canonicalize,
} from './xenstore-protocol';
import {
  XsTree, XsTransaction, XsView, XsNode, XsPerm, XS_PERM_NONE, XS_PERM_READ, XS_PERM_WRITE, XS_PERM_OWNER,
  permFor, permString, parsePerm, parentOf, isUnder,
} from './xenstore-tree';

/** Per-domain quotas (xenstored defaults): watches, open transactions, nodes owned. */
export const XS_QUOTA_WATCHES = 128;
export const XS_QUOTA_TRANSACTIONS = 10;
export const XS_QUOTA_NODES = 1000;
/** Stop taking requests while this many reply bytes wait for the guest to consume them. */
export const XS_OUTPUT_LIMIT = 65536;

export interface XenstoreLogEntry {
  seq: number;
  /** XS_* name of the request (or XS_WATCH_EVENT for an event sent, XENSTORE_ERROR_* for a ring failure). */
  type: string;
  reqId: number;
  txId: number;
  /** First argument (the path, for most requests). */
  path: string;
  /** The reply: value, child names, "OK", the errno name, or the event token. */
  reply: string;
  error: boolean;
}

export interface XenstoreBackendOptions {
  vcpus?: number;
  memoryKiB?: number;
  storeMfn?: number;
  storePort?: number;
  consoleMfn?: number;
  consolePort?: number;
  uuid?: string;
  /** Keep at most this many log records (oldest dropped). Default 1000. */
  logLimit?: number;
}

interface Watch { abs: string; token: string; relative: boolean; }
interface Pending { bytes: Uint8Array; off: number; event: string | null; }
type Result = { ok: string } | { err: string };

const PRIVILEGED = new Set([XS_CONTROL, XS_INTRODUCE, XS_RELEASE, XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET,
  XS_SET_FEATURE, XS_GET_QUOTA, XS_SET_QUOTA]);
const err = (e: string): Result => ({ err: e });
const OK: Result = { ok: 'OK\0' };

export class XenstoreBackend {
  readonly ring: XenstoreRing;
  readonly tree: XsTree;
  /** /local/domain/<domid>: where relative paths resolve. */
  readonly home: string;
  readonly log: XenstoreLogEntry[] = [];
  /** XENSTORE_ERROR_* once the connection is ignored; XENSTORE_ERROR_NONE while it is served. */
  broken = XENSTORE_ERROR_NONE;
  brokenReason = '';
  readonly watches: Watch[] = [];
  readonly transactions = new Map<number, XsTransaction>();
  private nextTxId = 1;
  private seq = 0;
  private readonly logLimit: number;
  private hdr = new Uint8Array(XSD_SOCKMSG.size);
  private hdrUsed = 0;
  private msg: { type: number; reqId: number; txId: number; body: Uint8Array; used: number } | null = null;
  private readonly out: Pending[] = [];

  constructor(mem: MachineMemory, storeMachineAddress: number, readonly domid: number, readonly name: string,
    options: XenstoreBackendOptions = {}) {
    this.ring = new XenstoreRing(mem, storeMachineAddress);
    this.ring.serverFeatures = XENSTORE_SERVER_FEATURE_ERROR;
    this.home = `/local/domain/${domid}`;
    this.logLimit = options.logLimit ?? 1000;
    this.tree = new XsTree([{ id: 0, perms: XS_PERM_NONE }]);
    this.populate(options);
  }

  /** The nodes libxl writes for a PV domU (libxl__domain_make, domain build, console and store). */
  private populate(o: XenstoreBackendOptions): void {
    const d = this.domid, h = this.home;
    const dom0: XsPerm[] = [{ id: 0, perms: XS_PERM_NONE }];
    const ro = (): XsPerm[] => [{ id: 0, perms: XS_PERM_NONE }, { id: d, perms: XS_PERM_READ }];
    const rw = (): XsPerm[] => [{ id: d, perms: XS_PERM_NONE }];
    const uuid = o.uuid ?? `00000000-0000-4000-8000-${d.toString(16).padStart(12, '0')}`;
    const mk = (path: string, value: string, perms: XsPerm[]): void => this.tree.put(path, { value, perms, gen: 0 });
    for (const p of ['/local', '/local/domain', '/local/domain/0', '/vm']) mk(p, '', dom0);
    mk('/local/domain/0/name', 'Domain-0', dom0);
    mk('/local/domain/0/domid', '0', dom0);
    mk(`/vm/${uuid}`, '', ro());
    mk(`/vm/${uuid}/uuid`, uuid, ro());
    mk(`/vm/${uuid}/name`, this.name, ro());
    mk(h, '', ro());
    mk(`${h}/domid`, String(d), ro());
    mk(`${h}/name`, this.name, ro());
    mk(`${h}/vm`, `/vm/${uuid}`, ro());
    mk(`${h}/cpu`, '', ro());
    for (let i = 0; i < (o.vcpus ?? 1); i++) {
      mk(`${h}/cpu/${i}`, '', ro());
      mk(`${h}/cpu/${i}/availability`, 'online', ro());
    }
    mk(`${h}/memory`, '', ro());
    if (o.memoryKiB !== undefined) {
      mk(`${h}/memory/static-max`, String(o.memoryKiB), ro());
      mk(`${h}/memory/target`, String(o.memoryKiB), ro());
    }
    mk(`${h}/device`, '', ro());
    mk(`${h}/control`, '', ro());
    for (const k of ['shutdown', 'feature-poweroff', 'feature-reboot', 'feature-suspend', 'sysrq']) mk(`${h}/control/${k}`, '', rw());
    mk(`${h}/control/platform-feature-multiprocessor-suspend`, '1', ro());
    mk(`${h}/control/platform-feature-xs_reset_watches`, '1', ro());
    for (const k of ['data', 'drivers', 'feature', 'attr', 'error']) mk(`${h}/${k}`, '', rw());
    if (o.consoleMfn !== undefined || o.consolePort !== undefined) {
      mk(`${h}/console`, '', ro());
      if (o.consolePort !== undefined) mk(`${h}/console/port`, String(o.consolePort), ro());
      if (o.consoleMfn !== undefined) mk(`${h}/console/ring-ref`, String(o.consoleMfn), ro());
      mk(`${h}/console/type`, 'xenconsoled', ro());
      mk(`${h}/console/limit`, '1048576', ro());
    }
    if (o.storeMfn !== undefined || o.storePort !== undefined) {
      mk(`${h}/store`, '', ro());
      if (o.storePort !== undefined) mk(`${h}/store/port`, String(o.storePort), ro());
      if (o.storeMfn !== undefined) mk(`${h}/store/ring-ref`, String(o.storeMfn), ro());
    }
  }

  /** A node's value for the debugger (no permission checks); undefined when absent. */
  read(path: string): string | undefined {
    const p = canonicalize(this.home, path, false);
    return p === null ? undefined : this.tree.get(p)?.value;
  }

  /**
   * The toolstack (dom0) writes a node, e.g. control/shutdown = "poweroff": created with its parent's permissions
   * when missing, watches fire. Returns true when reply/event bytes were produced (mark the store port pending).
   */
  toolstackWrite(path: string, value: string): boolean {
    const p = canonicalize(this.home, path, false);
    if (p === null || p === '/') return false;
    const old = this.tree.get(p);
    if (old) this.tree.put(p, { ...old, value });
    else this.create(this.tree, p, value, false);
    this.fireWatches(p, []);
    return !this.broken && this.flush() > 0;
  }

  /**
   * The guest notified the store port: take complete requests from the req ring, answer them on the rsp ring.
   * Returns true when ring indexes moved (requests consumed or replies produced), as xenstored then notifies back.
   */
  onNotify(): boolean {
    if (this.broken) return false;
    let moved = this.flush() > 0;
    while (!this.broken && this.pendingBytes() < XS_OUTPUT_LIMIT) {
      if (this.msg === null) {
        const chunk = this.ring.read(XSD_SOCKMSG.size - this.hdrUsed);
        if (chunk === null) { this.fail(XENSTORE_ERROR_RINGIDX, 'request ring indexes are inconsistent (req_prod - req_cons > 1024)'); break; }
        if (chunk.length === 0) break;
        moved = true;
        this.hdr.set(chunk, this.hdrUsed);
        this.hdrUsed += chunk.length;
        if (this.hdrUsed < XSD_SOCKMSG.size) continue;
        const h = decodeHeader(this.hdr);
        this.hdrUsed = 0;
        if (h.len > XENSTORE_PAYLOAD_MAX) {
          this.fail(XENSTORE_ERROR_PROTO, `${xsTypeName(h.type)} req_id ${h.reqId}: payload length ${h.len} > XENSTORE_PAYLOAD_MAX (${XENSTORE_PAYLOAD_MAX})`);
          break;
        }
        this.msg = { type: h.type, reqId: h.reqId, txId: h.txId, body: new Uint8Array(h.len), used: 0 };
      }
      const m = this.msg;
      if (m.used < m.body.length) {
        const chunk = this.ring.read(m.body.length - m.used);
        if (chunk === null) { this.fail(XENSTORE_ERROR_RINGIDX, 'request ring indexes are inconsistent (req_prod - req_cons > 1024)'); break; }
        if (chunk.length === 0) break;
        moved = true;
        m.body.set(chunk, m.used);
        m.used += chunk.length;
        if (m.used < m.body.length) continue;
      }
      this.msg = null;
      this.process(m.type, m.reqId, m.txId, bytesToStr(m.body));
      if (this.flush() > 0) moved = true;
    }
    if (!this.broken && this.flush() > 0) moved = true;
    return moved;
  }

  /** Bytes of replies and events not yet in the rsp ring. */
  pendingBytes(): number { return this.out.reduce((n, p) => n + p.bytes.length - p.off, 0); }

  private fail(error: number, reason: string): void {
    this.broken = error;
    this.brokenReason = reason;
    this.ring.error = error;
    this.watches.length = 0;
    this.transactions.clear();
    this.out.length = 0;
    this.msg = null;
    this.addLog({ type: error === XENSTORE_ERROR_PROTO ? 'XENSTORE_ERROR_PROTO' : 'XENSTORE_ERROR_RINGIDX', reqId: 0, txId: 0, path: '', reply: reason, error: true });
  }

  /** Move queued output into the rsp ring; returns the bytes written (0 when full or nothing to send). */
  private flush(): number {
    let total = 0;
    while (this.out.length > 0) {
      const p = this.out[0];
      const n = this.ring.write(p.bytes.subarray(p.off));
      if (n < 0) { this.fail(XENSTORE_ERROR_RINGIDX, 'response ring indexes are inconsistent (rsp_prod - rsp_cons > 1024)'); return total; }
      total += n;
      p.off += n;
      if (p.off < p.bytes.length) break;
      this.out.shift();
    }
    return total;
  }

  private send(type: number, reqId: number, txId: number, payload: string, event: string | null = null): void {
    if (event !== null && this.out.some((p) => p.event === event && p.off === 0)) return; // identical event pending
    this.out.push({ bytes: encodeMessage({ type, reqId, txId, payload: strToBytes(payload) }), off: 0, event });
  }

  private addLog(e: Omit<XenstoreLogEntry, 'seq'>): void {
    this.log.push({ seq: this.seq++, ...e });
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }

  private process(type: number, reqId: number, txId: number, payload: string): void {
    let r: Result;
    let tx: XsTransaction | null = null;
    if (type >= XS_TYPE_COUNT || type === XS_WATCH_EVENT || type === XS_ERROR || !HANDLED.has(type) && !PRIVILEGED.has(type)) r = err('ENOSYS');
    else if (PRIVILEGED.has(type)) r = err('EACCES');
    else if (type !== XS_WATCH && type !== XS_UNWATCH && txId !== 0 && !(tx = this.transactions.get(txId) ?? null)) r = err('ENOENT');
    else r = this.handle(type, payload, tx);
    if ('ok' in r && r.ok.length > XENSTORE_PAYLOAD_MAX) r = err('E2BIG');
    const e = 'err' in r ? r.err : null;
    if (e !== null) this.send(XS_ERROR, reqId, txId, e + '\0');
    else this.send(type, reqId, txId, (r as { ok: string }).ok);
    const first = payload.split('\0')[0];
    this.addLog({
      type: xsTypeName(type), reqId, txId, path: first.length > 256 ? first.slice(0, 256) + '…' : first,
      reply: e ?? showReply(type, (r as { ok: string }).ok), error: e !== null,
    });
    if (type === XS_WATCH && e === null) this.initialEvent();
  }

  private handle(type: number, p: string, tx: XsTransaction | null): Result {
    const view: XsView = tx ?? this.tree;
    switch (type) {
      case XS_READ: {
        const n = this.getNode(view, oneArg(p), XS_PERM_READ, false);
        return 'err' in n ? n : { ok: n.node.value };
      }
      case XS_DIRECTORY: {
        const n = this.getNode(view, oneArg(p), XS_PERM_READ, false);
        return 'err' in n ? n : { ok: view.children(n.path).map((c) => c + '\0').join('') };
      }
      case XS_DIRECTORY_PART: return this.directoryPart(view, p);
      case XS_GET_PERMS: {
        const n = this.getNode(view, oneArg(p), XS_PERM_READ, true);
        return 'err' in n ? n : { ok: n.node.perms.map((x) => permString(x) + '\0').join('') };
      }
      case XS_WRITE: {
        const args = payloadStrings(p);
        if (args.length < 1) return err('EINVAL');
        return this.write(view, tx, args[0], p.slice(args[0].length + 1));
      }
      case XS_MKDIR: {
        const n = this.getNode(view, oneArg(p), XS_PERM_WRITE, false);
        if ('node' in n) return OK;
        if (n.err !== 'ENOENT' || n.path === undefined) return n;
        const e = this.create(view, n.path, '', true);
        if (e) return err(e);
        this.changed(tx, n.path, []);
        return OK;
      }
      case XS_RM: return this.rm(view, tx, oneArg(p));
      case XS_SET_PERMS: return this.setPerms(view, tx, p);
      case XS_WATCH: return this.watch(p);
      case XS_UNWATCH: {
        const args = payloadStrings(p);
        if (args.length !== 2) return err('EINVAL');
        const abs = canonicalize(this.home, args[0], true);
        if (abs === null) return err('EINVAL');
        const i = this.watches.findIndex((w) => w.abs === abs && w.token === args[1]);
        if (i < 0) return err('ENOENT');
        this.watches.splice(i, 1);
        return OK;
      }
      case XS_RESET_WATCHES:
        this.watches.length = 0;
        this.transactions.clear();
        return OK;
      case XS_TRANSACTION_START: {
        if (tx) return err('EBUSY');
        if (this.transactions.size >= XS_QUOTA_TRANSACTIONS) return err('ENOSPC');
        while (this.nextTxId === 0 || this.transactions.has(this.nextTxId)) this.nextTxId = (this.nextTxId + 1) >>> 0;
        const id = this.nextTxId;
        this.nextTxId = (this.nextTxId + 1) >>> 0;
        this.transactions.set(id, new XsTransaction(id, this.tree));
        return { ok: `${id}\0` };
      }
      case XS_TRANSACTION_END: {
        const arg = oneArg(p);
        if (arg !== 'T' && arg !== 'F') return err('EINVAL');
        if (!tx) return err('ENOENT');
        this.transactions.delete(tx.id);
        if (arg === 'F') return OK;
        if (tx.conflict() !== null) return err('EAGAIN');
        tx.commit();
        for (const c of tx.changed) this.fireWatches(c, []);
        return OK;
      }
      case XS_GET_DOMAIN_PATH: {
        const arg = oneArg(p);
        const id = arg === null ? null : parseDomid(arg);
        return id === null ? err('EINVAL') : { ok: `/local/domain/${id}\0` };
      }
      case XS_GET_FEATURE:
        return payloadStrings(p).length === 0 ? { ok: `${this.ring.serverFeatures}\0` } : err('EACCES');
      default:
        return err('ENOSYS');
    }
  }

  /** get_node + get_node_chk_perm + errno_from_parents. */
  private getNode(view: XsView, name: string | null, perm: number, allowSpecial: boolean):
    { node: XsNode; path: string } | { err: string; path?: string } {
    const path = name === null ? null : canonicalize(this.home, name, allowSpecial);
    if (path === null) return { err: 'EINVAL' };
    const node = view.get(path);
    let e: string;
    if (!node) e = 'ENOENT';
    else if ((permFor(this.domid, node.perms) & perm) !== perm) e = 'EACCES';
    else return { node, path };
    // Do not reveal anything about the node unless its nearest existing ancestor grants the same access.
    let up = path;
    do {
      up = parentOf(up);
      const pn = view.get(up);
      if (pn) return { err: (permFor(this.domid, pn.perms) & perm) ? e : 'EACCES', path };
    } while (up !== '/');
    return { err: 'EACCES', path };
  }

  /** construct_node: create `path` and its missing parents, inheriting the nearest parent's permissions. */
  private create(view: XsView, path: string, value: string, guest: boolean): string | null {
    const missing: string[] = [];
    let up = path;
    let parent: XsNode | undefined;
    for (;;) {
      missing.push(up);
      up = parentOf(up);
      parent = view.get(up);
      if (parent || up === '/') break;
    }
    if (!parent) return 'ENOENT';
    if (guest && this.ownedNodes(view) + missing.length > XS_QUOTA_NODES) return 'ENOSPC';
    let perms = parent.perms;
    for (let i = missing.length - 1; i >= 0; i--) {
      const p = perms.map((x) => ({ ...x }));
      if (guest) p[0].id = this.domid;
      view.put(missing[i], { value: i === 0 ? value : '', perms: p, gen: 0 });
      perms = p;
    }
    return null;
  }

  private ownedNodes(view: XsView): number {
    let n = 0;
    for (const [k, v] of this.tree.nodes) if (v.perms[0]?.id === this.domid && view.get(k)) n++;
    return n;
  }

  private write(view: XsView, tx: XsTransaction | null, name: string, value: string): Result {
    const n = this.getNode(view, name, XS_PERM_WRITE, false);
    if ('node' in n) view.put(n.path, { ...n.node, value });
    else if (n.err === 'ENOENT' && n.path !== undefined) {
      const e = this.create(view, n.path, value, true);
      if (e) return err(e);
    } else return n;
    this.changed(tx, n.path as string, []);
    return OK;
  }

  private rm(view: XsView, tx: XsTransaction | null, name: string | null): Result {
    const n = this.getNode(view, name, XS_PERM_WRITE, false);
    if (!('node' in n)) {
      // Removing what does not exist is fine when its parent exists.
      if (n.err === 'ENOENT' && n.path !== undefined) return view.get(parentOf(n.path)) ? OK : err('ENOENT');
      return n;
    }
    if (n.path === '/') return err('EINVAL');
    const gone = view.remove(n.path);
    this.changed(tx, n.path, gone);
    return OK;
  }

  private setPerms(view: XsView, tx: XsTransaction | null, p: string): Result {
    const args = payloadStrings(p);
    if (args.length < 2) return err('EINVAL');
    const perms: XsPerm[] = [];
    for (const s of args.slice(1)) {
      const x = parsePerm(s);
      if (!x) return err('EINVAL');
      perms.push(x);
    }
    const n = this.getNode(view, args[0], XS_PERM_WRITE | XS_PERM_OWNER, true);
    if (!('node' in n)) return n;
    if (perms[0].id !== n.node.perms[0].id) return err('EPERM');
    view.put(n.path, { ...n.node, perms });
    this.changed(tx, n.path, []);
    return OK;
  }

  private directoryPart(view: XsView, p: string): Result {
    const args = payloadStrings(p);
    if (args.length !== 2 || p.split('\0').length - 1 !== 2) return err('EINVAL');
    const n = this.getNode(view, args[0], XS_PERM_READ, false);
    if (!('node' in n)) return n;
    const off = atoi(args[1]);
    const list = view.children(n.path).map((c) => c + '\0').join('');
    const gen = `${n.node.gen}\0`;
    if (off >= list.length) return { ok: gen + '\0' };
    const maxlen = XENSTORE_PAYLOAD_MAX - gen.length - 1;
    let len = 0;
    let child = off;
    for (;;) {
      const end = list.indexOf('\0', child);
      const clen = end - child;
      if (!(len + clen < maxlen)) break;
      len += clen + 1;
      child = end + 1;
      if (off + len === list.length) break;
    }
    let data = gen + list.slice(off, off + len);
    if (off + len === list.length) data += '\0';
    return { ok: data };
  }

  private watch(p: string): Result {
    const args = payloadStrings(p);
    if (args.length !== 2) return err('EINVAL');
    const relative = !args[0].startsWith('/') && !args[0].startsWith('@');
    const abs = canonicalize(this.home, args[0], true);
    if (abs === null) return err('EINVAL');
    if (this.watches.some((w) => w.abs === abs && w.token === args[1])) return err('EEXIST');
    if (this.watches.length >= XS_QUOTA_WATCHES) return err('ENOSPC');
    this.watches.push({ abs, token: args[1], relative });
    return OK;
  }

  /** "We fire once up front": the event for the watch just added, after its OK reply. */
  private initialEvent(): void {
    const w = this.watches[this.watches.length - 1];
    this.event(w, w.abs);
  }

  private event(w: Watch, name: string): void {
    const path = w.relative ? name.slice(this.home.length + 1) : name;
    if (path.length + w.token.length + 2 > XENSTORE_PAYLOAD_MAX) return;
    const payload = `${path}\0${w.token}\0`;
    this.send(XS_WATCH_EVENT, 0, 0, payload, path[0] === '@' ? null : payload);
    this.addLog({ type: 'XS_WATCH_EVENT', reqId: 0, txId: 0, path, reply: w.token, error: false });
  }

  /** A node changed: fire now, or at commit when inside a transaction. */
  private changed(tx: XsTransaction | null, path: string, removed: string[]): void {
    if (tx) { tx.changed.push(path); return; }
    this.fireWatches(path, removed);
  }

  /** fire_watches: watches on the node or above it (MATCH_SUBTREE), and watches on removed descendants. */
  private fireWatches(path: string, removed: string[]): void {
    const gone = new Set(removed);
    for (const w of this.watches) {
      if (w.abs[0] === '@') continue;
      if (isUnder(path, w.abs) && this.visible(path)) this.event(w, path);
      else if (w.abs !== path && gone.has(w.abs)) this.event(w, w.abs);
    }
  }

  /** watch_permitted: the node or its parent is readable by the domain (a removed node counts as visible). */
  private visible(path: string): boolean {
    const n = this.tree.get(path);
    if (!n) return true;
    if (permFor(this.domid, n.perms) & XS_PERM_READ) return true;
    const parent = this.tree.get(parentOf(path));
    return parent !== undefined && (permFor(this.domid, parent.perms) & XS_PERM_READ) !== 0;
  }
}

const HANDLED = new Set([XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH, XS_TRANSACTION_START,
  XS_TRANSACTION_END, XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS, XS_RESET_WATCHES,
  XS_DIRECTORY_PART, XS_GET_FEATURE]);

/** parse_domid: strtoul semantics, the whole string consumed, at most 65535. */
function parseDomid(s: string): number | null {
  if (s === '') return 0;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (!m) return null;
  const v = Number(m[2]);
  if (m[1] === '-' && v !== 0) return null;
  return v > 65535 ? null : v;
}

function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Math.max(0, Math.min(Number(m[1]), 2 ** 31 - 1)) : 0;
}

/** The reply as text for the log: NUL-separated lists as spaces, binary bytes escaped, long values cut. */
function showReply(type: number, r: string): string {
  let s = type === XS_READ ? r : r.replace(/\0$/, '').split('\0').join(' ');
  s = s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return s.length > 256 ? s.slice(0, 256) + '…' : s;
}
