// The bundled sample guests (samples/ in the extension, with their .vscode/launch.json): list them and copy them into
// a folder the user picks without overwriting anything there. Node fs only (no `vscode`), so it is unit-tested.

import * as fs from 'fs';
import * as path from 'path';

/** Relative paths of the sample files under dir (sorted; dot-folders such as .vscode included, nothing else hidden). */
export function listSampleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) { if (e.name === '.vscode' || !e.name.startsWith('.')) walk(r); } else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

export interface CopyResult { target: string; copied: string[]; skipped: string[] }

/**
 * Copy the samples from `from` into `target` (created if missing). Existing files are kept (reported as skipped)
 * so a second copy never loses the user's edits. Throws with a clear message when `from` has no samples or the
 * target is a file.
 */
export function copySamples(from: string, target: string): CopyResult {
  const files = fs.existsSync(from) ? listSampleFiles(from) : [];
  if (!files.length) throw new Error(`no sample guests found in ${from}`);
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) throw new Error(`${target} is a file, not a folder`);
  const copied: string[] = [], skipped: string[] = [];
  for (const rel of files) {
    const dst = path.join(target, ...rel.split('/'));
    if (fs.existsSync(dst)) { skipped.push(rel); continue; }
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(path.join(from, ...rel.split('/')), dst);
    copied.push(rel);
  }
  return { target, copied, skipped };
}

/** The folder the samples go to inside the folder the user picked. */
export function sampleTarget(picked: string): string {
  return path.basename(picked) === 'xen-pv-samples' ? picked : path.join(picked, 'xen-pv-samples');
}
