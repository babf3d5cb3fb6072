/**
 * The interval estimates against published figures. Newcombe (1998), "Interval estimation for
 * the difference between independent proportions: comparison of eleven methods", Statistics in
 * Medicine 17:873–890, Table II, method 10 (hybrid score interval from Wilson intervals, no
 * continuity correction), and the Wilson limits for 56/70 and 48/80 it is built from.
 */
import { describe, expect, it } from 'vitest';
import { median, newcombeDifference, wilson } from '../../src/report/stats.js';

describe('Newcombe hybrid score interval (method 10)', () => {
  it('reproduces the worked example 56/70 − 48/80: 0.2000, 95% CI 0.0524 to 0.3339', () => {
    const e = newcombeDifference(56, 70, 48, 80)!;
    expect(e.difference.toFixed(4)).toBe('0.2000');
    expect(e.ci.low.toFixed(4)).toBe('0.0524');
    expect(e.ci.high.toFixed(4)).toBe('0.3339');
  });

  it.each([
    // x1, n1, x2, n2, low, high (Newcombe 1998, Table II, method 10)
    [9, 10, 3, 10, '0.1705', '0.8090'],
    [5, 56, 0, 29, '-0.0381', '0.1926'],
    [0, 10, 0, 20, '-0.1611', '0.2775'],
    [0, 10, 0, 10, '-0.2775', '0.2775'],
    [10, 10, 0, 20, '0.6791', '1.0000'],
    [10, 10, 0, 10, '0.6075', '1.0000'],
  ])('%i/%i − %i/%i: %s to %s', (x1, n1, x2, n2, low, high) => {
    const e = newcombeDifference(x1, n1, x2, n2)!;
    expect(e.ci.low.toFixed(4)).toBe(low);
    expect(e.ci.high.toFixed(4)).toBe(high);
  });

  it('is antisymmetric and undefined for an empty arm', () => {
    const a = newcombeDifference(56, 70, 48, 80)!;
    const b = newcombeDifference(48, 80, 56, 70)!;
    expect(b.ci.low).toBeCloseTo(-a.ci.high, 12);
    expect(b.ci.high).toBeCloseTo(-a.ci.low, 12);
    expect(newcombeDifference(1, 2, 0, 0)).toBeNull();
  });
});

describe('Wilson score interval', () => {
  it('matches the limits behind the worked example', () => {
    // 56/70 = 0.8: 0.6918 to 0.8770; 48/80 = 0.6: 0.4905 to 0.7004
    const a = wilson(56, 70)!;
    const b = wilson(48, 80)!;
    expect([a.low.toFixed(4), a.high.toFixed(4)]).toEqual(['0.6918', '0.8770']);
    expect([b.low.toFixed(4), b.high.toFixed(4)]).toEqual(['0.4905', '0.7004']);
  });

  it('stays inside [0, 1] and is null for n = 0', () => {
    expect(wilson(0, 10)!.low).toBe(0);
    expect(wilson(10, 10)!.high).toBe(1);
    expect(wilson(0, 0)).toBeNull();
    expect(() => wilson(3, 2)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('odd, even, empty', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
