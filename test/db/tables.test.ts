import { describe, expect, it } from 'vitest';
import { addCase, open, T0 } from './helpers.js';

const MIN = 60_000;

describe('accounts, decisions, cursors, stats, history, jobs, counters', () => {
  it('accounts upsert and list', () => {
    const store = open();
    expect(store.accounts.upsert({ id: 'self', environment: 'test', kind: 'main', name: 'Main' })).toBe(true);
    expect(store.accounts.upsert({ id: 'self', environment: 'test', kind: 'main' })).toBe(false);
    expect(store.accounts.get('self')?.name).toBe('Main');
    expect(() => store.accounts.upsert({ id: 'self', environment: 'test', kind: 'connected' })).toThrow(/CHECK/);
    expect(() => store.accounts.upsert({ id: 'bogus', environment: 'test', kind: 'connected' })).toThrow(/CHECK/);
    store.accounts.upsert({ id: 'acct_2', environment: 'test', kind: 'connected' });
    expect(store.accounts.list().map((a) => a.id)).toEqual(['self', 'acct_2']);
  });

  it('decisions: add and list in time order, inputs kept as JSON', () => {
    const store = open();
    const id = addCase(store);
    const attempt = store.attempts.schedule(id, T0 + MIN);
    store.decisions.add({
      caseId: id,
      at: T0 + 5,
      action: 'stop',
      kind: 'hard_decline',
      reason: 'stolen_card (hard).',
    });
    store.decisions.add({
      caseId: id,
      at: T0,
      action: 'retry',
      retryAt: T0 + MIN,
      reason: 'insufficient_funds (soft).',
      attemptId: attempt.id,
      inputs: { p: 0.31 },
    });
    const list = store.decisions.listForCase(id);
    expect(list.map((d) => d.action)).toEqual(['retry', 'stop']);
    expect(list[0]).toMatchObject({ retryAt: T0 + MIN, attemptId: attempt.id, inputs: { p: 0.31 } });
    expect(list[1].inputs).toBeNull();
    expect(store.decisions.latestForCase(id)?.action).toBe('stop');
    expect(() => store.decisions.add({ caseId: id, at: T0, action: 'retry', reason: 'no time' })).toThrow(/CHECK/);
  });

  it('cursors', () => {
    const store = open();
    expect(store.cursors.get('acct_1', 'invoices')).toBeUndefined();
    store.cursors.set('acct_1', 'invoices', 'in_100');
    store.cursors.set('acct_1', 'invoices', 'in_200');
    expect(store.cursors.get('acct_1', 'invoices')).toBe('in_200');
    expect(store.cursors.list()).toEqual([{ accountId: 'acct_1', name: 'invoices', value: 'in_200', updatedAt: T0 }]);
    expect(store.cursors.delete('acct_1', 'invoices')).toBe(true);
    expect(store.cursors.get('acct_1', 'invoices')).toBeUndefined();
  });

  it('learned stats', () => {
    const store = open();
    store.stats.increment('soft|1|mon-09', true);
    store.stats.increment('soft|1|mon-09', false);
    store.stats.increment('soft|1|mon-09', false, 3);
    store.stats.increment('hard', true);
    expect(store.stats.get('soft|1|mon-09')).toEqual({ successes: 1, failures: 4 });
    expect(store.stats.load()).toEqual(
      new Map([
        ['soft|1|mon-09', { successes: 1, failures: 4 }],
        ['hard', { successes: 1, failures: 0 }],
      ]),
    );
    expect(() => store.stats.increment('x', true, -1)).toThrow();
  });

  it('history charges: insert once, filter, range', () => {
    const store = open();
    const base = {
      accountId: 'self',
      amount: 1000,
      currency: 'usd',
      status: 'failed' as const,
      declineCode: 'insufficient_funds',
    };
    expect(store.history.insert({ ...base, id: 'ch_1', created: T0 })).toBe(true);
    expect(store.history.insert({ ...base, id: 'ch_1', created: T0, status: 'succeeded' })).toBe(false);
    store.history.insert({
      ...base,
      id: 'ch_2',
      created: T0 + MIN,
      status: 'succeeded',
      accountId: 'acct_x',
      cardBrand: 'visa',
    });
    expect([...store.history.iterate()].map((c) => [c.id, c.status])).toEqual([
      ['ch_1', 'failed'],
      ['ch_2', 'succeeded'],
    ]);
    expect([...store.history.iterate({ since: T0 + 1 })].map((c) => c.cardBrand)).toEqual(['visa']);
    expect(store.history.count({ accountId: 'self' })).toBe(1);
    expect(store.history.range()).toEqual({ first: T0, last: T0 + MIN });
  });

  it('jobs: idempotent schedule, lease-based claim, finish, cancel', () => {
    const store = open();
    const caseId = addCase(store);
    const j = store.jobs.schedule({
      kind: 'cancel_subscription',
      dedupeKey: `cancel:${caseId}`,
      caseId,
      runAt: T0 + MIN,
      payload: { prorate: true },
    });
    expect(j.inserted).toBe(true);
    expect(
      store.jobs.schedule({ kind: 'cancel_subscription', dedupeKey: `cancel:${caseId}`, caseId, runAt: T0 + 99 * MIN }),
    ).toEqual({ id: j.id, inserted: false });
    expect(store.jobs.nextDueAt()).toBe(T0 + MIN);
    expect(store.jobs.claimDue(T0, MIN, 10, 'd')).toEqual([]);
    const [claimed] = store.jobs.claimDue(T0 + MIN, MIN, 10, 'd');
    // Tries count starts, not claims (one protocol with attempts, src/db/queue.ts).
    expect(claimed).toMatchObject({ id: j.id, payload: { prorate: true }, claimedBy: 'd', tries: 0 });
    expect(store.jobs.start(j.id, 'e', T0 + MIN)).toBe(false); // not the owner
    expect(store.jobs.start(j.id, 'd', T0 + MIN)).toBe(true);
    expect(store.jobs.get(j.id)!.tries).toBe(1);
    expect(store.jobs.claimDue(T0 + MIN, MIN, 10, 'e')).toEqual([]);
    expect(store.jobs.cancelForCase(caseId, T0, T0 + MIN)).toBe(0); // leased: left to its owner
    // Lease expires: another daemon takes it over.
    const [retaken] = store.jobs.claimDue(T0 + 2 * MIN, MIN, 10, 'e');
    expect(retaken).toMatchObject({ id: j.id, claimedBy: 'e', tries: 1 });
    expect(store.jobs.start(j.id, 'd', T0 + 2 * MIN)).toBe(false); // its lease was taken over
    expect(store.jobs.finish(j.id, 'd', 'done', T0 + 2 * MIN)).toBe(false);
    expect(store.jobs.finish(j.id, 'e', 'done', T0 + 2 * MIN, 'canceled sub_1')).toBe(true);
    expect(store.jobs.getByKey(`cancel:${caseId}`)).toMatchObject({ outcome: 'done', result: 'canceled sub_1' });
    expect(store.jobs.nextDueAt()).toBeNull();
    const k = store.jobs.schedule({ kind: 'mark_uncollectible', dedupeKey: `mu:${caseId}`, caseId, runAt: T0 });
    expect(store.jobs.cancelForCase(caseId, T0, T0, 'recovered')).toBe(1);
    expect(store.jobs.get(k.id)).toMatchObject({ outcome: 'canceled', result: 'recovered' });
    expect(store.jobs.listForCase(caseId)).toHaveLength(2);
  });

  it('counters, webhook rejections and meta', () => {
    const store = open();
    store.counters.recordWebhookRejection('bad_signature');
    store.counters.recordWebhookRejection('bad_signature');
    store.counters.recordWebhookRejection('too_large');
    store.counters.increment('other', 5);
    expect(store.counters.webhookRejections()).toEqual({ bad_signature: 2, too_large: 1 });
    expect(store.counters.get('other')).toBe(5);
    expect(store.counters.get('missing')).toBe(0);
    expect(store.counters.list().map((c) => c.name)).toEqual([
      'other',
      'webhook_rejected:bad_signature',
      'webhook_rejected:too_large',
    ]);
    store.meta.set('last_reconcile_at', String(T0));
    expect(store.meta.get('last_reconcile_at')).toBe(String(T0));
  });
});
