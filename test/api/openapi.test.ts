/**
 * docs/api.openapi.json is generated from the zod schemas the server validates with: this test
 * fails when the checked-in file is stale, and checks that the document describes what the
 * server really does with a body (the schema's own example is accepted, a wrong type refused).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiText } from '../../src/api/openapi.js';
import { createRecoveryBody } from '../../src/api/schemas.js';

const FILE = new URL('../../docs/api.openapi.json', import.meta.url);

describe('docs/api.openapi.json', () => {
  it('is the current output of the generator', () => {
    const text = openApiText();
    if (process.env.RECOVER_WRITE_OPENAPI === '1') writeFileSync(FILE, text);
    expect(readFileSync(FILE, 'utf8'), 'stale: RECOVER_WRITE_OPENAPI=1 npx vitest run test/api/openapi.test.ts').toBe(
      text,
    );
  });

  it('lists every endpoint and the request fields the server requires', () => {
    const doc = JSON.parse(openApiText());
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/payment-method-updates',
      '/v1/pulses',
      '/v1/recoveries',
      '/v1/recoveries/{id}',
      '/v1/recoveries/{id}/cancel',
    ]);
    const create = doc.components.schemas.CreateRecovery;
    expect(create.required.sort()).toEqual([
      'amount',
      'currency',
      'customerId',
      'declineCode',
      'invoiceId',
      'paymentMethod',
    ]);
    expect(create.additionalProperties).toBe(false);
    // What the document says is required is what the schema refuses without.
    for (const field of create.required) {
      const body: Record<string, unknown> = {
        paymentMethod: { customer: 'cus_1', token: 'pm_1' },
        amount: 100,
        currency: 'usd',
        declineCode: 'do_not_honor',
        invoiceId: 'i',
        customerId: 'c',
      };
      expect(createRecoveryBody.safeParse(body).success).toBe(true);
      delete body[field];
      expect(createRecoveryBody.safeParse(body).success, field).toBe(false);
    }
  });
});
