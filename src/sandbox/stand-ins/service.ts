import { prelude } from './prelude.js';

/** `service <name> <action>` / `systemctl <action> <name>`: recorded; nessusd's state kept for `status`. */
export function serviceScript(tool: 'service' | 'systemctl'): string {
  const parse =
    tool === 'service' ? 'unit="${1:-}"; action="${2:-}"' : 'action="${1:-}"; unit="${2:-}"; unit="${unit%.service}"';
  return `${prelude(tool)}
record "$@"
${parse}
STATE_DIR="\${NESSUS_BYOL_STANDIN_STATE_DIR:-$(dirname "$STANDIN_LOG")}"
case "$action" in
  start|restart|stop)
    [ -d "$STATE_DIR" ] && [ "$STATE_DIR" != /dev ] && echo "$action" >"$STATE_DIR/$unit.service-state"
    case "$action" in
      start) echo "Starting $unit: [  OK  ]" ;;
      stop) echo "Stopping $unit: [  OK  ]" ;;
      restart) echo "Restarting $unit: [  OK  ]" ;;
    esac
    ;;
  status|is-active)
    if [ "$(cat "$STATE_DIR/$unit.service-state" 2>/dev/null)" = stop ]; then
      echo "$unit is stopped"; exit 3
    fi
    echo "$unit is running"
    ;;
  *) ;;
esac
exit 0
`;
}

/** `yum …`: recorded and successful (no network, nothing installed). */
export function yumScript(): string {
  return `${prelude('yum')}
record "$@"
echo "Loaded plugins: sandbox"
echo "No packages marked for update"
echo "Complete!"
exit 0
`;
}
