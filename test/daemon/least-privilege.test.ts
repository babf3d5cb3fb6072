/**
 * The whole loop with a restricted key holding exactly the permissions recover declares
 * (src/stripe/permissions.ts) and nothing more: onboard, takeover, 30 days of the daemon with
 * card updates arriving, end-of-dunning actions and the reconciler listing events. Any call that
 * needs an undeclared permission gets Stripe's 403 from the emulator, which this test forbids.
 */
import { describe, expect, it } from 'vitest';
import { generateMerchant, type SeedInput } from '../../src/emulator/index.js';
import { DAY, HOUR, startWorld } from './helpers.js';

describe('least privilege', () => {
  it('onboard → takeover → run (card updates, end of dunning, reconciler) makes no call the key may not make', async () => {
    const seed = generateMerchant({ customers: 40, rngSeed: 23 });
    const w = await startWorld({
      seed: seed as SeedInput,
      takeover: true,
      onboard: [
        '--dunning-days',
        '14',
        '--subscription-action',
        'cancel_at_period_end',
        '--invoice-action',
        'mark_uncollectible',
      ],
      daemon: { reconcileCron: '0 */6 * * *' },
    });
    let reconciles = 0;
    w.daemon.on('reconciled', () => void reconciles++);
    const start = w.clock.now();
    expect(w.store.cases.count()).toBeGreaterThan(5);
    await w.advanceTo(start + 30 * DAY, HOUR);

    const st = w.emu.state();
    expect(st.requests.byStatus['403'] ?? 0).toBe(0);
    const denied = w.log.lines().filter((l) => /permission/i.test(String(l.msg)) || /rak_/.test(JSON.stringify(l)));
    expect(denied).toEqual([]);
    // The loop really ran: retries, a card update acted on, end-of-dunning writes, event listings.
    const byRoute = st.requests.byRoute;
    expect(byRoute['POST /v1/invoices/:id/pay']).toBeGreaterThan(0);
    expect(byRoute['GET /v1/payment_methods/:id'] ?? 0).toBeGreaterThan(0);
    expect(byRoute['POST /v1/invoices/:id/mark_uncollectible'] ?? 0).toBeGreaterThan(0);
    expect(byRoute['GET /v1/events'] ?? 0).toBeGreaterThan(0);
    expect(reconciles).toBeGreaterThan(0);
  }, 120_000);
});
