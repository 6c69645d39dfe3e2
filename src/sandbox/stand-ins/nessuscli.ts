import { prelude } from './prelude.js';

/**
 * Stand-in for /opt/nessus/sbin/nessuscli. `managed link` links through the Tenable simulator's
 * control endpoint ($NESSUS_BYOL_SIM_URL/_sim/link) and fails like nessuscli when refused;
 * `managed status|unlink`, `fix --reset-all`, `fetch --register <code>|--check` and `-v` work
 * against a small state file beside the log ($NESSUS_BYOL_STANDIN_STATE_DIR).
 */
export function nessuscliScript(): string {
  return `${prelude('nessuscli')}
ARGV_JSON="$(argv_json "$@")"
record "$@"
STATE_DIR="\${NESSUS_BYOL_STANDIN_STATE_DIR:-$(dirname "$STANDIN_LOG")}"
[ "$STATE_DIR" = /dev ] && STATE_DIR="\${TMPDIR:-/tmp}"
STATE="$STATE_DIR/nessuscli.state.json"

state_get() { jq -r "$1 // empty" "$STATE" 2>/dev/null; }
state_merge() {
  local current='{}'
  [ -f "$STATE" ] && current="$(cat "$STATE")"
  mkdir -p "$STATE_DIR"
  jq -c --argjson add "$1" '. + $add' <<<"$current" >"$STATE.tmp" && mv "$STATE.tmp" "$STATE"
}
fail() { echo "[error] $*" >&2; exit 1; }

managed_link() {
  local key="" name="" host="" port="" cloud=false aws=false arg
  for arg in "$@"; do
    case "$arg" in
      --key=*) key="\${arg#--key=}" ;;
      --name=*) name="\${arg#--name=}" ;;
      --host=*) host="\${arg#--host=}" ;;
      --port=*) port="\${arg#--port=}" ;;
      --cloud) cloud=true ;;
      --aws-scanner) aws=true ;;
      --groups=*|--ca-path=*|--proxy-host=*|--proxy-port=*|--proxy-username=*|--proxy-password=*|--proxy-auth=*|--proxy-agent=*) ;;
      *) fail "Unknown option for 'managed link': \${arg%%=*}" ;;
    esac
  done
  [ -n "$key" ] || fail "A linking key is required (--key=<key>)."
  if [ "$cloud" = true ]; then
    [ -z "$host" ] || fail "--cloud cannot be combined with --host."
    host=cloud.tenable.com; port=443
  else
    { [ -n "$host" ] && [ -n "$port" ]; } || fail "Both --host and --port are required (or --cloud)."
  fi
  [ -n "\${NESSUS_BYOL_SIM_URL:-}" ] || fail "Failed to link: could not connect to $host:$port"

  local body out code err
  body="$(jq -cn --arg key "$key" --arg name "$name" --arg host "$host" --arg port "$port" \\
    --arg hostname "\${NESSUS_BYOL_HOSTNAME:-$(hostname)}" \\
    --argjson cloud "$cloud" --argjson aws "$aws" --argjson argv "$ARGV_JSON" \\
    '{key: $key, name: $name, hostname: $hostname, host: $host, port: (($port | tonumber?) // $port), cloud: $cloud, awsScanner: $aws, argv: $argv}')"
  out="$(mktemp)"
  # The body goes through stdin so the key stays out of curl's argv.
  code="$(curl -sS -o "$out" -w '%{http_code}' -X POST -H 'content-type: application/json' \\
    --data-binary @- "$NESSUS_BYOL_SIM_URL/_sim/link" <<<"$body" 2>/dev/null)" || code=000
  err="$(jq -r '.error // .message // empty' "$out" 2>/dev/null)"
  case "$code" in
    200)
      state_merge "$(jq -c --arg host "$host" --arg port "$port" --arg name "$name" \\
        '{linked: true, host: $host, port: $port, name: $name, scanner_id: .scanner_id, uuid: .uuid}' "$out")"
      rm -f "$out"
      echo "[info] [msp] Successfully linked to $host:$port"
      ;;
    000) rm -f "$out"; fail "Failed to link: could not connect to $host:$port" ;;
    *) rm -f "$out"; fail "Failed to link: \${err:-$host:$port answered HTTP $code}" ;;
  esac
}

managed_status() {
  if [ "$(state_get .linked)" = true ]; then
    echo "[info] [msp] Linked to: $(state_get .host):$(state_get .port)"
    echo "[info] [msp] Link status: Connected to $(state_get .host):$(state_get .port)."
    [ -n "$(state_get .name)" ] && echo "[info] [msp] Scanner name: $(state_get .name)"
  else
    echo "[info] [msp] Not linked to a manager."
  fi
}

fetch_register() {
  local code="\${1:-}"
  [ -n "$code" ] || fail "An activation code is required: nessuscli fetch --register <code>"
  state_merge '{"activated": true}'
  echo "Your Activation Code has been registered properly - thank you."
}

case "\${1:-} \${2:-}" in
  "managed link"*) shift 2; managed_link "$@" ;;
  "managed status"*) managed_status ;;
  "managed unlink"*) state_merge '{"linked": false}'; echo "[info] [msp] Successfully unlinked." ;;
  "fix --reset-all"*) rm -f "$STATE"; echo "Nessus reset complete." ;;
  "fix "*) echo "Successfully updated." ;;
  "fetch --register="*) fetch_register "\${2#--register=}" ;;
  "fetch --register"*) fetch_register "\${3:-}" ;;
  "fetch --check"*)
    [ "$(state_get .activated)" = true ] || [ "$(state_get .linked)" = true ] || fail "Nessus is not registered."
    echo "Activation code: registered" ;;
  "-v "*|"--version "*) echo "nessuscli (Nessus) 10.8.3" ;;
  *) fail "Unknown command: nessuscli $*" ;;
esac
exit 0
`;
}
