#!/usr/bin/env bash
# Installs the Mermaid parser the plan render tests use (the real mermaid library
# under node, with jsdom for the browser globals it expects) into node_modules/
# beside this script. Needs node >= 18 and npm; the versions are pinned in
# package-lock.json. Without node the Mermaid test is skipped with a reason.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the Mermaid syntax test will be skipped" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
