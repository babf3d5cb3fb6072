/**
 * Runs one policy over one population on a virtual clock, exactly as the daemon would: decide at
 * the first failure, after each declined attempt and when a new payment method arrives; charge at
 * the decided time after a last-moment network-cap check (a cap that now binds sends the case back
 * to the policy); learn from every outcome (recover only); close the case at its dunning deadline.
 * Every attempt also goes through an independent rule checker (checker.ts).
 */
import { DAY_MS } from '../clock.js';
import { earliestAllowed } from '../policy/caps.js';
import { hashSeed, mulberry32 } from '../policy/random.js';
import { learn } from '../policy/stats.js';
import type {
  AttemptRecord,
  CardFacts,
  CardHistoryEntry,
  CaseFacts,
  CustomerPayment,
  Decision,
  OutcomeContext,
  Policy,
  PolicyInput,
  PolicySettings,
  StatCounts,
} from '../policy/types.js';
import { NetworkRuleChecker } from './checker.js';
import { EventHeap } from './heap.js';
import type { PolicyRunResult, SimCase, WorldModule } from './types.js';

export interface EngineOptions {
  seed: number;
  dunningDays: number;
  settings: PolicySettings;
  /** Learn online from outcomes (recover). */
  learns: boolean;
  /** Learned state to start from and keep updating (a warm-up run's); default empty. */
  stats?: Map<string, StatCounts>;
}

interface CaseState {
  c: SimCase;
  /** The policy input's case facts: the same for every decision on the case, built once. */
  facts: CaseFacts;
  deadline: number;
  attempts: AttemptRecord[];
  fingerprint: string;
  cardUpdatedAt?: number;
  open: boolean;
  recoveredAt?: number;
  token: number;
  pendingLearn?: OutcomeContext;
}

// One shape for every event (token 0 where unused), so the heap's compares stay monomorphic.
type Ev = { t: number; seq: number; kind: 'fail' | 'update' | 'attempt' | 'deadline'; i: number; token: number };

const WINDOW_30D = 30 * DAY_MS;

export async function runPolicy(world: WorldModule, policy: Policy, cases: SimCase[], opts: EngineOptions): Promise<PolicyRunResult> {
  const random = mulberry32(hashSeed('engine', opts.seed, policy.name));
  const stats = opts.stats ?? new Map<string, StatCounts>();
  const cards = new Map<string, CardHistoryEntry[]>();
  // Each customer's charges on all its invoices, as the daemon's history table holds them.
  const customers = new Map<string, Array<{ id: string; p: CustomerPayment }>>();
  const checker = new NetworkRuleChecker();
  const heap = new EventHeap<Ev>();
  const decisions: Record<string, number> = {};
  let seq = 0;
  let attempts = 0;
  let declines = 0;
  let deferrals = 0;
  const push = (e: Omit<Ev, 'seq' | 'token'> & { token?: number }) =>
    heap.push({ t: e.t, seq: seq++, kind: e.kind, i: e.i, token: e.token ?? 0 });

  const states: CaseState[] = cases.map((c, i) => {
    const deadline = c.failedAt + opts.dunningDays * DAY_MS;
    push({ t: c.failedAt, kind: 'fail', i });
    const update = world.cardUpdatedAt?.(c);
    if (typeof update === 'number' && update > c.failedAt && update < deadline) push({ t: update, kind: 'update', i });
    push({ t: deadline, kind: 'deadline', i });
    const facts: CaseFacts = {
      id: c.id,
      customerId: c.customerId,
      amount: c.amount,
      currency: c.currency,
      failedAt: c.failedAt,
      invoiceCreatedAt: c.invoiceCreatedAt,
      dunningDeadline: deadline,
      arm: 'treatment',
    };
    return { c, facts, deadline, attempts: [], fingerprint: c.card.fingerprint, open: true, token: 0 };
  });

  const cardFacts = (s: CaseState, now: number): CardFacts => {
    const all = cards.get(s.fingerprint) ?? [];
    const history = all.filter((e) => e.at > now - WINDOW_30D && e.at <= now);
    let attempts24h = 0;
    let declines24h = 0;
    let same = 0;
    for (const e of history) {
      if (e.at > now - DAY_MS) {
        attempts24h++;
        if (e.declined) declines24h++;
      }
      if (e.amount === s.c.amount && e.currency === s.c.currency) same++;
    }
    return {
      brand: s.c.card.brand,
      funding: s.c.card.funding,
      country: s.c.card.country,
      fingerprint: s.fingerprint,
      attempts24h,
      attempts30d: history.length,
      declines24h,
      sameAmountAttempts30d: same,
      history,
    };
  };

  const inputFor = (s: CaseState, now: number): PolicyInput => ({
    case: s.facts,
    attempts: s.attempts,
    card: cardFacts(s, now),
    customer: { ...s.c.customer, payments: paymentsOf(s, now) },
    ...(s.cardUpdatedAt !== undefined ? { cardUpdatedAt: s.cardUpdatedAt } : {}),
    settings: opts.settings,
    stats,
    now,
    random,
  });

  const paymentsOf = (s: CaseState, now: number): readonly CustomerPayment[] => {
    const past = s.c.customer.payments ?? [];
    const log = customers.get(s.c.customerId) ?? [];
    const others = log.filter((e) => e.p.at <= now && e.id !== s.c.id).map((e) => e.p);
    return others.length ? [...past, ...others] : past; // the input's payments are read-only
  };

  const decideAndSchedule = (i: number, now: number) => {
    const s = states[i];
    s.token++;
    const d: Decision = policy.decide(inputFor(s, now));
    const key = d.action === 'retry' ? 'retry' : `${d.action}:${d.kind}`;
    decisions[key] = (decisions[key] ?? 0) + 1;
    if (d.action !== 'retry') return;
    if (!(d.at >= now) || !(d.at < s.deadline)) throw new Error(`${policy.name} scheduled ${s.c.id} at ${d.at}, outside [now ${now}, deadline ${s.deadline})`);
    s.pendingLearn = d.learnAs;
    push({ t: d.at, kind: 'attempt', i, token: s.token });
  };

  const record = (s: CaseState, at: number, declined: boolean, r: { declineCode?: string; adviceCode?: string; networkAdviceCode?: string }, byPolicy: boolean) => {
    const entry: CardHistoryEntry = { at, amount: s.c.amount, currency: s.c.currency, declined, ...r };
    const log = cards.get(s.fingerprint);
    if (log) log.push(entry);
    else cards.set(s.fingerprint, [entry]);
    const mine = customers.get(s.c.customerId) ?? [];
    const code = r.declineCode ? { declineCode: r.declineCode } : {};
    mine.push({ id: s.c.id, p: { at, succeeded: !declined, ...code } });
    customers.set(s.c.customerId, mine);
    checker.record({ fingerprint: s.fingerprint, brand: s.c.card.brand, at, amount: s.c.amount, currency: s.c.currency, declined, ...r }, byPolicy);
  };

  for (let ev = heap.pop(); ev; ev = heap.pop()) {
    const s = states[ev.i];
    if (!s.open) continue;
    const now = ev.t;
    if (ev.kind === 'fail') {
      const codes = { declineCode: s.c.declineCode, adviceCode: s.c.adviceCode, networkAdviceCode: s.c.networkAdviceCode };
      s.attempts.push({ at: now, outcome: 'failed', ...codes, by: 'stripe' });
      record(s, now, true, codes, false);
      decideAndSchedule(ev.i, now);
    } else if (ev.kind === 'update') {
      s.cardUpdatedAt = now;
      s.fingerprint = `${s.c.card.fingerprint}~new`;
      decideAndSchedule(ev.i, now);
    } else if (ev.kind === 'deadline') {
      s.open = false;
    } else if (ev.token === s.token) {
      // The executor's last check: another invoice on the same card may have used the allowance.
      const verdict = earliestAllowed(cardFacts(s, now), s.c.amount, s.c.currency, now, now);
      if (verdict.notBefore !== now) {
        deferrals++;
        decideAndSchedule(ev.i, now);
        continue;
      }
      const result = await world.attempt(s.c, now);
      attempts++;
      const codes = result.paid ? {} : { declineCode: result.declineCode, adviceCode: result.adviceCode, networkAdviceCode: result.networkAdviceCode };
      s.attempts.push({ at: now, outcome: result.paid ? 'succeeded' : 'failed', ...codes, by: 'recover' });
      record(s, now, !result.paid, codes, true);
      if (opts.learns && s.pendingLearn) learn(stats, { ...s.pendingLearn, at: now }, result.paid);
      s.pendingLearn = undefined;
      if (result.paid) {
        s.open = false;
        s.recoveredAt = now;
      } else {
        declines++;
        decideAndSchedule(ev.i, now);
      }
    }
  }
  return summarise(policy.name, states, { attempts, declines, deferrals, decisions, checker });
}

function summarise(
  name: string,
  states: CaseState[],
  x: { attempts: number; declines: number; deferrals: number; decisions: Record<string, number>; checker: NetworkRuleChecker },
): PolicyRunResult {
  const atRisk: Record<string, number> = {};
  const recovered: Record<string, number> = {};
  const days: number[] = [];
  let onNewCard = 0;
  let atRiskTotal = 0;
  let recoveredTotal = 0;
  for (const s of states) {
    const cur = s.c.currency.toLowerCase();
    atRisk[cur] = (atRisk[cur] ?? 0) + s.c.amount;
    atRiskTotal += s.c.amount;
    if (s.recoveredAt === undefined) continue;
    recovered[cur] = (recovered[cur] ?? 0) + s.c.amount;
    recoveredTotal += s.c.amount;
    days.push((s.recoveredAt - s.c.failedAt) / DAY_MS);
    if (s.cardUpdatedAt !== undefined && s.recoveredAt >= s.cardUpdatedAt) onNewCard++;
  }
  days.sort((a, b) => a - b);
  const n = days.length;
  const median = n === 0 ? null : n % 2 ? days[(n - 1) / 2] : (days[n / 2 - 1] + days[n / 2]) / 2;
  return {
    policy: name,
    cases: states.length,
    recovered: n,
    recoveryRate: states.length ? n / states.length : 0,
    revenueAtRisk: atRisk,
    revenueRecovered: recovered,
    revenueRecoveryRate: atRiskTotal ? recoveredTotal / atRiskTotal : 0,
    attempts: x.attempts,
    declines: x.declines,
    attemptsPerRecovered: n ? x.attempts / n : null,
    networkCapViolations: x.checker.total,
    violationsByRule: { ...x.checker.violations },
    medianDaysToRecover: median,
    recoveredOnNewCard: onNewCard,
    executorDeferrals: x.deferrals,
    decisions: x.decisions,
  };
}
