import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import type { HostResult } from './tenable-simulator-scans-results.js';
import type { SimRun } from './tenable-simulator-scans-store.js';
import { CHECK_SEVERITY } from './tenable-simulator-scans-audits.js';

/**
 * The bytes `GET /scans/{id}/export/{file}/download` sends, generated from the simulated findings.
 * The .nessus layout follows the body recorded in pyTenable's
 * `tests/io/cassettes/test_scan_export_bytesio.yaml` (github:tenable/pyTenable @ 9674fac2af92):
 * `NessusClientData_v2` › `Policy` › `Report` (xmlns:cm) › `ReportHost` › `HostProperties` + `ReportItem`.
 * Every format says the findings are simulated.
 */

export const SIMULATED_NOTE = 'Simulated by the nessus-byol Tenable simulator: these are not real scan findings.';
export const DB_MAGIC = 'NESSUS-BYOL-SIMULATED-DB-1';

export interface ExportInput {
  scanName: string;
  policy: string;
  run: SimRun;
  results: HostResult[];
  chapters: string[];
}

const RISK = ['None', 'Low', 'Medium', 'High', 'Critical'] as const;
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const csvCell = (s: string | number) => `"${String(s).replace(/"/g, '""')}"`;
const hostDate = (ms: number) => new Date(ms).toUTCString();

function nessus(x: ExportInput): string {
  const start = x.run.launchedMs + x.run.pendingMs;
  const end = start + x.run.runningMs;
  const hosts = x.results.map((h) => {
    const items = h.plugins.map(
      (p) =>
        `<ReportItem severity="${p.severity}" port="${p.port}" pluginFamily="${xml(p.family)}" pluginName="${xml(p.name)}" pluginID="${p.id}" protocol="${p.protocol}" svc_name="${p.svc}">` +
        `<plugin_type>remote</plugin_type><solution>${xml(p.solution)}</solution><description>${xml(p.synopsis)}</description>` +
        `<synopsis>${xml(p.synopsis)}</synopsis><risk_factor>${RISK[p.severity]}</risk_factor><plugin_output>${xml(SIMULATED_NOTE)}</plugin_output></ReportItem>`,
    );
    const checks = h.checks.map(
      (c) =>
        `<ReportItem severity="${CHECK_SEVERITY[c.result]}" port="0" pluginFamily="Policy Compliance" pluginName="${xml(c.auditName)}" pluginID="0" protocol="tcp" svc_name="general">` +
        `<cm:compliance-check-name>${xml(c.name)}</cm:compliance-check-name><cm:compliance-result>${c.result}</cm:compliance-result>` +
        `<cm:compliance-audit-file>${xml(c.auditName)}</cm:compliance-audit-file></ReportItem>`,
    );
    return (
      `<ReportHost name="${xml(h.hostname)}"><HostProperties><tag name="host-ip">${xml(h.hostname)}</tag>` +
      `<tag name="host-uuid">${h.uuid}</tag><tag name="HOST_START">${hostDate(start)}</tag><tag name="HOST_END">${hostDate(end)}</tag>` +
      `<tag name="policy-used">${xml(x.policy)}</tag><tag name="Credentialed_Scan">false</tag></HostProperties>${items.join('')}${checks.join('')}</ReportHost>`
    );
  });
  return (
    `<?xml version="1.0" ?><!-- ${SIMULATED_NOTE} --><NessusClientData_v2><Policy><policyName>${xml(x.policy)}</policyName><policyComments>${xml(SIMULATED_NOTE)}</policyComments>` +
    `<Preferences><ServerPreferences><preference><name>TARGET</name><value>${xml(x.run.targets)}</value></preference></ServerPreferences></Preferences></Policy>` +
    `<Report name="${xml(x.scanName)}" xmlns:cm="http://www.nessus.org/cm">${hosts.join('')}</Report></NessusClientData_v2>\n`
  );
}

const CSV_HEADER = [
  'Plugin ID',
  'CVE',
  'CVSS v2.0 Base Score',
  'Risk',
  'Host',
  'Protocol',
  'Port',
  'Name',
  'Synopsis',
  'Description',
  'Solution',
  'See Also',
  'Plugin Output',
];

function csv(x: ExportInput): string {
  const rows = [CSV_HEADER.map(csvCell).join(',')];
  for (const h of x.results) {
    for (const p of h.plugins) {
      rows.push(
        [
          p.id,
          '',
          '',
          RISK[p.severity],
          h.hostname,
          p.protocol,
          p.port,
          p.name,
          p.synopsis,
          p.synopsis,
          p.solution,
          '',
          SIMULATED_NOTE,
        ]
          .map(csvCell)
          .join(','),
      );
    }
    for (const c of h.checks) {
      rows.push(
        [
          0,
          '',
          '',
          RISK[CHECK_SEVERITY[c.result]],
          h.hostname,
          'tcp',
          0,
          `${c.name} [simulated]`,
          c.auditName,
          c.auditName,
          '',
          '',
          `[${c.result}] ${SIMULATED_NOTE}`,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}

function html(x: ExportInput): string {
  const hostRows = x.results
    .map(
      (h) =>
        `<h2>${xml(h.hostname)}</h2><ul>${h.plugins.map((p) => `<li>${RISK[p.severity]}: ${p.id} ${xml(p.name)}</li>`).join('')}${h.checks.map((c) => `<li>${c.result}: ${xml(c.name)}</li>`).join('')}</ul>`,
    )
    .join('');
  return `<!DOCTYPE html><html><head><title>${xml(x.scanName)}</title></head><body><p><strong>${xml(SIMULATED_NOTE)}</strong></p><h1>${xml(x.scanName)}</h1><p>Chapters: ${xml(x.chapters.join(', '))}</p>${hostRows}</body></html>\n`;
}

/** Not a renderable PDF: a stub that starts and ends like one and says what it is. */
function pdf(x: ExportInput): string {
  return `%PDF-1.4\n% ${SIMULATED_NOTE}\n% scan: ${x.scanName}; chapters: ${x.chapters.join(';')}; hosts: ${x.results.length}\n%%EOF\n`;
}

/**
 * A real Scan DB is an encrypted database; ours is the findings as JSON, AES-256-GCM encrypted with a
 * key derived from the password (scrypt), behind a magic line. The password itself is not in it.
 */
function db(x: ExportInput, password: string): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(password, salt, 32);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const plain = JSON.stringify({ note: SIMULATED_NOTE, scan: x.scanName, targets: x.run.targets, hosts: x.results });
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from(`${DB_MAGIC}\n`), salt, iv, cipher.getAuthTag(), body]);
}

export const EXTENSIONS: Record<string, string> = { nessus: 'nessus', csv: 'csv', html: 'html', pdf: 'pdf', db: 'db' };

export function exportBytes(format: string, x: ExportInput, password = ''): Buffer {
  switch (format) {
    case 'nessus':
      return Buffer.from(nessus(x));
    case 'csv':
      return Buffer.from(csv(x));
    case 'html':
      return Buffer.from(html(x));
    case 'pdf':
      return Buffer.from(pdf(x));
    default:
      return db(x, password);
  }
}
