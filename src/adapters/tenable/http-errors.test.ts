import { describe, expect, it } from 'vitest';
import { httpError, unreachableError, type Operation } from './http-errors.js';

const op: Operation = { method: 'GET', path: '/scanners', what: 'list the scanners', permission: 'any user may' };
const fail = (status: number, from?: string, message?: string) =>
  httpError(op, { status, statusText: '', message, baseUrl: 'http://127.0.0.1:4010', from, attempts: 1 }, []);

describe('hints name the URL actually called and the setting it came from', () => {
  it.each([
    ['TIO_URL', /^Check TIO_URL: it made nessus-byol call http:\/\/127\.0\.0\.1:4010;/],
    ['--tenable-url', /^Check --tenable-url: it made nessus-byol call http:\/\/127\.0\.0\.1:4010;/],
    ['tenable.site: fedramp in fleet.yaml; TIO_URL or --tenable-url overrides it', /^Check tenable\.site: fedramp in fleet\.yaml; TIO_URL or --tenable-url overrides it: it made/],
  ])('404 without a Tenable body, from %s', (from, hint) => {
    const e = fail(404, from);
    expect(e.code).toBe('TENABLE_NOT_TENABLE');
    expect(e.hint).toMatch(hint);
  });

  it('without a known source the hint lists every place the URL can come from', () => {
    expect(fail(404).hint).toMatch(/^Check TIO_URL \(or --tenable-url, NESSUS_BYOL_TENABLE_API_URL, tenable\.site/);
    expect(fail(404).hint).toContain('http://127.0.0.1:4010');
  });

  it('401 names the keys, the URL called and where it came from', () => {
    const e = fail(401, '--tenable-url', 'Invalid Credentials');
    expect(e.hint).toContain('TIO_ACCESS_KEY / TIO_SECRET_KEY');
    expect(e.hint).toContain('http://127.0.0.1:4010 is the site the keys belong to');
    expect(e.hint).toContain('came from --tenable-url');
    expect(e.hint).not.toMatch(/that TIO_URL is/);
  });

  it('unreachable names the setting and the port actually used', () => {
    const e = unreachableError(op, { baseUrl: 'http://127.0.0.1:9', from: 'TIO_URL' }, 'ECONNREFUSED', 3, []);
    expect(e.hint).toMatch(/^Check TIO_URL: it made nessus-byol call http:\/\/127\.0\.0\.1:9;/);
    expect(e.hint).toContain('port 9');
    expect(unreachableError(op, { baseUrl: 'https://cloud.tenable.com' }, 'ENOTFOUND', 3, []).hint).toContain('port 443');
  });
});
