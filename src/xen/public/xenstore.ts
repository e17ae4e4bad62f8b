// Xenstore wire protocol facts from public/io/xs_wire.h: message types, the xsd_sockmsg header, the shared ring
// page (struct xenstore_domain_interface), limits, server features and the error strings replies carry.

import type { StructLayout } from './layouts';

export const XS_CONTROL = 0;
export const XS_DIRECTORY = 1;
export const XS_READ = 2;
export const XS_GET_PERMS = 3;
export const XS_WATCH = 4;
export const XS_UNWATCH = 5;
export const XS_TRANSACTION_START = 6;
export const XS_TRANSACTION_END = 7;
export const XS_INTRODUCE = 8;
export const XS_RELEASE = 9;
export const XS_GET_DOMAIN_PATH = 10;
export const XS_WRITE = 11;
export const XS_MKDIR = 12;
export const XS_RM = 13;
export const XS_SET_PERMS = 14;
export const XS_WATCH_EVENT = 15;
export const XS_ERROR = 16;
export const XS_IS_DOMAIN_INTRODUCED = 17;
export const XS_RESUME = 18;
export const XS_SET_TARGET = 19;
/** XS_RESTRICT (20) was removed. */
export const XS_RESET_WATCHES = 21;
export const XS_DIRECTORY_PART = 22;
export const XS_GET_FEATURE = 23;
export const XS_SET_FEATURE = 24;
export const XS_GET_QUOTA = 25;
export const XS_SET_QUOTA = 26;
export const XS_TYPE_COUNT = 27;
export const XS_INVALID = 0xffff;

/** Message type names by number (index 20 is the removed XS_RESTRICT). */
export const XS_TYPE_NAMES: readonly string[] = Object.freeze([
  'XS_CONTROL', 'XS_DIRECTORY', 'XS_READ', 'XS_GET_PERMS', 'XS_WATCH', 'XS_UNWATCH', 'XS_TRANSACTION_START',
  'XS_TRANSACTION_END', 'XS_INTRODUCE', 'XS_RELEASE', 'XS_GET_DOMAIN_PATH', 'XS_WRITE', 'XS_MKDIR', 'XS_RM',
  'XS_SET_PERMS', 'XS_WATCH_EVENT', 'XS_ERROR', 'XS_IS_DOMAIN_INTRODUCED', 'XS_RESUME', 'XS_SET_TARGET',
  'XS_RESTRICT', 'XS_RESET_WATCHES', 'XS_DIRECTORY_PART', 'XS_GET_FEATURE', 'XS_SET_FEATURE', 'XS_GET_QUOTA',
  'XS_SET_QUOTA',
]);

export function xsTypeName(type: number): string { return XS_TYPE_NAMES[type] ?? `XS_type_${type}`; }

/** xsd_errors[]: the errno names a reply of type XS_ERROR carries (NUL-terminated). */
export const XSD_ERRORS: readonly string[] = Object.freeze([
  'EINVAL', 'EACCES', 'EEXIST', 'EISDIR', 'ENOENT', 'ENOMEM', 'ENOSPC', 'EIO', 'ENOTEMPTY', 'ENOSYS', 'EROFS',
  'EBUSY', 'EAGAIN', 'EISCONN', 'E2BIG', 'EPERM',
]);

/** struct xsd_sockmsg {uint32_t type, req_id, tx_id, len;} followed by len payload bytes. */
export const XSD_SOCKMSG: StructLayout = Object.freeze({
  name: 'xsd_sockmsg', size: 16, fields: Object.freeze({ type: 0, req_id: 4, tx_id: 8, len: 12 }),
});

export const XS_WATCH_PATH = 0;
export const XS_WATCH_TOKEN = 1;

export const XENSTORE_RING_SIZE = 1024;
/** struct xenstore_domain_interface: req[1024], rsp[1024], the four ring indexes, features, connection, error. */
export const XENSTORE_DOMAIN_INTERFACE: StructLayout = Object.freeze({
  name: 'xenstore_domain_interface', size: 2080, fields: Object.freeze({
    req: 0, rsp: 1024, req_cons: 2048, req_prod: 2052, rsp_cons: 2056, rsp_prod: 2060, server_features: 2064,
    connection: 2068, error: 2072, evtchn_port: 2076,
  }),
});

export const XENSTORE_PAYLOAD_MAX = 4096;
export const XENSTORE_ABS_PATH_MAX = 3072;
export const XENSTORE_REL_PATH_MAX = 2048;

export const XENSTORE_SERVER_FEATURE_RECONNECTION = 1;
export const XENSTORE_SERVER_FEATURE_ERROR = 2;
export const XENSTORE_SERVER_FEATURE_WATCHDEPTH = 4;
export const XENSTORE_SERVER_FEATURE_DOMID_ANY = 8;

export const XENSTORE_CONNECTED = 0;
export const XENSTORE_RECONNECT = 1;

export const XENSTORE_ERROR_NONE = 0;
export const XENSTORE_ERROR_COMM = 1;
export const XENSTORE_ERROR_RINGIDX = 2;
export const XENSTORE_ERROR_PROTO = 3;
