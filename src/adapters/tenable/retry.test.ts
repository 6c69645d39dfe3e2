import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tenableMessage } from './http-errors.js';
import { backoffDelayMs, BACKOFF_CAP_MS, networkFailureReason, parseRetryAfterMs } from './retry.js';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/tenable/${name}`, import.meta.url), 'utf8');

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt and caps it', () => {
    const top = () => 0.999999;
    expect(backoffDelayMs(1, top)).toBe(999);
    expect(backoffDelayMs(3, top)).toBe(3999);
    expect(backoffDelayMs(20, top)).toBe(BACKOFF_CAP_MS - 1);
    expect(backoffDelayMs(5, () => 0)).toBe(0);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds and HTTP dates; ignores junk', () => {
    expect(parseRetryAfterMs('2', 0)).toBe(2000);
    expect(parseRetryAfterMs(' 0.5 ', 0)).toBe(500);
    expect(parseRetryAfterMs(null, 0)).toBeUndefined();
    expect(parseRetryAfterMs('soon', 0)).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfterMs('86400', 0)).toBe(5 * 60_000);
  });
});

describe('networkFailureReason', () => {
  it('recognises fetch failures, resets and timeouts, and nothing else', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(networkFailureReason(new TypeError('fetch failed', { cause: reset }))).toBe('ECONNRESET');
    expect(networkFailureReason(new Error('socket hang up'))).toBe('connection closed');
    expect(networkFailureReason(new DOMException('The operation timed out.', 'TimeoutError'))).toBe('timed out');
    expect(networkFailureReason(new TypeError('fetch failed'))).toBe('fetch failed');
    expect(networkFailureReason(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeUndefined();
    expect(networkFailureReason('nope')).toBeUndefined();
  });
});

describe('tenableMessage', () => {
  it("reads Tenable's JSON error message", () => {
    expect(tenableMessage('application/json; charset=utf-8', fixture('error-403.json'))).toBe('Insufficient scope');
    expect(tenableMessage('application/json', fixture('error-404.json'))).toBe('Scanner with id 1 not found.');
  });

  it('never parses the nginx HTML page of a 429', () => {
    expect(tenableMessage('text/html', fixture('rate-limit-429.html'))).toBeUndefined();
    expect(tenableMessage('application/json', fixture('rate-limit-429.html'))).toBeUndefined();
  });
});
