export type EnvShell = 'sh' | 'json';

/** The sandbox environment for `eval "$(nessus-byol sandbox env)"` (sh) or tools (json). */
export function formatEnv(env: Record<string, string>, shell: EnvShell): string {
  if (shell === 'json') return `${JSON.stringify(env, null, 2)}\n`;
  return Object.entries(env)
    .map(([k, v]) => `export ${k}='${v.replaceAll("'", "'\\''")}'\n`)
    .join('');
}
