import { TenableError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import {
  parseCreatedUuid,
  parseCredential,
  parseCredentialPage,
  parseUpdateAnswer,
  type CredentialInput,
  type TenableCredential,
  type TenableCredentialSummary,
} from './credential.js';
import { createRequest, type Request, type TransportOptions } from './request.js';
import { parseScannerGroup, parseScannerGroupList, type TenableScannerGroup } from './scanner-group.js';
import { parseLinkingKey, parseScanner, parseScannerList, type TenableScanner } from './scanner.js';

export type TenableClientOptions = TransportOptions;
export type { RetryInfo } from './request.js';

/** The container's default cloud scanner; its `/key` is the linking key for new scanners. */
export const DEFAULT_CLOUD_SCANNER_UUID = '00000000-0000-0000-0000-00000000000000000000000000001';

const PERM = {
  readScanners: "listing scanners needs the Scan Manager or Administrator role, or 'Can View' on the scanners",
  editScanners: "changing scanners needs the Scan Manager or Administrator role, or 'Can Edit' on the scanners",
  linkingKey: "reading the linking key needs the Scan Manager role or the 'linking key' read permission (Administrator also has it)",
  groups: "managing scanner groups needs the Scan Manager or Administrator role, or 'Can Edit' on the groups",
  readCredentials: "reading managed credentials needs 'Can Use' or 'Can Edit' on them, or the Administrator role",
  editCredentials: "managing credentials needs the Scan Manager or Administrator role (creating) or 'Can Edit' on the credential",
} as const;

const none = () => undefined;
const seg = (v: string | number) => encodeURIComponent(String(v));

export interface TenableClient {
  /**
   * One `GET /scanners`: poll with this, never one call per scanner. `signal` bounds the call with
   * its retries (a poll tick passes the time left before its timeout).
   */
  listScanners(options?: { signal?: AbortSignal }): Promise<TenableScanner[]>;
  getScanner(idOrUuid: number | string): Promise<TenableScanner>;
  /** Read it fresh each time: it can be regenerated in the UI and no API tells us. */
  getLinkingKey(): Promise<Secret>;
  /** Unlinks and deletes the record; `gone` when it did not exist (fine during teardown). */
  deleteScanner(id: number): Promise<'deleted' | 'gone'>;
  setScannerLinked(id: number, linked: boolean): Promise<void>;
  listScannerGroups(): Promise<TenableScannerGroup[]>;
  createScannerGroup(name: string): Promise<TenableScannerGroup>;
  deleteScannerGroup(groupId: number): Promise<'deleted' | 'gone'>;
  addScannerToGroup(groupId: number, scannerId: number): Promise<void>;
  listGroupScanners(groupId: number): Promise<TenableScanner[]>;
  removeScannerFromGroup(groupId: number, scannerId: number): Promise<'removed' | 'gone'>;
  listCredentials(): Promise<TenableCredentialSummary[]>;
  /** Returns the new credential's uuid. */
  createCredential(input: CredentialInput): Promise<string>;
  /** Tenable's `updated` flag: true when the PUT answered `{"updated": true}`, undefined when it did not say. */
  updateCredential(uuid: string, input: Partial<CredentialInput>): Promise<boolean | undefined>;
  getCredential(uuid: string): Promise<TenableCredential>;
  deleteCredential(uuid: string): Promise<'deleted' | 'gone'>;
  /** The underlying call, for endpoints this client does not wrap yet (e.g. exports). */
  request: Request;
}

export function createTenableClient(options: TenableClientOptions): TenableClient {
  const request = createRequest(options);

  async function goneOn404<T>(call: Promise<T>, gone: 'gone'): Promise<T | 'gone'> {
    try {
      return await call;
    } catch (e) {
      if (e instanceof TenableError && e.code === 'TENABLE_NOT_FOUND') return gone;
      throw e;
    }
  }

  return {
    request,

    listScanners: (options = {}) =>
      request('GET', '/scanners', {
        parse: parseScannerList,
        what: 'list scanners',
        permission: PERM.readScanners,
        ...(options.signal ? { signal: options.signal } : {}),
      }),

    getScanner: (idOrUuid) =>
      request('GET', `/scanners/${seg(idOrUuid)}`, {
        parse: parseScanner,
        what: `read scanner ${idOrUuid}`,
        permission: PERM.readScanners,
      }),

    getLinkingKey: () =>
      request('GET', `/scanners/${DEFAULT_CLOUD_SCANNER_UUID}/key`, {
        parse: parseLinkingKey,
        what: 'read the linking key',
        permission: PERM.linkingKey,
      }),

    deleteScanner: (id) =>
      goneOn404(
        request('DELETE', `/scanners/${seg(id)}`, {
          parse: () => 'deleted' as const,
          what: `delete scanner ${id}`,
          permission: PERM.editScanners,
        }),
        'gone',
      ),

    setScannerLinked: (id, linked) =>
      request('PUT', `/scanners/${seg(id)}/link`, {
        body: { link: linked ? 1 : 0 },
        parse: none,
        what: `${linked ? 'link' : 'unlink'} scanner ${id}`,
        permission: PERM.editScanners,
      }),

    listScannerGroups: () =>
      request('GET', '/scanner-groups', {
        parse: parseScannerGroupList,
        what: 'list scanner groups',
        permission: PERM.groups,
      }),

    createScannerGroup: (name) =>
      request('POST', '/scanner-groups', {
        body: { type: 'load_balancing', name },
        parse: parseScannerGroup,
        what: `create scanner group "${name}"`,
        permission: PERM.groups,
      }),

    deleteScannerGroup: (groupId) =>
      goneOn404(
        request('DELETE', `/scanner-groups/${seg(groupId)}`, {
          parse: () => 'deleted' as const,
          what: `delete scanner group ${groupId}`,
          permission: PERM.groups,
        }),
        'gone',
      ),

    addScannerToGroup: (groupId, scannerId) =>
      request('POST', `/scanner-groups/${seg(groupId)}/scanners/${seg(scannerId)}`, {
        parse: none,
        what: `add scanner ${scannerId} to scanner group ${groupId}`,
        permission: PERM.groups,
      }),

    listGroupScanners: (groupId) =>
      request('GET', `/scanner-groups/${seg(groupId)}/scanners`, {
        parse: parseScannerList,
        what: `list the scanners of scanner group ${groupId}`,
        permission: PERM.groups,
      }),

    removeScannerFromGroup: (groupId, scannerId) =>
      goneOn404(
        request('DELETE', `/scanner-groups/${seg(groupId)}/scanners/${seg(scannerId)}`, {
          parse: () => 'removed' as const,
          what: `remove scanner ${scannerId} from scanner group ${groupId}`,
          permission: PERM.groups,
        }),
        'gone',
      ),

    async listCredentials() {
      const limit = 200;
      const all: TenableCredentialSummary[] = [];
      for (let offset = 0; ; offset += limit) {
        const page = await request('GET', `/credentials?limit=${limit}&offset=${offset}`, {
          parse: parseCredentialPage,
          what: 'list managed credentials',
          permission: PERM.readCredentials,
        });
        all.push(...page.credentials);
        const total = page.total ?? all.length;
        if (page.credentials.length < limit || all.length >= total) return all;
      }
    },

    createCredential: (input) =>
      request('POST', '/credentials', {
        body: { description: '', ...input },
        parse: parseCreatedUuid,
        what: `create credential "${input.name}"`,
        permission: PERM.editCredentials,
      }),

    updateCredential: (uuid, input) =>
      request('PUT', `/credentials/${seg(uuid)}`, {
        body: input,
        parse: parseUpdateAnswer,
        what: `update credential ${uuid}`,
        permission: PERM.editCredentials,
      }),

    getCredential: (uuid) =>
      request('GET', `/credentials/${seg(uuid)}`, {
        parse: parseCredential,
        what: `read credential ${uuid}`,
        permission: PERM.readCredentials,
      }),

    deleteCredential: (uuid) =>
      goneOn404(
        request('DELETE', `/credentials/${seg(uuid)}`, {
          parse: () => 'deleted' as const,
          what: `delete credential ${uuid}`,
          permission: PERM.editCredentials,
        }),
        'gone',
      ),
  };
}
