import type { ScanSummary, TenableScans } from '../../adapters/tenable/scans.js';

export interface FoundScan {
  /** The fleet's folder, when it exists. */
  folderId?: number;
  scan?: ScanSummary;
  /** Other scans with the same name in the folder (never created by us; reported, not used). */
  duplicates: number[];
}

/**
 * The fleet's scan, found by name in the fleet's folder (`GET /folders`, `GET /scans?folder_id=`).
 * With several of that name the oldest (lowest id) is the one; the others are reported.
 */
export async function findScan(scans: TenableScans, folderName: string, name: string): Promise<FoundScan> {
  const folder = (await scans.folders()).find((f) => f.name === folderName);
  if (!folder) return { duplicates: [] };
  const same = (await scans.list(folder.id))
    .filter((s) => s.name === name && (s.folderId === undefined || s.folderId === folder.id))
    .sort((a, b) => a.id - b.id);
  const [scan, ...rest] = same;
  return { folderId: folder.id, ...(scan ? { scan } : {}), duplicates: rest.map((s) => s.id) };
}

/** The folder's id, creating it when missing. */
export async function ensureFolder(scans: TenableScans, folderName: string, known: number | undefined): Promise<{ id: number; created: boolean }> {
  if (known !== undefined) return { id: known, created: false };
  return { id: await scans.createFolder(folderName), created: true };
}
