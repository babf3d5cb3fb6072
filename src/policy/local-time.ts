/**
 * Customer-local calendar arithmetic, fast enough to score hundreds of hourly slots per decision:
 * zone offsets come from luxon (IANA data) and are memoised per zone and UTC hour, and local
 * wall-clock times are converted back to UTC without allocating DateTime objects.
 * (The memo is a pure cache: same inputs, same outputs.)
 */
import { IANAZone } from 'luxon';
import { HOUR_MS, MINUTE_MS } from '../clock.js';

const zones = new Map<string, IANAZone | null>();
const offsetMemo = new Map<string, Map<number, number>>();
const MEMO_LIMIT = 500_000;
let memoSize = 0;

function zoneOf(tz: string): IANAZone | null {
  let z = zones.get(tz);
  if (z === undefined) {
    z = IANAZone.isValidZone(tz) ? IANAZone.create(tz) : null;
    zones.set(tz, z);
  }
  return z;
}

export function isValidTimezone(tz: string | undefined): tz is string {
  return typeof tz === 'string' && tz !== '' && zoneOf(tz) !== null;
}

/** The customer's zone if valid, else the merchant's default, else UTC. */
export function resolveTimezone(tz: string | undefined, fallback: string | undefined): string {
  if (isValidTimezone(tz)) return tz;
  if (isValidTimezone(fallback)) return fallback;
  return 'UTC';
}

/** UTC offset of `tz` at instant `ts`, in minutes (e.g. -300 for New York in winter). */
export function offsetMinutes(tz: string, ts: number): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const hour = Math.floor(ts / HOUR_MS);
  let memo = offsetMemo.get(tz);
  if (!memo) offsetMemo.set(tz, (memo = new Map()));
  let off = memo.get(hour);
  if (off === undefined) {
    // Zone transitions happen on whole hours (or half hours in a few zones); sample the exact instant
    // when the hour straddles a change.
    const z = zoneOf(tz);
    const a = z ? z.offset(hour * HOUR_MS) : 0;
    const b = z ? z.offset(hour * HOUR_MS + HOUR_MS - 1) : 0;
    if (a !== b) return z ? z.offset(ts) : 0;
    off = a;
    if (memoSize++ > MEMO_LIMIT) {
      offsetMemo.clear();
      memoSize = 0;
    }
    memo.set(hour, off);
  }
  return off;
}

export interface LocalParts {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday (cron's convention). */
  weekday: number;
  daysInMonth: number;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return MONTH_DAYS[month - 1];
}

export function localParts(tz: string, ts: number): LocalParts {
  const d = new Date(ts + offsetMinutes(tz, ts) * MINUTE_MS);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  return {
    year,
    month,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
    daysInMonth: daysInMonth(year, month),
  };
}

/**
 * The UTC instant of a local wall-clock time, or null if that time does not exist in the zone
 * (skipped by a daylight-saving change). An ambiguous time (repeated hour) maps to its first instant.
 */
export function localToUtc(tz: string, year: number, month: number, day: number, hour: number, minute = 0): number | null {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const o1 = offsetMinutes(tz, wall - offsetMinutes(tz, wall) * MINUTE_MS);
  const t = wall - o1 * MINUTE_MS;
  // Fast path: the offset holds at t and an hour before, so t is the one and only instant.
  if (offsetMinutes(tz, t) === o1 && offsetMinutes(tz, t - HOUR_MS) === o1) return t;
  // Near a transition: try both candidate offsets and keep the earliest instant that reads back right.
  const candidates = [wall - o1 * MINUTE_MS, wall - offsetMinutes(tz, t) * MINUTE_MS, wall - offsetMinutes(tz, t - HOUR_MS) * MINUTE_MS];
  let best: number | null = null;
  for (const c of candidates) {
    const p = localParts(tz, c);
    if (p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute && (best === null || c < best)) best = c;
  }
  return best;
}

/** The last Monday–Friday of the month (public holidays are not modelled). */
export function lastBusinessDay(year: number, month: number): number {
  const last = daysInMonth(year, month);
  const dow = new Date(Date.UTC(year, month - 1, last)).getUTCDay();
  return dow === 6 ? last - 1 : dow === 0 ? last - 2 : last;
}

const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Fri 9 Jan 09:00" in the zone. */
export function formatLocal(tz: string, ts: number): string {
  const p = localParts(tz, ts);
  return `${DOW[p.weekday]} ${p.day} ${MONTHS[p.month - 1]} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

export function weekdayName(weekday: number): string {
  return DOW[weekday];
}
