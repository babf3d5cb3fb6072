/**
 * Emulator + daemon in one process, clocks advanced together, over a seeded synthetic merchant
 * for 30 simulated days. The daemon starts on a fresh database: its first reconcile takes over
 * the invoices already in dunning, webhooks bring the new failures.
 */
import { describe, expect, it } from 'vitest';
import { generateMerchant, type SeedInput } from '../../src/emulator/index.js';
import { classifyDecline } from '../../src/policy/index.js';
import { DAY, HOUR, startWorld, stripeApi } from './helpers.js';

describe('daemon end to end (30 simulated days)', () => {
  it('recovers or correctly ends every case, never charges twice, never retries a hard decline, applies the end-of-dunning actions', async () => {
    const start = Date.UTC(2026, 0, 5);
    const seed = generateMerchant({ customers: 80, rngSeed: 11, start });
    // New cards the generator gives customers later: each one must lead to a prompt retry.
    const newCards = new Map<string, number>();
    for (const c of seed.account!.customers!) {
      for (const u of c.updates ?? [])
        if (u.type === 'new_payment_method')
          newCards.set(c.id!, typeof u.at === 'number' ? u.at : Date.parse(String(u.at)));
    }
    const w = await startWorld({
      seed: seed as SeedInput,
      onboard: [
        '--dunning-days',
        '21',
        '--subscription-action',
        'cancel_after_delay',
        '--cancel-delay',
        '2d',
        '--prorate',
        '--invoice-action',
        'mark_uncollectible',
      ],
      daemon: { reconcileCron: '0 */6 * * *' },
    });
    const reconciled: number[] = [];
    w.daemon.on('reconciled', (r) => reconciled.push(r.eventsInserted));

    await w.advance(2 * DAY, HOUR);
    // A missed webhook: the endpoint is down while a customer pays an invoice in dunning by other means.
    const target = [...w.store.cases.iterate()].find((c) => c.status === 'in_dunning' && c.arm === 'treatment')!;
    await w.gw.webhookEndpoints.update(w.store.settings.require().webhookEndpointId!, { disabled: true });
    const pm = (await fetch(`${w.emu.url}/_emulator/payment_methods`, {
      method: 'POST',
      body: JSON.stringify({ customer: target.customerId, set_default: false }),
    }).then((r) => r.json())) as { id: string };
    expect((await stripeApi(w, 'POST', `/v1/invoices/${target.invoiceId}/pay`, { payment_method: pm.id })).status).toBe(
      'paid',
    );
    await w.gw.webhookEndpoints.update(w.store.settings.require().webhookEndpointId!, { disabled: false });
    const caught = w.daemon.waitFor('recovered', (r) => r.invoiceId === target.invoiceId, 60_000);
    await w.advance(6 * HOUR, HOUR);
    expect((await caught)[0].by).toBe('customer');
    expect(reconciled.some((n) => n > 0)).toBe(true);

    await w.advanceTo(start + 30 * DAY, HOUR);
    const st = w.emu.state();
    const invoices = new Map(st.invoices.map((i) => [i.id, i]));
    const subs = new Map(st.subscriptions.map((s) => [s.id, s]));
    const cases = [...w.store.cases.iterate()];
    expect(cases.length).toBeGreaterThan(30);

    // No charge twice for one attempt (the emulator's charge log, by idempotency key); no invoice paid twice.
    const ours = st.charges.filter((c) => c.idempotencyKey?.startsWith('recover:'));
    expect(new Set(ours.map((c) => c.idempotencyKey)).size).toBe(ours.length);
    const paid = st.charges.filter((c) => c.status === 'succeeded' && c.invoice);
    expect(new Set(paid.map((c) => c.invoice)).size).toBe(paid.length);

    for (const c of cases) {
      const inv = invoices.get(c.invoiceId)!;
      // Every case whose dunning window has passed has ended, consistently with Stripe (renewals keep
      // bringing new failures, whose windows may still be open at the end).
      if (c.dunningDeadline <= start + 30 * DAY)
        expect(c.endedAt, `${c.invoiceId} is still ${c.status}`).not.toBeNull();
      if (c.status === 'recovered') expect(inv.status).toBe('paid');
      if (inv.status === 'paid') expect(c.status, c.invoiceId).toBe('recovered');
      // End of dunning applied as configured, on the invoices recover managed.
      if ((c.status === 'lost' || c.status === 'hard_declined') && c.arm === 'treatment') {
        expect(inv.status, c.invoiceId).toBe('uncollectible');
        const sub = subs.get(c.subscriptionId!)!;
        expect(sub.status, c.subscriptionId!).toBe('canceled');
        expect(sub.cancellation!.prorate).toBe(true);
        expect(sub.cancellation!.at - c.endedAt!).toBeGreaterThanOrEqual(2 * DAY);
      }
      if (c.arm === 'control')
        expect(
          ours.filter((x) => x.invoice === c.invoiceId),
          `control ${c.invoiceId} charged by recover`,
        ).toHaveLength(0);
    }

    // Hard declines are never retried on the same card.
    for (const inv of new Set(st.charges.map((c) => c.invoice))) {
      const charges = st.charges.filter((c) => c.invoice === inv).sort((a, b) => a.created - b.created);
      charges.forEach((ch, i) => {
        if (
          ch.status !== 'failed' ||
          classifyDecline({
            declineCode: ch.decline_code ?? undefined,
            adviceCode: ch.advice_code ?? undefined,
            networkAdviceCode: ch.network_advice_code ?? undefined,
          }).category !== 'hard'
        )
          return;
        const later = charges
          .slice(i + 1)
          .filter((x) => x.idempotencyKey?.startsWith('recover:') && x.payment_method === ch.payment_method);
        expect(later, `${inv}: retried after a hard decline (${ch.decline_code})`).toHaveLength(0);
      });
    }

    // A new card leads to a prompt retry (within a day) on every treatment case still in dunning then.
    let prompted = 0;
    for (const c of cases) {
      const at = newCards.get(c.customerId);
      if (
        at === undefined ||
        c.arm !== 'treatment' ||
        at >= c.dunningDeadline - DAY ||
        (c.endedAt !== null && c.endedAt <= at)
      )
        continue;
      const after = w.store.attempts
        .listForCase(c.id)
        .find((a) => a.by === 'recover' && a.finishedAt !== null && a.finishedAt >= at && a.outcome !== 'canceled');
      expect(after, `${c.invoiceId}: no retry after the card update`).toBeDefined();
      expect(after!.finishedAt! - at).toBeLessThan(DAY);
      expect(c.status).toBe('recovered');
      prompted++;
    }
    expect(prompted).toBeGreaterThanOrEqual(2);

    const counts = w.store.cases.countsByStatus();
    expect(counts.recovered).toBeGreaterThan(5);
    const metrics = await (await fetch(`${w.daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/recover_recovered_amount_total\{currency="\w{3}"\} [1-9]/);
    expect(metrics).toMatch(/recover_attempts_total\{outcome="declined"\} [1-9]/);
  }, 120_000);
});
