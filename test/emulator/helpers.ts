/**
 * Emulator test helpers: an emulator started in-process on a random port (closed after each
 * test) and the real stripe SDK pointed at it over HTTP.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { afterEach } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions, type Seed, type SeedInput } from '../../src/emulator/index.js';

const open: Emulator[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

export async function start(opts: EmulatorOptions = {}): Promise<Emulator> {
  // Receivers in these tests listen on 127.0.0.1, which Stripe (and the emulator by default) refuses.
  const emu = await startEmulator({ port: 0, allowLocalWebhooks: true, ...opts });
  open.push(emu);
  return emu;
}

export function sdk(emu: Emulator, key = 'sk_test_emulator', extra: Partial<ConstructorParameters<typeof Stripe>[1]> = {}): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0, ...extra });
}

export const SMALL_MERCHANT_PATH = fileURLToPath(new URL('../../fixtures/small-merchant.json', import.meta.url));

/** The hand-made seed in fixtures/small-merchant.json (a fresh copy). */
export function smallMerchant(): SeedInput {
  return JSON.parse(readFileSync(SMALL_MERCHANT_PATH, 'utf8')) as SeedInput;
}

export const MAIN = 'acct_1SmallMerchant0001';
export const CONNECTED = 'acct_1SmallConnect00001';
export const DAY = 86_400_000;

/** A seed with one customer whose card behaves as given, and `invoices` open invoices never attempted. */
export function oneCustomer(behaviour: unknown, opts: { invoices?: number; amount?: number; smartRetries?: boolean; timezone?: string } = {}): Seed | SeedInput {
  return {
    account: {
      id: 'acct_1TestAccount00001',
      smart_retries: opts.smartRetries ?? true,
      customers: [
        {
          id: 'cus_test',
          email: 'test@example.com',
          timezone: opts.timezone,
          payment_methods: [{ id: 'pm_test', brand: 'mastercard', behaviour } as never],
          subscriptions: [
            {
              id: 'sub_test',
              price: opts.amount ?? 2000,
              created: '-60d',
              invoices: Array.from({ length: opts.invoices ?? 1 }, (_, i) => ({ id: `in_test_${i}`, amount: opts.amount ?? 2000, created: '-2h' })),
            },
          ],
        },
      ],
    },
  };
}

/** Awaits a promise expected to reject with a Stripe error and returns it. */
export async function stripeError(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Stripe.errors.StripeError) return e;
    throw e;
  }
  throw new Error('expected a Stripe error');
}
