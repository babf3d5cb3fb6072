/**
 * Per-customer pay-cycle belief: a posterior over PAY_LIBRARY from the customer's own charges.
 * Observation model, per local day: under schedule s the money is there with probability Q_IN
 * within s's hold days after a payday and Q_OUT otherwise ("none": Q_NONE every day). A success
 * multiplies s's weight by that probability, an insufficient-funds decline by its complement;
 * other declines say nothing about money. The prior is the population's mix: the family prior
 * (pay-schedules.ts) plus the learned `pay:<id>` counts (every decision that was confident about a
 * customer's schedule counts it once per outcome, successes and declines alike — so the mix moves
 * with every case's posterior, not with successes only).
 */
import { DAY_MS } from '../clock.js';
import { DECLINE_CODES } from './decline-codes.js';
import { localParts } from './local-time.js';
import { FAMILY_PRIOR, PAY_LIBRARY, type Family, type PaySchedule } from './pay-schedules.js';
import type { CustomerPayment, LearnedStats } from './types.js';

/** P(money there) inside a schedule's hold window after payday / outside it / under "none". */
const Q_IN = 0.6;
const Q_OUT = 0.1;
const Q_NONE = 0.2;
/** Pseudo-observations of the family prior against the learned population mix. */
const MIX_STRENGTH = 50;
/** Only the last 200 days of a customer's charges are read (older pay schedules change), ms. */
const LOOKBACK_MS = 200 * DAY_MS;
/** A belief whose top schedule has at least this posterior is counted into the population mix. */
export const MIX_CONFIDENCE = 0.5;
/** The pay-cycle multiplier is kept within these bounds (it replaces the pooled day-of-week/month ones). */
const MULT_MIN = 0.25;
const MULT_MAX = 3;

export const payMixKey = (id: string) => `pay:${id}`;

export interface PayBelief {
  /** The most likely schedule and its posterior probability. */
  top: PaySchedule;
  topP: number;
  /** Charges of this customer that informed the belief (successes + insufficient-funds declines). */
  observations: number;
  /** Posterior-expected chance the money is there on a local day, relative to the population average. */
  multiplier(at: number): number;
}

const familySize = new Map<Family, number>();
for (const s of PAY_LIBRARY) familySize.set(s.family, (familySize.get(s.family) ?? 0) + 1);

/** The population's time-averaged availability under the family prior (normaliser, ≈ 0.25). */
const A_REF = (() => {
  let sum = 0;
  const span = 364;
  for (const s of PAY_LIBRARY) {
    const w = FAMILY_PRIOR[s.family] / familySize.get(s.family)!;
    let avail = 0;
    let since = 99;
    for (let dn = 20000 - 40; dn < 20000 + span; dn++) {
      const t = new Date(dn * DAY_MS);
      since = s.isPayday(dn, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()) ? 0 : since + 1;
      if (dn >= 20000) avail += availability(s, since);
    }
    sum += (w * avail) / span;
  }
  return sum;
})();

function availability(s: PaySchedule, since: number): number {
  if (s.family === 'none') return Q_NONE;
  return since < s.holdDays ? Q_IN : Q_OUT;
}

const localDay = (tz: string, at: number): number => {
  const p = localParts(tz, at);
  return Date.UTC(p.year, p.month - 1, p.day) / DAY_MS;
};

export function isFundsDecline(code: string | undefined): boolean {
  return code !== undefined && DECLINE_CODES[code]?.stat === 'funds';
}

/**
 * The belief for one customer. `charges`: everything known about their money (past payments and
 * this invoice's attempts); `until`: the last instant the belief will be asked about (the deadline).
 */
export function payBelief(opts: {
  charges: readonly CustomerPayment[];
  tz: string;
  stats: LearnedStats;
  now: number;
  until: number;
}): PayBelief {
  const { tz, stats, now } = opts;
  const obs: Array<{ dn: number; ok: boolean }> = [];
  for (const c of opts.charges) {
    if (c.at > now || c.at < now - LOOKBACK_MS) continue;
    if (c.succeeded || isFundsDecline(c.declineCode)) obs.push({ dn: localDay(tz, c.at), ok: c.succeeded });
  }
  const first = Math.min(localDay(tz, now), ...obs.map((o) => o.dn));
  const last = localDay(tz, opts.until);
  const n = PAY_LIBRARY.length;
  let totalMix = 0;
  for (const s of PAY_LIBRARY) totalMix += countOf(stats, s.id);
  const logw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = PAY_LIBRARY[i];
    const familyShare = FAMILY_PRIOR[s.family] / familySize.get(s.family)!;
    const prior = (MIX_STRENGTH * familyShare + countOf(stats, s.id)) / (MIX_STRENGTH + totalMix);
    let lw = Math.log(prior);
    for (const o of obs) {
      const a = availability(s, sinceLastPayday(i, o.dn));
      lw += Math.log(o.ok ? a : 1 - a);
    }
    logw[i] = lw;
  }
  const maxLw = Math.max(...logw);
  const w = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) z += w[i] = Math.exp(logw[i] - maxLw);
  let topI = 0;
  for (let i = 0; i < n; i++) {
    w[i] /= z;
    if (w[i] > w[topI]) topI = i;
  }
  const memo = new Map<number, number>();
  return {
    top: PAY_LIBRARY[topI],
    topP: w[topI],
    observations: obs.length,
    multiplier(at: number): number {
      const dn = Math.min(last, Math.max(first, localDay(tz, at)));
      let m = memo.get(dn);
      if (m === undefined) {
        let e = 0;
        for (let i = 0; i < n; i++) if (w[i] > 1e-6) e += w[i] * availability(PAY_LIBRARY[i], sinceLastPayday(i, dn));
        m = Math.min(MULT_MAX, Math.max(MULT_MIN, e / A_REF));
        memo.set(dn, m);
      }
      return m;
    },
  };
}

/**
 * Days since schedule i's latest payday at or before local day `dn` (0 = payday, capped at 99).
 * It depends on the calendar only, so it is computed once per 512-day block and reused by every
 * customer (a pure cache: the same day always gives the same answer).
 */
const BLOCK = 512;
const LEAD_IN = 64;
const sinceBlocks = new Map<number, Int16Array[]>();

function sinceLastPayday(i: number, dn: number): number {
  const b = Math.floor(dn / BLOCK);
  let block = sinceBlocks.get(b);
  if (!block) {
    if (sinceBlocks.size >= 32) sinceBlocks.clear();
    block = PAY_LIBRARY.map((s) => {
      const arr = new Int16Array(BLOCK);
      let k = 99;
      for (let d = b * BLOCK - LEAD_IN; d < (b + 1) * BLOCK; d++) {
        const t = new Date(d * DAY_MS);
        k = s.isPayday(d, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()) ? 0 : Math.min(k + 1, 99);
        if (d >= b * BLOCK) arr[d - b * BLOCK] = k;
      }
      return arr;
    });
    sinceBlocks.set(b, block);
  }
  return block[i][dn - b * BLOCK];
}

function countOf(stats: LearnedStats, id: string): number {
  const c = stats.get(payMixKey(id));
  return c ? c.successes + c.failures : 0;
}
