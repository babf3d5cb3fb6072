/**
 * Emulator benchmark (`npm run bench -- emulator`): a generated merchant is loaded into an
 * in-process emulator, then the real stripe SDK drives it over HTTP:
 * - invoices.retrieve, sequential and 16 concurrent (requests/s);
 * - invoices.list with limit=100 (status=open), sequential pages and 16 concurrent (requests/s,
 *   invoices/s), and one auto-paginated walk over every open invoice;
 * - invoices.pay on declining invoices (the write path: charge, payment intent, events);
 * - advancing the clock 31 days: every subscription renews (draft, finalize, first attempt) and
 *   Smart Retries run (invoices created and charges made per second of wall time).
 * RECOVER_BENCH_EMULATOR_CUSTOMERS overrides the merchant size (default 20,000 customers,
 * about 28,000 invoices).
 */
import { performance } from 'node:perf_hooks';
import Stripe from 'stripe';
import { generateMerchant, startEmulator } from '../src/emulator/index.js';

const CONCURRENCY = 16;

async function rate(total: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await one(i);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

export async function benchEmulator(): Promise<Record<string, number | string>> {
  const customers = Number(process.env.RECOVER_BENCH_EMULATOR_CUSTOMERS ?? 20_000);
  const t0 = performance.now();
  const seed = generateMerchant({ customers, rngSeed: 1 });
  const generated = performance.now() - t0;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  const emu = await startEmulator({ seed });
  const loadMs = performance.now() - t1;
  global.gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const stripe = new Stripe('sk_test_bench', { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0 });
  try {
    const open = emu.state().invoices.filter((i) => i.status === 'open');
    const ids = open.map((i) => i.id);
    const retrieve = (i: number) => stripe.invoices.retrieve(ids[i % ids.length]);
    await rate(200, 4, retrieve); // warm-up
    const retrieveSeq = await rate(2_000, 1, retrieve);
    const retrieveConc = await rate(4_000, CONCURRENCY, retrieve);

    // Pages of 100 at scattered cursors, so each request is a real page walk.
    const cursor = (i: number) => ids[(i * 97) % Math.max(1, ids.length - 200)];
    const list = (i: number) => stripe.invoices.list({ status: 'open', limit: 100, starting_after: cursor(i) });
    const listSeq = await rate(300, 1, list);
    const listConc = await rate(600, CONCURRENCY, list);

    const t2 = performance.now();
    let walked = 0;
    for await (const _ of stripe.invoices.list({ status: 'open', limit: 100, expand: ['data.payments'] })) walked++;
    const walkS = (performance.now() - t2) / 1000;

    const declining = open.filter((i) => i.attempt_count > 0).map((i) => i.id);
    const payN = Math.min(1_000, declining.length);
    const pay = (i: number) => stripe.invoices.pay(declining[i], {}, { idempotencyKey: `bench:${i}` }).catch(() => undefined);
    const paySeq = await rate(payN, 1, pay);

    const invoicesBefore = emu.state().invoices.length;
    const chargesBefore = emu.state().charges.length;
    const t3 = performance.now();
    await emu.advance(31 * 86_400_000);
    const advanceS = (performance.now() - t3) / 1000;
    const after = emu.state();
    const renewed = after.invoices.length - invoicesBefore;
    const charged = after.charges.length - chargesBefore;

    return {
      customers,
      invoices: emu.loaded.invoices,
      'open invoices': ids.length,
      'charges in seed history': emu.loaded.charges,
      'generate (ms)': Math.round(generated),
      'seed load (ms)': Math.round(loadMs),
      'heap after load (MiB)': Math.round(heapMiB),
      'invoices.retrieve sequential (req/s)': Math.round(retrieveSeq),
      [`invoices.retrieve ${CONCURRENCY} concurrent (req/s)`]: Math.round(retrieveConc),
      'invoices.list limit=100 sequential (req/s)': Math.round(listSeq),
      [`invoices.list limit=100 ${CONCURRENCY} concurrent (req/s)`]: Math.round(listConc),
      [`invoices.list limit=100 ${CONCURRENCY} concurrent (invoices/s)`]: Math.round(listConc * 100),
      'auto-paginated walk of open invoices with payments (s)': Number(walkS.toFixed(2)),
      'walked invoices': walked,
      'invoices.pay sequential (req/s)': Math.round(paySeq),
      'advance 31 days (s)': Number(advanceS.toFixed(2)),
      'renewal invoices created in 31 days': renewed,
      'charges made in 31 days (renewals + Smart Retries)': charged,
      'advance: charges per second': Math.round(charged / advanceS),
    };
  } finally {
    await emu.close();
  }
}
