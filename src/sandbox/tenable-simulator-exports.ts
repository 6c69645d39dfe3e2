import { randomUUID } from 'node:crypto';
import { notFound, ok, record, type Route } from './tenable-simulator-http.js';
import type { WireRecord } from './tenable-simulator-state.js';

/** `/vulns/export…` and `/assets/export…`: finished at once, chunked from the planted findings and assets. */

export const exportRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/(vulns|assets)\/export$/,
    permission: 'exports',
    handle: (state, req, [kind = '']) => {
      const b = record(req.body);
      const isVulns = kind === 'vulns';
      const items = isVulns ? filterFindings(state.vulnFindings, record(b.filters)) : state.assets;
      const size = Math.max(1, Number(isVulns ? b.num_assets : b.chunk_size) || (isVulns ? 50 : 100));
      const chunks: unknown[][] = [];
      for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
      const uuid = randomUUID();
      state.exports.set(uuid, { uuid, kind: isVulns ? 'vulns' : 'assets', chunks });
      return ok({ export_uuid: uuid });
    },
  },
  {
    method: 'GET',
    pattern: /^\/(vulns|assets)\/export\/([^/]+)\/status$/,
    permission: 'exports',
    handle: (state, _req, [kind = '', uuid = '']) => {
      const e = state.exports.get(uuid);
      if (!e || e.kind !== kind) return notFound(`Export ${uuid} not found.`);
      const chunks_available = e.chunks.map((_, i) => i + 1);
      return ok(
        kind === 'vulns'
          ? { status: 'FINISHED', chunks_available, chunks_failed: [], chunks_cancelled: [] }
          : { status: 'FINISHED', chunks_available },
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/(vulns|assets)\/export\/([^/]+)\/chunks\/(\d+)$/,
    permission: 'exports',
    handle: (state, _req, [kind = '', uuid = '', n = '']) => {
      const e = state.exports.get(uuid);
      const chunk = e?.kind === kind ? e.chunks[Number(n) - 1] : undefined;
      return chunk ? ok(chunk) : notFound(`Chunk ${n} of export ${uuid} not found.`);
    },
  },
];

/** Vuln export filters we honour: `state`, `severity` (case-insensitive) and `since` (epoch seconds). */
function filterFindings(findings: unknown[], filters: WireRecord): unknown[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x).toLowerCase()) : undefined);
  const states = list(filters.state);
  const severities = list(filters.severity);
  const since = Number(filters.since) || 0;
  return findings.filter((f) => {
    const r = record(f);
    if (states && !states.includes(String(r.state).toLowerCase())) return false;
    if (severities && !severities.includes(String(r.severity).toLowerCase())) return false;
    if (since && typeof r.last_found === 'string' && Date.parse(r.last_found) / 1000 < since) return false;
    return true;
  });
}
