// Type bridge: vscode-languageserver 10 publishes its typings only through package "exports", which the
// project's moduleResolution "node" does not read; point the subpath we import at its declaration file.
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
