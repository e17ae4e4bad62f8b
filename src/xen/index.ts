// Entry point of the emulated Xen PV hypervisor for the CLI and the debugger: build a domain from a guest ELF.

import { buildDomainImage, BuildOptions, BuildError } from './builder/build';
import { Domain, DomainOptions } from './domain';

export type CreateDomainOptions = BuildOptions & DomainOptions;

/** Parse, validate and lay out a PV kernel image, and return its Domain ready to run (vCPU 0 at the entry). */
export function createDomainFromElf(bytes: Uint8Array, options: CreateDomainOptions = {}): Domain {
  return new Domain(buildDomainImage(bytes, options), options);
}

export { Domain, BuildError };
export type { DomainOptions, BuildOptions };
export type { RunResult, RunStopReason, DomainState } from './domain';
export type { HypercallLogEntry } from './hypercalls/types';
export type { BounceRecord } from './traps';
export type { DomainImage } from './builder/build';
export { hypercallTable, hypercallName, setHypercallHandler } from './hypercalls/table';
export type { EvtchnInfo } from './event-channels';
export { DEFAULT_WALLCLOCK_SEC } from './time';
export { XenstoreBackend } from './xenstore';
export type { XenstoreLogEntry } from './xenstore';
export { grantTableOf } from './grant-table';
export type { GrantEntryView } from './grant-table';
