/**
 * docs/api.openapi.json, generated from the zod schemas the server validates with (zod 4's
 * `z.toJSONSchema`), so the document is the contract as enforced. A test fails when the checked-in
 * file differs from this output; regenerate with `RECOVER_WRITE_OPENAPI=1 npx vitest run test/api/openapi.test.ts`.
 */
import { z } from 'zod';
import { retryStatusAnswer, retryStatusRequest } from './retry-status.js';
import * as S from './schemas.js';

const json = (schema: z.ZodType, io: 'input' | 'output') => {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const answer = (description: string, name: string) => ({
  description,
  content: { 'application/json': { schema: ref(name) } },
});
const errors = {
  400: answer('invalid request: the parameter and what is accepted', 'Error'),
  401: answer('no or invalid API key', 'Error'),
  404: answer('no such recovery', 'Error'),
  409: answer('Idempotency-Key reused with another request', 'Error'),
  413: answer('body over 64 KiB', 'Error'),
  429: answer('rate limit (per key); see the Retry-After header', 'Error'),
};
const idem = (required: boolean) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required,
  description: 'same key + same body → the first answer again; same key + other body → 409',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^rcv_\\d+$' } };

export function buildOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'recover Recovery API',
      version: '1',
      description:
        'Failed payments from your own billing, recovered by recover (docs/api.md). ' +
        'Served by `recover run` under /v1/.',
    },
    servers: [{ url: 'http://127.0.0.1:4242' }],
    security: [{ bearer: [] }],
    paths: {
      '/v1/recoveries': {
        post: {
          summary: 'Hand over a failed payment',
          parameters: [idem(true)],
          requestBody: body('CreateRecovery'),
          responses: {
            202: answer('scheduled: the first planned attempt and its reason', 'Recovery'),
            200: answer(
              'blocked (hard decline), a customer-present outcome, or the payment already handed over',
              'Recovery',
            ),
            ...errors,
          },
        },
        get: {
          summary: 'Find a recovery by the Idempotency-Key it was created with',
          parameters: [{ name: 'idempotency_key', in: 'query', required: true, schema: { type: 'string' } }],
          responses: { 200: answer('zero or one recovery', 'RecoveryList'), ...errors },
        },
      },
      '/v1/recoveries/{id}': {
        get: {
          summary: 'A recovery',
          parameters: [idParam],
          responses: { 200: answer('the recovery', 'Recovery'), ...errors },
        },
      },
      '/v1/recoveries/{id}/cancel': {
        post: {
          summary: 'Stop a recovery (the customer cancelled, paid elsewhere)',
          parameters: [idParam, idem(false)],
          requestBody: { ...body('Cancel'), required: false },
          responses: { 200: answer('canceled', 'Recovery'), ...errors },
        },
      },
      '/v1/payment-method-updates': {
        post: {
          summary: 'A new card for one of your customers: its recoveries are re-planned at once',
          parameters: [idem(false)],
          requestBody: body('PaymentMethodUpdate'),
          responses: { 200: answer('the recoveries re-planned', 'PaymentMethodUpdateResult'), ...errors },
        },
      },
      '/v1/pulses': {
        post: {
          summary: 'An organic successful charge (your whole revenue, for the report)',
          parameters: [idem(false)],
          requestBody: body('Pulse'),
          responses: { 201: answer('recorded', 'PulseResult'), ...errors },
        },
      },
    },
    webhooks: {
      retryStatus: {
        post: {
          summary: 'Your retry-status URL, asked just before each retry (signed like the result webhooks; 5 s)',
          requestBody: body('RetryStatusRequest'),
          responses: {
            200: answer(
              '{"retry": true} (optionally a lower amount) or {"retry": false, "reason"}',
              'RetryStatusAnswer',
            ),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'rcv_test_… / rcv_live_… (recover api-keys create)' },
      },
      schemas: {
        CreateRecovery: json(S.createRecoveryBody, 'input'),
        Cancel: json(S.cancelBody, 'input'),
        PaymentMethodUpdate: json(S.paymentMethodUpdateBody, 'input'),
        Pulse: json(S.pulseBody, 'input'),
        Recovery: json(S.recoveryView, 'output'),
        RecoveryList: json(S.recoveryList, 'output'),
        PaymentMethodUpdateResult: json(S.pmUpdateView, 'output'),
        PulseResult: json(S.pulseView, 'output'),
        Error: json(S.errorEnvelope, 'output'),
        RetryStatusRequest: json(retryStatusRequest, 'output'),
        RetryStatusAnswer: json(retryStatusAnswer, 'input'),
      },
    },
  };
}

export function openApiText(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
}
