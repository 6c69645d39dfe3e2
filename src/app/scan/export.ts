import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ExportRequest, TenableScans } from '../../adapters/tenable/scans.js';
import { RuntimeError, TenableError } from '../../core/errors.js';

export interface ExportedFile {
  format: string;
  path: string;
  bytes: number;
  file: string;
}

/**
 * Request → poll status → download (pyTenable `scans.export`). A 404 on the status right after the
 * request is treated as "not ready yet" a few times (the export is registered asynchronously).
 * The file is written atomically: a temp file beside it, fsync, rename.
 */
export async function exportScan(
  scans: TenableScans,
  scanId: number,
  req: ExportRequest,
  out: { path: string; mode?: number },
  o: { intervalMs: number; timeoutMs: number; now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; signal?: AbortSignal; onStatus?: (s: string) => void },
): Promise<ExportedFile> {
  const file = await scans.requestExport(scanId, req);
  const deadline = o.now() + o.timeoutMs;
  let notFound = 0;
  for (;;) {
    let status: string;
    try {
      status = await scans.exportStatus(scanId, file);
    } catch (e) {
      if (e instanceof TenableError && e.code === 'TENABLE_NOT_FOUND' && ++notFound <= 5) status = 'loading';
      else throw e;
    }
    o.onStatus?.(status);
    if (status === 'ready') break;
    if (status === 'error' || status === 'failed') {
      throw new RuntimeError('EXPORT_FAILED', `Tenable could not produce the ${req.format} export of scan ${scanId} (status ${status}).`, {
        hint: 'retry; for html/pdf try other --chapters, or export from the Tenable UI (Scans → the scan → Export)',
      });
    }
    if (o.now() >= deadline) {
      throw new RuntimeError('EXPORT_TIMEOUT', `The ${req.format} export of scan ${scanId} was not ready in time.`, { hint: 'retry later; large scans take longer to export' });
    }
    await o.sleep(o.intervalMs, o.signal);
  }
  const bytes = await scans.download(scanId, file);
  await writeAtomically(out.path, bytes, out.mode ?? 0o644);
  return { format: req.format, path: out.path, bytes: bytes.byteLength, file };
}

export async function writeAtomically(path: string, data: Uint8Array, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new RuntimeError('WRITE_FAILED', `Could not write ${path}: ${(e as Error).message}.`, { hint: 'choose a writable --out path' });
  }
}
