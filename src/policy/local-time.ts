/**
 * Customer-local calendar arithmetic, fast enough to score hundreds of hourly slots per decision:
 * zone offsets come from luxon (IANA data) and are memoised per zone and UTC day (per UTC hour on
 * the rare day that holds a transition), and local wall-clock times are converted back to UTC
 * without allocating DateTime objects. (The memo is a pure cache: same inputs, same outputs.)
 */
import { IANAZone } from 'luxon';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';

const zones = new Map<string, IANAZone | null>();

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

/**
 * A zone's offsets, minutes, by UTC day number (days since 1970-01-01) in a flat table: luxon asks
 * Intl for every offset (microseconds each), and a simulation asks millions of times (issue 18).
 * Offsets fit an Int16 (-720…+840); UNKNOWN is a day not yet asked, SPLIT one whose offset changes
 * within it (or is not whole minutes) and so is answered per hour. 2^16 days reach 2149; days
 * outside the table take the per-hour path too. 128 KiB per zone asked.
 */
interface ZoneMemo {
  z: IANAZone | null;
  days: Int16Array;
  hours: Map<number, number>;
}
const TABLE_DAYS = 1 << 16;
const UNKNOWN = -32768;
const SPLIT = 32767;
const HOUR_MEMO_LIMIT = 100_000;
const memos = new Map<string, ZoneMemo>();
// The zone of the previous call: one decision asks about one zone many times in a row.
let lastTz = '';
let lastMemo: ZoneMemo | undefined;

function memoOf(tz: string): ZoneMemo {
  if (tz === lastTz && lastMemo) return lastMemo;
  let m = memos.get(tz);
  if (!m) memos.set(tz, (m = { z: zoneOf(tz), days: new Int16Array(TABLE_DAYS).fill(UNKNOWN), hours: new Map() }));
  lastTz = tz;
  lastMemo = m;
  return m;
}

/** The offset of a whole UTC day, or SPLIT if it is not the same from its first to its last ms. */
function dayOffset(z: IANAZone | null, day: number): number {
  if (!z) return 0;
  const a = z.offset(day * DAY_MS);
  const b = z.offset(day * DAY_MS + DAY_MS / 2);
  const c = z.offset(day * DAY_MS + DAY_MS - 1);
  return a === b && b === c && Number.isInteger(a) ? a : SPLIT;
}

/** Per UTC hour, sampling the exact instant when the hour itself straddles a change. */
function hourOffset(m: ZoneMemo, ts: number): number {
  const hour = Math.floor(ts / HOUR_MS);
  let off = m.hours.get(hour);
  if (off === undefined) {
    const a = m.z ? m.z.offset(hour * HOUR_MS) : 0;
    const b = m.z ? m.z.offset(hour * HOUR_MS + HOUR_MS - 1) : 0;
    if (a !== b) return m.z ? m.z.offset(ts) : 0;
    off = a;
    if (m.hours.size > HOUR_MEMO_LIMIT) m.hours.clear();
    m.hours.set(hour, off);
  }
  return off;
}

/** UTC offset of `tz` at instant `ts`, in minutes (e.g. -300 for New York in winter). */
export function offsetMinutes(tz: string, ts: number): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const m = memoOf(tz);
  const day = Math.floor(ts / DAY_MS);
  if (!(day >= 0 && day < TABLE_DAYS)) return hourOffset(m, ts);
  let off = m.days[day];
  if (off === UNKNOWN) m.days[day] = off = dayOffset(m.z, day);
  return off === SPLIT ? hourOffset(m, ts) : off;
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
