import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import {
  parseBatchSize,
  parseRunEvery,
  parseSeverities,
  parseSince,
  parseStates,
  parseStateStore,
  parseRoleName,
} from './options.js';

const NOW = Date.parse('2024-06-10T12:00:00Z');

describe('sechub options', () => {
  it('--since takes epoch seconds, dates and durations', () => {
    expect(parseSince('1714521600', NOW)).toBe(1714521600);
    expect(parseSince('2024-05-01', NOW)).toBe(Date.parse('2024-05-01T00:00:00Z') / 1000);
    expect(parseSince('2024-05-01T12:30:00Z', NOW)).toBe(Date.parse('2024-05-01T12:30:00Z') / 1000);
    expect(parseSince('7d', NOW)).toBe((NOW - 7 * 86_400_000) / 1000);
    expect(parseSince('1h30m', NOW)).toBe((NOW - 90 * 60_000) / 1000);
    for (const bad of ['yesterday', '2024-13-45', '0d', '2099-01-01', '123'])
      expect(() => parseSince(bad, NOW)).toThrow(UsageError);
  });

  it('--run-every takes hours as a number (like the original) or a duration, at least a minute', () => {
    expect(parseRunEvery('1')).toBe(3_600_000);
    expect(parseRunEvery('0.5')).toBe(1_800_000);
    expect(parseRunEvery('30m')).toBe(1_800_000);
    expect(parseRunEvery('1d')).toBe(86_400_000);
    expect(() => parseRunEvery('10s')).toThrow(/shorter than 1 minute/);
    expect(() => parseRunEvery('often')).toThrow(UsageError);
  });

  it('--batch-size is 1..100', () => {
    expect(parseBatchSize('100')).toBe(100);
    for (const bad of ['0', '101', '2.5', 'x']) expect(() => parseBatchSize(bad)).toThrow(UsageError);
  });

  it('--state and --severity lists', () => {
    expect(parseStates('open, FIXED')).toEqual(['open', 'fixed']);
    expect(parseSeverities('all')).toEqual(['info', 'low', 'medium', 'high', 'critical']);
    expect(() => parseSeverities('high,severe')).toThrow(/unknown value severe/);
    expect(() => parseStates('')).toThrow(/empty/);
  });

  it('--state-store and --assume-role', () => {
    expect(parseStateStore('ssm:/nessus-byol/sechub')).toEqual({ kind: 'ssm', name: '/nessus-byol/sechub' });
    expect(parseStateStore('file:./s.json')).toEqual({ kind: 'file', path: './s.json' });
    expect(parseStateStore('none')).toEqual({ kind: 'none' });
    expect(() => parseStateStore('s3://bucket')).toThrow(UsageError);
    expect(parseRoleName('team/SecHubImport')).toBe('team/SecHubImport');
    expect(() => parseRoleName('arn:aws:iam::1:role/x')).toThrow(UsageError);
  });
});
