import { TEST_TOOLS, hasTool } from '../../scripts/test-tools.mjs';

export type ToolName = 'shellcheck' | 'sshd' | 'ssh-keygen' | 'tmux' | 'script' | 'jq' | 'curl' | 'aws' | 'moto_server';

const seen = new Map<ToolName, boolean>();

/**
 * Whether a program from scripts/test-tools.mjs is installed. Suites that need a missing one use
 * `describe.skipIf(!has(…))`: npm test's preflight has said what is missing, the run's summary names
 * the skipped suites, and in CI the preflight fails instead.
 */
export function has(name: ToolName): boolean {
  let found = seen.get(name);
  if (found === undefined) {
    const tool = TEST_TOOLS.find((t) => t.name === name);
    if (!tool) throw new Error(`unknown test tool ${name}`);
    found = hasTool(tool);
    seen.set(name, found);
  }
  return found;
}
