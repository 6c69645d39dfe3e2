import { describe, expect, it } from 'vitest';
import { parseStatusOutput } from './parse-status.js';

const out = (managed: string, serviceRc: number, version: string, plugins: string, pluginsRc = 0) =>
  [
    'nessus-byol-ssh: section managed-status',
    managed,
    'nessus-byol-ssh: rc 0',
    'nessus-byol-ssh: section service',
    serviceRc === 0
      ? '● nessusd.service - The Nessus Vulnerability Scanner\n   Active: active (running)'
      : 'nessusd is stopped',
    `nessus-byol-ssh: rc ${serviceRc}`,
    'nessus-byol-ssh: section version',
    version,
    'nessus-byol-ssh: rc 0',
    'nessus-byol-ssh: section plugins',
    plugins,
    `nessus-byol-ssh: rc ${pluginsRc}`,
    '',
  ].join('\n');

describe('parseStatusOutput', () => {
  it('reads a linked, running scanner with plugins', () => {
    const s = parseStatusOutput(
      out(
        '[info] [msp] Linked to: sensor.cloud.tenable.com:443\n[info] [msp] Link status: Connected',
        0,
        'Nessus Professional (nessuscli) 10.8.3 [build 20010]',
        'PLUGIN_SET = "202501020304";',
      ),
    );
    expect(s).toMatchObject({
      linked: true,
      linkedTo: 'sensor.cloud.tenable.com:443',
      service: 'running',
      version: '10.8.3',
      pluginSet: '202501020304',
    });
    expect(s.raw['managed-status'].text).toContain('Linked to');
  });

  it('reads an unlinked, stopped scanner without plugins', () => {
    const s = parseStatusOutput(
      out('[info] [msp] Not linked to a manager.', 3, 'nessuscli: command not found', 'grep: No such file', 2),
    );
    expect(s).toMatchObject({ linked: false, service: 'stopped' });
    expect(s.version).toBeUndefined();
    expect(s.pluginSet).toBeUndefined();
  });

  it('treats other service exit codes as unknown', () => {
    expect(parseStatusOutput(out('', 4, '', '', 1)).service).toBe('unknown');
  });
});
