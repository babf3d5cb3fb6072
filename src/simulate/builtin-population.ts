/**
 * The built-in world's population: who failed, on which card, why, and the hidden truth about
 * each case that the policies never see (when the money comes, when an issuer block lifts, when
 * the customer fixes the card). See src/simulate/README.md for the full description.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import { localParts, localToUtc } from '../policy/local-time.js';
import { hashSeed, mulberry32, sampleNormal, type Random } from '../policy/random.js';
import { drawPaySchedule, type PaySchedule } from './builtin-paydays.js';
import { pastPayments } from './builtin-history.js';
import { drawDeposits } from './random-deposits.js';
import type { CasesOptions, SimCase } from './types.js';
import { WORLD_SPECS, type WorldSpec } from './zoo.js';

/** What actually stands between the invoice and a successful charge on the original card. */
export type HiddenCause = 'funds' | 'issuer' | 'velocity' | 'technical' | 'dead';

export interface Hidden {
  tz: string;
  cause: HiddenCause;
  pay: PaySchedule;
  /** Deposits land this many days before the payday (neobank early pay). */
  earlyDays: number;
  /** Chance a deposit leaves enough for this invoice, per deposit. */
  cover: number;
  /** How long after a deposit the money stays available, ms. */
  holdMs: number;
  /** Deposits at random times (worlds with `randomFunds`), replacing the pay schedule for funds. */
  deposits?: number[];
  /** issuer/technical: when the block clears (null = never). */
  clearAt: number | null;
  /** velocity: resets at local midnight (daily limit) or when the statement is paid. */
  velocity: 'daily' | 'statement';
  /** Nothing is approved on the original card before this (a Mastercard "retry after" code). */
  notBefore: number;
  /** What a decline on the original card says. */
  declineCode: string;
  adviceCode?: string;
  networkAdviceCode?: string;
  /** When the customer's new / updated card arrives (null = never). */
  cardUpdateAt: number | null;
}

// Decline mix of first renewal failures: [weight, decline code, hidden cause, P(cause is really funds)]
const DECLINES: ReadonlyArray<readonly [number, string, HiddenCause, number]> = [
  [0.36, 'insufficient_funds', 'funds', 1],
  [0.17, 'generic_decline', 'issuer', 0.3],
  [0.1, 'do_not_honor', 'issuer', 0.25],
  [0.09, 'expired_card', 'dead', 0],
  [0.03, 'card_velocity_exceeded', 'velocity', 0],
  [0.01, 'withdrawal_count_limit_exceeded', 'velocity', 0],
  [0.025, 'processing_error', 'technical', 0],
  [0.01, 'issuer_not_available', 'technical', 0],
  [0.01, 'try_again_later', 'technical', 0],
  [0.005, 'reenter_transaction', 'technical', 0],
  [0.01, 'call_issuer', 'issuer', 0.2],
  [0.005, 'no_action_taken', 'issuer', 0.2],
  [0.005, 'approve_with_id', 'issuer', 0],
  [0.01, 'incorrect_number', 'dead', 0],
  [0.008, 'incorrect_cvc', 'dead', 0],
  [0.008, 'invalid_account', 'dead', 0],
  [0.02, 'authentication_required', 'dead', 0],
  [0.008, 'transaction_not_allowed', 'dead', 0],
  [0.004, 'card_not_supported', 'dead', 0],
  [0.004, 'restricted_card', 'dead', 0],
  [0.003, 'security_violation', 'dead', 0],
  [0.015, 'lost_card', 'dead', 0],
  [0.01, 'stolen_card', 'dead', 0],
  [0.004, 'pickup_card', 'dead', 0],
  [0.01, 'fraudulent', 'dead', 0],
  [0.004, 'revocation_of_authorization', 'dead', 0],
  [0.002, 'stop_payment_order', 'dead', 0],
  [0.002, 'do_not_try_again', 'dead', 0],
];
const DECLINE_TOTAL = DECLINES.reduce((a, d) => a + d[0], 0);

/** P(an issuer block ever lifts), by code. */
const ISSUER_RECOVERABLE: Record<string, number> = { generic_decline: 0.6, do_not_honor: 0.45, call_issuer: 0.3, no_action_taken: 0.5, approve_with_id: 0.6 };

const REGIONS: ReadonlyArray<readonly [number, string, string]> = [
  [0.248, 'US', 'America/New_York'],
  [0.167, 'US', 'America/Chicago'],
  [0.05, 'US', 'America/Denver'],
  [0.155, 'US', 'America/Los_Angeles'],
  [0.05, 'CA', 'America/Toronto'],
  [0.1, 'GB', 'Europe/London'],
  [0.1, 'DE', 'Europe/Berlin'],
  [0.04, 'JP', 'Asia/Tokyo'],
  [0.05, 'AU', 'Australia/Sydney'],
  [0.04, 'BR', 'America/Sao_Paulo'],
];
const PRICES: ReadonlyArray<readonly [number, number]> = [[0.15, 900], [0.25, 1900], [0.22, 2900], [0.15, 4900], [0.13, 9900], [0.07, 19900], [0.03, 49900]];
const BRANDS: ReadonlyArray<readonly [number, string]> = [[0.55, 'visa'], [0.33, 'mastercard'], [0.09, 'amex'], [0.03, 'discover']];
// Local hour of the renewal: the billing anchor is the signup time, mostly waking hours.
const HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 4, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7, 6, 4, 2];
const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
const MAC_WAITS: ReadonlyArray<readonly [number, string, number]> = [
  [0.3, '24', HOUR_MS], [0.3, '25', DAY_MS], [0.2, '26', 2 * DAY_MS], [0.1, '27', 4 * DAY_MS],
  [0.05, '28', 6 * DAY_MS], [0.03, '29', 8 * DAY_MS], [0.02, '30', 10 * DAY_MS],
];

function pick<T>(r: Random, items: ReadonlyArray<readonly [number, ...unknown[]]>, total = 1): T {
  let u = r() * total;
  for (const it of items) {
    u -= it[0];
    if (u < 0) return it as unknown as T;
  }
  return items[items.length - 1] as unknown as T;
}

const exp = (r: Random, meanMs: number) => -Math.log(1 - r()) * meanMs;

function drawCardUpdate(r: Random, code: string, cause: HiddenCause, failedAt: number, k: number): number | null {
  if (code === 'expired_card') {
    if (r() >= 0.72 * k) return null;
    return r() < 0.45 ? failedAt + 6 * HOUR_MS + r() * 66 * HOUR_MS : failedAt + 2 * HOUR_MS + exp(r, 4 * DAY_MS);
  }
  if (cause !== 'dead') return r() < 0.12 * k ? failedAt + HOUR_MS + exp(r, 8 * DAY_MS) : null;
  if (['lost_card', 'stolen_card', 'pickup_card'].includes(code))
    return r() < 0.5 * k ? failedAt + DAY_MS + exp(r, 4 * DAY_MS) : null;
  if (code === 'fraudulent') return r() < 0.15 * k ? failedAt + DAY_MS + exp(r, 4 * DAY_MS) : null;
  if (['revocation_of_authorization', 'stop_payment_order', 'do_not_try_again'].includes(code))
    return r() < 0.05 * k ? failedAt + exp(r, 5 * DAY_MS) : null;
  return r() < 0.4 * k ? failedAt + HOUR_MS + exp(r, 5 * DAY_MS) : null;
}

/** Advice codes on the first decline, and the hidden "not before" a Mastercard wait implies. */
function drawAdvice(r: Random, brand: string, code: string, cause: HiddenCause, failedAt: number): Pick<Hidden, 'adviceCode' | 'networkAdviceCode' | 'notBefore'> & { dead?: boolean } {
  const out: Pick<Hidden, 'adviceCode' | 'networkAdviceCode' | 'notBefore'> & { dead?: boolean } = { notBefore: failedAt };
  const neverCodes = ['lost_card', 'stolen_card', 'pickup_card', 'fraudulent', 'revocation_of_authorization', 'stop_payment_order', 'do_not_try_again'];
  if (cause === 'funds' && r() < 0.3) out.adviceCode = 'try_again_later';
  if (cause === 'technical' && r() < 0.5) out.adviceCode = 'try_again_later';
  if (neverCodes.includes(code) && r() < 0.7) out.adviceCode = 'do_not_try_again';
  if ((code === 'expired_card' || code === 'incorrect_cvc') && r() < 0.4) out.adviceCode = 'confirm_card_data';
  if (brand !== 'mastercard') return out;
  if (code === 'expired_card' && r() < 0.7) out.networkAdviceCode = '01';
  else if (['lost_card', 'stolen_card', 'pickup_card', 'fraudulent'].includes(code) && r() < 0.6) out.networkAdviceCode = '03';
  else if (['revocation_of_authorization', 'stop_payment_order'].includes(code)) out.networkAdviceCode = '21';
  else if (code === 'do_not_honor' && r() < 0.08) {
    out.networkAdviceCode = '03';
    out.dead = true; // the issuer says never, and means it
  } else if (cause === 'funds' || cause === 'issuer' || cause === 'velocity') {
    const u = r();
    if (u < 0.18) out.networkAdviceCode = '02';
    else if (u < 0.36) {
      const [, mac, wait] = pick<readonly [number, string, number]>(r, MAC_WAITS);
      out.networkAdviceCode = mac;
      out.notBefore = failedAt + wait;
    }
  }
  return out;
}

export function generatePopulation(
  opts: CasesOptions,
  spec: WorldSpec = WORLD_SPECS.builtin,
): { cases: SimCase[]; hidden: Map<string, Hidden> } {
  // The built-in world keeps its original random stream; other worlds draw their own.
  const stream = spec.name === 'builtin' ? hashSeed('builtin-world', opts.seed) : hashSeed('zoo', spec.name, opts.seed);
  const r = mulberry32(stream);
  const days = Math.max(1, opts.days ?? 30);
  const cases: SimCase[] = [];
  const hidden = new Map<string, Hidden>();
  for (let i = 0; i < opts.count; i++) {
    const id = `in_sim_${opts.seed}_${i}`;
    const sibling = i > 0 && r() < 0.06 ? cases[Math.floor(r() * i)] : undefined;
    const annual = spec.annualShare > 0 && r() < spec.annualShare; // an annual plan: 10 × the monthly price
    const amount = pick<readonly [number, number]>(r, spec.prices ?? PRICES)[1] * (annual ? 10 : 1);
    if (sibling) {
      // A second subscription of the same customer failing on the same card a little later.
      const h0 = hidden.get(sibling.id)!;
      const failedAt = sibling.failedAt + HOUR_MS + r() * 47 * HOUR_MS;
      const adv = drawAdvice(r, sibling.card.brand, h0.declineCode, h0.cause, failedAt);
      const cause = adv.dead ? 'dead' : h0.cause;
      const clearAt = drawClear(r, cause, failedAt, spec.issuerClearMedianH);
      const c: SimCase = { ...sibling, id, amount, failedAt, invoiceCreatedAt: failedAt - r() * 2 * HOUR_MS, adviceCode: adv.adviceCode, networkAdviceCode: adv.networkAdviceCode };
      cases.push(c);
      hidden.set(id, { ...h0, cause, clearAt, ...adv, cardUpdateAt: h0.cardUpdateAt !== null && h0.cardUpdateAt > failedAt ? h0.cardUpdateAt : null });
      continue;
    }
    const regions = spec.regions ?? REGIONS;
    const [, country, tz] = pick<readonly [number, string, string]>(r, regions, regions.reduce((a, x) => a + x[0], 0));
    const brand = pick<readonly [number, string]>(r, BRANDS)[1];
    const fu = r();
    const funding = brand === 'amex' ? 'credit' : fu < 0.45 ? 'debit' : fu < 0.95 ? 'credit' : 'prepaid';
    const [, code, cause0, fundsShare] = pick<readonly [number, string, HiddenCause, number]>(r, DECLINES, DECLINE_TOTAL);
    let cause: HiddenCause = r() < fundsShare ? 'funds' : cause0;
    if (cause0 === 'issuer' && cause !== 'funds' && r() >= (ISSUER_RECOVERABLE[code] ?? 0.5)) cause = 'dead';
    // Failure time: a day in the period at the customer's local renewal hour.
    const dayStart = opts.start + Math.floor(r() * days) * DAY_MS;
    const lp = localParts(tz, dayStart + 12 * HOUR_MS);
    let hour = 0;
    for (let u = r() * HOUR_TOTAL; hour < 23 && u >= HOUR_WEIGHTS[hour]; hour++) u -= HOUR_WEIGHTS[hour];
    const failedAt = (localToUtc(tz, lp.year, lp.month, lp.day, hour) ?? dayStart + hour * HOUR_MS) + Math.floor(r() * 60) * MINUTE_MS;
    const adv = drawAdvice(r, brand, code, cause, failedAt);
    if (adv.dead) cause = 'dead';
    const pay = drawPaySchedule(country, funding, r(), r(), spec, spec.weekendShift[0] < 1 ? r() : 0);
    const chronic = r() < 0.18;
    const amountFactor = 1 - 0.08 * Math.log10(amount / 900);
    const weekly = pay.kind !== 'monthly' || pay.days.length > 1;
    const h: Hidden = {
      tz,
      cause,
      pay,
      earlyDays: funding === 'debit' && r() < 0.15 ? 2 : 0,
      cover: chronic ? 0.04 : Math.min(0.97, Math.max(0.2, (0.78 + 0.15 * sampleNormal(r)) * amountFactor)),
      holdMs: holdDays(spec, weekly, r()) * DAY_MS,
      clearAt: drawClear(r, cause, failedAt, spec.issuerClearMedianH),
      velocity: r() < 0.5 ? 'daily' : 'statement',
      declineCode: code,
      ...adv,
      cardUpdateAt: drawCardUpdate(r, code, cause, failedAt, spec.cardUpdateScale),
    };
    if (spec.randomFunds) h.deposits = drawDeposits([spec.name, opts.seed, i], failedAt, spec.randomFunds);
    const payments = pastPayments(spec, opts.seed, i, h, failedAt, chronic);
    hidden.set(id, h);
    cases.push({
      id,
      customerId: `cus_sim_${opts.seed}_${i}`,
      amount,
      currency: 'usd',
      failedAt,
      invoiceCreatedAt: failedAt - r() * 2 * HOUR_MS,
      declineCode: code,
      ...(adv.adviceCode ? { adviceCode: adv.adviceCode } : {}),
      ...(adv.networkAdviceCode ? { networkAdviceCode: adv.networkAdviceCode } : {}),
      card: { brand, funding, country, fingerprint: `fp_${(hashSeed(opts.seed, i, 'card') >>> 0).toString(36)}` },
      customer: {
        ...(r() < spec.timezoneShare ? { timezone: tz } : {}),
        ...(r() < 0.92 ? { country } : {}),
        ...(payments ? { payments } : {}),
      },
    });
  }
  return { cases, hidden };
}

/** Days a deposit's money stays: 1.5–3.5 (weekly pay) or 3–8 (monthly), or the world's random-funds range. */
function holdDays(spec: WorldSpec, weekly: boolean, u: number): number {
  if (spec.randomFunds) return spec.randomFunds.holdDays[0] + u * (spec.randomFunds.holdDays[1] - spec.randomFunds.holdDays[0]);
  return weekly ? 1.5 + u * 2 : 3 + u * 5;
}

/** When an issuer block (lognormal, median 30 h by default) or a technical fault (exponential, mean 3 h) clears. */
function drawClear(r: Random, cause: HiddenCause, failedAt: number, issuerMedianH = 30): number | null {
  if (cause === 'issuer') return failedAt + Math.exp(Math.log(issuerMedianH * HOUR_MS) + sampleNormal(r));
  if (cause === 'technical') return r() < 0.95 ? failedAt + exp(r, 3 * HOUR_MS) : null;
  return null;
}
