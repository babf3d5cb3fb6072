/**
 * A recorded world from JSON (`--world cases.json`): real or hand-made cases with what is known
 * about their outcome. Format: `{ "cases": [ … ] }` (or a bare array), each case a SimCase plus
 * an optional `outcome`:
 *   recoverableFrom   epoch ms from which a retry on the original card succeeds (e.g. when the
 *                     customer later paid), null/absent = never
 *   recoverableUntil  epoch ms after which it no longer does (money spent again), optional
 *   cardUpdatedAt     epoch ms when the customer added a working card, null/absent = never
 * Any attempt outside those intervals declines with the case's recorded codes. `cases()` returns
 * the first `count` cases in file order (times are as recorded; `start` and `seed` are ignored).
 */
import { z } from 'zod';
import type { AttemptResult, CasesOptions, SimCase, WorldModule } from './types.js';

const time = z.number().finite();
const simCase = z.object({
  id: z.string().min(1),
  customerId: z.string().min(1),
  amount: z.number().int().nonnegative(),
  currency: z.string().min(3),
  failedAt: time,
  invoiceCreatedAt: time,
  declineCode: z.string(),
  adviceCode: z.string().optional(),
  networkAdviceCode: z.string().optional(),
  card: z.object({
    brand: z.string(),
    funding: z.enum(['credit', 'debit', 'prepaid', 'unknown']),
    country: z.string().optional(),
    fingerprint: z.string().min(1),
  }),
  customer: z.object({ timezone: z.string().optional(), country: z.string().optional() }),
  outcome: z
    .object({
      recoverableFrom: time.nullable().optional(),
      recoverableUntil: time.nullable().optional(),
      cardUpdatedAt: time.nullable().optional(),
    })
    .optional(),
});
const file = z.union([z.array(simCase), z.object({ cases: z.array(simCase) })]);

type Recorded = z.infer<typeof simCase>;

/** Parses and validates; throws an Error whose message names the first problem. */
export function jsonWorld(raw: unknown): WorldModule {
  const parsed = file.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const all: Recorded[] = Array.isArray(parsed.data) ? parsed.data : parsed.data.cases;
  const byId = new Map(all.map((c) => [c.id, c]));
  return {
    cases(opts: CasesOptions): SimCase[] {
      return all.slice(0, opts.count).map(({ outcome: _outcome, ...c }) => ({ ...c, card: { ...c.card }, customer: { ...c.customer } }));
    },
    cardUpdatedAt(c: SimCase): number | null {
      return byId.get(c.id)?.outcome?.cardUpdatedAt ?? null;
    },
    attempt(c: SimCase, at: number): AttemptResult {
      const o = byId.get(c.id)?.outcome;
      if (o?.cardUpdatedAt != null && at >= o.cardUpdatedAt) return { paid: true };
      if (o?.recoverableFrom != null && at >= o.recoverableFrom && (o.recoverableUntil == null || at < o.recoverableUntil)) return { paid: true };
      const r: AttemptResult = { paid: false, declineCode: c.declineCode };
      if (c.adviceCode) r.adviceCode = c.adviceCode;
      if (c.networkAdviceCode) r.networkAdviceCode = c.networkAdviceCode;
      return r;
    },
  };
}
