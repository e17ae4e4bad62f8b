// The xenstore wire protocol over the store page: the req/rsp rings of struct xenstore_domain_interface (indexes
// read once and verified like xenstored's readchn/writechn), xsd_sockmsg framing, and node-name rules (canonicalize).

import type { MachineMemory } from '../cpu/memory';
import {
  XENSTORE_DOMAIN_INTERFACE, XENSTORE_RING_SIZE, XSD_SOCKMSG, XENSTORE_REL_PATH_MAX,
} from './public/xenstore';

const F = XENSTORE_DOMAIN_INTERFACE.fields;

/** The shared ring page seen from the backend. Index arithmetic is modulo 2^32; a ring holds at most 1024 bytes. */
export class XenstoreRing {
  constructor(readonly mem: MachineMemory, readonly base: number) {
    if (!Number.isInteger(base) || base < 0 || base % 4096 !== 0 || base + 4096 > mem.size) {
      throw new Error(`xenstore ring page at 0x${base.toString(16)} is not a machine frame`);
    }
  }
  private u32(off: number): number { return this.mem.read32(this.base + off) >>> 0; }
  private set32(off: number, v: number): void { this.mem.write32(this.base + off, v >>> 0); }

  get reqCons(): number { return this.u32(F.req_cons); }
  get reqProd(): number { return this.u32(F.req_prod); }
  get rspCons(): number { return this.u32(F.rsp_cons); }
  get rspProd(): number { return this.u32(F.rsp_prod); }
  get serverFeatures(): number { return this.u32(F.server_features); }
  set serverFeatures(v: number) { this.set32(F.server_features, v); }
  get connection(): number { return this.u32(F.connection); }
  get error(): number { return this.u32(F.error); }
  set error(v: number) { this.set32(F.error, v); }

  /** Bytes waiting in the request ring, or -1 when the indexes are inconsistent (check_indexes). */
  requestBytes(): number {
    const n = (this.reqProd - this.reqCons) >>> 0;
    return n <= XENSTORE_RING_SIZE ? n : -1;
  }

  /** readchn: consume up to `max` request bytes. null on bad indexes. */
  read(max: number): Uint8Array | null {
    const cons = this.reqCons, prod = this.reqProd;
    const avail = (prod - cons) >>> 0;
    if (avail > XENSTORE_RING_SIZE) return null;
    const n = Math.min(avail, max);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.mem.read8(this.base + F.req + ((cons + i) & (XENSTORE_RING_SIZE - 1)));
    this.set32(F.req_cons, cons + n);
    return out;
  }

  /** writechn: produce as many of `data`'s bytes as fit; returns the count, or -1 on bad indexes. */
  write(data: Uint8Array): number {
    const cons = this.rspCons, prod = this.rspProd;
    const used = (prod - cons) >>> 0;
    if (used > XENSTORE_RING_SIZE) return -1;
    const n = Math.min(XENSTORE_RING_SIZE - used, data.length);
    for (let i = 0; i < n; i++) this.mem.write8(this.base + F.rsp + ((prod + i) & (XENSTORE_RING_SIZE - 1)), data[i]);
    this.set32(F.rsp_prod, prod + n);
    return n;
  }
}

/** One xsd_sockmsg. */
export interface XsMessage { type: number; reqId: number; txId: number; payload: Uint8Array; }

export function encodeMessage(m: XsMessage): Uint8Array {
  const out = new Uint8Array(XSD_SOCKMSG.size + m.payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(XSD_SOCKMSG.fields.type, m.type >>> 0, true);
  dv.setUint32(XSD_SOCKMSG.fields.req_id, m.reqId >>> 0, true);
  dv.setUint32(XSD_SOCKMSG.fields.tx_id, m.txId >>> 0, true);
  dv.setUint32(XSD_SOCKMSG.fields.len, m.payload.length, true);
  out.set(m.payload, XSD_SOCKMSG.size);
  return out;
}

export function decodeHeader(h: Uint8Array): { type: number; reqId: number; txId: number; len: number } {
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  return { type: dv.getUint32(0, true), reqId: dv.getUint32(4, true), txId: dv.getUint32(8, true), len: dv.getUint32(12, true) };
}

/** Bytes <-> binary-safe strings (one char per byte). */
export function bytesToStr(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}
export function strToBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** get_strings: the NUL-terminated strings of a payload (bytes after the last NUL are not a string). */
export function payloadStrings(p: string): string[] {
  const parts = p.split('\0');
  parts.pop();
  return parts;
}
/** onearg: exactly one NUL, at the end; else null. */
export function oneArg(p: string): string | null {
  return p.length > 0 && p.indexOf('\0') === p.length - 1 ? p.slice(0, -1) : null;
}

const VALID = /^[A-Za-z0-9\-/_@]*$/;

/** The special watch paths a domain may watch. */
export const SPECIAL_PATHS = Object.freeze(['@introduceDomain', '@releaseDomain']);

/**
 * canonicalize(): a relative name resolves against the domain's home; null (EINVAL) for bad characters, '@' names
 * where not allowed, a trailing '/' (except "/"), "//", or more than XENSTORE_REL_PATH_MAX bytes after any
 * "/local/domain/<id>/" prefix (the ACC_PATHLEN quota).
 */
export function canonicalize(home: string, node: string, allowSpecial: boolean): string | null {
  if (!VALID.test(node) || (node[0] === '@' && !allowSpecial)) return null;
  const name = node[0] === '/' || node[0] === '@' ? node : `${home}/${node}`;
  const m = /^\/local\/domain\/\d{1,5}\//.exec(name);
  const localOff = m ? m[0].length : 0;
  if ((name.endsWith('/') && name !== '/') || name.includes('//')) return null;
  if (name.length - localOff > XENSTORE_REL_PATH_MAX) return null;
  return name;
}
