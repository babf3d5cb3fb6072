/** One line of a `--dry-run` plan per invoice, streamed as pages arrive (memory stays flat). */
import type { PlanEntry } from './plan.js';

/** Minor units → "12.34 usd" (zero-decimal currencies such as jpy print as integers). */
export function money(amount: number, currency: string): string {
  const zeroDecimal = ZERO_DECIMAL.has(currency.toLowerCase());
  return `${zeroDecimal ? String(amount) : (amount / 100).toFixed(2)} ${currency}`;
}

// Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal).
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

export function printEntry(e: PlanEntry): string {
  const head = `${e.action.padEnd(7)} ${e.invoice}  ${e.account}  ${e.customer}  ${money(e.amount, e.currency)}`;
  if (e.skip) return `${head}  — ${e.skip.text}`;
  const parts = [e.arm ?? ''];
  if (e.lastDecline) parts.push(`last decline ${e.lastDecline}`);
  if (e.decision) {
    const d = e.decision;
    parts.push(d.action === 'retry' ? `retry at ${d.at}` : `${d.action} (${d.kind})`);
  }
  if (e.pauseStripe) parts.push('pause Stripe retries');
  const why = e.decision ? `: ${e.decision.reason}` : '';
  return `${head}  ${parts.filter(Boolean).join(' · ')}${why}`;
}
