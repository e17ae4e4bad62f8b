// What a Xen view is, independent of VS Code: a loader from custom DAP requests to rows (XenViewSpec), and the
// one thing it needs from the session (Requester). Pure, so view specs are unit-tested with a fake requester.

import type { XenNode } from './nodes';
import type { NumberFormat } from './format';

/** Sends a custom request to the active xenpv session; rejects with the adapter's error message. */
export interface Requester {
  request<T = unknown>(command: string, args?: object): Promise<T>;
}

/** What a view asks the adapter and how it turns the reply into rows. */
export interface XenViewSpec {
  /** View id in package.json (e.g. 'xenpv.segments'). */
  id: string;
  title: string;
  /** Load rows (throws when the adapter refuses: shown as a clear message row). */
  load(watch: Requester, fmt: NumberFormat): Promise<XenNode[]>;
  /** Rows shown above the loaded ones in every state, with or without a session (e.g. "Break on entry"). */
  pinned?(): XenNode[];
  /** Text next to the view's title after a load (e.g. the Frames filter and counts). */
  viewDescription?(): string | undefined;
}
