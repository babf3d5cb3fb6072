/**
 * Resumability: a takeover stopped after its 2nd page — by Ctrl-C (an abort) or by SIGKILL of
 * the process — and then run again ends with exactly the full set: no duplicate, no gap. And
 * injected 429s and 5xx lose nothing.
 */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { WorkError } from '../../src/errors.js';
import { runTakeover, type TakeoverOptions } from '../../src/commands/takeover/index.js';
import { createGateway } from '../../src/stripe/index.js';
import type { Store } from '../../src/db/index.js';
import { buildChildCli } from '../helpers/child-build.js';
import { casesByInvoice, expectedOutcome, setup, type Expected, type Setup } from './helpers.js';

const SCAN = 'takeover:invoices';

/** runTakeover in-process with its own context, whose `signal` stands for the first Ctrl-C. */
async function direct(s: Setup, opts: TakeoverOptions, signal?: AbortSignal): Promise<unknown> {
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), env: { NO_COLOR: '1' }, stdinIsTTY: false };
  io.stdout.resume();
  io.stderr.resume();
  const ctx = createContext({ db: s.db, json: false, logLevel: 'warn', logFormat: 'text', stripeApiBase: s.emu.url }, io, { clock: s.clock, signal });
  try {
    await runTakeover(opts, ctx);
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await ctx.close();
  }
}

/** The end state must be exactly the expected set, each case recorded once. */
function expectExactlyOnce(store: Store, exp: Expected): void {
  const cases = casesByInvoice(store);
  expect(new Set(cases.keys())).toEqual(exp.imported);
  for (const c of cases.values()) {
    const attempts = store.attempts.listForCase(c.id);
    // The decline found at import is recorded once; a second import would add another.
    expect(attempts.filter((a) => a.by === 'stripe').length, c.invoiceId).toBe(1);
    expect(store.decisions.listForCase(c.id).filter((d) => d.action !== 'end').length, c.invoiceId).toBe(1);
    expect(c.upserts, c.invoiceId).toBe(1);
  }
}

describe('takeover resumes', () => {
  it('interrupted after page 2 (Ctrl-C), a re-run continues: exactly the full set, no duplicate, no gap', async () => {
    const s = await setup({ customers: 300 });
    const exp = expectedOutcome(s.emu.state(), { accounts: s.accounts, now: s.emu.now() });
    const stop = new AbortController();
    let pages = 0;
    const err = await direct(s, {
      pageSize: 10,
      concurrency: 4,
      onPage: (p) => {
        if (p.kind === 'invoices' && ++pages === 2) stop.abort();
      },
    }, stop.signal);
    expect(err).toBeInstanceOf(WorkError);
    expect((err as Error).message).toMatch(/interrupted/);
    const store = s.store();
    const partial = store.cases.count();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(exp.imported.size);
    expect(s.accounts.some((a) => store.cursors.get(a, SCAN) !== undefined)).toBe(true);

    const again = await s.takeover(['--page-size', '10', '--concurrency', '4']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.accounts.some((a) => (a as { resumed?: boolean }).resumed)).toBe(true);
    expect(again.json.total.imported).toBe(exp.imported.size - partial);
    expectExactlyOnce(store, exp);
    for (const a of s.accounts) expect(store.cursors.get(a, SCAN)).toBeUndefined();
    // Complete now: the next run starts a fresh scan and imports nothing.
    expect((await s.takeover()).json.total.imported).toBe(0);
  });

  it('interrupted once one account is complete, a re-run does not walk that account again', async () => {
    const s = await setup({ customers: 300 });
    const exp = expectedOutcome(s.emu.state(), { accounts: s.accounts, now: s.emu.now() });
    const store = s.store();
    const stop = new AbortController();
    const err = await direct(s, {
      pageSize: 10,
      concurrency: 4,
      onPage: (p) => {
        if (p.kind !== 'invoices' || stop.signal.aborted) return;
        // Called after the page is committed: stop as soon as one account's scan is complete.
        const scan = store.cursors.get(p.account, SCAN);
        if (scan === undefined || (JSON.parse(scan) as { segments: Array<{ done: boolean }> }).segments.every((g) => g.done)) stop.abort();
      },
    }, stop.signal);
    expect(err).toBeInstanceOf(WorkError);
    const partial = store.cases.count();
    expect(partial).toBeGreaterThan(0);

    const again = await s.takeover(['--page-size', '10', '--concurrency', '4']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.total.imported).toBe(exp.imported.size - partial);
    expectExactlyOnce(store, exp);
    for (const a of s.accounts) expect(store.cursors.get(a, SCAN)).toBeUndefined();
  });

  it('killed with SIGKILL after its 2nd recorded page, a re-run ends with exactly the full set', async () => {
    const runner = buildChildCli();
    const s = await setup({ customers: 300, emulator: { latencyMs: 10 } });
    const exp = expectedOutcome(s.emu.state(), { accounts: s.accounts, now: s.emu.now() });
    const child = spawn(process.execPath, [runner, ...s.base, '--log-level', 'debug', '--log-format', 'json', 'takeover', '--clock', 'emulator', '--page-size', '10', '--concurrency', '4'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let committed = 0;
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.includes('"takeover page committed"') && ++committed === 2) child.kill('SIGKILL');
      }
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const store = s.store();
    const partial = store.cases.count();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(exp.imported.size);

    const again = await s.takeover(['--page-size', '10', '--clock', 'emulator'], { clock: undefined });
    expect(again.code, again.stderr).toBe(0);
    expectExactlyOnce(store, exp);
    // Invoices the killed run paused but never recorded are recognised as paused by recover.
    const invoices = new Map(s.emu.state().invoices.map((i) => [i.id, i]));
    for (const c of casesByInvoice(store).values()) {
      const inv = invoices.get(c.invoiceId)!;
      if (c.arm === 'treatment' && inv.metadata.recover_managed) expect(c.pausedStripe, c.invoiceId).toBe(true);
      if (c.arm === 'treatment') expect(inv.auto_advance, c.invoiceId).toBe(false);
    }
  });

  it('429s and 5xx injected by the emulator lose nothing', async () => {
    const s = await setup({ customers: 120, fallbackKey: true });
    const exp = expectedOutcome(s.emu.state(), { accounts: s.accounts, now: s.emu.now() });
    // 20% of requests answered 500 throughout; a per-key limit of 10 req/s for the first second.
    s.emu.setFaults({ errorRate: 0.2, rateLimitPerSec: 10 });
    const lift = setTimeout(() => s.emu.setFaults({ rateLimitPerSec: null }), 1000);
    // The saved keys, with short backoffs so the test stays quick.
    const stripe = createGateway({ primaryKey: 'sk_test_primary', fallbackKey: 'sk_test_fallback', apiBase: s.emu.url, rateLimitPerSec: 200, backoffBaseMs: 10 });
    let r = await s.takeover(['--page-size', '25'], { stripe });
    // A call can still exhaust its retries (0.2^5 per call); the run then stops cleanly and a re-run continues.
    for (let i = 0; i < 5 && r.code !== 0; i++) r = await s.takeover(['--page-size', '25'], { stripe });
    clearTimeout(lift);
    expect(r.code, r.stderr).toBe(0);
    const byStatus = s.emu.state({ summary: true }).requests.byStatus;
    expect(byStatus['429']).toBeGreaterThan(0);
    expect(byStatus['500']).toBeGreaterThan(10);
    const store = s.store();
    expectExactlyOnce(store, exp);
    const invoices = new Map(s.emu.state().invoices.map((i) => [i.id, i]));
    for (const c of casesByInvoice(store).values()) {
      if (c.arm === 'treatment') expect(invoices.get(c.invoiceId)!.auto_advance, c.invoiceId).toBe(false);
    }
  }, 90_000);
});
