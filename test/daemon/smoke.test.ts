import { describe, expect, it } from 'vitest';
import { DAY, HOUR, startWorld } from './helpers.js';

describe('daemon smoke', () => {
  it('a fresh invoice fails, the webhook opens a case, recover retries and recovers it', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: {
        start: '2026-01-05T00:00:00Z',
        account: {
          customers: [{
            id: 'cus_smoke1', timezone: 'America/New_York', country: 'US',
            payment_methods: [{ id: 'pm_smoke1', brand: 'visa', behaviour: { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+3d' } }],
            subscriptions: [{ id: 'sub_smoke1', price: 2500, invoices: [{ id: 'in_smoke1', amount: 2500, created: '+10m' }] }],
          }],
        },
      },
    });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_smoke1');
    expect(c?.status).toBe('in_dunning');
    expect(c?.arm).toBe('treatment');
    await w.advance(10 * DAY);
    const after = w.store.cases.getByInvoice('in_smoke1')!;
    console.log(w.store.attempts.listForCase(after.id), w.store.decisions.listForCase(after.id).map((d) => `${new Date(d.at).toISOString()} ${d.action} ${d.kind} ${d.reason}`));
    expect(after.status).toBe('recovered');
    expect(after.recoveredBy).toBe('recover');
  });
});
