import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { canConnect, freeLoopbackPort } from '../net/loopback.js';
import { delimiter, join } from 'node:path';
import { RuntimeError } from '../../core/errors.js';

export const SSM_PLUGIN = 'session-manager-plugin';
export const SSM_PLUGIN_INSTALL_URL =
  'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html';

export interface SsmTunnelSpec {
  instanceId: string;
  localPort: number;
  remotePort?: number;
  region: string;
  profile?: string | undefined;
}

/** The `aws ssm start-session` port-forwarding command (argv, no shell). */
export function ssmTunnelCommand(spec: SsmTunnelSpec): { command: string; args: string[] } {
  return {
    command: 'aws',
    args: [
      'ssm',
      'start-session',
      '--target',
      spec.instanceId,
      '--document-name',
      'AWS-StartPortForwardingSession',
      '--parameters',
      `portNumber=${spec.remotePort ?? 22},localPortNumber=${spec.localPort}`,
      '--region',
      spec.region,
      ...(spec.profile ? ['--profile', spec.profile] : []),
    ],
  };
}

/** The first executable named `name` on PATH, or null. */
export function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}


export interface SsmTunnel {
  port: number;
  close(): void;
}

/**
 * Starts a Session Manager port forward to the instance's port 22 and resolves once the local
 * port accepts connections. The AWS CLI reads credentials from the usual chain.
 */
export async function startSsmTunnel(
  spec: Omit<SsmTunnelSpec, 'localPort'>,
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<SsmTunnel> {
  const localPort = await freeLoopbackPort();
  const { command, args } = ssmTunnelCommand({ ...spec, localPort });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const close = () => stop(child);
  try {
    await waitForPort(child, localPort, timeoutMs, () => output);
  } catch (e) {
    close();
    throw e;
  }
  return { port: localPort, close };
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

async function waitForPort(child: ChildProcess, port: number, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  let spawnError: Error | undefined;
  child.once('exit', (code) => (exited = code ?? -1));
  child.once('error', (e) => (spawnError = e));
  while (Date.now() < deadline) {
    if (spawnError || exited !== null) {
      throw new RuntimeError(
        'SSM_TUNNEL_FAILED',
        `The Session Manager tunnel did not start: ${(spawnError?.message ?? output().trim()) || `aws exited ${exited}`}.`,
        {
          hint: `the instance needs the SSM agent and an instance role allowing Session Manager (AmazonSSMManagedInstanceCore); you need ssm:StartSession. Install the plugin: ${SSM_PLUGIN_INSTALL_URL}`,
        },
      );
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new RuntimeError(
    'SSM_TUNNEL_FAILED',
    `The Session Manager tunnel did not open port ${port} within ${Math.round(timeoutMs / 1000)}s.`,
    {
      hint: 'check that the instance shows as online in Systems Manager → Fleet Manager',
    },
  );
}
