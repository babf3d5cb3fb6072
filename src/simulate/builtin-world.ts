/**
 * The built-in synthetic merchant (`--world builtin`), written to the same contract as a user's
 * world module. Whether an attempt succeeds depends only on the hidden truth of the case and on
 * when (and how often) it is tried; each attempt's luck is a hash of (seed, case, time), so every
 * policy faces the same population and the same dice (common random numbers).
 *
 * Effects modelled (see README.md): paydays for insufficient funds; issuer blocks that lift after
 * a while; daily/statement limits; technical faults that clear within hours; Mastercard "retry
 * after" codes the issuer really means; card updates (account updater and customers); a night-time
 * penalty; issuer fatigue: each recent decline on the card lowers the odds of the next attempt.
 */
import { DAY_MS } from '../clock.js';
import { localParts, localToUtc } from '../policy/local-time.js';
import { hashUniform } from '../policy/random.js';
import { lastDepositAtOrBefore } from './builtin-paydays.js';
import { lastDeposit } from './random-deposits.js';
import { generatePopulation, type Hidden } from './builtin-population.js';
import type { AttemptResult, CasesOptions, SimCase, WorldModule } from './types.js';
import { WORLD_SPECS, type WorldSpec } from './zoo.js';

/** P(approval) when nothing stands in the way: issuers still decline a few percent at random. */
const P_CLEAR = { funds: 0.93, issuer: 0.85, velocity: 0.88, technical: 0.93, newCard: 0.9 } as const;
/** P(approval) while the cause persists (rare luck: a transfer in, a risk score just under the line). */
const P_BLOCKED = 0.015;
/** A windfall (transfer, refund) makes money available on a given local day with this probability. */
const P_WINDFALL_PER_DAY = 0.02;

function nightFactor(hour: number): number {
  return hour < 6 ? 0.8 : 1;
}

/** Issuer risk rules are harsher on unattended card-not-present charges at night. */
function issuerHourFactor(hour: number): number {
  if (hour < 6) return 0.55;
  if (hour < 8) return 0.85;
  if (hour >= 22) return 0.8;
  return 1;
}

/** Money for the invoice is on the account at `at` (a covering deposit still held, or a windfall). */
export function fundsAvailable(seed: number, c: SimCase, h: Hidden, at: number, windfalls = true): boolean {
  const dep = lastDeposit(h, at);
  // Money that was already there at the failure did not cover the invoice; only new deposits can.
  const held = dep !== null && dep > c.failedAt && at - dep < h.holdMs;
  if (held && hashUniform(seed, c.customerId, dep, 'cover') < h.cover) return true;
  const p = localParts(h.tz, at);
  if (!windfalls || p.hour < 8) return false;
  return hashUniform(seed, c.customerId, p.year, p.month, p.day, 'windfall') < P_WINDFALL_PER_DAY;
}

/** A velocity limit has reset: at the next local midnight (daily) or when the statement is paid. */
export function velocityClear(seed: number, c: SimCase, h: Hidden, at: number): boolean {
  if (h.velocity === 'daily') {
    const p = localParts(h.tz, c.failedAt);
    const tomorrow = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
    const midnight = localToUtc(h.tz, tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate(), 0);
    return at >= (midnight ?? c.failedAt + DAY_MS);
  }
  const dep = lastDepositAtOrBefore(h.pay, h.tz, at, 0);
  return dep !== null && dep > c.failedAt && hashUniform(seed, c.customerId, dep, 'statement') < 0.8;
}

/**
 * Issuer fatigue (spec): each decline on the card in the last 7 days multiplies the next approval
 * chance by `fatiguePerDecline`; `burstCount` declines within `burstWindowMs` multiply it by `burstFactor`.
 */
export function createBuiltinWorld(spec: WorldSpec = WORLD_SPECS.builtin): WorldModule & { readonly name: string } {
  let hidden = new Map<string, Hidden>();
  let seed = 0;
  const declines = new Map<string, number[]>(); // card key → decline times (this world's memory)

  function fatigue(cardKey: string, at: number): number {
    const log = declines.get(cardKey);
    if (!log) return 1;
    let week = 0;
    let day = 0;
    for (const t of log) {
      if (t > at - 7 * DAY_MS && t <= at) week++;
      if (t > at - spec.burstWindowMs && t <= at) day++;
    }
    return Math.pow(spec.fatiguePerDecline, week) * (day >= spec.burstCount ? spec.burstFactor : 1);
  }


  return {
    name: spec.name === 'builtin' ? 'builtin' : `builtin:${spec.name}`,
    cases(opts: CasesOptions): SimCase[] {
      const pop = generatePopulation(opts, spec);
      hidden = pop.hidden;
      seed = opts.seed;
      declines.clear();
      return pop.cases;
    },

    cardUpdatedAt(c: SimCase): number | null {
      return hidden.get(c.id)?.cardUpdateAt ?? null;
    },

    attempt(c: SimCase, at: number): AttemptResult {
      const h = hidden.get(c.id);
      if (!h) throw new Error(`builtin world: unknown case ${c.id} (cases() must be called first)`);
      const onNewCard = h.cardUpdateAt !== null && at >= h.cardUpdateAt;
      const cardKey = onNewCard ? `${c.card.fingerprint}~new` : c.card.fingerprint;
      const hour = localParts(h.tz, at).hour;
      const f = fatigue(cardKey, at);
      let p: number;
      if (onNewCard) p = P_CLEAR.newCard * nightFactor(hour) * f;
      else if (at < h.notBefore) p = 0;
      else if (h.cause === 'funds')
        p = fundsAvailable(seed, c, h, at) ? P_CLEAR.funds * nightFactor(hour) * f : P_BLOCKED;
      else if (h.cause === 'issuer') p = h.clearAt !== null && at >= h.clearAt ? P_CLEAR.issuer * issuerHourFactor(hour) * f : P_BLOCKED;
      else if (h.cause === 'velocity')
        p = velocityClear(seed, c, h, at) ? P_CLEAR.velocity * nightFactor(hour) * f : P_BLOCKED;
      else if (h.cause === 'technical') p = h.clearAt !== null && at >= h.clearAt ? P_CLEAR.technical * f : P_BLOCKED;
      else p = 0;
      if (hashUniform(seed, c.id, at, 'attempt') < p) return { paid: true };
      const log = declines.get(cardKey);
      if (log) log.push(at);
      else declines.set(cardKey, [at]);
      if (onNewCard) return { paid: false, declineCode: 'generic_decline' };
      const result: AttemptResult = { paid: false, declineCode: h.declineCode };
      if (h.adviceCode) result.adviceCode = h.adviceCode;
      // A "retry after" code is repeated while it applies; stop / update codes always.
      if (h.networkAdviceCode && (at < h.notBefore || !/^(2[4-9]|30)$/.test(h.networkAdviceCode))) result.networkAdviceCode = h.networkAdviceCode;
      return result;
    },
  };
}

