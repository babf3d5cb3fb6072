/**
 * `recover explain <invoice>`: the whole story of one invoice's recovery — events received,
 * each attempt with its codes, each decision with its reason, the card-network caps in force,
 * the group (treatment/control), the current state and the next step. Read-only.
 */
import { settingsForPlatform } from '../connectors/settings.js';
import { invoiceAttemptNumber } from '../attempt-number.js';
import type { Context } from '../context.js';
import { NotFoundError } from '../errors.js';
import { isTerminalStatus, type Attempt, type Case, type Decision, type Job, type InboxEvent, type Store } from '../db/index.js';
import { parseBaseline, type Settings } from '../config/settings.js';
import { classifyDecline, NETWORK_CAPS } from '../policy/index.js';
import { formatMinor } from '../money.js';
import { wrapText } from '../ui/wrap.js';
import { attemptByLabel, caseIdOfRecovery } from '../outbox/events.js';

export interface ExplainOptions {
  account?: string;
}

export interface TimelineEntry {
  at: string;
  kind: 'event' | 'attempt' | 'decision' | 'job';
  text: string;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const money = formatMinor;

function attemptText(a: Attempt, c: Case): string {
  const no = invoiceAttemptNumber(c, a.n);
  // `stripe` means "the platform's own attempt": Stripe's, Recharge's, or the merchant's billing (API).
  const platform = c.platform === 'recharge' ? "Recharge's" : c.platform === 'api' ? "the merchant's billing's" : "Stripe's";
  const who = `${a.by === 'recover' ? 'recover' : a.by === 'stripe' ? platform : "the customer's"} attempt ${no}`;
  if (a.finishedAt === null) {
    return a.startedAt === null ? `${who} scheduled for ${iso(a.scheduledAt)}` : `${who} in flight since ${iso(a.startedAt)} (resumed with the same idempotency key after a restart)`;
  }
  const codes = [a.declineCode, a.adviceCode && `advice ${a.adviceCode}`, a.networkAdviceCode && `network advice ${a.networkAdviceCode}`, a.networkDeclineCode && `network code ${a.networkDeclineCode}`]
    .filter(Boolean).join(', ');
  const amount = a.amount !== null ? ` ${money(a.amount, a.currency ?? c.currency)}` : '';
  return `${who}: ${a.outcome}${amount}${codes ? ` (${codes})` : ''}${a.chargeId ? ` — ${a.chargeId}` : ''}${a.note && a.outcome !== 'declined' ? ` — ${a.note}` : ''}`;
}

function decisionText(d: Decision): string {
  const head = d.action === 'retry' ? `decision: retry at ${iso(d.retryAt)}` : `decision: ${d.action}${d.kind ? ` (${d.kind})` : ''}`;
  return `${head} — ${d.reason}`;
}

function eventText(e: InboxEvent): string {
  const state = e.processedAt === null ? (e.error ? `not processed yet (last error: ${e.error})` : 'not processed yet') : e.error ? `given up: ${e.error}` : 'processed';
  return `event ${e.type} (${e.id}) — ${state}`;
}

function jobText(j: Job): string {
  return j.doneAt === null ? `end-of-dunning job ${j.kind} due ${iso(j.runAt)}` : `end-of-dunning job ${j.kind}: ${j.outcome}${j.result ? ` — ${j.result}` : ''}`;
}

/** The card-network rules that bind this case's card, with today's counts. */
function capsInForce(store: Store, c: Case, now: number): string[] {
  const brand = (c.cardBrand ?? 'unknown').toLowerCase();
  const counts = c.cardFingerprint ? store.cards.attemptCounts(c.cardFingerprint, now, c.amountDue, c.currency) : null;
  const used = (n: number | undefined) => (counts ? `${n} used` : 'card unknown');
  const lines: string[] = [];
  if (brand === 'visa') {
    lines.push(`Visa: at most ${NETWORK_CAPS.visa.maxAttemptsPer30d} attempts on this card in 30 days (${used(counts?.attempts30d)}); never after a category-1 decline`);
  } else if (brand === 'mastercard') {
    lines.push(`Mastercard: at most ${NETWORK_CAPS.mastercard.maxDeclinesPer24h} declines on this card in 24 h (${used(counts?.declines24h)})`);
    lines.push(`Mastercard: at most ${NETWORK_CAPS.mastercard.maxSameAmountAttemptsPer30d} attempts for this amount in 30 days (${used(counts?.attemptsSameAmount30d)}); advice codes 03/21 stop, 24–30 impose a wait`);
  } else {
    lines.push(`${c.cardBrand ?? 'Unknown brand'} (no published rule; recover's own cap): at most ${NETWORK_CAPS.other.maxAttemptsPer30d} attempts in 30 days (${used(counts?.attempts30d)}) and ${NETWORK_CAPS.other.maxDeclinesPer24h} declines in 24 h (${used(counts?.declines24h)})`);
  }
  if (c.lastDeclineCode || c.lastNetworkAdviceCode) {
    const cls = classifyDecline({
      declineCode: c.lastDeclineCode ?? undefined, adviceCode: c.lastAdviceCode ?? undefined,
      networkAdviceCode: c.lastNetworkAdviceCode ?? undefined, networkDeclineCode: c.lastNetworkDeclineCode ?? undefined, brand,
    });
    lines.push(`last decline: ${cls.explanation}`);
  }
  return lines;
}

function nextStep(c: Case, pending: Attempt | undefined, jobs: Job[], settings: Settings | undefined): string {
  const job = jobs.find((j) => j.doneAt === null);
  if (isTerminalStatus(c.status)) {
    const end = `none: the case ended ${iso(c.endedAt)} (${c.status}${c.closedReason ? `: ${c.closedReason}` : ''}${c.recoveredBy ? `, by ${c.recoveredBy}` : ''})`;
    return job ? `${end}; end-of-dunning job ${job.kind} due ${iso(job.runAt)}` : end;
  }
  const no = pending && invoiceAttemptNumber(c, pending.n);
  if (pending) return pending.startedAt === null ? `attempt ${no} at ${iso(pending.scheduledAt)}` : `attempt ${no} is in flight; it is resolved with the same idempotency key`;
  switch (c.status) {
    case 'waiting_card_update':
      return `waiting for a new payment method (a card update triggers a prompt retry); dunning ends ${iso(c.dunningDeadline)}`;
    case 'needs_customer_action':
      return `waiting for the customer to authenticate the payment; dunning ends ${iso(c.dunningDeadline)}`;
    case 'observing':
      return `left to Stripe's Smart Retries (control group${settings ? `, baseline ${settings.controlBaseline}` : ''}); observed until ${iso(c.dunningDeadline)}`;
    default:
      return `the policy decides at the next event; dunning ends ${iso(c.dunningDeadline)}`;
  }
}

export function explainCase(store: Store, c: Case, now: number) {
  const saved = store.settings.get();
  // A Recharge store's own baseline and mode (settings.recharge), not the Stripe account's.
  const settings = saved && settingsForPlatform(saved, c.platform);
  const attempts = store.attempts.listForCase(c.id);
  const decisions = store.decisions.listForCase(c.id);
  const jobs = store.jobs.listForCase(c.id);
  const seen = new Map<string, InboxEvent>();
  for (const id of [c.invoiceId, ...attempts.map((a) => a.chargeId).filter((x): x is string => Boolean(x))]) {
    for (const e of store.events.listForObject(id)) seen.set(e.id, e);
  }
  const timeline: Array<TimelineEntry & { t: number; order: number }> = [];
  // At equal times an attempt comes first: the events of that second are mostly its consequences.
  for (const a of attempts) {
    const t = a.finishedAt ?? a.startedAt ?? a.scheduledAt;
    timeline.push({ t, order: 0, at: iso(t)!, kind: 'attempt', text: attemptText(a, c) });
  }
  for (const e of seen.values()) timeline.push({ t: e.created, order: 1, at: iso(e.created)!, kind: 'event', text: eventText(e) });
  for (const d of decisions) timeline.push({ t: d.at, order: 2, at: iso(d.at)!, kind: 'decision', text: decisionText(d) });
  for (const j of jobs) {
    const t = j.doneAt ?? j.runAt;
    timeline.push({ t, order: 3, at: iso(t)!, kind: 'job', text: jobText(j) });
  }
  timeline.sort((a, b) => a.t - b.t || a.order - b.order);
  const pending = attempts.find((a) => a.finishedAt === null);
  const baseline = settings ? parseBaseline(settings.controlBaseline) : null;
  return {
    invoice: c.invoiceId,
    account: c.accountId,
    customer: c.customerId,
    subscription: c.subscriptionId,
    amountDue: c.amountDue,
    currency: c.currency,
    group: c.arm,
    groupNote: c.arm === 'control'
      ? baseline?.kind === 'stripe' && c.platform === 'stripe' ? "control: left to Stripe's Smart Retries, observed" : `control: retried on the baseline schedule ${settings?.controlBaseline ?? ''}`
      : "treatment: retried by recover's policy",
    state: c.status,
    closedReason: c.closedReason,
    recoveredBy: c.recoveredBy,
    recoveredAt: iso(c.recoveredAt),
    firstFailedAt: iso(c.firstFailedAt),
    dunningDeadline: iso(c.dunningDeadline),
    card: { brand: c.cardBrand, funding: c.cardFunding, country: c.cardCountry, fingerprint: c.cardFingerprint },
    caps: capsInForce(store, c, now),
    // Keyed as the attempts are labelled: `merchant` for an API case's own billing (attemptByLabel).
    attempts: { recover: attempts.filter((a) => a.by === 'recover' && a.outcome !== 'canceled').length, [attemptByLabel(c.platform, 'stripe')]: attempts.filter((a) => a.by === 'stripe').length, customer: attempts.filter((a) => a.by === 'customer').length },
    next: nextStep(c, pending, jobs, settings),
    timeline: timeline.map(({ at, kind, text }) => ({ at, kind, text })),
  };
}

export async function runExplain(invoiceId: string, opts: ExplainOptions, ctx: Context): Promise<void> {
  const store = ctx.readDb; // explain only reads: never creates a database or changes a file's mode
  // A Recovery API id (`rcv_<n>`, as in its answers and the result webhooks) names the case itself.
  const byId = caseIdOfRecovery(invoiceId);
  const c = (byId !== null ? store.cases.get(byId) : undefined) ?? store.cases.getByInvoice(invoiceId, opts.account);
  if (!c) {
    throw new NotFoundError(`no case for invoice ${invoiceId} in ${ctx.globals.db} (accepted: an invoice id or rcv_<n>)`);
  }
  const x = explainCase(store, c, ctx.clock.now());
  ctx.out.result(x);
  const { out } = ctx;
  out.line(out.color.bold(`${x.invoice} — ${money(x.amountDue, x.currency)} — ${x.state}${x.recoveredBy ? ` by ${x.recoveredBy}` : ''}`));
  out.line(`account ${x.account}, customer ${x.customer}${x.subscription ? `, subscription ${x.subscription}` : ''}`);
  // Long lines wrap between words with a hanging indent (the terminal would cut mid-word).
  const wrap = (body: string, head = '', indent = 2) => out.line(wrapText(body, out.columns, { head, indent }));
  wrap(`group: ${x.groupNote}`);
  out.line(`first failure ${x.firstFailedAt}; dunning ends ${x.dunningDeadline}`);
  const card = [x.card.brand, x.card.funding, x.card.country].filter(Boolean).join(' ') || 'unknown';
  const own =
    c.platform === 'api'
      ? `merchant's billing ${x.attempts.merchant}`
      : `${c.platform === 'recharge' ? 'Recharge' : 'Stripe'} ${x.attempts.stripe}`;
  wrap(`card: ${card}; attempts: recover ${x.attempts.recover}, ${own}, customer ${x.attempts.customer}`);
  out.line('caps in force:');
  for (const l of x.caps) wrap(l, '  - ', 4);
  out.line('');
  out.line('timeline (UTC):');
  for (const e of x.timeline) {
    const head = `  ${e.at.replace('T', ' ').replace('Z', '')}  ${e.kind.padEnd(8)}  `;
    wrap(e.text, head, head.length);
  }
  wrap(`next: ${x.next}`);
}
