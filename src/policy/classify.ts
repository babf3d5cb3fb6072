/**
 * One classification of a decline from everything Stripe tells us about it. Precedence, most
 * restrictive first: a "never retry" signal from any source wins; then "needs a card update";
 * then the longest "not before" wait; otherwise soft.
 */
import {
  BLOCKING_OUTCOME_REASONS,
  DECLINE_CODES,
  UNKNOWN_DECLINE,
  type DeclineCategory,
  type StatCategory,
} from './decline-codes.js';
import {
  MASTERCARD_ADVICE_CODES,
  STRIPE_ADVICE_CODES,
  VISA_ADVICE_CATEGORIES,
  isMastercard,
  isVisa,
  normaliseMac,
  type AdviceRule,
} from './advice-codes.js';
import { visaCategoryOfResponseCode, type VisaCategory } from './visa-categories.js';

export interface DeclineSignal {
  declineCode?: string;
  adviceCode?: string;
  networkAdviceCode?: string;
  networkDeclineCode?: string;
  outcomeReason?: string;
  brand?: string;
}

export interface Classification {
  category: DeclineCategory;
  /** The Stripe decline code (or `unknown`). */
  code: string;
  stat: StatCategory;
  visaCategory: VisaCategory;
  /** Minimum wait after the decline before another attempt on this card, ms. */
  retryNotBeforeMs?: number;
  /**
   * A card-network or issuer "never again" on this card (Visa category 1, Mastercard MAC 03/21,
   * advice do_not_try_again, Stripe's do-not-retry block): binds every invoice on the card.
   */
  bansCard: boolean;
  /** e.g. "insufficient_funds (soft)". */
  label: string;
  /** A merchant-readable sentence. */
  explanation: string;
}

const LABEL: Record<DeclineCategory, string> = {
  hard: 'hard',
  needs_card_update: 'needs card update',
  soft: 'soft',
  retry_after: 'soft, retry later',
};

// A pure cache (same signal, same frozen answer), a tree of Maps keyed by the six fields: the caps
// re-classify every past decline on a card at every decision, millions of times in a simulation
// (issue 18's profile), and a joined string key cost as much as classifying. Few distinct signals.
type Level = Map<string | undefined, Level | Classification>;
const memo: Level = new Map();
let memoSize = 0;

function child(level: Level, key: string | undefined): Level {
  let next = level.get(key) as Level | undefined;
  if (!next) level.set(key, (next = new Map()));
  return next;
}

export function classifyDecline(signal: DeclineSignal): Classification {
  const l1 = child(child(memo, signal.declineCode), signal.brand);
  const last = child(child(child(l1, signal.adviceCode), signal.networkAdviceCode), signal.networkDeclineCode);
  let c = last.get(signal.outcomeReason) as Classification | undefined;
  if (!c) {
    if (++memoSize > 10_000) {
      memo.clear();
      memoSize = 0;
    }
    last.set(signal.outcomeReason, (c = Object.freeze(classifyUncached(signal))));
  }
  return c;
}

function classifyUncached(signal: DeclineSignal): Classification {
  const code = signal.declineCode?.trim() || 'unknown';
  const rule = DECLINE_CODES[code] ?? UNKNOWN_DECLINE;
  const notes: string[] = [];
  const advice = signal.adviceCode ? STRIPE_ADVICE_CODES[signal.adviceCode] : undefined;
  const rawAdvice = signal.networkAdviceCode?.trim();
  const brandKnown = Boolean(signal.brand && signal.brand !== 'unknown');
  // Stripe's network_advice_code carries Mastercard's MAC; on Visa only a one-digit value (Visa's
  // decline category, as some processors pass it) means anything.
  let network: AdviceRule | undefined;
  if (rawAdvice) {
    if (isVisa(signal.brand)) network = VISA_ADVICE_CATEGORIES[rawAdvice];
    else if (isMastercard(signal.brand) || !brandKnown) network = MASTERCARD_ADVICE_CODES[normaliseMac(rawAdvice) ?? ''];
  }
  const rawVisa = isVisa(signal.brand) ? visaCategoryOfResponseCode(signal.networkDeclineCode) : undefined;
  const visaCategory: VisaCategory = rawVisa ?? rule.visa;
  const visaNever = isVisa(signal.brand) && visaCategory === 1;
  if (advice) notes.push(`advice: ${advice.meaning}`);
  if (network) notes.push(network.meaning);
  if (visaNever) notes.push('Visa category 1: the issuer will never approve this card, so no reattempt is allowed');

  const blocked = signal.outcomeReason ? BLOCKING_OUTCOME_REASONS[signal.outcomeReason] : undefined;
  const bansCard =
    Boolean(blocked) || advice?.category === 'hard' || network?.category === 'hard' || visaNever;

  // Waits bind whatever the category: a baseline may still retry a "needs card update" decline.
  const waits = [rule.minWaitMs, advice?.minWaitMs, network?.minWaitMs].filter((w): w is number => w !== undefined);
  const wait = waits.length > 0 ? Math.max(...waits) : undefined;
  let category: DeclineCategory;
  if (blocked) {
    category = 'hard';
    notes.unshift(blocked);
  } else if (rule.category === 'hard' || advice?.category === 'hard' || network?.category === 'hard') {
    category = 'hard';
  } else if (
    rule.category === 'needs_card_update' ||
    advice?.category === 'needs_card_update' ||
    network?.category === 'needs_card_update'
  ) {
    category = 'needs_card_update';
  } else if (visaNever) {
    category = 'hard';
  } else {
    category = wait !== undefined ? 'retry_after' : 'soft';
  }
  return finish(code, category, rule.stat, visaCategory, bansCard, rule.next, notes, wait);
}

function finish(
  code: string,
  category: DeclineCategory,
  stat: StatCategory,
  visaCategory: VisaCategory,
  bansCard: boolean,
  next: string,
  notes: string[],
  retryNotBeforeMs?: number,
): Classification {
  const label = `${code} (${LABEL[category]})`;
  const explanation = [`${label}: ${next}`, ...notes].join('; ') + '.';
  const out: Classification = { category, code, stat, visaCategory, bansCard, label, explanation };
  if (retryNotBeforeMs !== undefined) out.retryNotBeforeMs = retryNotBeforeMs;
  return out;
}
