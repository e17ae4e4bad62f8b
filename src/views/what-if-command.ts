// "Xen: What-if — would Xen accept this entry?": asks for what is missing (kind, value), sends xen/whatIf to the
// paused session and shows Xen's verdict with its explanation (notification + the Xen PV output channel).

import * as vscode from 'vscode';
import type { XenNode } from './nodes';
import type { XenSessionWatch } from './session-access';
import { formatWhatIf, normalizeWhatIf, validateWhatIfValue, WHATIF_KINDS, WhatIfDraft, WhatIfResult } from './what-if';
import type { WhatIfPrefill } from './nodes';
import { parseNumber } from './format';

export interface WhatIfOutcome { question?: WhatIfPrefill; result?: WhatIfResult; headline?: string; error?: string }

const isNode = (a: unknown): a is XenNode => typeof a === 'object' && a !== null && typeof (a as XenNode).label === 'string';

/**
 * Arguments: none (ask everything), a view row (its prefill, value editable), or a question object
 * {kind, level|table, value, ...} which runs without any UI input (tests, keybindings). Returns what happened.
 */
export async function whatIfCommand(watch: XenSessionWatch, out: vscode.OutputChannel, arg?: unknown): Promise<WhatIfOutcome> {
  const fromRow = isNode(arg);
  const n = normalizeWhatIf(fromRow ? (arg as XenNode).whatIf ?? {} : arg);
  if (n.error) {
    void vscode.window.showErrorMessage(`What-if: ${n.error}`);
    return { error: n.error };
  }
  let q: WhatIfPrefill | undefined = n.question && !fromRow ? n.question : undefined;
  if (!q) q = await ask(n.question ?? n.partial ?? {});
  if (!q) return { error: 'cancelled' };
  let result: WhatIfResult;
  try {
    result = await watch.request<WhatIfResult>('xen/whatIf', q);
  } catch (e) {
    const msg = (e as Error).message;
    const text = /no active xenpv/.test(msg) ? 'What-if needs a paused xenpv debug session (start one with F5).'
      : /unrecognized request/.test(msg) ? 'What-if is not supported by this debug adapter (xen/whatIf).'
        : `What-if failed: ${msg}`;
    void vscode.window.showErrorMessage(text);
    return { question: q, error: msg };
  }
  const f = formatWhatIf(q, result ?? { accepted: false, message: 'no answer' });
  out.appendLine(`[what-if] ${f.lines.join('\n')}`);
  const show = f.accepted ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const detail = f.lines.length > 1 ? `${/[.!?]$/.test(f.headline) ? '' : '.'} Xen's checks, one by one, are in the "Xen PV" output.` : '';
  void show(f.headline + detail, 'Show Explanation').then((pick) => { if (pick) out.show(true); });
  return { question: q, result, headline: f.headline };
}

/** Quick pick for the kind (unless known), then the value (pre-filled from a row). */
async function ask(d: WhatIfDraft): Promise<WhatIfPrefill | undefined> {
  let draft = { ...d };
  if (!draft.kind || (draft.kind === 'pte' && draft.level === undefined)) {
    const pick = await vscode.window.showQuickPick(WHATIF_KINDS.map((k) => ({ label: k.label, detail: k.detail, k })), {
      title: 'What-if — would Xen accept this entry?', placeHolder: 'What kind of entry?', matchOnDetail: true,
    });
    if (!pick) return undefined;
    draft = { ...draft, ...pick.k.question };
  }
  const what = draft.kind === 'descriptor' ? `${(draft.table ?? 'gdt').toUpperCase()} descriptor` : `L${draft.level} page-table entry`;
  const text = await vscode.window.showInputBox({
    title: `What-if: ${what}${draft.index !== undefined ? ` at index ${draft.index}` : ''}`,
    prompt: draft.kind === 'descriptor' ? 'Descriptor value, e.g. 0x00cf9a000000ffff' : 'Entry value, e.g. 0x0000000012345067 (machine frame | flags)',
    value: draft.value, validateInput: validateWhatIfValue,
  });
  if (text === undefined) return undefined;
  const v = parseNumber(text);
  if (v === undefined) return undefined;
  if (draft.kind === 'pte' && draft.tableMfn === undefined && draft.address === undefined) {
    // Xen checks an entry in a given table slot: take the L<n> table the walk of an address reaches
    const addr = await vscode.window.showInputBox({
      title: `What-if: which L${draft.level} table?`,
      prompt: `An address whose page walk reaches the L${draft.level} table and slot to check: a symbol, 0x… or a register (empty: rip)`,
      placeHolder: 'rip',
    });
    if (addr === undefined) return undefined;
    draft.address = addr.trim() || 'rip';
  }
  return normalizeWhatIf({ ...draft, value: '0x' + v.toString(16) }).question;
}
