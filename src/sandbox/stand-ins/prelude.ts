/**
 * Shared head of every stand-in script: strict mode and `record`, which appends the stand-in's argv
 * as one JSON line ({"tool","argv","ts"}) to $NESSUS_BYOL_STANDIN_LOG. The log is the scanner-side
 * log: it holds what the real binary would have received, the linking key included.
 */
export function prelude(tool: string): string {
  return `#!/bin/bash
# nessus-byol sandbox stand-in for \`${tool}\`. Generated; edits are overwritten at sandbox start.
set -uo pipefail
TOOL=${tool}
STANDIN_LOG="\${NESSUS_BYOL_STANDIN_LOG:-/dev/null}"

argv_json() {
  if [ "$#" -eq 0 ]; then echo '[]'; return; fi
  # NUL-separated with a sentinel: jq 1.6 drops a trailing NUL and parses "--x" after --args as its own option.
  { printf '%s\\0' "$@"; printf 'E'; } | jq -Rsc 'split("\\u0000")[:-1]'
}

record() {
  [ "$STANDIN_LOG" = /dev/null ] && return 0
  mkdir -p "$(dirname "$STANDIN_LOG")"
  jq -cn --arg tool "$TOOL" --argjson argv "$(argv_json "$@")" --arg ts "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
    '{tool: $tool, argv: $argv, ts: $ts}' >>"$STANDIN_LOG"
}
`;
}
