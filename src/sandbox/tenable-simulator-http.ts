import type { SimPermission, SimState, WireRecord } from './tenable-simulator-state.js';

/** Request/answer types and helpers shared by the simulator's API route tables. */

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/**
 * `body` undefined means a 200 with an empty body, as TVM sends for link toggles and group membership;
 * a Buffer body is sent as it is (file downloads), with `headers`.
 */
export interface SimAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  permission: SimPermission;
  handle: (state: SimState, req: SimRequest, params: string[]) => SimAnswer;
}

export const errorAnswer = (statusCode: number, error: string, message: string): SimAnswer => ({
  status: statusCode,
  body: { statusCode, error, message },
});
export const notFound = (message: string) => errorAnswer(404, 'Not Found', message);
export const ok = (body?: unknown): SimAnswer => ({ status: 200, body });

/** The value when it is a plain object, else an empty one (request bodies are untrusted). */
export const record = (v: unknown): WireRecord => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as WireRecord) : {});
