/**
 * `recover go-live` and `recover offboard` against the emulator with Smart Retries on.
 *
 * Shadow mode imports cases without pausing Stripe (takeover pauses only in live mode), so every
 * treatment invoice still has auto_advance=true. go-live must pause each one before switching, so
 * that afterwards Stripe retries none of them (no invoice retried by both recover and Smart
 * Retries); offboard must give every one back (auto_advance=true, recover_managed cleared) and
 * disable our endpoint.
 *
 * Stripe's behaviour relied on: invoice update `auto_advance` "Controls whether Stripe performs
 * automatic collection of the invoice" (node_modules/stripe/types/InvoicesResource.d.ts), and
 * metadata "Individual keys can be unset by posting an empty value to them" (same file); webhook
 * endpoint update `disabled` "Disable the webhook endpoint if set to true"
 * (WebhookEndpointsResource.d.ts).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { casesByInvoice, DAY, setup } from '../takeover/helpers.js';

describe('recover go-live', () => {
  it('pauses what shadow left to Stripe, then switches; Stripe retries none of the managed invoices afterwards', async () => {
    const s = await setup({ customers: 200, baseline: 'stripe', mode: 'shadow' });
    expect((await s.takeover()).code).toBe(0);
    const active = new Set(['in_dunning', 'waiting_card_update', 'needs_customer_action']);
    const treatment = [...casesByInvoice(s.store()).values()].filter((c) => c.arm === 'treatment' && active.has(c.status));
    const inv = () => new Map(s.emu.state().invoices.map((i) => [i.id, i]));
    const before = inv();
    // The trap this command closes: in shadow, Stripe still retries treatment invoices.
    const exposed = treatment.filter((c) => before.get(c.invoiceId)!.auto_advance);
    expect(exposed.length).toBeGreaterThan(20);

    const refused = await runCli([...s.base, 'config', 'set', 'mode', 'live']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('recover go-live');

    const r = await runCli([...s.base, '--json', 'go-live', '--yes'], { overrides: { clock: s.clock } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(out).toMatchObject({ mode: 'live', switched: true });
    expect(out.handedOver.changed).toBe(exposed.length);
    expect(s.store().settings.require().mode).toBe('live');
    const after = inv();
    for (const c of exposed) {
      expect(after.get(c.invoiceId), c.invoiceId).toMatchObject({ auto_advance: false, metadata: { recover_managed: 'true', recover_installation: expect.stringMatching(/^inst_/) } });
    }
    // Going live assigns the arms for the report's like-for-like lift.
    expect(s.store().settings.require().armsAssignedAt).toBe(s.clock.now());
    const t0 = s.emu.now();
    await s.emu.advance(15 * DAY);
    const retried = new Set(s.emu.state().charges.filter((c) => c.source === 'smart_retry' && c.created > t0).map((c) => c.invoice));
    expect(retried.size).toBeGreaterThan(0); // Smart Retries is on: the control group is still retried
    for (const c of treatment) expect(retried.has(c.invoiceId), c.invoiceId).toBe(false);

    // A second run changes nothing: the invoices the merchant paused by hand stay as they were.
    const again = await runCli([...s.base, '--json', 'go-live', '--yes'], { overrides: { clock: s.clock } });
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout.slice(again.stdout.indexOf('{')));
    expect(second.handedOver).toMatchObject({ changed: 0, failed: 0 });
    expect(second.handedOver.merchant_paused).toBeGreaterThan(0);
  });

  it('without a terminal and without --yes, names --yes and changes nothing', async () => {
    const s = await setup({ customers: 60, mode: 'shadow' });
    expect((await s.takeover()).code).toBe(0);
    const autoAdvance = () => s.emu.state().invoices.map((i) => `${i.id}:${i.auto_advance}`).join();
    const before = autoAdvance();
    const r = await runCli([...s.base, 'go-live']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(autoAdvance()).toBe(before);
    expect(s.store().settings.require().mode).toBe('shadow');
  });
});

describe('recover go-live --back-to-shadow', () => {
  it('hands the invoices it paused back to Stripe before it stops charging', async () => {
    const s = await setup({ customers: 80, mode: 'shadow' });
    expect((await s.takeover()).code).toBe(0);
    expect((await runCli([...s.base, 'go-live', '--yes'], { overrides: { clock: s.clock } })).code).toBe(0);
    const paused = [...casesByInvoice(s.store()).values()].filter((c) => c.pausedStripe);
    expect(paused.length).toBeGreaterThan(5);
    const r = await runCli([...s.base, '--json', 'go-live', '--back-to-shadow', '--yes'], { overrides: { clock: s.clock } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('{')))).toMatchObject({ mode: 'shadow', switched: true });
    const byId = new Map(s.emu.state().invoices.map((i) => [i.id, i]));
    for (const c of paused) {
      const i = byId.get(c.invoiceId)!;
      if (i.status === 'open') expect(i.auto_advance, c.invoiceId).toBe(true);
      expect(i.metadata.recover_managed, c.invoiceId).toBeUndefined();
    }
    expect(s.store().settings.require().mode).toBe('shadow');
  });
});

describe('recover offboard', () => {
  it('hands every managed invoice back to Stripe, clears our metadata, disables the endpoint', async () => {
    const s = await setup({ customers: 150, baseline: 'fixed:3,5,7', mode: 'live' });
    expect((await s.takeover()).code).toBe(0);
    const paused = [...casesByInvoice(s.store()).values()].filter((c) => c.pausedStripe);
    expect(paused.length).toBeGreaterThan(20);
    const r = await runCli([...s.base, '--json', 'offboard', '--yes'], { overrides: { clock: s.clock } });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(out).toMatchObject({ offboarded: true, webhook: 'disabled' });
    const st = s.emu.state();
    const byId = new Map(st.invoices.map((i) => [i.id, i]));
    let open = 0;
    for (const c of paused) {
      const i = byId.get(c.invoiceId)!;
      expect(i.metadata.recover_managed, c.invoiceId).toBeUndefined();
      if (i.status === 'open') {
        open++;
        expect(i.auto_advance, c.invoiceId).toBe(true);
      }
    }
    expect(open).toBe(out.handedBack.changed);
    const eps = await fetch(`${s.emu.url}/v1/webhook_endpoints`, { headers: { authorization: 'Bearer sk_test_primary' } });
    const list = (await eps.json()) as { data: Array<{ status: string }> };
    expect(list.data.length).toBe(1);
    expect(list.data[0]!.status).toBe('disabled');
    const store = s.store();
    expect(store.settings.require().mode).toBe('shadow');
    expect([...store.cases.iterate()].some((c) => c.pausedStripe)).toBe(false);
    const plain = await runCli([...s.base, 'offboard', '--yes'], { overrides: { clock: s.clock } });
    expect(plain.stdout).toContain('0 invoices handed back');
    // The second run's plan says there is nothing left to change (it said "0 invoices … go back", "shadow → shadow").
    expect(plain.stdout).toContain('no invoice is paused by recover (none to hand back);');
    expect(plain.stdout).toContain('mode stays shadow.');
    expect(plain.stdout).not.toContain('shadow → shadow');
    expect(plain.stdout).toContain('revenue_recovery/retries');
  });
});
