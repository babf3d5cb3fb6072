/**
 * The library of pay schedules the per-customer pay-cycle belief ranges over: broad enough that the
 * customer's own data, not the prior, decides. Weekly and biweekly on every weekday Mon–Fri (both
 * biweekly phases); semimonthly and monthly on nominal dates, each with weekend dates moved to the
 * business day before, the business day after, or not moved; and "none" (money arrives at no
 * particular time). Days are local calendar days numbered from 1970-01-01 (a Thursday).
 */
import { lastBusinessDay } from './local-time.js';

export type Shift = 'before' | 'after' | 'nominal';
export type Family = 'weekly' | 'biweekly' | 'semimonthly' | 'monthly' | 'none';

export interface PaySchedule {
  id: string;
  family: Family;
  /** Merchant-readable description, e.g. "paid around the 1st and 15th, moved to the business day before weekends". */
  label: string;
  /** Days after a payday (payday = day 0) during which the money is likely still there. */
  holdDays: number;
  /** Is local day `dn` (with its civil date, 1-based month) a payday? */
  isPayday(dn: number, y: number, m: number, d: number): boolean;
}

const DOW = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHIFT_TEXT: Record<Shift, string> = {
  before: 'moved to the business day before weekends',
  after: 'moved to the business day after weekends',
  nominal: 'on the date even at weekends',
};
/** Nominal dates (0 = the last business day of the month). */
const SEMIMONTHLY: ReadonlyArray<readonly number[]> = [[1, 15], [15, 0], [5, 20], [10, 25]];
const MONTHLY: ReadonlyArray<readonly number[]> = [[1], [15], [0], [25], [5], [20]];

export const weekdayOfDay = (dn: number): number => (((dn + 4) % 7) + 7) % 7;

/** The paid days of month (y, m) for nominal dates and a weekend rule. */
function paidDays(y: number, m: number, dates: readonly number[], shift: Shift): Set<number> {
  const set = new Set<number>();
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  for (const n of dates) {
    if (n === 0) {
      set.add(lastBusinessDay(y, m));
      continue;
    }
    const wd = new Date(Date.UTC(y, m - 1, n)).getUTCDay();
    if (shift === 'nominal' || (wd !== 0 && wd !== 6)) set.add(n);
    else if (shift === 'after' && n + (wd === 6 ? 2 : 1) <= dim) set.add(n + (wd === 6 ? 2 : 1));
    else set.add(n - (wd === 6 ? 1 : 2) >= 1 ? n - (wd === 6 ? 1 : 2) : n + (wd === 6 ? 2 : 1));
  }
  return set;
}

function dateText(dates: readonly number[]): string {
  const one = (n: number) => (n === 0 ? 'the last business day' : `the ${ordinal(n)}`);
  return dates.map(one).join(' and ');
}

export function ordinal(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** A day-of-month payday test, memoised per month (a belief asks about ~8 months, often). */
function monthlyTest(dates: readonly number[], shift: Shift): PaySchedule['isPayday'] {
  const memo = new Map<number, Set<number>>();
  return (_dn, y, m, d) => {
    const key = y * 16 + m;
    let set = memo.get(key);
    if (!set) {
      if (memo.size > 600) memo.clear();
      memo.set(key, (set = paidDays(y, m, dates, shift)));
    }
    return set.has(d);
  };
}

function buildLibrary(): PaySchedule[] {
  const lib: PaySchedule[] = [];
  for (let w = 1; w <= 5; w++) {
    const weekly = (dn: number) => weekdayOfDay(dn) === w;
    lib.push({ id: `w${w}`, family: 'weekly', label: `paid weekly on ${DOW[w]}s`, holdDays: 3, isPayday: weekly });
    for (const phase of [0, 1]) {
      lib.push({
        id: `b${w}${phase}`,
        family: 'biweekly',
        label: `paid every other ${DOW[w]} (${phase ? 'odd' : 'even'} weeks)`,
        holdDays: 4,
        isPayday: (dn) => weekdayOfDay(dn) === w && Math.floor(dn / 7) % 2 === phase,
      });
    }
  }
  for (const [family, sets, hold] of [['semimonthly', SEMIMONTHLY, 4], ['monthly', MONTHLY, 6]] as const) {
    for (const dates of sets) {
      for (const shift of ['before', 'after', 'nominal'] as const) {
        // The last business day never falls on a weekend: one variant is enough.
        if (dates.length === 1 && dates[0] === 0 && shift !== 'before') continue;
        const tail = dates.length === 1 && dates[0] === 0 ? '' : `, ${SHIFT_TEXT[shift]}`;
        lib.push({
          id: `${family === 'monthly' ? 'm' : 's'}${dates.join('-')}${shift[0]}`,
          family,
          label: `paid around ${dateText(dates)}${tail}`,
          holdDays: hold,
          isPayday: monthlyTest(dates, shift),
        });
      }
    }
  }
  lib.push({ id: 'none', family: 'none', label: 'no regular payday', holdDays: 0, isPayday: () => false });
  return lib;
}

export const PAY_LIBRARY: readonly PaySchedule[] = buildLibrary();

/**
 * Prior share of each family before any data (the population mix starts here and is learned):
 * BLS CES "Length of pay periods" (2019) for the employed (weekly 33.8 %, biweekly 42.2 %,
 * semimonthly 18.6 %, monthly 5.4 %), shrunk to leave 20 % for "none" (irregular income, credit
 * cards paid at statement dates we do not know).
 */
export const FAMILY_PRIOR: Record<Family, number> = {
  weekly: 0.27,
  biweekly: 0.34,
  semimonthly: 0.15,
  monthly: 0.04,
  none: 0.2,
};
