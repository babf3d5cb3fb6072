/**
 * No API key, whole, in any error (message, String(), stack, JSON, util.inspect) or log line,
 * even when Stripe's own message echoes one back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { redactKey } from '../../src/redact.js';
import { IdempotencyConflict, NotFound, createGateway } from '../../src/stripe/index.js';
import { FALLBACK, NO_INVOICE_WRITE, PRIMARY, UNKNOWN, expectNoKeys, gatewayFor, rejection, startSeeded } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startSeeded();
});
afterAll(async () => {
  await emu?.close();
});

describe('redaction', () => {
  it('redacts a key that Stripe echoes in its message (404 naming the id)', async () => {
    const { gw, rec } = gatewayFor(emu, { fallbackKey: FALLBACK });
    // A caller bug passes a key where an id belongs; Stripe answers "No such invoice: '<that>'".
    const err = await rejection(gw.invoices.retrieve(PRIMARY));
    expect(err).toBeInstanceOf(NotFound);
    expect(err.message).toContain(redactKey(PRIMARY));
    expectNoKeys(err);
    expectNoKeys(rec.logs);
  });

  it('redacts a key echoed as an idempotency key in a conflict', async () => {
    const { gw, rec } = gatewayFor(emu);
    await gw.invoices.update('in_page20', { metadata: { a: '1' } }, { idempotencyKey: FALLBACK });
    const err = await rejection(gw.invoices.update('in_page20', { metadata: { a: '2' } }, { idempotencyKey: FALLBACK }));
    expect(err).toBeInstanceOf(IdempotencyConflict);
    expect(err.message).toContain(redactKey(FALLBACK));
    expectNoKeys(err);
    expectNoKeys(rec.logs);
  });

  it('keeps keys out of every kind of error and every log line', async () => {
    const errors: unknown[] = [];
    const logs: unknown[] = [];
    const logger = { debug: (o: object, m?: string) => logs.push([o, m]), info: (o: object, m?: string) => logs.push([o, m]), warn: (o: object, m?: string) => logs.push([o, m]) };
    const sleep = async () => {};
    errors.push(await rejection(createGateway({ primaryKey: UNKNOWN, apiBase: emu.url, logger, sleep }).customers.list()));
    errors.push(await rejection(createGateway({ primaryKey: NO_INVOICE_WRITE, apiBase: emu.url, logger, sleep }).invoices.markUncollectible('in_page21')));
    errors.push(await rejection(createGateway({ primaryKey: PRIMARY, apiBase: 'http://127.0.0.1:1', logger, sleep, maxRetries: 1 }).charges.list()));
    try {
      createGateway({ primaryKey: 'rk_live_51LiveKeyXyZ9876', apiBase: emu.url });
    } catch (e) {
      errors.push(e);
    }
    const decline = await createGateway({ primaryKey: PRIMARY, apiBase: emu.url, logger, sleep }).invoices.pay('in_page22', { idempotencyKey: 'recover:r:in_page22:1' });
    expect(decline.ok).toBe(false);
    if (!decline.ok) errors.push(decline.decline);
    expect(errors).toHaveLength(5);
    expect(logs.length).toBeGreaterThan(0);
    for (const e of errors) expectNoKeys(e);
    expectNoKeys(logs);
    for (const e of errors) expect(JSON.stringify(e)).not.toContain('rk_live_51LiveKeyXyZ9876');
  });
});
