/** One line of a `--dry-run` plan per invoice, streamed as pages arrive (memory stays flat). */
import { formatMinor } from '../../money.js';
import type { PlanEntry } from './plan.js';

/** Minor units → "12.34 USD", "3000 JPY", "1.500 BHD": as decision reasons and `explain` show money. */
export const money = formatMinor;

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
