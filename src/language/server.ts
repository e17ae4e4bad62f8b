// Language server entry for guest assembly (xen-asm): wires the LSP connection to the analysis, hover,
// completion, navigation and outline modules. Every handler is guarded; assembly runs bounded in a worker.

import { isMainThread } from 'worker_threads';
import {
  Connection, createConnection, InitializeParams, InitializeResult, ProposedFeatures, ResponseError, TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocState, toLspDiagnostics } from './analysis';
import { AssemblerRunner, readIncludeFile } from './assemble-runner';
import { DEFAULT_SETTINGS, InitializationOptions, XenAsmSettings } from './client-options';
import { computeCompletion } from './completion';
import { computeHover } from './hover';
import { findDefinition, findReferences, prepareRename, rename } from './navigation';
import { documentSymbols } from './symbols';

export interface ServerHandle {
  dispose(): void;
}

/** Attach all handlers to a connection (stdio/IPC in production, in-memory streams in tests). */
export function startServer(connection: Connection): ServerHandle {
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocState>();
  const timers = new Map<string, NodeJS.Timeout>();
  let settings: XenAsmSettings = { ...DEFAULT_SETTINGS };
  const log = (msg: string) => { try { connection.console.error(msg); } catch { /* connection gone */ } };
  const fallback = (why: string) => { try { connection.console.warn(`xen-asm: assembler worker unavailable (${why}); assembling in-process`); } catch { /* gone */ } };
  let runner = new AssemblerRunner(settings.assembleTimeoutMs, fallback);

  /** Run a request handler; an internal failure becomes an empty answer, never a crash. */
  function guard<T>(what: string, fallback: T, f: () => T): T {
    try { return f(); } catch (e) {
      if (e instanceof ResponseError) throw e;
      log(`xen-asm: ${what} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return fallback;
    }
  }

  function stateOf(uri: string): DocState | undefined {
    const td = documents.get(uri);
    if (!td) return undefined;
    let st = states.get(uri);
    if (!st) { st = new DocState(uri, td.getText(), td.version); st.includeReader = readInclude; states.set(uri, st); }
    else if (st.version !== td.version) st.update(td.getText(), td.version);
    return st;
  }

  /** An included file for navigation: an open document's text, else the file on disk (bounded). */
  function readInclude(p: string): string | undefined {
    for (const other of states.values()) if (other.path === p) return other.text;
    return readIncludeFile(p);
  }

  async function validate(uri: string): Promise<void> {
    const st = stateOf(uri);
    if (!st) return;
    const version = st.version;
    const overlays: Record<string, string> = {};
    for (const other of states.values()) if (other.uri !== uri) overlays[other.path] = other.text;
    const outcome = await runner.run({ source: st.text, fileName: st.path, overlays });
    const now = states.get(uri);
    if (!now || now.version !== version || !documents.get(uri)) return; // stale: a newer run is scheduled
    now.outcome = outcome;
    now.outcomeVersion = version;
    const diagnostics = guard('diagnostics', [], () => toLspDiagnostics(now, outcome.diagnostics));
    await connection.sendDiagnostics({ uri, version, diagnostics });
  }

  function schedule(uri: string): void {
    const old = timers.get(uri);
    if (old) clearTimeout(old);
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      validate(uri).catch((e) => log(`xen-asm: validation failed: ${e instanceof Error ? e.message : String(e)}`));
    }, settings.diagnosticsDelay));
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const o = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof o.diagnosticsDelay === 'number' && o.diagnosticsDelay >= 0) settings.diagnosticsDelay = o.diagnosticsDelay;
    if (typeof o.assembleTimeoutMs === 'number' && o.assembleTimeoutMs > 0) {
      settings = { ...settings, assembleTimeoutMs: o.assembleTimeoutMs };
      runner.dispose();
      runner = new AssemblerRunner(settings.assembleTimeoutMs, fallback);
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['%', '.', '$'] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
      },
      serverInfo: { name: 'xen-asm-language-server', version: '0.1.0' },
    };
  });

  documents.onDidOpen((e) => { stateOf(e.document.uri); schedule(e.document.uri); });
  documents.onDidChangeContent((e) => { stateOf(e.document.uri); schedule(e.document.uri); });
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    states.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover((p) => guard('hover', null, () => {
    const st = stateOf(p.textDocument.uri);
    return st ? computeHover(st, p.position.line, p.position.character) : null;
  }));
  connection.onCompletion((p) => guard('completion', [], () => {
    const st = stateOf(p.textDocument.uri);
    return st ? computeCompletion(st, p.position.line, p.position.character) : [];
  }));
  connection.onDefinition((p) => guard('definition', [], () => {
    const st = stateOf(p.textDocument.uri);
    return st ? findDefinition(st, p.position.line, p.position.character) : [];
  }));
  connection.onReferences((p) => guard('references', [], () => {
    const st = stateOf(p.textDocument.uri);
    return st ? findReferences(st, p.position.line, p.position.character, p.context.includeDeclaration) : [];
  }));
  connection.onPrepareRename((p) => guard('prepareRename', null, () => {
    const st = stateOf(p.textDocument.uri);
    return st ? prepareRename(st, p.position.line, p.position.character) : null;
  }));
  connection.onRenameRequest((p) => {
    const st = stateOf(p.textDocument.uri);
    if (!st) return null;
    try { return rename(st, p.position.line, p.position.character, p.newName); } catch (e) {
      // Invalid new names are user errors: answer with an LSP error the client shows.
      throw new ResponseError(-32602 /* InvalidParams */, e instanceof Error ? e.message : String(e));
    }
  });
  connection.onDocumentSymbol((p) => guard('documentSymbol', [], () => {
    const st = stateOf(p.textDocument.uri);
    return st ? documentSymbols(st.scanned) : [];
  }));
  connection.onShutdown(() => { runner.dispose(); for (const t of timers.values()) clearTimeout(t); timers.clear(); });

  documents.listen(connection);
  connection.listen();
  return {
    dispose: () => { runner.dispose(); for (const t of timers.values()) clearTimeout(t); timers.clear(); },
  };
}

// Started as a program (node dist/language-server.js --stdio | --node-ipc); never inside the assembler worker.
if (isMainThread && require.main === module) {
  const connection = createConnection(ProposedFeatures.all);
  process.on('uncaughtException', (e) => { try { connection.console.error(`xen-asm: uncaught ${e instanceof Error ? e.stack : String(e)}`); } catch { /* ignore */ } });
  startServer(connection);
}
