import { TenableError } from '../../core/errors.js';
import type { Request } from './request.js';
import { parseChunk, parseExportStatus, parseExportUuid, type ExportStatus } from './exports-parse.js';

export type { ExportStatus, TenableAsset, TenableSeverity, TenableState, TenableVuln } from './exports-parse.js';
export { parseAsset, parseVuln } from './exports-parse.js';

/**
 * The bulk export APIs (`/vulns/export`, `/assets/export`): start an export, poll its status, download
 * its chunks. Chunks are downloaded one at a time, as they become available (Tenable asks integrations
 * not to fan out requests).
 */

export type ExportKind = 'vulns' | 'assets';

const PERMISSION =
  "exports need the Administrator role, or a role with 'Can View' on the assets (Vulnerability Management → Settings → Access Control)";

export interface TenableExports {
  start(kind: ExportKind, body: Record<string, unknown>): Promise<string>;
  status(kind: ExportKind, uuid: string): Promise<ExportStatus>;
  chunk(kind: ExportKind, uuid: string, n: number): Promise<unknown[]>;
}

export function tenableExports(client: { request: Request }): TenableExports {
  const { request } = client;
  return {
    async start(kind, body) {
      try {
        return await request('POST', `/${kind}/export`, {
          body,
          parse: parseExportUuid,
          what: `start ${kind === 'vulns' ? 'a vulnerability' : 'an asset'} export`,
          permission: PERMISSION,
        });
      } catch (e) {
        if (e instanceof TenableError && e.status === 409) {
          throw new TenableError(
            'EXPORT_BUSY',
            `Tenable refused a new ${kind} export: another one with the same filters is still running (409).`,
            {
              hint: 'wait for it to finish (Tenable allows a limited number of concurrent exports per container) and retry',
              status: 409,
              cause: e,
            },
          );
        }
        throw e;
      }
    },
    status: (kind, uuid) =>
      request('GET', `/${kind}/export/${encodeURIComponent(uuid)}/status`, {
        parse: parseExportStatus,
        what: `read the status of ${kind} export ${uuid}`,
        permission: PERMISSION,
      }),
    chunk: (kind, uuid, n) =>
      request('GET', `/${kind}/export/${encodeURIComponent(uuid)}/chunks/${n}`, {
        parse: parseChunk,
        what: `download chunk ${n} of ${kind} export ${uuid}`,
        permission: PERMISSION,
      }),
  };
}

export interface ExportChunk {
  /** Tenable's chunk number. */
  id: number;
  items: unknown[];
  /** Chunks downloaded so far, this one included. */
  done: number;
  /** Known once the export has finished. */
  total?: number | undefined;
}

export interface ExportRunOptions {
  pollMs?: number;
  sleep: (ms: number) => Promise<void>;
  /** Called after each status poll (progress bars). */
  onStatus?: (s: ExportStatus, done: number) => void;
  /** Stop fetching further chunks (checked between chunks). */
  shouldStop?: () => boolean;
}

/** Starts an export and yields its chunks as they become available, until it has finished. */
export async function* exportChunks(
  api: TenableExports,
  kind: ExportKind,
  body: Record<string, unknown>,
  opts: ExportRunOptions,
): AsyncGenerator<ExportChunk> {
  const uuid = await api.start(kind, body);
  const fetched = new Set<number>();
  for (;;) {
    const s = await api.status(kind, uuid);
    opts.onStatus?.(s, fetched.size);
    if (s.status === 'ERROR' || s.status === 'CANCELLED') {
      throw new TenableError('EXPORT_FAILED', `Tenable's ${kind} export ${uuid} ended ${s.status}.`, {
        hint: 'retry; if it keeps failing, narrow it (--severity, --since) or ask Tenable support about the export',
      });
    }
    const finished = s.status === 'FINISHED';
    const total = finished ? s.chunksAvailable.length + s.chunksFailed.length : s.totalChunks;
    for (const id of [...s.chunksAvailable].sort((a, b) => a - b)) {
      if (fetched.has(id)) continue;
      if (opts.shouldStop?.()) return;
      const items = await api.chunk(kind, uuid, id);
      fetched.add(id);
      yield { id, items, done: fetched.size, total };
    }
    if (finished) {
      if (s.chunksFailed.length > 0) {
        throw new TenableError(
          'EXPORT_CHUNKS_FAILED',
          `Tenable could not produce chunk(s) ${s.chunksFailed.join(', ')} of ${kind} export ${uuid}.`,
          {
            hint: 'the other chunks were processed; run again to cover the missing findings (the last successful run was not moved forward)',
          },
        );
      }
      return;
    }
    if (opts.shouldStop?.()) return;
    await opts.sleep(opts.pollMs ?? 5000);
  }
}
