/**
 * Allowed retry windows: 5-field cron expressions (settings.windows) read in the customer's local
 * time. A candidate slot is one per allowed local hour, at the window's first allowed minute
 * ("0 8-20 * * *" → 08:00, 09:00, …, 20:00). Day matching follows cron (and cron-parser): if both
 * day-of-month and day-of-week are restricted either may match; `L` (last day of month), `nL`
 * (last weekday n of the month) and `n#k` (k-th weekday n) are honoured.
 */
import { CronExpressionParser } from 'cron-parser';
import { localParts, localToUtc, type LocalParts } from './local-time.js';
import { DAY_MS, HOUR_MS } from '../clock.js';

interface CompiledWindow {
  minute: number;
  hours: boolean[];
  months: Set<number>;
  matchesDay(p: DayFacts): boolean;
}

export interface DayFacts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  daysInMonth: number;
}

const compiled = new Map<string, CompiledWindow[]>();

function compileOne(expr: string): CompiledWindow {
  const f = CronExpressionParser.parse(expr).fields;
  const minute = Math.min(...(f.minute.values as number[]));
  const hours = Array.from({ length: 24 }, () => false);
  for (const h of f.hour.values as number[]) hours[h] = true;
  const months = new Set(f.month.values as number[]);
  const domWild = f.dayOfMonth.isWildcard;
  const dowWild = f.dayOfWeek.isWildcard;
  const domValues = new Set((f.dayOfMonth.values as Array<number | string>).filter((v): v is number => typeof v === 'number'));
  const domLast = f.dayOfMonth.hasLastChar;
  const dowValues = new Set((f.dayOfWeek.values as Array<number | string>).filter((v): v is number => typeof v === 'number').map((v) => v % 7));
  const dowLast = new Set(
    (f.dayOfWeek.values as Array<number | string>)
      .filter((v): v is string => typeof v === 'string' && /^\dL$/.test(v))
      .map((v) => Number(v[0]) % 7),
  );
  const nth = f.dayOfWeek.nthDay ?? 0;
  const matchesDay = (p: DayFacts): boolean => {
    const dom = domValues.has(p.day) || (domLast && p.day === p.daysInMonth);
    const dow =
      (dowValues.has(p.weekday) && (nth === 0 || Math.ceil(p.day / 7) === nth)) ||
      (dowLast.has(p.weekday) && p.day + 7 > p.daysInMonth);
    if (!domWild && !dowWild) return dom || dow;
    if (!domWild) return dom;
    if (!dowWild) return dow;
    return true;
  };
  return { minute, hours, months, matchesDay };
}

function compile(windows: readonly string[]): CompiledWindow[] {
  const key = windows.join('\n');
  let c = compiled.get(key);
  if (!c) {
    c = windows.map(compileOne);
    compiled.set(key, c);
  }
  return c;
}

/** Local (hour, minute) pairs allowed on this local day, earliest first. */
export function allowedTimesOnDay(windows: readonly string[], day: DayFacts): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const w of compile(windows)) {
    if (!w.months.has(day.month) || !w.matchesDay(day)) continue;
    for (let h = 0; h < 24; h++) if (w.hours[h]) out.push([h, w.minute]);
  }
  out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return out.filter((t, i) => i === 0 || t[0] !== out[i - 1][0] || t[1] !== out[i - 1][1]);
}

/** True if `ts` is exactly an allowed slot start in the zone (used by tests and the checker). */
export function isInWindow(windows: readonly string[], tz: string, ts: number): boolean {
  const p = localParts(tz, ts);
  return allowedTimesOnDay(windows, p).some(([h, m]) => h === p.hour && m === p.minute);
}

export interface Slot {
  at: number;
  local: LocalParts;
}

/**
 * Every allowed slot with from ≤ at < to, in time order. Walks local calendar days; a slot whose
 * local time does not exist (spring-forward gap) is skipped.
 */
export function enumerateSlots(windows: readonly string[], tz: string, from: number, to: number): Slot[] {
  const slots: Slot[] = [];
  if (!(to > from)) return slots;
  // Start one local day early so a slot late on the previous local day is not missed across offsets.
  const cursor = localParts(tz, from - DAY_MS);
  let y = cursor.year;
  let m = cursor.month;
  let d = cursor.day;
  for (let guard = 0; guard < 4000; guard++) {
    const dayStart = localToUtc(tz, y, m, d, 12) ?? localToUtc(tz, y, m, d, 13);
    if (dayStart !== null && dayStart - 13 * HOUR_MS >= to) break;
    const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    const facts: DayFacts = { year: y, month: m, day: d, weekday, daysInMonth: dim };
    for (const [h, mi] of allowedTimesOnDay(windows, facts)) {
      const at = localToUtc(tz, y, m, d, h, mi);
      if (at === null || at < from || at >= to) continue;
      slots.push({ at, local: { year: y, month: m, day: d, hour: h, minute: mi, weekday, daysInMonth: dim } });
    }
    d += 1;
    if (d > dim) {
      d = 1;
      m += 1;
      if (m > 12) {
        m = 1;
        y += 1;
      }
    }
  }
  return slots;
}
