import { describe, expect, it } from 'vitest';
import { closest } from './did-you-mean.js';

describe('closest', () => {
  it('suggests a near key', () => {
    expect(closest('instancetype', ['instanceType', 'count'])).toBe('instanceType');
    expect(closest('scaners', ['scanners', 'fleet'])).toBe('scanners');
  });
  it('suggests nothing for an unrelated word', () => {
    expect(closest('banana', ['instanceType', 'count'])).toBeUndefined();
  });
});
