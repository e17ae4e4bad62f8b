// Where `.include "name"` looks, in order: absolute names as given; else the including file's folder, the
// includePaths option's folders, then the name as given. Shared with the language server's navigation.

function dirname(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? '' : p.slice(0, i + 1);
}

function normalisePath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(seg);
  }
  return (abs ? '/' : '') + parts.join('/');
}

/** Candidate paths for `.include "file"` written in `fromFile`, best first. */
export function includeCandidates(fromFile: string, file: string, includePaths: readonly string[] = []): string[] {
  if (file.startsWith('/')) return [file];
  return [
    normalisePath(dirname(fromFile) + file),
    ...includePaths.map((d) => normalisePath(d.replace(/\/?$/, '/') + file)),
    file,
  ];
}
