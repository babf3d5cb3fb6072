/**
 * `recover takeover` against the emulator: a generated merchant of a few hundred invoices on
 * two connected accounts, plus hand-made invoices for every skip reason. Expected outcomes
 * come from the emulator's state (helpers.ts), never from the code under test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assignArm } from '../../src/policy/index.js';
import { casesByInvoice, DAY, expectedOutcome, merchantSeed, setup, skippedCounts } from './helpers.js';

const ROUTES_PER_OBJECT = ['GET /v1/invoices/:id', 'GET /v1/charges/:id', 'GET /v1/payment_intents/:id', 'GET /v1/customers/:id', 'GET /v1/subscriptions/:id', 'GET /v1/invoice_payments', 'GET /v1/payment_methods/:id'];

describe('recover takeover', () => {
  it('imports exactly the eligible invoices and skips the rest by reason, with Stripe calls growing with pages', async () => {
    const s = await setup({ customers: 300 });
    const before = s.emu.state();
    const exp = expectedOutcome(before, { accounts: s.accounts, now: s.emu.now() });
    // The seed covers every reason a listed invoice can be skipped for.
    for (const r of ['zero_amount', 'not_attempted', 'subscription_create', 'subscription_canceled', 'needs_customer_action', 'past_dunning_window'] as const) {
      expect(exp.skipped.get(r)?.size, r).toBeGreaterThan(0);
    }
    expect(exp.imported.size).toBeGreaterThan(150);

    const r = await s.takeover(['--page-size', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.total.imported).toBe(exp.imported.size);
    expect(r.json.total.skipped).toEqual(skippedCounts(exp));
    expect(r.json.total.alreadyPresent).toBe(0);

    const store = s.store();
    const cases = casesByInvoice(store);
    expect(new Set(cases.keys())).toEqual(exp.imported);
    const customers = new Map<string, string | undefined>();
    for (const inv of before.invoices) customers.set(inv.id, inv.customer);
    // The seed says who the customers are and which cards they have.
    const seed = merchantSeed({ customers: 300 });
    const seedCustomers = new Map(seed.connected_accounts!.flatMap((a) => a.customers!).map((c) => [c.id!, c]));
    const brands = new Map([...seedCustomers.values()].flatMap((c) => (c.payment_methods ?? []).map((pm) => [pm.id, pm.brand ?? 'visa'] as const)));
    const charges = new Map(before.charges.map((ch) => [ch.id, ch]));
    let hard = 0;
    for (const [invoice, c] of cases) {
      // The last decline came from the local join with the PaymentIntents: the invoice's latest charge.
      expect(c.lastChargeId, invoice).toBe(exp.lastCharge.get(invoice));
      const charge = charges.get(c.lastChargeId!)!;
      expect(c.lastDeclineCode, invoice).toBeTruthy();
      expect(c.lastFailedAt).toBe(charge.created);
      expect(c.lastNetworkAdviceCode ?? null).toBe(charge.network_advice_code);
      expect(c.cardFingerprint).toBeTruthy();
      if (charge.payment_method && brands.has(charge.payment_method)) expect(c.cardBrand, invoice).toBe(brands.get(charge.payment_method));
      const who = seedCustomers.get(c.customerId)!;
      expect(c.customerTimezone, invoice).toBe(who.timezone ?? null);
      expect(c.customerCountry, invoice).toBe(who.country ?? null);
      expect(c.arm).toBe(assignArm(customers.get(invoice)!, 0.1));
      const decisions = store.decisions.listForCase(c.id);
      expect(decisions.length, invoice).toBeGreaterThan(0);
      expect(decisions[0].reason.length).toBeGreaterThan(10);
      if (c.status === 'hard_declined') {
        hard++;
        expect(c.endedAt).not.toBeNull();
        // Treatment: recover ends dunning itself (mark uncollectible, cancel at period end by default).
        if (c.arm === 'treatment') expect(store.jobs.listForCase(c.id).map((j) => j.kind).sort()).toEqual(['invoice_mark_uncollectible', 'subscription_cancel_at_period_end']);
      }
    }
    expect(hard).toBe(r.json.total.hardDeclined);
    expect(hard).toBeGreaterThan(0);

    // Calls: list pages only, never one read per invoice.
    const after = s.emu.state({ summary: true }).requests.byRoute;
    const was = before.requests.byRoute;
    const delta = (route: string) => (after[route] ?? 0) - (was[route] ?? 0);
    for (const route of ROUTES_PER_OBJECT) expect(delta(route), route).toBe(0);
    expect(delta('GET /v1/invoices')).toBe(r.json.total.invoicePages);
    expect(delta('GET /v1/payment_intents')).toBe(r.json.total.intentPages);
    expect(delta('GET /v1/charges')).toBe(0); // listed only with --history
    const listed = r.json.total.listed;
    // A PaymentIntent is created at its invoice's first attempt: those of the window (31 days).
    const firstCharge = new Map<string, number>();
    for (const c of before.charges) {
      if (s.accounts.includes(c.account) && c.payment_intent) firstCharge.set(c.payment_intent, Math.min(c.created, firstCharge.get(c.payment_intent) ?? Infinity));
    }
    const windowIntents = [...firstCharge.values()].filter((t) => t >= s.emu.now() - 31 * DAY).length;
    // At most one partly filled page per segment (8 workers over 2 accounts: 4 slices + 1 older, plus splits).
    const segments = 2 * 5 + 16;
    expect(r.json.total.invoicePages).toBeGreaterThanOrEqual(Math.ceil(listed / 20));
    expect(r.json.total.invoicePages).toBeLessThanOrEqual(Math.ceil(listed / 20) + segments);
    expect(r.json.total.intentPages).toBeGreaterThanOrEqual(Math.ceil(windowIntents / 20));
    expect(r.json.total.intentPages).toBeLessThanOrEqual(Math.ceil(windowIntents / 20) + segments);
    // The only per-invoice calls are the pauses (writes Stripe has no batch for).
    expect(delta('POST /v1/invoices/:id')).toBe(r.json.total.paused);
  });

  it('a re-run imports nothing, refreshes what changed in Stripe, and never pauses twice', async () => {
    const s = await setup({ customers: 200 });
    const first = await s.takeover();
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.total.imported).toBeGreaterThan(100);
    const posts = () => s.emu.state({ summary: true }).requests.byRoute['POST /v1/invoices/:id'] ?? 0;
    const postsAfterFirst = posts();

    const again = await s.takeover();
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.total.imported).toBe(0);
    expect(again.json.total.alreadyPresent).toBe(first.json.total.imported);
    expect(again.json.total.skipped).toEqual(first.json.total.skipped);
    expect(posts()).toBe(postsAfterFirst);
    const store = s.store();
    const seen = new Map([...casesByInvoice(store)].map(([id, c]) => [id, c.stripeAttemptCount]));
    expect(seen.size).toBe(first.json.total.imported);

    // Two days later Smart Retries have tried the control invoices again (baseline stripe) but
    // not the paused treatment ones, and some invoices failed for the first time. A re-run
    // records the new attempts and imports only the newly failed invoices.
    await s.emu.advance(2 * DAY);
    const st = s.emu.state();
    const exp = expectedOutcome(st, { accounts: s.accounts, now: s.emu.now() });
    const newlyFailed = [...exp.imported].filter((id) => !seen.has(id));
    const third = await s.takeover();
    expect(third.code, third.stderr).toBe(0);
    expect(third.json.total.imported).toBe(newlyFailed.length);
    const cases = casesByInvoice(store);
    expect(cases.size).toBe(seen.size + newlyFailed.length);
    const open = st.invoices.filter((i) => seen.has(i.id) && i.status === 'open');
    expect(third.json.total.alreadyPresent).toBe(open.length);
    const retried = open.filter((i) => i.attempt_count > seen.get(i.id)!);
    expect(retried.length).toBeGreaterThan(0);
    for (const i of retried) {
      expect(cases.get(i.id)!.arm).toBe('control');
      // attempt_count is read once, when the case opens: later attempts are counted from the
      // charges recover sees (attempt_count skips manual payments and counts retries Stripe
      // schedules but does not run after a hard decline: the SDK's Invoice.attempt_count doc).
      expect(cases.get(i.id)!.stripeAttemptCount).toBe(seen.get(i.id));
    }
    expect(posts()).toBe(postsAfterFirst + third.json.total.paused);
  });

  it('--dry-run prints the plan and writes nothing: database byte-identical, no Stripe write', async () => {
    const s = await setup({ customers: 150 });
    const exp = expectedOutcome(s.emu.state(), { accounts: s.accounts, now: s.emu.now() });
    const bytes = readFileSync(s.db);
    const posts = () => s.emu.state({ summary: true }).requests.byRoute['POST /v1/invoices/:id'] ?? 0;
    const postsBefore = posts();
    const dry = await s.takeover(['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(readFileSync(s.db).equals(bytes)).toBe(true);
    expect(posts()).toBe(postsBefore);
    const plan = dry.json.plan!;
    expect(new Set(plan.filter((p) => p.action === 'import').map((p) => p.invoice))).toEqual(exp.imported);
    expect(plan.filter((p) => p.action === 'skip').length).toBe([...exp.skipped.values()].reduce((n, v) => n + v.size, 0));

    // The real run then does what the dry run showed, decision for decision.
    const real = await s.takeover();
    expect(real.json.total.imported).toBe(exp.imported.size);
    const store = s.store();
    for (const p of plan.filter((x) => x.action === 'import')) {
      const c = store.cases.getByInvoice(p.invoice, p.account)!;
      const d = store.decisions.listForCase(c.id)[0];
      expect(d.action === 'retry' ? new Date(d.retryAt!).toISOString() : undefined).toBe(p.decision!.at);
    }
  });

  it('prints a readable plan and summary table without --json', async () => {
    const s = await setup({ customers: 60 });
    const { runCli } = await import('../helpers/cli.js');
    const r = await runCli([...s.base, 'takeover', '--dry-run'], { overrides: { clock: s.clock } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^skip {4}in_oldx0 .* — past the dunning window$/m);
    expect(r.stdout).toMatch(/^import {2}in_\w+ .*(treatment|control)/m);
    expect(r.stdout).toContain('Takeover plan (dry run: nothing written)');
    // Tables fit 80 columns when piped (the label wraps): match the row's first line.
    expect(r.stdout).toMatch(/│ {3}subscription( canceled)? +│ 1 +│ 1 +│ 2 +│/);
    const real = await runCli([...s.base, 'takeover'], { overrides: { clock: s.clock } });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain('Takeover summary');
    expect(real.stdout).not.toMatch(/^import /m);
  });

  it('--account takes over one connected account only', async () => {
    const s = await setup({ customers: 80 });
    const [one, other] = s.accounts;
    const r = await s.takeover(['--account', one]);
    expect(r.code, r.stderr).toBe(0);
    const exp = expectedOutcome(s.emu.state(), { accounts: [one], now: s.emu.now() });
    const cases = casesByInvoice(s.store());
    expect(new Set(cases.keys())).toEqual(exp.imported);
    expect([...cases.values()].every((c) => c.accountId === one)).toBe(true);
    const bad = await s.takeover(['--account', 'acct_nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(other);
    // The emulator's clock only with the emulator.
    const { runCli } = await import('../helpers/cli.js');
    const noEmu = await runCli(['--db', s.db, 'takeover', '--clock', 'emulator']);
    expect(noEmu.code).toBe(2);
    expect(noEmu.stderr).toMatch(/--clock emulator needs --stripe-api-base/);
  });

  it('--history 90d imports the period\'s settled charges, with their invoices, into the history table', async () => {
    const s = await setup({ customers: 120 });
    const r = await s.takeover(['--history', '90d']);
    expect(r.code, r.stderr).toBe(0);
    const since = s.emu.now() - 90 * DAY;
    const charges = s.emu.state().charges.filter((c) => s.accounts.includes(c.account) && c.created >= since);
    const store = s.store();
    expect(store.history.count()).toBe(charges.length);
    expect(r.json.total.historyImported).toBe(charges.length);
    const rows = new Map([...store.history.iterate()].map((h) => [h.id, h]));
    for (const c of charges) {
      const row = rows.get(c.id)!;
      expect(row, c.id).toMatchObject({ status: c.status, accountId: c.account, amount: c.amount, paymentIntentId: c.payment_intent, created: c.created });
      // Charges no longer name their invoice: it comes from the invoice payments, joined locally.
      expect(row.invoiceId, c.id).toBe(c.invoice);
      if (c.status === 'failed') expect(row.declineCode, c.id).toBeTruthy();
      else expect(row.declineCode, c.id).toBeNull();
      expect(row.cardFingerprint).toBeTruthy();
    }
    // The report's pre-takeover baseline is built from it.
    const { runCli } = await import('../helpers/cli.js');
    const report = await runCli([...s.base, '--json', 'report'], { overrides: { clock: s.clock } });
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).preTakeover?.invoices).toBeGreaterThan(0);
    // Idempotent; and a bad period is a usage error.
    expect((await s.takeover(['--history', '90d'])).json.total.historyImported).toBe(0);
    expect((await s.takeover(['--history', 'soon'])).code).toBe(2);
  });
});
