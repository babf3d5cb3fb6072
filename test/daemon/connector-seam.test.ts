/**
 * The executor is platform-neutral: it charges through the ChargeConnector of `case.platform`
 * (src/connectors/types.ts). The connector here is a scripted implementation of our own seam —
 * not a stand-in for the Stripe SDK (the Stripe Billing connector is covered end to end by the
 * daemon tests against the emulator) — so the core's handling of each verdict is pinned down.
 */
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config/settings.js';
import type { ChargeConnector, ChargeOutcome, RetryVerdict } from '../../src/connectors/types.js';
import { AttemptExecutor } from '../../src/daemon/executor.js';
import { PolicyContext } from '../../src/daemon/policy-context.js';
import { createLogger } from '../../src/log.js';
import { addCase, open, T0 } from '../db/helpers.js';

function scripted(verdict: RetryVerdict, outcome: ChargeOutcome, replayWindowMs = 60_000) {
  const calls: string[] = [];
  const conn: ChargeConnector = {
    platform: 'api',
    replayWindowMs,
    check: async () => (calls.push('check'), verdict),
    charge: async (_c, _a, p) => (calls.push(`charge ${p.idempotencyKey} ${p.amount ?? '-'}`), outcome),
    latestCharge: async () => (calls.push('latest'), null),
    classify: () => 'unknown',
  };
  return { conn, calls };
}

function setup(conn: ChargeConnector | undefined) {
  const store = open();
  const caseId = addCase(store, { platform: 'api' });
  const attempt = store.attempts.schedule(caseId, T0);
  const now = T0;
  const ex = new AttemptExecutor({
    store,
    connectorFor: (p) => (p === 'api' ? conn : undefined),
    policy: new PolicyContext(store),
    logger: createLogger({ level: 'silent' }),
    owner: 'me',
    leaseMs: 60_000,
    now: () => now,
  });
  const [claimed] = store.attempts.claimDue(now, 60_000, 1, 'me');
  expect(claimed.id).toBe(attempt.id);
  const settings = { ...defaultSettings(), mode: 'live' as const };
  return { store, caseId, claimed, ex, settings, run: () => ex.run(claimed, settings) };
}

const ok: ChargeOutcome = { ok: true, amount: 2000, chargeId: 'ch_1' };

describe('the connector seam', () => {
  it('charges through the case platform’s connector with the attempt key and the amount the check allows', async () => {
    const { conn, calls } = scripted({ ok: true, amount: 2000 }, ok);
    const { store, caseId, claimed, run } = setup(conn);
    const r = await run();
    expect(r.outcome).toBe('succeeded');
    expect(calls).toEqual(['check', `charge ${claimed.idempotencyKey} 2000`]);
    expect(store.cases.get(caseId)!.status).toBe('recovered');
    expect(store.cases.get(caseId)!.recoveredAmount).toBe(2000);
  });

  it('ask_later: no charge, the same attempt is given back for later', async () => {
    const { conn, calls } = scripted(
      { ok: false, kind: 'ask_later', reason: 'retry-status timed out', retryInMs: 300_000 },
      ok,
    );
    const { store, claimed, run } = setup(conn);
    expect((await run()).outcome).toBe('released');
    expect(calls).toEqual(['check']);
    const a = store.attempts.get(claimed.id)!;
    expect(a.finishedAt).toBeNull();
    expect(a.startedAt).toBeNull();
    expect(a.scheduledAt).toBe(T0 + 300_000);
  });

  it('merchant_declined: the case ends with the merchant’s reason, nothing charged', async () => {
    const { conn, calls } = scripted({ ok: false, kind: 'merchant_declined', reason: 'customer cancelled' }, ok);
    const { store, caseId, run } = setup(conn);
    expect((await run()).outcome).toBe('skipped');
    expect(calls).toEqual(['check']);
    const c = store.cases.get(caseId)!;
    expect(c.status).toBe('closed');
    expect(store.decisions.listForCase(caseId).map((d) => d.kind)).toContain('merchant_declined');
  });

  it('a platform this daemon has no connector for is left alone, not charged', async () => {
    const { store, claimed, run } = setup(undefined);
    const r = await run();
    expect(r.outcome).toBe('released');
    expect(r.next).toMatch(/does not serve platform api/);
    expect(store.attempts.get(claimed.id)!.startedAt).toBeNull();
  });

  it('no idempotency keys (replay window 0): an interrupted attempt is resolved from state', async () => {
    const { conn, calls } = scripted({ ok: true }, ok, 0);
    const { store, claimed, ex, settings } = setup(conn);
    expect(store.attempts.markStarted(claimed.id, 'me', T0 - 1)).toBe(true);
    const r = await ex.run(store.attempts.get(claimed.id)!, settings);
    expect(calls).toEqual(['latest']);
    expect(r.outcome).toBe('error');
  });
});
