/** The `ssh` operations (kept import-free so the command file can list them without loading SSH code). */
export const SSH_OPERATIONS = ['status', 'link', 'relink', 'activate', 'logs', 'run'] as const;
export type SshOperation = (typeof SSH_OPERATIONS)[number];
