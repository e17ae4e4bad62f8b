// Conventions shared by the language client (src/extension.ts, later) and the server: language id, document
// selector, file extensions and where the bundled server lives. No `vscode` import here.

/** Language id contributed in package.json (contributes.languages). */
export const LANGUAGE_ID = 'xen-asm';
/** TextMate scope of syntaxes/xen-asm.tmLanguage.json. */
export const SCOPE_NAME = 'source.xen-asm';
/** Extensions claimed by the language (.s/.S are shared with other assembly extensions; users can pick per file). */
export const FILE_EXTENSIONS = ['.s', '.S', '.asm'];

/** Document selector for LanguageClientOptions.documentSelector. */
export const DOCUMENT_SELECTOR: { scheme: string; language: string }[] = [
  { scheme: 'file', language: LANGUAGE_ID },
  { scheme: 'untitled', language: LANGUAGE_ID },
];

/** Bundled server, relative to the extension root (scripts/build.js: src/language/server.ts -> dist/language-server.js). */
export const SERVER_MODULE = 'dist/language-server.js';
/** Run the server over IPC in the extension host (TransportKind.ipc); `--stdio` also works for other clients. */
export const SERVER_TRANSPORT = 'ipc' as const;
/** Debug options for the server when the extension runs in development mode. */
export const SERVER_DEBUG_EXEC_ARGV = ['--nolazy', '--inspect=6010'];

/** Client-side settings section the server reads (xenAsm.*). */
export const SETTINGS_SECTION = 'xenAsm';
export interface XenAsmSettings {
  /** Milliseconds of quiet typing before the document is re-assembled (default 300). */
  diagnosticsDelay: number;
  /** Wall-clock bound of one assembly in the server (default 4000). */
  assembleTimeoutMs: number;
}
export const DEFAULT_SETTINGS: XenAsmSettings = { diagnosticsDelay: 300, assembleTimeoutMs: 4000 };

/** initializationOptions the client may pass (overrides the defaults above). */
export type InitializationOptions = Partial<XenAsmSettings>;
