/**
 * Pay schedules for the built-in world: when money lands in a customer's account. The mix follows
 * the US BLS (CES "Length of pay periods", 2019: weekly 33.8 %, biweekly 42.2 %, semimonthly
 * 18.6 %, monthly 5.4 %); other countries use their common practice (UK/DE monthly at month end,
 * Japan on the 25th, Australia fortnightly on Thursdays, Brazil on the 5th and 20th).
 * Credit cards that are over their limit "get paid" when the statement is paid (a fixed day of
 * month). Deposits post at 05:00 local; some neobank customers get them two days early.
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import { daysInMonth, lastBusinessDay, localParts, localToUtc } from '../policy/local-time.js';

export type PaySchedule =
  | { kind: 'weekly'; weekday: number }
  | { kind: 'biweekly'; weekday: number; parity: 0 | 1 }
  /**
   * Days of month; 0 means the last business day. Weekend paydays move to the Friday before
   * (`shift` absent or 'before'), the Monday after ('after') or stay on the date ('nominal').
   */
  | { kind: 'monthly'; days: number[]; shift?: 'before' | 'after' | 'nominal' };

/** Which weekday weekly/biweekly pay falls on, and how weekend dates move (the world zoo's knobs). */
export interface PayKnobs {
  payWeekdays: readonly number[];
  weekendShift: readonly [number, number, number];
}
const DEFAULT_KNOBS: PayKnobs = { payWeekdays: [0, 0.08, 0, 0.05, 0.15, 0.72, 0], weekendShift: [1, 0, 0] };
// Friday first, so the original mix (Fri 72 %, Thu 15 %, Wed 5 %, Mon 8 %) draws exactly as before.
const WEEKDAY_ORDER = [5, 4, 3, 1, 2, 0, 6];

const DEPOSIT_HOUR = 5;

function pick<T>(u: number, options: ReadonlyArray<readonly [number, T]>): T {
  let acc = 0;
  for (const [w, v] of options) {
    acc += w;
    if (u < acc) return v;
  }
  return options[options.length - 1][1];
}

/**
 * A pay schedule for a customer in `country`, from two uniforms; `u3` (only drawn by worlds that
 * shift weekend paydays other than to the Friday before) picks the weekend rule.
 */
export function drawPaySchedule(
  country: string,
  funding: string,
  u1: number,
  u2: number,
  knobs: PayKnobs = DEFAULT_KNOBS,
  u3 = 0,
): PaySchedule {
  const s = drawNominal(country, funding, u1, u2, knobs);
  if (s.kind !== 'monthly') return s;
  const [b, a] = knobs.weekendShift;
  const total = knobs.weekendShift.reduce((x, y) => x + y, 0);
  return { ...s, shift: u3 * total < b ? 'before' : u3 * total < b + a ? 'after' : 'nominal' };
}

function drawNominal(country: string, funding: string, u1: number, u2: number, knobs: PayKnobs): PaySchedule {
  if (funding === 'credit') return { kind: 'monthly', days: [1 + Math.floor(u2 * 28)] }; // statement payment day
  const parity = (u2 < 0.5 ? 0 : 1) as 0 | 1;
  const wsum = knobs.payWeekdays.reduce((x, y) => x + y, 0);
  const dow = pick(u2 * wsum, WEEKDAY_ORDER.map((d) => [knobs.payWeekdays[d], d] as const));
  switch (country) {
    case 'GB':
    case 'DE':
      return pick(u1, [[0.72, { kind: 'monthly', days: [0] }], [0.13, { kind: 'weekly', weekday: 5 }], [0.15, { kind: 'biweekly', weekday: 5, parity }]] as const);
    case 'JP':
      return pick(u1, [[0.8, { kind: 'monthly', days: [25] }], [0.2, { kind: 'monthly', days: [0] }]] as const);
    case 'AU':
      return pick(u1, [[0.6, { kind: 'biweekly', weekday: 4, parity }], [0.2, { kind: 'weekly', weekday: 4 }], [0.2, { kind: 'monthly', days: [15] }]] as const);
    case 'BR':
      return pick(u1, [[0.6, { kind: 'monthly', days: [5] }], [0.4, { kind: 'monthly', days: [5, 20] }]] as const);
    default: // US, CA and the rest
      return pick(u1, [
        [0.338, { kind: 'weekly', weekday: dow }],
        [0.422, { kind: 'biweekly', weekday: dow, parity }],
        [0.112, { kind: 'monthly', days: [1, 15] }],
        [0.074, { kind: 'monthly', days: [15, 0] }],
        [0.027, { kind: 'monthly', days: [0] }],
        [0.027, { kind: 'monthly', days: [1] }],
      ] as const);
  }
}

/** Weekday (0 = Sunday) of day number `dn` (days since 1970-01-01, a Thursday), without a Date. */
function weekdayOfDay(dn: number): number {
  return (((dn + 4) % 7) + 7) % 7;
}

function weekdayOf(y: number, m: number, d: number): number {
  return weekdayOfDay(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** The paid day in this month for nominal day `n` (0 = last business day), moved off weekends. */
function adjustedDayUncached(y: number, m: number, n: number, shift: 'before' | 'after' | 'nominal'): number {
  if (n === 0) return lastBusinessDay(y, m);
  if (shift === 'nominal') return n;
  if (shift === 'after') {
    const wd = weekdayOf(y, m, n);
    const d = wd === 6 ? n + 2 : wd === 0 ? n + 1 : n;
    if (d <= daysInMonth(y, m)) return d; // else the month ends first: pay before
  }
  let d = n;
  while (weekdayOf(y, m, d) === 0 || weekdayOf(y, m, d) === 6) d -= 1;
  return d >= 1 ? d : n + (weekdayOf(y, m, n) === 6 ? 2 : 1);
}

// A pure cache of adjustedDayUncached: (month, nominal day, shift) → paid day. Deposit look-ups ask
// the same few months tens of millions of times in a 10,000-case simulation (issue 18's profile).
const SHIFTS = { before: 0, after: 1, nominal: 2 } as const;
const adjustedMemo = new Map<number, number>();

function adjustedDay(y: number, m: number, n: number, shift: 'before' | 'after' | 'nominal' = 'before'): number {
  const key = ((y * 13 + m) * 32 + n) * 3 + SHIFTS[shift];
  let d = adjustedMemo.get(key);
  if (d === undefined) {
    d = adjustedDayUncached(y, m, n, shift);
    if (adjustedMemo.size > 100_000) adjustedMemo.clear();
    adjustedMemo.set(key, d);
  }
  return d;
}

/** isPayday for a date whose day number `dn` the caller already knows. */
function isPaydayOn(s: PaySchedule, dn: number, y: number, m: number, d: number): boolean {
  if (s.kind === 'weekly') return weekdayOfDay(dn) === s.weekday;
  if (s.kind === 'biweekly') return weekdayOfDay(dn) === s.weekday && Math.floor(dn / 7) % 2 === s.parity;
  for (const n of s.days) if (adjustedDay(y, m, n, s.shift) === d) return true;
  return false;
}

export function isPayday(s: PaySchedule, y: number, m: number, d: number): boolean {
  return isPaydayOn(s, Date.UTC(y, m - 1, d) / DAY_MS, y, m, d);
}

/**
 * The most recent deposit at or before `t` (epoch ms), looking back up to 40 days; deposits land
 * `earlyDays` before the payday at 05:00 local. Returns null if none found.
 */
export function lastDepositAtOrBefore(s: PaySchedule, tz: string, t: number, earlyDays: number): number | null {
  const p = localParts(tz, t);
  // Walk the candidate paydays backwards one calendar day at a time (no Date per day).
  const first = new Date(Date.UTC(p.year, p.month - 1, p.day + earlyDays));
  let y = first.getUTCFullYear();
  let m = first.getUTCMonth() + 1;
  let d = first.getUTCDate();
  let dn = first.getTime() / DAY_MS;
  for (let k = 0; k <= 40; k++) {
    if (k > 0) {
      dn -= 1;
      if (--d < 1) {
        if (--m < 1) {
          m = 12;
          y -= 1;
        }
        d = daysInMonth(y, m);
      }
    }
    if (!isPaydayOn(s, dn, y, m, d)) continue;
    const dep = new Date(Date.UTC(p.year, p.month - 1, p.day - k));
    const at = localToUtc(tz, dep.getUTCFullYear(), dep.getUTCMonth() + 1, dep.getUTCDate(), DEPOSIT_HOUR) ?? Date.UTC(dep.getUTCFullYear(), dep.getUTCMonth(), dep.getUTCDate(), DEPOSIT_HOUR);
    if (at <= t) return at;
  }
  return null;
}

export const DEPOSIT_SETTLE_MS = HOUR_MS;
