/**
 * An independent audit of the card-network rules over the attempts table (the policy enforces
 * them from its own per-card log; this recounts from what was actually attempted). Per card
 * fingerprint, every finished charge attempt counts in the windows (Stripe's, the customer's and
 * ours); an attempt made by recover in the period is a violation if, counting itself:
 * - Visa: more than 15 attempts on the card in the trailing 30 days;
 * - Mastercard: it declined and was more than the 10th decline in the trailing 24 hours, or more
 *   than 35 attempts for the same amount and currency in the trailing 30 days;
 * - any brand: it came after a decline that bans the card (Visa category 1, Mastercard MAC 03/21,
 *   advice `do_not_try_again`…, as `cardBan` reads them).
 * Windows are half-open, (t − window, t], like the policy's. A case whose card has no fingerprint (Recharge
 * never exposes one) is counted as its own card, as the policy counts it: within the case, not across them.
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import type { CardAttemptRow } from '../db/index.js';
import { cardBan, NETWORK_CAPS } from '../policy/index.js';
import type { CapViolation, CapViolations } from './types.js';

const MAX_EXAMPLES = 20;

const banMemo = new Map<string, boolean>();
/** Whether this decline bans the card (`cardBan` on it alone), memoised per distinct signal. */
function bans(brand: string, r: CardAttemptRow): boolean {
  const key = `${brand}|${r.declineCode}|${r.adviceCode}|${r.networkAdviceCode}|${r.networkDeclineCode}`;
  let b = banMemo.get(key);
  if (b === undefined) {
    const entry = {
      at: r.at,
      amount: r.amount,
      currency: r.currency,
      declined: true,
      declineCode: r.declineCode ?? undefined,
      adviceCode: r.adviceCode ?? undefined,
      networkAdviceCode: r.networkAdviceCode ?? undefined,
      networkDeclineCode: r.networkDeclineCode ?? undefined,
    };
    b = cardBan({ brand, funding: 'unknown', fingerprint: '', attempts24h: 0, attempts30d: 0, declines24h: 0, sameAmountAttempts30d: 0, history: [entry] }) !== null;
    if (banMemo.size > 10_000) banMemo.clear();
    banMemo.set(key, b);
  }
  return b;
}

function brandOf(brand: string | null): 'visa' | 'mastercard' | 'other' {
  const b = (brand ?? '').toLowerCase();
  if (b === 'visa') return 'visa';
  if (b === 'mastercard' || b === 'mc' || b === 'maestro') return 'mastercard';
  return 'other';
}

/** A sliding window over ascending times; `count(end)` must be called with non-decreasing `end`. */
class Window {
  private start = 0;
  constructor(private readonly times: number[], private readonly span: number) {}
  /** Entries in (t − span, t] among times[0..end] (times ascending, end inclusive). */
  count(end: number): number {
    const t = this.times[end];
    while (this.start <= end && this.times[this.start] <= t - this.span) this.start++;
    return end - this.start + 1;
  }
}

/**
 * `rows` must be ordered by fingerprint then time (as `store.report.cardAttempts` returns them)
 * and include the 30 days before `since`, so the windows are complete.
 */
export function auditNetworkCaps(rows: Iterable<CardAttemptRow>, since: number, until: number): CapViolations {
  const result: CapViolations = {
    total: 0,
    byRule: { visa_attempts_30d: 0, mastercard_declines_24h: 0, mastercard_same_amount_30d: 0, after_do_not_retry: 0 },
    examples: [],
    audited: 0,
  };
  let card: CardAttemptRow[] = [];
  const flush = () => {
    if (card.length > 0) auditCard(card, since, until, result);
    card = [];
  };
  for (const r of rows) {
    if (card.length > 0 && card[0].fingerprint !== r.fingerprint) flush();
    card.push(r);
  }
  flush();
  return result;
}

function auditCard(rows: CardAttemptRow[], since: number, until: number, out: CapViolations): void {
  if (!rows.some((r) => r.by === 'recover' && r.at >= since && r.at < until)) return; // nothing of ours to judge
  const brandName = rows.find((r) => r.brand)?.brand ?? 'unknown';
  const brand = brandOf(brandName);
  const flag = (r: CardAttemptRow, rule: CapViolation['rule'], count: number, limit: number) => {
    out.total++;
    out.byRule[rule]++;
    if (out.examples.length < MAX_EXAMPLES) {
      out.examples.push({ rule, attemptId: r.attemptId, caseId: r.caseId, fingerprint: r.fingerprint, brand: brandName, at: r.at, count, limit });
    }
  };
  const inPeriod = (r: CardAttemptRow) => r.by === 'recover' && r.at >= since && r.at < until;

  // The earliest decline that bans the card, as the policy reads it (rows are in time order).
  const banRow = rows.find((r) => r.outcome === 'declined' && bans(brandName, r));
  const ban = banRow ? { at: banRow.at } : null;

  const times = rows.map((r) => r.at);
  const all30 = new Window(times, 30 * DAY_MS);
  const declined = rows.map((r, i) => ({ r, i })).filter((x) => x.r.outcome === 'declined');
  const declines24 = new Window(declined.map((x) => x.r.at), 24 * HOUR_MS);
  const declineIndex = new Map(declined.map((x, j) => [x.i, j]));
  const sameAmount = new Map<string, { times: number[]; window: Window; idx: Map<number, number> }>();
  for (let i = 0; i < rows.length; i++) {
    const key = `${rows[i].amount}:${rows[i].currency}`;
    let g = sameAmount.get(key);
    if (!g) {
      const times: number[] = [];
      g = { times, window: new Window(times, 30 * DAY_MS), idx: new Map() };
      sameAmount.set(key, g);
    }
    g.idx.set(i, g.times.length);
    g.times.push(rows[i].at);
  }

  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    // Windows advance monotonically: compute for every row, flag only ours in the period.
    const n30 = all30.count(i);
    const j = declineIndex.get(i);
    const d24 = j === undefined ? 0 : declines24.count(j);
    const g = sameAmount.get(`${r.amount}:${r.currency}`)!;
    const same30 = g.window.count(g.idx.get(i)!);
    if (!inPeriod(r)) continue;
    out.audited++;
    if (ban && r.at > ban.at) flag(r, 'after_do_not_retry', 0, 0);
    if (brand === 'visa' && n30 > NETWORK_CAPS.visa.maxAttemptsPer30d) flag(r, 'visa_attempts_30d', n30, NETWORK_CAPS.visa.maxAttemptsPer30d);
    if (brand === 'mastercard') {
      if (j !== undefined && d24 > NETWORK_CAPS.mastercard.maxDeclinesPer24h) flag(r, 'mastercard_declines_24h', d24, NETWORK_CAPS.mastercard.maxDeclinesPer24h);
      if (same30 > NETWORK_CAPS.mastercard.maxSameAmountAttemptsPer30d) flag(r, 'mastercard_same_amount_30d', same30, NETWORK_CAPS.mastercard.maxSameAmountAttemptsPer30d);
    }
  }
}
