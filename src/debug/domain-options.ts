// Checks for the domain launch options shared by the debugger and the CLI: `name` (libxl's c_info.name, xenstore
// `name`) and `wallclock` (the boot wallclock Xen publishes in shared_info: wc_sec, wc_sec_hi), with readable errors.

/** Latest accepted wallclock: 9999-12-31T23:59:59Z (wc_sec + wc_sec_hi hold far more; dates beyond are typos). */
export const MAX_WALLCLOCK_SEC = 253402300799;
/** Longest domain name accepted (libxl stores it in xenstore, where a node's value shares a 4096-byte payload). */
export const MAX_DOMAIN_NAME = 256;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The boot wallclock in whole seconds since the epoch (UTC) from seconds (a number or a string of digits) or an ISO
 * 8601 date ("2024-02-29", "2024-02-29T12:00:00Z", "…+01:00"; no zone means UTC); a string error explains a bad value.
 */
export function parseWallclock(v: unknown): number | string {
  const range = `from 1970-01-01 to 9999-12-31`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0 || v > MAX_WALLCLOCK_SEC) return `wallclock must be seconds since the epoch ${range}, got ${v}`;
    return Math.floor(v);
  }
  if (typeof v !== 'string' || v.trim() === '') return `wallclock must be an ISO date (e.g. 2024-02-29T12:00:00Z) or seconds since the epoch, got ${JSON.stringify(v)}`;
  const s = v.trim();
  if (/^\d+$/.test(s)) return parseWallclock(Number(s));
  if (!ISO_DATE.test(s)) return `wallclock '${s}' is not an ISO date (e.g. 2024-02-29 or 2024-02-29T12:00:00Z) or seconds since the epoch`;
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(s) && s.length > 10;
  const iso = s.replace(' ', 'T');
  const ms = Date.parse(hasZone || iso.length === 10 ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) return `wallclock '${s}' is not a valid date`;
  const [y, mo, d] = s.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return `wallclock '${s}': ${s.slice(0, 10)} is not a calendar date`;
  const sec = Math.floor(ms / 1000);
  if (sec < 0 || sec > MAX_WALLCLOCK_SEC) return `wallclock '${s}' is out of range (${range})`;
  return sec;
}

/** A domain name: non-empty printable text without '/' (it is the xenstore `name` value and names files in dom0). */
export function checkDomainName(v: unknown): string | { error: string } {
  if (typeof v !== 'string' || v.trim() === '') return { error: `name must be a non-empty string, got ${JSON.stringify(v)}` };
  if (v.length > MAX_DOMAIN_NAME) return { error: `name is ${v.length} characters, at most ${MAX_DOMAIN_NAME}` };
  if (/[\x00-\x1f\x7f]/.test(v)) return { error: `name ${JSON.stringify(v)} has control characters` };
  if (v.includes('/')) return { error: `name ${JSON.stringify(v)} contains '/'` };
  return v;
}
