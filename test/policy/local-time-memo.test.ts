// The offset memo of local-time.ts (a per-zone table by UTC day, per hour on transition days) must
// answer exactly what luxon answers, transitions included: 30-minute DST (Lord Howe), 45-minute
// offsets (Chatham), southern-hemisphere DST (Sao Paulo's old rules, Sydney), and a zone whose
// offset was not whole minutes (Monrovia, -0:44:30 until 1972).
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localToUtc, offsetMinutes } from '../../src/policy/local-time.js';

const HALF_HOUR = 30 * 60_000;

function mismatches(tz: string, from: number, to: number, step: number): string[] {
  const z = IANAZone.create(tz);
  const out: string[] = [];
  for (let t = from; t < to; t += step) {
    // Probe the edges of each step too: transitions fall on them.
    for (const ts of [t, t + 1, t + step - 1]) {
      if (offsetMinutes(tz, ts) !== z.offset(ts)) out.push(`${tz} ${new Date(ts).toISOString()}`);
    }
  }
  return out;
}

describe('offsetMinutes memo', () => {
  it('matches luxon every half hour of 2026 in zones with unusual transitions', () => {
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    const zones = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Australia/Sydney'];
    expect(zones.flatMap((tz) => mismatches(tz, from, to, HALF_HOUR))).toEqual([]);
  });

  it('matches luxon across Sao Paulo 2018 and Monrovia 1972 (not whole minutes)', () => {
    expect(mismatches('America/Sao_Paulo', Date.UTC(2018, 9, 1), Date.UTC(2019, 2, 1), HALF_HOUR)).toEqual([]);
    expect(mismatches('Africa/Monrovia', Date.UTC(1971, 11, 1), Date.UTC(1972, 1, 1), HALF_HOUR)).toEqual([]);
  });

  it('still finds the skipped and repeated hours of New York 2026', () => {
    expect(localToUtc('America/New_York', 2026, 3, 8, 2, 30)).toBeNull(); // spring forward: 02:00 → 03:00
    // Fall back: 01:30 happens twice; the first (EDT, UTC-4) is 05:30 UTC.
    expect(localToUtc('America/New_York', 2026, 11, 1, 1, 30)).toBe(Date.UTC(2026, 10, 1, 5, 30));
  });
});
