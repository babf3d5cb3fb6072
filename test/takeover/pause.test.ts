/**
 * Pausing Stripe's retries: with Smart Retries on in the emulator, after takeover and 15
 * emulated days, Stripe has retried none of the invoices recover manages and kept retrying the
 * control group under baseline `stripe`. Baseline `fixed` pauses control too; shadow mode and
 * --no-pause-stripe pause nothing.
 */
import { describe, expect, it } from 'vitest';
import { casesByInvoice, DAY, setup, type Setup } from './helpers.js';

/** Invoices Stripe retried by itself (Smart Retries) after `since`. */
function smartRetried(s: Setup, since: number): Set<string> {
  return new Set(s.emu.state().charges.filter((c) => c.source === 'smart_retry' && c.created > since && c.invoice).map((c) => c.invoice!));
}

describe('takeover pauses Stripe\'s own retries', () => {
  it('baseline stripe: managed (treatment) invoices are never retried by Stripe again, control invoices still are', async () => {
    const s = await setup({ customers: 300, baseline: 'stripe' });
    const before = new Map(s.emu.state().invoices.map((i) => [i.id, i]));
    const r = await s.takeover();
    expect(r.code, r.stderr).toBe(0);
    const cases = casesByInvoice(s.store());
    const treatment = [...cases.values()].filter((c) => c.arm === 'treatment');
    const control = [...cases.values()].filter((c) => c.arm === 'control');
    // Both arms had invoices Stripe was about to retry: the test could fail either way.
    const wouldRetry = (id: string) => before.get(id)!.next_payment_attempt !== null;
    expect(treatment.filter((c) => wouldRetry(c.invoiceId)).length).toBeGreaterThan(20);
    expect(control.filter((c) => wouldRetry(c.invoiceId)).length).toBeGreaterThan(3);

    const t0 = s.emu.now();
    const invoices = new Map(s.emu.state().invoices.map((i) => [i.id, i]));
    for (const c of treatment) {
      expect(invoices.get(c.invoiceId)).toMatchObject({ auto_advance: false, next_payment_attempt: null });
      // An invoice the merchant had paused already is left as it is (and recorded as not paused by recover).
      const pausedByUs = before.get(c.invoiceId)!.auto_advance;
      expect(c.pausedStripe).toBe(pausedByUs);
      expect(invoices.get(c.invoiceId)!.metadata.recover_managed).toBe(pausedByUs ? 'true' : undefined);
    }
    expect(treatment.filter((c) => !before.get(c.invoiceId)!.auto_advance).length).toBeGreaterThan(0);
    for (const c of control) {
      expect(invoices.get(c.invoiceId)!.auto_advance).toBe(true);
      expect(c.pausedStripe).toBe(false);
    }

    await s.emu.advance(15 * DAY);
    const retried = smartRetried(s, t0);
    for (const c of treatment) expect(retried.has(c.invoiceId), c.invoiceId).toBe(false);
    for (const c of control.filter((x) => wouldRetry(x.invoiceId))) expect(retried.has(c.invoiceId), c.invoiceId).toBe(true);
  });

  it('baseline fixed: control invoices are paused too (recover runs the control schedule itself)', async () => {
    const s = await setup({ customers: 200, baseline: 'fixed:3,5,7' });
    const r = await s.takeover();
    expect(r.code, r.stderr).toBe(0);
    const cases = [...casesByInvoice(s.store()).values()];
    expect(cases.some((c) => c.arm === 'control')).toBe(true);
    const t0 = s.emu.now();
    await s.emu.advance(15 * DAY);
    const retried = smartRetried(s, t0);
    expect(retried.size).toBeGreaterThan(0); // Stripe still retries what recover does not manage
    for (const c of cases) {
      expect(c.pausedStripe, c.invoiceId).toBe(!c.invoiceId.startsWith('in_paus')); // in_paus*: paused by the merchant
      expect(retried.has(c.invoiceId), c.invoiceId).toBe(false);
    }
  });

  for (const [name, mode, args] of [['shadow mode', 'shadow', []], ['--no-pause-stripe', 'live', ['--no-pause-stripe']]] as const) {
    it(`${name}: imports the same cases and pauses nothing`, async () => {
      const s = await setup({ customers: 120, mode });
      const posts = () => s.emu.state({ summary: true }).requests.byRoute['POST /v1/invoices/:id'] ?? 0;
      const before = posts();
      const r = await s.takeover([...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.total.imported).toBeGreaterThan(50);
      expect(r.json.total.paused).toBe(0);
      expect(posts()).toBe(before);
      expect([...casesByInvoice(s.store()).values()].every((c) => !c.pausedStripe)).toBe(true);
    });
  }

  it('a later run without --no-pause-stripe pauses the managed cases an earlier run left running', async () => {
    const s = await setup({ customers: 120 });
    expect((await s.takeover(['--no-pause-stripe'])).json.total.paused).toBe(0);
    const r = await s.takeover();
    const cases = [...casesByInvoice(s.store()).values()];
    const treatmentOpen = cases.filter((c) => c.arm === 'treatment' && c.endedAt === null);
    expect(r.json.total.imported).toBe(0);
    expect(r.json.total.paused).toBe(treatmentOpen.filter((c) => c.invoiceId.startsWith('in_') && !c.invoiceId.startsWith('in_paus')).length);
    for (const c of treatmentOpen) expect(c.pausedStripe, c.invoiceId).toBe(!c.invoiceId.startsWith('in_paus'));
  });
});
