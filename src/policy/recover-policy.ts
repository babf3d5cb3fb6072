/**
 * recover's own policy for treatment invoices. In order:
 * 1. dunning over → stop; a new payment method not yet tried → prompt retry on it;
 * 2. hard decline → stop; needs card update → wait (no blind retries);
 * 3. a per-case budget of retries per decline kind (priors.ts BUDGET), then wait for a new card;
 * 4. the earliest allowed time: our minimum gap, the issuer's/network's "not before", the
 *    network caps on this card across all its invoices;
 * 5. hourly candidate slots inside the cron windows (customer-local) before the deadline, looking
 *    ahead only over a fair share of the remaining window per remaining attempt (so attempts are
 *    spread rather than spent early), scored by estimated success (estimate.ts) with a small time
 *    discount; 10 % of decisions explore with Thompson draws among near-best slots.
 * Issue 12 (each switchable, effort.ts RecoverFeatures): a per-customer pay-cycle belief scores
 * insufficient-funds slots (pay-cycle.ts); a value-aware stopping rule replaces step 3's budgets;
 * and slots are scored by expected value over the rest of the window instead of step 5's look-ahead.
 */
import { DAY_MS, MINUTE_MS } from '../clock.js';
import { earliestAllowed } from './caps.js';
import { classifyDecline } from './classify.js';
import { attemptCostIn, type AttemptCost } from './attempt-cost.js';
import { continuationValue, DEFAULT_FEATURES, MAX_RETRIES_PER_CARD, retryCeiling } from './effort.js';
import { MIN_WORTHWHILE, money, type RecoverFeatures } from './effort.js';
import { makeEstimator } from './estimate.js';
import { FIRST_RETRY, firstRetrySentence, planFirstRetry } from './first-retry.js';
import { calibrationSentence, makeCalibration } from './calibration.js';
import { isPaid, isoDay, lastDecline, newCardPending, pct, retriesOnCurrentCard, retriesSoFar, nextInvoiceAttempt } from './history.js';
import { formatLocal, resolveTimezone } from './local-time.js';
import {
  BUDGET,
  DISCOUNT_PER_DAY,
  EXPLORATION,
  LOOKAHEAD_FACTOR,
  MIN_ESTIMATE,
  MIN_GAP_MS,
  slotTags,
} from './priors.js';
import { observations } from './stats.js';
import { MIX_CONFIDENCE, payBelief, type PayBelief } from './pay-cycle.js';
import type { DecideFn, Decision, PolicyInput } from './types.js';
import { enumerateSlots, type Slot } from './windows.js';

/** A belief multiplier at or above this marks a day the money is likely there. */
const LIKELY_PAYDAY = 1.5;
/** A new card is tried no sooner than this after it arrives (let the update settle), ms. */
const NEW_CARD_SETTLE_MS = 5 * MINUTE_MS;

export const decideTreatment: DecideFn = makeRecoverDecide(DEFAULT_FEATURES);

export function makeRecoverDecide(features: RecoverFeatures): DecideFn {
  return (input) => decideWith(features, input);
}

function decideWith(f: RecoverFeatures, input: PolicyInput): Decision {
  const { now, settings, card } = input;
  const c = input.case;
  const deadline = c.dunningDeadline;
  const tz = resolveTimezone(input.customer.timezone, settings.defaultTimezone);
  const where = tz === input.customer.timezone ? tz : `${tz} (default; customer timezone unknown)`;
  if (isPaid(input)) return { action: 'stop', kind: 'dunning_over', reason: 'The invoice is paid; nothing left to do.' };
  if (now >= deadline) return { action: 'stop', kind: 'dunning_over', reason: `Dunning ended at ${isoDay(deadline)}; no further attempts.` };
  const retries = retriesSoFar(input);
  const attemptNumber = retries + 1;
  const nth = `Attempt ${nextInvoiceAttempt(input)} on this invoice (retry ${attemptNumber}`;

  if (newCardPending(input)) {
    const from = Math.max(now, (input.cardUpdatedAt ?? now) + NEW_CARD_SETTLE_MS);
    const caps = earliestAllowed(card, c.amount, c.currency, from, now);
    if (caps.notBefore === null) return { action: 'stop', kind: 'network_cap', reason: `A new payment method arrived but ${caps.reason}; no attempt on it.` };
    const slot = enumerateSlots(settings.windows, tz, caps.notBefore, deadline)[0];
    if (!slot) return { action: 'stop', kind: 'dunning_over', reason: `A new payment method arrived, but no allowed retry window remains before the dunning deadline (${isoDay(deadline)}).` };
    const est = makeEstimator({ stats: input.stats, category: 'new_card', attemptNumber: 1, lastDeclineAt: input.cardUpdatedAt ?? now, mode: 'mean' }).at(slot);
    return {
      action: 'retry',
      at: slot.at,
      attemptNumber,
      estimate: est,
      learnAs: { category: 'new_card', attemptNumber: 1, at: slot.at, timezone: tz },
      reason:
        `A new payment method arrived (${formatLocal(tz, input.cardUpdatedAt ?? now)}). ${nth} of at most ${retries + BUDGET.new_card}): ` +
        `retrying on it at the first allowed time, ${formatLocal(tz, slot.at)} ${where}: ${pct(est)} estimated success (new card).` +
        (caps.notBefore > from ? ` Held back until then by a network limit: ${caps.reason}.` : ''),
    };
  }

  const decline = lastDecline(input) ?? { at: c.failedAt };
  const cls = classifyDecline({ ...decline, brand: card.brand });
  if (cls.category === 'hard')
    return { action: 'stop', kind: 'hard_decline', reason: `${cls.explanation} No further attempts on this card; a new payment method from the customer will be retried promptly.` };
  if (cls.category === 'needs_card_update')
    return { action: 'wait', kind: 'needs_card_update', reason: `${cls.explanation} No blind retries: waiting for the customer to update the payment method (until ${isoDay(deadline)}).` };

  const cat = cls.stat;
  const used = retriesOnCurrentCard(input);
  const cost = attemptCostIn(c.currency, input.settings);
  const budget = f.valueStop ? retryCeiling(c.amount, cost.minor, f.amountCeiling) : BUDGET[cat];
  const maxTotal = retries - used + budget;
  // Why the ceiling is above 8: the amount due (effort.ts retryCeiling).
  const raised = budget > MAX_RETRIES_PER_CARD && f.valueStop ? `, raised from ${MAX_RETRIES_PER_CARD} for the amount due` : '';
  if (used >= budget)
    return {
      action: 'wait',
      kind: 'needs_card_update',
      reason:
        `${cls.label}. All ${budget} retries recover allows on this card for this kind of decline are used` +
        `${f.valueStop ? ` (a safety ceiling${raised})` : ''}; no more blind retries, waiting for a new payment method ` +
        `(until ${isoDay(deadline)}).`,
    };

  const waitMs = Math.max(MIN_GAP_MS[cat], cls.retryNotBeforeMs ?? 0);
  const caps = earliestAllowed(card, c.amount, c.currency, Math.max(now, decline.at + waitMs), now);
  if (caps.notBefore === null) return { action: 'stop', kind: 'network_cap', reason: `${cls.label}. ${caps.reason}; no further attempts on this card.` };
  const from = caps.notBefore;
  const capBound = caps.rule !== undefined;
  if (from >= deadline)
    return capBound
      ? { action: 'stop', kind: 'network_cap', reason: `${cls.label}. ${caps.reason}, which allows no attempt before the dunning deadline (${isoDay(deadline)}).` }
      : { action: 'stop', kind: 'dunning_over', reason: `${cls.label}. The next allowed attempt would fall after the dunning deadline (${isoDay(deadline)}).` };
  const slots = enumerateSlots(settings.windows, tz, from, deadline);
  if (slots.length === 0)
    return { action: 'stop', kind: 'dunning_over', reason: `${cls.label}. No allowed retry window remains before the dunning deadline (${isoDay(deadline)}).` };

  // Spread: look ahead over a fair share of the remaining window per remaining attempt (legacy),
  // or over the whole window, valuing each slot with what the rest of the window is still worth.
  const remaining = budget - used;
  const belief = f.payCycle && cat === 'funds' ? beliefFor(input, tz) : undefined;
  const fair = Math.max(DAY_MS, (LOOKAHEAD_FACTOR * (deadline - from)) / remaining);
  const horizon = f.spend ? deadline - from : Math.max(fair, belief ? untilLikelyPayday(belief, slots, from) : 0);
  let cands = slots.filter((s) => s.at < from + horizon);
  if (cands.length === 0) cands = [slots[0]];
  const firstPlan = f.probe && used === 0 ? planFirstRetry(input.stats, cat, input.random()) : undefined;
  if (firstPlan?.arm === 'early') cands = cands.filter((s) => s.at < from + FIRST_RETRY.windowMs);
  if (cands.length === 0) cands = [slots[0]];
  const n = used + 1;
  const estimatorOpts = {
    stats: input.stats,
    category: cat,
    attemptNumber: n,
    lastDeclineAt: decline.at,
    belief,
    learnedCurve: f.curve,
  };
  const mean = makeEstimator({ ...estimatorOpts, mode: 'mean' });
  // Learned timing after the failure (calibration.ts): the estimate × its bucket's observed ÷ expected.
  const cal = f.calibrate ? makeCalibration(input.stats, cat) : undefined;
  const fix = (i: number) => (cal ? cal(cands[i].at - c.failedAt).ratio : 1);
  const raw = cands.map((s) => mean.at(s));
  const means = cal ? raw.map((m, i) => Math.min(0.97, m * fix(i))) : raw;
  const discount = (s: Slot) => 1 - DISCOUNT_PER_DAY * Math.max(0, (s.at - now) / DAY_MS);
  const avg = means.reduce((a, b) => a + b, 0) / means.length;
  const later = (i: number) => (1 - means[i]) * continuationValue(cands[i].at, deadline, avg, remaining - 1);
  const value = (i: number) => means[i] * discount(cands[i]) + (f.spend ? later(i) : 0);
  let best = 0;
  for (let i = 1; i < cands.length; i++) if (value(i) > value(best)) best = i;
  const top = Math.max(...means);
  const floor = f.valueStop ? Math.max(MIN_WORTHWHILE, cost.minor / c.amount) : MIN_ESTIMATE;
  if (top < floor)
    return {
      action: 'wait',
      kind: 'needs_card_update',
      reason: f.valueStop
        ? `${cls.label}. The best remaining slot's ${pct(top)} estimated success × ` +
          `${money(c.amount, c.currency)} due ` +
          `is worth less than an attempt costs (${costText(cost, c.currency)}) or is below ${pct(MIN_WORTHWHILE)}; ` +
          'no blind retry, waiting for a new payment method.'
        : `${cls.label}. Every allowed slot in the next ${Math.round(horizon / DAY_MS)} days is below ` +
          `${pct(MIN_ESTIMATE)} estimated success (best ${pct(top)}); no blind retry, ` +
          'waiting for a new payment method.',
    };

  let chosen = best;
  let explored = false;
  if (input.random() < EXPLORATION.share) {
    const sampler = makeEstimator({ ...estimatorOpts, mode: 'sample', random: input.random });
    let bestSample = -1;
    for (let i = 0; i < cands.length; i++) {
      // Bounded: only near-best slots, and only near the greedy choice, so exploring costs little.
      if (means[i] < EXPLORATION.minRatioOfBest * top || Math.abs(cands[i].at - cands[best].at) > EXPLORATION.maxShiftMs) continue;
      const v = sampler.at(cands[i]) * fix(i) * discount(cands[i]);
      if (v > bestSample) {
        bestSample = v;
        chosen = i;
      }
    }
    explored = chosen !== best;
  }

  const slot = cands[chosen];
  const est = means[chosen];
  const tags = belief ? beliefTags(belief, slot) : slotTags(cat, slot.local);
  const first = cands[0];
  const firstLabel = first.at - now <= 60 * MINUTE_MS ? 'now' : `at the earliest allowed time (${formatLocal(tz, first.at)})`;
  const seen = observations(input.stats, cat);
  const parts = [
    f.valueStop
      ? `${cls.label}. ${nth}): worth trying while the next attempt's estimated success × ` +
        `${money(c.amount, c.currency)} due beats its cost (${costText(cost, c.currency)}), at most ${maxTotal}${raised}.`
      : `${cls.label}. ${nth} of at most ${maxTotal}).`,
    `Chose ${formatLocal(tz, slot.at)} ${where}: ${pct(est)} estimated success${tags.length ? ` (${tags.join(', ')})` : ''}` +
      (chosen === 0 ? '.' : ` vs ${pct(means[0])} ${firstLabel}.`),
  ];
  if (belief) parts.push(beliefSentence(belief));
  if (cls.retryNotBeforeMs) parts.push(`Not before ${formatLocal(tz, decline.at + cls.retryNotBeforeMs)} as the issuer/network advised.`);
  if (capBound) parts.push(`Held back by a network limit: ${caps.reason}.`);
  if (firstPlan) parts.push(firstRetrySentence(firstPlan));
  if (cal) parts.push(calibrationSentence(cal(slot.at - c.failedAt)));
  if (explored) parts.push(`Exploring: a near-best slot the model is less sure about (at most ${Math.round(EXPLORATION.share * 100)}% of decisions).`);
  parts.push(seen > 0 ? `Estimates: industry priors updated with ${seen} of your own outcomes.` : 'Estimates: industry priors (no outcomes of your own yet).');
  return {
    action: 'retry',
    at: slot.at,
    attemptNumber,
    estimate: est,
    learnAs: {
      category: cat,
      attemptNumber: n,
      at: slot.at,
      timezone: tz,
      ...(f.curve ? { declineAt: decline.at } : {}),
      ...(firstPlan ? { firstRetry: firstPlan.arm } : {}),
      ...(cal ? { calibration: { failedAt: c.failedAt, estimate: raw[chosen] } } : {}),
      ...(belief && belief.topP >= MIX_CONFIDENCE ? { paySchedule: belief.top.id } : {}),
    },
    reason: parts.join(' '),
  };
}

/** "usd 0.25", "jpy 38 (from attemptCost, US cents)", or why there is none. */
function costText(cost: AttemptCost, currency: string): string {
  if (cost.source === 'unknown_currency') return `none known for ${currency.toUpperCase()}; set attemptCostByCurrency`;
  const shown = money(Math.round(cost.minor), currency);
  return cost.source === 'override' ? `${shown}, attemptCostByCurrency` : shown;
}

/** The customer's pay-cycle belief from their past charges and this invoice's attempts. */
function beliefFor(input: PolicyInput, tz: string): PayBelief {
  const own = input.attempts.map((a) => ({
    at: a.at,
    succeeded: a.outcome === 'succeeded',
    ...(a.declineCode ? { declineCode: a.declineCode } : {}),
  }));
  const charges = [...(input.customer.payments ?? []), ...own];
  return payBelief({ charges, tz, stats: input.stats, now: input.now, until: input.case.dunningDeadline });
}

function beliefSentence(b: PayBelief): string {
  const from = b.observations === 1 ? '1 charge' : `${b.observations} charges`;
  const head = `Pay-cycle belief from ${from} of this customer:`;
  if (b.topP >= MIX_CONFIDENCE) return `${head} ${b.top.label}: ${pct(b.topP)}.`;
  return (
    `${head} no clear pattern yet (most likely ${b.top.label}, ${pct(b.topP)}); ` +
    'days scored by the mix of pay schedules across customers.'
  );
}

/**
 * A confident belief's next likely payday is never cut off by the fair-share look-ahead: the
 * horizon reaches one day past the first slot where the money is likely there (multiplier ≥ 1.5).
 */
function untilLikelyPayday(b: PayBelief, slots: readonly Slot[], from: number): number {
  if (b.topP < MIX_CONFIDENCE) return 0;
  const s = slots.find((x) => b.multiplier(x.at) >= LIKELY_PAYDAY);
  return s ? s.at - from + DAY_MS : 0;
}

/** Why the chosen slot scores well under the belief: money likely there that day, the hour. */
function beliefTags(b: PayBelief, slot: Slot): string[] {
  const m = b.multiplier(slot.at);
  const tags = m >= LIKELY_PAYDAY ? [`money likely there that day: × ${m.toFixed(1)}`] : [];
  return [...tags, ...slotTags('technical', slot.local)];
}
