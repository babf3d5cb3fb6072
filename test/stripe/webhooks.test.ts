/**
 * Signature verification with the SDK's own code, against a clock we control. The
 * emulator-signed delivery is covered in gateway-emulator.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { WebhookSignatureInvalid, constructEvent, signPayload } from '../../src/stripe/index.js';

const SECRET = 'whsec_testsecret0123456789abcdef';
const OTHER = 'whsec_othersecret0123456789abcd';
const NOW = 1_790_000_000; // epoch seconds
const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1' } } });

function rejection(fn: () => unknown): WebhookSignatureInvalid {
  try {
    fn();
  } catch (e) {
    if (e instanceof WebhookSignatureInvalid) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('webhook signatures', () => {
  it('verifies a signed body at the given time', () => {
    const header = signPayload(body, SECRET, NOW - 10);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const ev = constructEvent(body, header, SECRET, 300, NOW);
    expect(ev.id).toBe('evt_1');
    expect(ev.type).toBe('invoice.paid');
    // Buffers work too (the raw request body).
    expect(constructEvent(Buffer.from(body), header, SECRET, 300, NOW).id).toBe('evt_1');
  });

  it('rejects a forged body, a wrong secret, stale and future timestamps', () => {
    const header = signPayload(body, SECRET, NOW);
    expect(rejection(() => constructEvent(body.replace('in_1', 'in_2'), header, SECRET, 300, NOW)).reason).toBe('signature_mismatch');
    expect(rejection(() => constructEvent(body, header, OTHER, 300, NOW)).reason).toBe('signature_mismatch');
    expect(rejection(() => constructEvent(body, signPayload(body, SECRET, NOW - 301), SECRET, 300, NOW)).reason).toBe('timestamp_too_old');
    expect(rejection(() => constructEvent(body, signPayload(body, SECRET, NOW + 301), SECRET, 300, NOW)).reason).toBe('timestamp_in_future');
    // Within tolerance on both sides.
    expect(constructEvent(body, signPayload(body, SECRET, NOW + 299), SECRET, 300, NOW).id).toBe('evt_1');
  });

  it('rejects missing and malformed headers, empty and non-JSON bodies', () => {
    expect(rejection(() => constructEvent(body, undefined, SECRET, 300, NOW)).reason).toBe('header_missing');
    expect(rejection(() => constructEvent(body, 'garbage', SECRET, 300, NOW)).reason).toBe('header_malformed');
    expect(rejection(() => constructEvent(body, `t=${NOW}`, SECRET, 300, NOW)).reason).toBe('header_malformed');
    expect(rejection(() => constructEvent('', signPayload('', SECRET, NOW), SECRET, 300, NOW)).reason).toBe('payload_missing');
    const notJson = 'hello';
    expect(rejection(() => constructEvent(notJson, signPayload(notJson, SECRET, NOW), SECRET, 300, NOW)).reason).toBe('payload_not_json');
    const notEvent = '{"hello":1}';
    expect(rejection(() => constructEvent(notEvent, signPayload(notEvent, SECRET, NOW), SECRET, 300, NOW)).reason).toBe('payload_not_event');
  });

  it('accepts any of several secrets (rotation)', () => {
    const header = signPayload(body, OTHER, NOW);
    expect(constructEvent(body, header, [SECRET, OTHER], 300, NOW).id).toBe('evt_1');
    // A stale signature by the second secret is stale, not a mismatch.
    expect(rejection(() => constructEvent(body, signPayload(body, OTHER, NOW - 1000), [SECRET, OTHER], 300, NOW)).reason).toBe(
      'timestamp_too_old',
    );
  });

  it('guards against configuration and unit mistakes, and never shows the secret', () => {
    expect(() => constructEvent(body, signPayload(body, SECRET, NOW), '', 300, NOW)).toThrow(ConfigError);
    expect(() => constructEvent(body, signPayload(body, SECRET, NOW), SECRET, 300, NOW * 1000)).toThrow(/milliseconds/);
    const e = rejection(() => constructEvent(body, signPayload(body, SECRET, NOW), OTHER, 300, NOW));
    for (const text of [e.message, String(e), String(e.stack), JSON.stringify(e)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(OTHER);
    }
  });
});
