// console_io (do_console_io): CONSOLEIO_write copies the guest buffer to the console output,
// CONSOLEIO_read hands out queued input. The guest buffer is a guest-virtual pointer; a bad one gives -EFAULT.

import type { HypercallContext } from './types';
import { copyFromGuest, copyToGuest } from '../guest-access';
import { CONSOLEIO_write, CONSOLEIO_read, EFAULT, ENOSYS, EINVAL } from '../public';
import { hexAddr } from '../../common/bits';

/** Largest single write we accept (Xen copies in chunks; this only bounds a runaway count). */
const MAX_WRITE = 1 << 20;

export function doConsoleIo(c: HypercallContext): number {
  const cmd = c.s32(0), count = c.u32(1), buf = c.ptr(2);
  switch (cmd) {
    case CONSOLEIO_write: {
      if (count > MAX_WRITE) { c.diag = `count ${count} too large`; return -EINVAL; }
      if (count === 0) return 0;
      const bytes = copyFromGuest(c.cpu, buf, count);
      if (bytes === null) { c.diag = `buffer 0x${hexAddr(buf)}+${count} not readable`; return -EFAULT; }
      const text = Buffer.from(bytes).toString('latin1');
      c.domain.consoleWrite(text);
      c.diag = JSON.stringify(text.length > 60 ? text.slice(0, 60) + '…' : text);
      return 0;
    }
    case CONSOLEIO_read: {
      const n = Math.min(count, c.domain.consoleInput.length);
      if (n === 0) return 0;
      const data = Uint8Array.from(c.domain.consoleInput.slice(0, n));
      if (!copyToGuest(c.cpu, buf, data)) { c.diag = `buffer 0x${hexAddr(buf)}+${n} not writable`; return -EFAULT; }
      c.domain.consoleInput.splice(0, n);
      return n;
    }
    default:
      c.diag = `unknown console_io command ${cmd}`;
      return -ENOSYS;
  }
}

export function decodeConsoleIo(c: HypercallContext): string {
  const cmd = c.s32(0);
  const name = cmd === CONSOLEIO_write ? 'CONSOLEIO_write' : cmd === CONSOLEIO_read ? 'CONSOLEIO_read' : `cmd ${cmd}`;
  return `${name}, count=${c.u32(1)}, buffer=${c.hex(2)}`;
}
