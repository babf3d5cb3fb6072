import { describe, expect, it } from 'vitest';
import { generateMerchant } from '../../src/emulator/index.js';
import { DAY, HOUR, startWorld } from './helpers.js';

describe('daemon end to end (30 simulated days)', () => {
  it('runs a seeded merchant through a whole dunning cycle', async () => {
    const seed = generateMerchant({ customers: 60, rngSeed: 11, start: Date.UTC(2026, 0, 5) });
    const w = await startWorld({
      seed,
      onboard: ['--dunning-days', '14', '--subscription-action', 'cancel_after_delay', '--cancel-delay', '2d', '--prorate', '--invoice-action', 'mark_uncollectible'],
      daemon: { reconcileCron: '0 */6 * * *' },
    });
    const t0 = w.clock.now();
    const started = performance.now();
    await w.advanceTo(t0 + 30 * DAY, HOUR);
    console.log('wall', performance.now() - started);
    console.log(w.store.cases.countsByStatus());
    for (const c of w.store.cases.iterate()) {
      const at = w.store.attempts.listForCase(c.id);
      const ds = w.store.decisions.listForCase(c.id);
      console.log(c.invoiceId, c.arm, c.status, c.closedReason, c.lastDeclineCode, new Date(c.firstFailedAt).toISOString(), new Date(c.dunningDeadline).toISOString(), at.map((a) => `${a.by}:${a.outcome}`).join(','));
      for (const d of ds) console.log('   ', new Date(d.at).toISOString(), d.action, d.kind, d.reason.slice(0, 160));
    }
    const st = w.emu.state();
    console.log('charges', st.charges.length, 'recover charges', st.charges.filter((c) => c.idempotencyKey?.startsWith('recover:')).length);
  }, 120_000);
});
