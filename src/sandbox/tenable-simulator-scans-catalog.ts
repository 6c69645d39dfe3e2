import type { WireRecord } from './tenable-simulator-state.js';

/**
 * The scan templates TVM lists (the findings are in -plugins.ts and -audits.ts).
 *
 * Modelled on pyTenable's recorded cassettes (github:tenable/pyTenable @ 9674fac2af92):
 * `tests/io/cassettes/test_editor_template_list.yaml` (template list: field names, and the template
 * uuids, which are the same in every container).
 */

export interface SimTemplate {
  name: string;
  title: string;
  desc: string;
  uuid: string;
  is_agent: boolean | null;
  is_was: boolean | null;
  order: number | null;
}

export const TEMPLATES: readonly SimTemplate[] = [
  {
    name: 'discovery',
    title: 'Host Discovery',
    desc: 'A simple scan to discover live hosts and open ports.',
    uuid: 'bbd4f805-3966-d464-b2d1-0079eb89d69708c3a05ec2812bcf',
    is_agent: null,
    is_was: null,
    order: null,
  },
  {
    name: 'basic',
    title: 'Basic Network Scan',
    desc: 'A full system scan suitable for any host.',
    uuid: '731a8e52-3ea6-a291-ec0a-d2ff0619c19d7bd788d6be818b65',
    is_agent: null,
    is_was: null,
    order: null,
  },
  {
    name: 'patch_audit',
    title: 'Credentialed Patch Audit',
    desc: 'Authenticate to hosts and enumerate missing updates.',
    uuid: '0625147c-30fe-d79f-e54f-ce7ccd7523e9b63d84cb81c23c2f',
    is_agent: null,
    is_was: null,
    order: null,
  },
  {
    name: 'malware',
    title: 'Malware Scan',
    desc: 'Scan for malware on Windows and Unix systems.',
    uuid: 'd16c51fa-597f-67a8-9add-74d5ab066b49a918400c42a035f7',
    is_agent: null,
    is_was: null,
    order: null,
  },
  {
    name: 'compliance',
    title: 'Policy Compliance Auditing',
    desc: 'Audit system configurations against a known baseline.',
    uuid: '40345bfc-48be-37bc-9bce-526bdce37582e8fee83bcefdc746',
    is_agent: null,
    is_was: null,
    order: null,
  },
  {
    name: 'cloud_audit',
    title: 'Audit Cloud Infrastructure',
    desc: 'Audit the configuration of third-party cloud services.',
    uuid: '97f94b3b-f843-92d1-5e7a-df02f9dbfaaef40ae03bfdfa7239',
    is_agent: null,
    is_was: null,
    order: null,
  },
  {
    name: 'advanced',
    title: 'Advanced Network Scan',
    desc: 'Configure a scan without using any recommendations.',
    uuid: 'ad629e16-03b6-8c1d-cef6-ef8c9dd3c658d24bd260ef5f9e66',
    is_agent: null,
    is_was: null,
    order: null,
  },
  {
    name: 'agent_basic',
    title: 'Basic Agent Scan',
    desc: 'Scan systems connected via Nessus Agents.',
    uuid: 'e785b26c-5b4d-5da8-6643-007ea1f8ee1c8f23937a4bd45a1d',
    is_agent: true,
    is_was: null,
    order: null,
  },
  {
    name: 'was_scan',
    title: 'Web App Scan',
    desc: 'A scan that checks a web application for vulnerabilities.',
    uuid: '09805055-a034-4088-8986-aac5e1c57d5f0d44f09d736969bf',
    is_agent: false,
    is_was: true,
    order: 3,
  },
];

/** Templates whose scans are compliance audits of a cloud account rather than of network hosts. */
export const CLOUD_AUDIT = 'cloud_audit';

/** `GET /editor/scan/templates` entry, in the recorded field order. */
export function templateListEntry(t: SimTemplate): WireRecord {
  return {
    unsupported: false,
    cloud_only: false,
    desc: t.desc,
    order: t.order,
    subscription_only: false,
    is_was: t.is_was,
    title: t.title,
    is_agent: t.is_agent,
    uuid: t.uuid,
    manager_only: false,
    name: t.name,
  };
}
