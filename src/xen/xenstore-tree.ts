// The xenstore node tree of the emulated xenstored: nodes with values and permission lists (owner first, as
// xenstored's node_perms), generations for transaction conflict checks, and a transaction view (copy on write).

export const XS_PERM_NONE = 0;
export const XS_PERM_READ = 1;
export const XS_PERM_WRITE = 2;
export const XS_PERM_OWNER = 8;

/** One permission entry: domain id and its access ('n' none, 'r' read, 'w' write, 'b' both). */
export interface XsPerm { id: number; perms: number; }
export interface XsNode { value: string; perms: XsPerm[]; gen: number; }

/** "r1" -> {id 1, READ}; null when malformed (xenstore_strings_to_perms). */
export function parsePerm(s: string): XsPerm | null {
  const m = /^([nrwb])(\d{1,5})$/.exec(s);
  if (!m) return null;
  const id = Number(m[2]);
  if (id > 0xffff) return null;
  const perms = { n: XS_PERM_NONE, r: XS_PERM_READ, w: XS_PERM_WRITE, b: XS_PERM_READ | XS_PERM_WRITE }[m[1] as 'n'];
  return { id, perms };
}
export function permString(p: XsPerm): string {
  const rw = p.perms & (XS_PERM_READ | XS_PERM_WRITE);
  return (['n', 'r', 'w', 'b'][rw]) + p.id;
}

/** perm_for_conn for an unprivileged domain: the owner gets everything, else its entry, else the default (first). */
export function permFor(domid: number, perms: XsPerm[]): number {
  if (perms.length === 0) return XS_PERM_NONE;
  if (perms[0].id === domid) return XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
  for (let i = 1; i < perms.length; i++) if (perms[i].id === domid) return perms[i].perms;
  return perms[0].perms;
}

/** get_parent: "/a/b" -> "/a", "/a" -> "/". */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
export function isUnder(path: string, root: string): boolean {
  return path === root || root === '/' || path.startsWith(root + '/');
}

/** What a request handler reads and writes: the tree itself or a transaction over it. */
export interface XsView {
  get(path: string): XsNode | undefined;
  children(path: string): string[];
  put(path: string, node: XsNode): void;
  /** Remove a node and its subtree; returns the removed paths. */
  remove(path: string): string[];
}

export class XsTree implements XsView {
  readonly nodes = new Map<string, XsNode>();
  /** Global generation, bumped by every change (xenstored's `generation`). */
  generation = 0;
  /** Generation at which a path was last removed (for transaction conflict checks). */
  readonly removedGen = new Map<string, number>();

  constructor(rootPerms: XsPerm[]) { this.nodes.set('/', { value: '', perms: rootPerms, gen: 0 }); }

  get(path: string): XsNode | undefined { return this.nodes.get(path); }
  children(path: string): string[] {
    const out: string[] = [];
    const prefix = path === '/' ? '/' : path + '/';
    for (const k of this.nodes.keys()) {
      if (k !== '/' && k.startsWith(prefix) && k.indexOf('/', prefix.length) < 0) out.push(k.slice(prefix.length));
    }
    return out;
  }
  put(path: string, node: XsNode): void {
    node.gen = ++this.generation;
    this.nodes.set(path, node);
    this.removedGen.delete(path);
  }
  remove(path: string): string[] {
    const gone = [...this.nodes.keys()].filter((k) => k !== '/' && isUnder(k, path));
    const g = ++this.generation;
    for (const k of gone) { this.nodes.delete(k); this.removedGen.set(k, g); }
    return gone;
  }
  /** Generation of the last change to `path` (written or removed); 0 if never. */
  changedAt(path: string): number { return this.nodes.get(path)?.gen ?? this.removedGen.get(path) ?? 0; }
}

/** An open transaction: reads see its own writes; commit applies them unless an accessed node changed meanwhile. */
export class XsTransaction implements XsView {
  /** Written nodes (null = removed), in write order. */
  readonly written = new Map<string, XsNode | null>();
  readonly accessed = new Set<string>();
  /** Paths changed, for the watch events fired at commit. */
  readonly changed: string[] = [];
  readonly startGen: number;
  constructor(readonly id: number, readonly tree: XsTree) { this.startGen = tree.generation; }

  get(path: string): XsNode | undefined {
    this.accessed.add(path);
    if (this.written.has(path)) return this.written.get(path) ?? undefined;
    return this.tree.get(path);
  }
  children(path: string): string[] {
    this.accessed.add(path);
    const prefix = path === '/' ? '/' : path + '/';
    const out = this.tree.children(path).filter((n) => this.written.get(prefix + n) !== null);
    for (const [k, v] of this.written) {
      if (v === null || !k.startsWith(prefix) || k.indexOf('/', prefix.length) >= 0) continue;
      const n = k.slice(prefix.length);
      if (!out.includes(n)) out.push(n);
    }
    return out;
  }
  put(path: string, node: XsNode): void { this.accessed.add(path); this.written.set(path, node); }
  remove(path: string): string[] {
    const gone = new Set<string>();
    for (const k of this.tree.nodes.keys()) if (k !== '/' && isUnder(k, path) && this.written.get(k) !== null) gone.add(k);
    for (const [k, v] of this.written) if (v !== null && isUnder(k, path)) gone.add(k);
    for (const k of gone) { this.written.set(k, null); this.accessed.add(k); }
    return [...gone];
  }
  /** A node this transaction touched that changed outside it since the start (commit gives EAGAIN). */
  conflict(): string | null {
    for (const p of this.accessed) if (this.tree.changedAt(p) > this.startGen) return p;
    return null;
  }
  /** Apply the writes to the tree. */
  commit(): void {
    for (const [k, v] of this.written) {
      if (v === null) { if (this.tree.get(k)) this.tree.remove(k); } else this.tree.put(k, v);
    }
  }
}
