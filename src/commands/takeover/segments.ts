/**
 * Disjoint `created` ranges of one Stripe list, walked concurrently, and the resumable scan
 * state built from them. Pure data and functions: no I/O.
 *
 * Stripe lists newest first; a segment walks [gte, lt) from its newest object down with
 * `starting_after`. Its progress is the id (and created time) of the last object it finished,
 * so persisting the segments after each committed page lets a later run continue exactly
 * there: no gap, no duplicate. A segment that has more to walk while other workers sit idle is
 * split in two at the middle of its remaining range: it keeps [mid, last] (continuing after
 * its cursor) and hands [gte, mid) to a fresh segment — so one large account is fetched as
 * concurrently as several small ones.
 */

export interface Segment {
  /** Lower bound on `created` (unix seconds, inclusive); null = none (oldest objects). */
  gte: number | null;
  /** Upper bound on `created` (unix seconds, exclusive); null = none. */
  lt: number | null;
  /** `starting_after`: id of the last object finished, or null before the first page. */
  after: string | null;
  /** `created` (unix seconds) of that object. */
  lastCreated: number | null;
  /** Pages finished. */
  pages: number;
  done: boolean;
}

/** One account's invoice scan, persisted (as JSON) in the cursors table after every page. */
export interface ScanState {
  v: 1;
  /** Identifies the run that planned the segments (idempotency keys of its writes), and when (epoch ms). */
  runId: string;
  startedAt: number;
  segments: Segment[];
}

export const SCAN_CURSOR = 'takeover:invoices';

/** Unix seconds of an epoch-ms time. */
export const sec = (ms: number): number => Math.floor(ms / 1000);

/**
 * `parts` equal slices of [from, to) (unix seconds), newest first. `openAbove`: the newest
 * slice has no upper bound (objects created while the scan runs); `openBelow`: one more
 * segment, unbounded, for everything older than `from`.
 */
export function initialSegments(o: { from: number; to: number; parts: number; openAbove?: boolean; openBelow?: boolean }): Segment[] {
  const n = Math.max(1, Math.floor(o.parts));
  const step = Math.max(1, Math.ceil((o.to - o.from) / n));
  const segs: Segment[] = [];
  for (let hi = o.to; hi > o.from; hi -= step) segs.push(fresh(Math.max(o.from, hi - step), hi));
  if (segs.length === 0) segs.push(fresh(o.from, o.to));
  if (o.openAbove) segs[0].lt = null;
  if (o.openBelow) segs.push(fresh(null, o.from));
  return segs;
}

export function fresh(gte: number | null, lt: number | null): Segment {
  return { gte, lt, after: null, lastCreated: null, pages: 0, done: false };
}

/** Stripe's `created` filter for a segment (undefined when unbounded both ways). */
export function createdFilter(s: Segment): { gte?: number; lt?: number } | undefined {
  const f: { gte?: number; lt?: number } = {};
  if (s.gte !== null) f.gte = s.gte;
  if (s.lt !== null) f.lt = s.lt;
  return f.gte === undefined && f.lt === undefined ? undefined : f;
}

/** Records a finished page on the segment. */
export function advance(s: Segment, page: { lastId: string | undefined; lastCreated: number | undefined; hasMore: boolean }): void {
  s.pages += 1;
  if (page.lastId !== undefined) {
    s.after = page.lastId;
    s.lastCreated = page.lastCreated ?? s.lastCreated;
  }
  // An empty page that claims more would never move on: treat it as the end, like the gateway does.
  s.done = !page.hasMore || page.lastId === undefined;
}

/**
 * Splits the rest of a bounded segment in two (see the top of this file); returns the new
 * segment, or null when the rest is too narrow (under `minSpanSec` per half) or unbounded.
 */
export function split(s: Segment, minSpanSec = 60): Segment | null {
  if (s.done || s.gte === null) return null;
  const top = s.lastCreated ?? (s.lt === null ? null : s.lt - 1);
  if (top === null) return null;
  const span = top - s.gte + 1;
  if (span < 2 * minSpanSec) return null;
  const mid = s.gte + Math.floor(span / 2);
  const lower = fresh(s.gte, mid);
  s.gte = mid;
  return lower;
}

export function allDone(state: { segments: Segment[] }): boolean {
  return state.segments.every((s) => s.done);
}

export function pagesDone(state: { segments: Segment[] }): number {
  return state.segments.reduce((n, s) => n + s.pages, 0);
}

/** Reads a persisted scan; undefined when absent or written by an incompatible version. */
export function parseScan(text: string | undefined): ScanState | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as ScanState;
    return v && v.v === 1 && Array.isArray(v.segments) && typeof v.runId === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
