// The status-bar text of a xenpv session: "$(vm) Xen pv64: paused (breakpoint)" from the run state, the last stop
// event, xen/domain (read at each stop) and, once the session ends, the exit code and the adapter's last words. Pure.

import type { RunState } from './session-access';

export interface StopInfo { reason?: string; description?: string; text?: string }
export interface ExitInfo { code?: number; text?: string }

export interface StatusInput {
  state: RunState | 'ended';
  stop?: StopInfo;
  /** xen/domain at the last stop (undefined: not read yet, or a bare machine). */
  domain?: Record<string, unknown>;
  /** Why xen/domain failed (e.g. the bare machine). */
  domainError?: string;
  exit?: ExitInfo;
  /** Kind remembered from an earlier xen/domain (the session has ended, so it cannot be asked again). */
  kind?: string;
}

export type StatusAction = 'hypercalls' | 'crash' | 'none';

export interface StatusView {
  text: string;
  tooltip: string;
  /** 'error' paints the item with the error background, 'warning' with the warning one. */
  severity: 'normal' | 'warning' | 'error';
  action: StatusAction;
  /** One word: running, paused, blocked, shutdown, crashed, ended. */
  phase: string;
}

/** Exit status of the adapter → the domain's fate (same numbers as the CLI, see README). */
const EXIT_CODES: Record<number, string> = {
  0: 'shutdown (poweroff)', 2: 'crashed', 3: 'instruction limit', 4: 'blocked', 6: 'shutdown (reboot)', 7: 'shutdown (suspend)',
  8: 'shutdown (watchdog)', 9: 'shutdown (soft_reset)', 70: 'emulator error',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Every online vCPU is blocked (offline secondary vCPUs, waiting for VCPUOP_up, don't count). */
function allBlocked(d: Record<string, unknown> | undefined): boolean {
  const v = d?.vcpuStates;
  if (!Array.isArray(v)) return false;
  const online = v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && x.online !== false);
  return online.length > 0 && online.every((x) => x.blocked === true);
}

/** The domain's fate from a terminated session: "[xenpv] … domain shut down: poweroff after …" or the exit code. */
export function endedPhase(exit: ExitInfo | undefined): { words: string; crash?: string } {
  const t = exit?.text ?? '';
  let m = /domain shut down: ([a-z_]+)/.exec(t);
  if (m) return m[1] === 'crash' ? { words: 'crashed (guest requested SHUTDOWN_crash)', crash: t } : { words: `shutdown (${m[1]})` };
  m = /domain crashed: (.*)$/m.exec(t);
  if (m) return { words: 'crashed', crash: m[1] };
  if (exit?.code !== undefined && EXIT_CODES[exit.code]) return { words: EXIT_CODES[exit.code], crash: exit.code === 2 ? t || undefined : undefined };
  if (/halted/.test(t)) return { words: 'halted' };
  return { words: exit?.code !== undefined ? `ended (exit ${exit.code})` : 'ended' };
}

export function statusView(i: StatusInput): StatusView {
  const d = i.domain;
  const kind = str(d?.kind) ?? i.kind ?? (i.domainError ? 'bare' : undefined);
  const who = kind === 'bare' ? 'bare machine' : `Xen ${kind ?? 'PV'}`;
  const tip: string[] = [];
  let phase: string, words: string, severity: StatusView['severity'] = 'normal', action: StatusAction = 'hypercalls';

  if (i.state === 'ended' || i.state === 'none') {
    const e = endedPhase(i.exit);
    words = e.words;
    phase = /^crashed/.test(words) ? 'crashed' : /^shutdown/.test(words) ? 'shutdown' : /^blocked/.test(words) ? 'blocked' : 'ended';
    if (phase === 'crashed') { severity = 'error'; action = 'crash'; }
    tip.push(`Session ended${i.exit?.code !== undefined ? ` (exit status ${i.exit.code})` : ''}.`);
    if (i.exit?.text) tip.push(i.exit.text);
  } else if (i.state === 'running') {
    phase = 'running'; words = 'running';
    tip.push('The guest is running. Pause (F6) to inspect it.');
  } else {
    const state = str(d?.state);
    const reason = i.stop?.reason;
    if (state === 'crashed') {
      phase = 'crashed'; words = 'crashed'; severity = 'error'; action = 'crash';
    } else if (state === 'shutdown') {
      phase = 'shutdown'; words = `shutdown (${str(d?.shutdownReason) ?? 'unknown reason'})`;
      if (d?.shutdownReason === 'crash') { phase = 'crashed'; severity = 'error'; action = 'crash'; words = 'crashed (guest requested SHUTDOWN_crash)'; }
    } else if (allBlocked(d) || /blocked/.test(i.stop?.description ?? '')) {
      phase = 'blocked'; words = 'blocked'; severity = 'warning';
    } else {
      phase = 'paused'; words = `paused${reason ? ` (${reason === 'exception' && i.stop?.description ? i.stop.description : reason})` : ''}`;
      if (reason === 'exception') severity = 'warning';
    }
    if (i.stop?.text || i.stop?.description) tip.push(`Stopped: ${[i.stop.description, i.stop.text].filter(Boolean).join(' — ')}`);
  }
  if (d) {
    const facts: string[] = [];
    if (d.guestOs) facts.push(`guest ${String(d.guestOs)}`);
    if (typeof d.memoryMiB === 'number') facts.push(`${d.memoryMiB} MiB`);
    if (typeof d.vcpus === 'number') facts.push(`${d.vcpus} vCPU${d.vcpus === 1 ? '' : 's'}`);
    if (typeof d.hypercalls === 'number') facts.push(`${d.hypercalls} hypercall${d.hypercalls === 1 ? '' : 's'}`);
    if (facts.length) tip.push(`Domain: ${facts.join(', ')}`);
    if (str(d.crashDiagnostic)) tip.push(`Crash: ${String(d.crashDiagnostic)}`);
  } else if (i.domainError && i.state === 'stopped') tip.push(`No Xen domain: ${i.domainError}`);
  tip.push(action === 'crash' ? 'Click to show the crash diagnostic.' : 'Click to show the Hypercalls view.');
  return { text: `$(vm) ${who}: ${words}`, tooltip: tip.join('\n'), severity, action, phase };
}

/** The crash diagnostic to show on click (domain's, else the end text). */
export function crashDiagnostic(i: StatusInput): string | undefined {
  return str(i.domain?.crashDiagnostic) ?? endedPhase(i.exit).crash ?? (i.stop?.text && /crash/i.test(i.stop.text) ? i.stop.text : undefined);
}
