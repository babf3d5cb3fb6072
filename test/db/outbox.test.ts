import { describe, expect, it } from 'vitest';
import { open, T0 } from './helpers.js';

describe('result-webhook outbox', () => {
  it('records once per dedupe key, freezes the body, and keeps its message id across redeliveries', () => {
    const store = open();
    const e = {
      type: 'recovery.succeeded' as const,
      dedupeKey: 'recovery.succeeded:case:1',
      data: { amount: 1200 },
      at: T0,
    };
    const first = store.tx(() => store.outbox.record(e));
    const again = store.tx(() => store.outbox.record({ ...e, data: { amount: 1 } }));
    expect(first.inserted).toBe(true);
    expect(again).toEqual({ id: first.id, messageId: first.messageId, inserted: false });
    expect(first.messageId).toMatch(/^msg_[0-9a-f]{24}$/);
    const m = store.outbox.get(first.id)!;
    expect(m.body).toBe(
      `{"type":"recovery.succeeded","timestamp":"${new Date(T0).toISOString()}","data":{"amount":1200}}`,
    );
    expect(m.dueAt).toBe(T0);

    const [claimed] = store.outbox.claimDue(T0, 30_000, 10, 'me');
    expect(claimed.messageId).toBe(first.messageId);
    expect(store.outbox.start(claimed.id, 'me', T0)).toBe(true);
    store.outbox.addDelivery({
      outboxId: claimed.id,
      url: 'https://m.test/h',
      attemptedAt: T0,
      durationMs: 3,
      status: 503,
      response: 'x'.repeat(5000),
    });
    expect(store.outbox.release(claimed.id, 'me', T0 + 5_000, 503)).toBe(true);
    expect(store.outbox.claimDue(T0 + 4_999, 30_000, 10, 'me')).toEqual([]);
    const [retry] = store.outbox.claimDue(T0 + 5_000, 30_000, 10, 'me');
    expect(retry.messageId).toBe(first.messageId);
    expect(retry.lastStatus).toBe(503);
    expect(store.outbox.finish(retry.id, 'other', 'delivered', T0 + 5_001, 200)).toBe(false);
    expect(store.outbox.finish(retry.id, 'me', 'delivered', T0 + 5_001, 200)).toBe(true);
    expect(store.outbox.pending()).toBe(0);
    expect(store.outbox.deliveries(retry.id)[0].response).toHaveLength(1024);

    expect(store.outbox.resend(first.messageId, T0 + 9_000)).toBe(true);
    expect(store.outbox.claimDue(T0 + 9_000, 30_000, 10, 'me').map((x) => x.messageId)).toEqual([first.messageId]);
    expect(store.outbox.resend('msg_unknown', T0)).toBe(false);
  });

  it('rolls back with the outcome it reports', () => {
    const store = open();
    expect(() =>
      store.tx(() => {
        store.outbox.record({ type: 'recovery.failed', dedupeKey: 'k', data: {}, at: T0 });
        throw new Error('the outcome failed to commit');
      }),
    ).toThrow(/outcome/);
    expect(store.outbox.list()).toEqual([]);
  });
});
