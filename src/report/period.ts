/**
 * The report's period from `--since` / `--until`: an ISO date (`2026-01-01`, read in the
 * merchant's default zone), an ISO date-time (`2026-01-01T08:00`, `…Z`), or a duration back
 * from now (`30d`, `12h`, `2d6h`). A date-only `--until` includes that whole day. Defaults: until
 * = now, since = until − 30 days.
 */
import { DateTime } from 'luxon';
import { DAY_MS } from '../clock.js';
import { badValue, UsageError } from '../errors.js';
import { parseDuration } from '../ui/flags.js';

export const DEFAULT_PERIOD_DAYS = 30;
const ACCEPTED = 'a date (2026-01-31), a date-time (2026-01-31T12:00Z) or a duration back from now (30d, 12h), ' +
  'from 1970 to 9999';
/** The period's bounds, epoch ms: 1970-01-01 (Stripe has no earlier invoice) to the end of year 9999. */
const EARLIEST_MS = 0;
const LATEST_MS = Date.UTC(10000, 0, 1) - 1;

export interface PeriodInput {
  since?: string;
  until?: string;
  now: number;
  timezone: string;
}

function parsePoint(flag: '--since' | '--until', raw: string, now: number, zone: string): number {
  const text = raw.trim();
  if (/^\d+[dhm]/.test(text)) {
    let ms: number;
    try {
      ms = parseDuration(flag, text);
    } catch {
      throw badValue(flag, raw, ACCEPTED);
    }
    // 99999999999999999999d is a valid duration but no date: JavaScript dates end ±8.64e15 ms.
    if (!Number.isSafeInteger(ms) || ms > now - EARLIEST_MS) throw badValue(flag, raw, ACCEPTED);
    return now - ms;
  }
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const dt = DateTime.fromISO(text, { zone });
  if (!dt.isValid || dt.toMillis() < EARLIEST_MS || dt.toMillis() > LATEST_MS) throw badValue(flag, raw, ACCEPTED);
  return (dateOnly && flag === '--until' ? dt.plus({ days: 1 }) : dt).toMillis();
}

export function resolvePeriod(p: PeriodInput): { since: number; until: number } {
  const until = p.until === undefined ? p.now : parsePoint('--until', p.until, p.now, p.timezone);
  const since = p.since === undefined ? until - DEFAULT_PERIOD_DAYS * DAY_MS : parsePoint('--since', p.since, p.now, p.timezone);
  if (since >= until) {
    throw new UsageError(`the period is empty: --since (${new Date(since).toISOString()}) is not before --until (${new Date(until).toISOString()})`);
  }
  return { since, until };
}

/**
 * `--as-of`: a date (the report as it stood at the end of that day, in the merchant's zone) or
 * a date-time; never after now (the report cannot know the future).
 */
export function parseAsOf(raw: string, now: number, zone: string): number {
  const accepted = 'a date (2026-01-31) or date-time (2026-01-31T12:00Z), not after now';
  const text = raw.trim();
  const dt = DateTime.fromISO(text, { zone });
  if (!dt.isValid || dt.toMillis() > now) throw badValue('--as-of', raw, accepted);
  // A date means its end (today: now).
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? Math.min(dt.plus({ days: 1 }).toMillis(), now) : dt.toMillis();
}

/** An ISO string in the given zone, e.g. 2026-01-31T00:00:00.000+01:00 (Z for UTC). */
export function isoIn(ms: number, zone: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  return (zone === 'UTC' ? dt.toUTC().toISO() : dt.toISO()) ?? new Date(ms).toISOString();
}

/** "2026-01-31 14:05" in the zone. */
export function shortDateTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/** "2026-01-31" in the zone. */
export function dayOf(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd');
}

/** A duration in words: "45 min", "7.5 h", "3.2 days". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const min = ms / 60_000;
  if (min < 90) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

/**
 * The period for humans: whole days as "2026-02-01 → 2026-02-28" (the end included), otherwise
 * "2026-02-01 08:00 → 2026-02-03 12:30" (the end excluded).
 */
export function formatPeriod(since: number, until: number, zone: string): string {
  const a = DateTime.fromMillis(since, { zone });
  const b = DateTime.fromMillis(until, { zone });
  const midnight = (d: DateTime) => d.hour === 0 && d.minute === 0 && d.second === 0 && d.millisecond === 0;
  if (midnight(a) && midnight(b)) {
    const last = b.minus({ days: 1 });
    const first = a.toFormat('yyyy-MM-dd');
    const end = last.toFormat('yyyy-MM-dd');
    return first === end ? first : `${first} → ${end}`;
  }
  return `${a.toFormat('yyyy-MM-dd HH:mm')} → ${b.toFormat('yyyy-MM-dd HH:mm')}`;
}
