// The Hypercalls view's break-on-entry checkboxes against VS Code's breakpoints: reads the `hypercall:` function
// breakpoints (also before launch), follows Breakpoints-view edits, and adds/removes them on a toggle.

import * as vscode from 'vscode';
import { checkboxTooltip, HypercallBreakIndex, hypercallLabel, planToggle, resolveHypercall, ABI_HYPERCALLS, FnBreakpointLike } from './hypercall-breaks';
import type { CheckboxModel } from './xen-tree';

/** What the toggle command answers: the hypercall and whether its box is now checked. */
export interface HypercallToggleResult { nr: number; name: string; armed: boolean }

export class HypercallBreakpoints implements CheckboxModel, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when the set of hypercall breakpoints may have changed (Breakpoints view, API, a toggle). */
  readonly onDidChange = this.emitter.event;
  private cached: HypercallBreakIndex | undefined;
  private readonly sub: vscode.Disposable;

  constructor() {
    this.sub = vscode.debug.onDidChangeBreakpoints(() => { this.cached = undefined; this.emitter.fire(); });
  }

  private functionBreakpoints(): vscode.FunctionBreakpoint[] {
    return vscode.debug.breakpoints.filter((b): b is vscode.FunctionBreakpoint => b instanceof vscode.FunctionBreakpoint);
  }

  /** The current state of every hypercall breakpoint. */
  index(): HypercallBreakIndex {
    return (this.cached ??= new HypercallBreakIndex(this.functionBreakpoints()));
  }

  checkbox(key: string): { checked: boolean; tooltip?: string } {
    const s = this.index().state(Number(key));
    return { checked: s.armed, tooltip: checkboxTooltip(s) };
  }

  /** Make hypercall nr's box read `on` (default: the opposite of now); returns the state afterwards. */
  set(nr: number, on?: boolean): HypercallToggleResult {
    const want = on ?? !this.index().isArmed(nr);
    const plan = planToggle(this.functionBreakpoints(), nr, want);
    if (plan.remove.length) vscode.debug.removeBreakpoints(plan.remove);
    if (plan.add.length) vscode.debug.addBreakpoints(plan.add.map(toVscode));
    this.cached = undefined;
    this.emitter.fire();   // redraw now even when nothing changed (a click the model refused must spring back)
    return { nr, name: hypercallLabel(nr), armed: this.index().isArmed(nr) };
  }

  /**
   * xenpv.toggleHypercallBreakpoint: arg names the hypercall (18, "console_io", "hypercall:console_io", a view row);
   * `on` forces the state. Without an argument, a pick list of every hypercall with the armed ones checked.
   */
  async command(arg?: unknown, on?: unknown): Promise<HypercallToggleResult | HypercallToggleResult[] | undefined> {
    if (arg === undefined) return this.pick();
    const nr = resolveHypercall(arg);
    if (typeof nr === 'string') { void vscode.window.showErrorMessage(`Break on hypercall: ${nr}`); return undefined; }
    return this.set(nr, typeof on === 'boolean' ? on : undefined);
  }

  private async pick(): Promise<HypercallToggleResult[] | undefined> {
    const idx = this.index();
    const items = ABI_HYPERCALLS.map((h) => ({ label: h.name, description: `${h.nr}`, picked: idx.isArmed(h.nr), nr: h.nr }));
    const chosen = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Break on entry to these hypercalls', placeHolder: 'checked: a hypercall:NAME function breakpoint' });
    if (!chosen) return undefined;
    const want = new Set(chosen.map((c) => c.nr));
    return items.filter((i) => want.has(i.nr) !== idx.isArmed(i.nr)).map((i) => this.set(i.nr, want.has(i.nr)));
  }

  dispose(): void { this.sub.dispose(); this.emitter.dispose(); }
}

function toVscode(b: FnBreakpointLike): vscode.FunctionBreakpoint {
  return new vscode.FunctionBreakpoint(b.functionName, b.enabled, b.condition, b.hitCondition, b.logMessage);
}
