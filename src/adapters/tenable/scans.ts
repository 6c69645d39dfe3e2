import { TenableError } from '../../core/errors.js';
import type { Request } from './request.js';
import {
  parseCreatedFolder,
  parseCreatedScan,
  parseExportFile,
  parseExportReady,
  parseFolders,
  parseHostDetails,
  parseLatestStatus,
  parseLaunch,
  parseScanDetails,
  parseScanList,
  parseTemplateDetails,
  parseTemplates,
  type CreatedScan,
  type ScanDetails,
  type ScanFolder,
  type ScanHostDetails,
  type ScanSummary,
  type ScanTemplate,
  type TemplateDetails,
} from './scans-parse.js';

export type * from './scans-parse.js';
export { SEVERITY_BY_LEVEL } from './scans-parse.js';

/**
 * The scan endpoints of TVM used by `scan` and `audit scan` (TENABLE-API.md "Scans"; modelled on
 * pyTenable's `tenable/io/scans.py` and `editor.py`). Every call goes through the one request path,
 * so 429/Retry-After and 5xx are retried there.
 */

const PERM = {
  read: "reading scans needs 'Can View' on the scan (or the Scan Operator, Scan Manager or Administrator role)",
  edit: "creating and configuring scans needs the Scan Manager or Administrator role, or 'Can Configure' on the scan",
  control: "launching and stopping scans needs 'Can Control' on the scan (Scan Operator role or higher)",
  folders: 'managing scan folders needs a Basic user role or higher (folders are per user)',
  templates: 'listing scan templates needs the Scan Operator role or higher',
  export: "exporting scan results needs 'Can View' on the scan",
} as const;

export type ExportFormat = 'nessus' | 'csv' | 'html' | 'pdf' | 'db';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['nessus', 'csv', 'html', 'pdf', 'db'];
/** Chapters html/pdf exports need (pyTenable's default). */
export const DEFAULT_CHAPTERS = ['vuln_by_host'] as const;

/** The body of `POST /scans` / `PUT /scans/{id}`; `credentials` and `audits` are Tenable's sub-documents. */
export interface ScanDocument {
  uuid: string;
  settings: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  audits?: Record<string, unknown>;
}

export interface ExportRequest {
  format: ExportFormat;
  /** html/pdf only; defaults to vuln_by_host. */
  chapters?: readonly string[];
  /** db only: Tenable encrypts the Scan DB with it (a Secret, revealed only on the wire). */
  password?: unknown;
}

export interface TenableScans {
  templates(): Promise<ScanTemplate[]>;
  templateDetails(templateUuid: string): Promise<TemplateDetails>;
  folders(): Promise<ScanFolder[]>;
  createFolder(name: string): Promise<number>;
  list(folderId?: number): Promise<ScanSummary[]>;
  create(doc: ScanDocument): Promise<CreatedScan>;
  update(scanId: number, doc: ScanDocument): Promise<void>;
  /** Returns the run's uuid; `altTargets` replace the scan's targets for this run only. */
  launch(scanId: number, altTargets?: readonly string[]): Promise<string>;
  latestStatus(scanId: number): Promise<string>;
  details(scanId: number): Promise<ScanDetails>;
  hostDetails(scanId: number, hostId: number): Promise<ScanHostDetails>;
  stop(scanId: number): Promise<void>;
  requestExport(scanId: number, req: ExportRequest): Promise<string>;
  exportStatus(scanId: number, file: string): Promise<string>;
  download(scanId: number, file: string): Promise<Uint8Array>;
}

const seg = (v: string | number) => encodeURIComponent(String(v));

export function tenableScans(client: { request: Request }): TenableScans {
  const { request } = client;
  return {
    templates: () =>
      request('GET', '/editor/scan/templates', { parse: parseTemplates, what: 'list the scan templates', permission: PERM.templates }),

    templateDetails: (uuid) =>
      request('GET', `/editor/scan/templates/${seg(uuid)}`, {
        parse: parseTemplateDetails,
        what: `read scan template ${uuid}`,
        permission: PERM.templates,
      }),

    folders: () => request('GET', '/folders', { parse: parseFolders, what: 'list scan folders', permission: PERM.folders }),

    createFolder: (name) =>
      request('POST', '/folders', { body: { name }, parse: parseCreatedFolder, what: `create scan folder "${name}"`, permission: PERM.folders }),

    list: (folderId) =>
      request('GET', folderId === undefined ? '/scans' : `/scans?folder_id=${seg(folderId)}`, {
        parse: parseScanList,
        what: 'list scans',
        permission: PERM.read,
      }),

    create: (doc) =>
      request('POST', '/scans', { body: doc, parse: parseCreatedScan, what: `create scan "${String(doc.settings.name)}"`, permission: PERM.edit }),

    update: (scanId, doc) =>
      request('PUT', `/scans/${seg(scanId)}`, { body: doc, parse: () => undefined, what: `configure scan ${scanId}`, permission: PERM.edit }),

    launch: (scanId, altTargets) =>
      request('POST', `/scans/${seg(scanId)}/launch`, {
        body: altTargets?.length ? { alt_targets: [...altTargets] } : {},
        parse: parseLaunch,
        what: `launch scan ${scanId}`,
        permission: PERM.control,
      }),

    latestStatus: (scanId) =>
      request('GET', `/scans/${seg(scanId)}/latest-status`, {
        parse: parseLatestStatus,
        what: `read the status of scan ${scanId}`,
        permission: PERM.read,
      }),

    details: (scanId) =>
      request('GET', `/scans/${seg(scanId)}`, { parse: parseScanDetails, what: `read the results of scan ${scanId}`, permission: PERM.read }),

    hostDetails: (scanId, hostId) =>
      request('GET', `/scans/${seg(scanId)}/hosts/${seg(hostId)}`, {
        parse: parseHostDetails,
        what: `read host ${hostId} of scan ${scanId}`,
        permission: PERM.read,
      }),

    stop: (scanId) =>
      request('POST', `/scans/${seg(scanId)}/stop`, { parse: () => undefined, what: `stop scan ${scanId}`, permission: PERM.control }),

    requestExport: (scanId, req) => {
      const body: Record<string, unknown> = { format: req.format };
      if (req.format === 'html' || req.format === 'pdf') body.chapters = (req.chapters?.length ? req.chapters : DEFAULT_CHAPTERS).join(';');
      if (req.format === 'db') {
        if (req.password === undefined) throw new TenableError('EXPORT_PASSWORD', 'A Scan DB export needs a password.', { hint: 'this is a bug: please report it' });
        body.password = req.password;
      }
      return request('POST', `/scans/${seg(scanId)}/export`, {
        body,
        parse: parseExportFile,
        what: `export scan ${scanId} as ${req.format}`,
        permission: PERM.export,
      });
    },

    exportStatus: (scanId, file) =>
      request('GET', `/scans/${seg(scanId)}/export/${seg(file)}/status`, {
        parse: parseExportReady,
        what: `read the status of export ${file} of scan ${scanId}`,
        permission: PERM.export,
      }),

    download: (scanId, file) =>
      request('GET', `/scans/${seg(scanId)}/export/${seg(file)}/download`, {
        bytes: true,
        parse: (b) => b as Uint8Array,
        what: `download export ${file} of scan ${scanId}`,
        permission: PERM.export,
      }),
  };
}
