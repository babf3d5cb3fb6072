/**
 * Recharge emulator benchmark (`npm run bench -- recharge-emulator`): a store is generated in an
 * in-process Recharge emulator (30 days of history laid out on its clock), then the typed client
 * drives it over HTTP: every errored charge listed in 250-row cursor pages, charges read one by one
 * (requests/s), and the clock advanced 30 days (renewals and Recharge's own retries).
 * RECOVER_BENCH_RECHARGE_CUSTOMERS overrides the store size (default 10,000 customers).
 */
import { performance } from 'node:perf_hooks';
import { RechargeClient } from '../src/connectors/recharge/client.js';
import { startRechargeEmulator } from '../src/emulators/recharge/index.js';

const TOKEN = 'bench-recharge-token-0001';

export async function benchRechargeEmulator(): Promise<Record<string, number | string>> {
  const customers = Number(process.env.RECOVER_BENCH_RECHARGE_CUSTOMERS ?? 10_000);
  const t0 = performance.now();
  const emu = await startRechargeEmulator({
    generate: { customers, rngSeed: 1 },
    bucket: null,
    tokens: { [TOKEN]: 'all' },
  });
  const generateS = (performance.now() - t0) / 1000;
  // The client's own bucket is opened wide too: this measures the emulator, not Recharge's 2 calls/s.
  const rc = new RechargeClient({ token: TOKEN, baseUrl: emu.url, bucket: { capacity: 1e9, leakPerSec: 1e9 } });
  try {
    const t1 = performance.now();
    const ids: number[] = [];
    for await (const c of rc.charges({ status: 'error', limit: 250 })) ids.push(c.id);
    const listS = (performance.now() - t1) / 1000;
    const reads = Math.min(2_000, ids.length * 4);
    const t2 = performance.now();
    for (let i = 0; i < reads; i++) await rc.getCharge(ids[i % ids.length]);
    const readS = (performance.now() - t2) / 1000;
    const before = emu.world.charges.size;
    const t3 = performance.now();
    await emu.advance(30 * 86_400_000);
    const advanceS = (performance.now() - t3) / 1000;
    return {
      customers,
      charges: emu.loaded!.charges,
      errored_at_start: ids.length,
      generate_s: round(generateS),
      list_errored_s: round(listS),
      charge_reads_per_s: Math.round(reads / readS),
      advance_30d_s: round(advanceS),
      charges_made_in_30d: emu.world.charges.size - before,
    };
  } finally {
    await emu.close();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
