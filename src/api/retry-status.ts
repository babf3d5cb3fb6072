/**
 * The merchant's retry-status check (issue 16 §3): just before recover claims a charge, it POSTs
 * `{ recoveryId, invoiceId, customerId, amount, currency, attempt }`, signed like the result
 * webhooks (Standard Webhooks headers, the `result_webhook_secret`), and waits at most 5 s.
 * `{"retry": true}` → charge (an `amount` lowers it); `{"retry": false, "reason"}` → the case ends
 * with that reason; anything else (timeout, refused, a non-2xx, bad JSON) → no charge, asked again
 * later. Never a charge without a yes when a URL is set.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RetryVerdict } from '../connectors/types.js';
import { webhookHeaders } from '../outbox/signing.js';

/** The longest wait for the merchant's answer, ms (issue 16 §3). */
export const RETRY_STATUS_TIMEOUT_MS = 5000;
/** After no usable answer, the same attempt is asked again this much later (clock ms): 15 minutes. */
export const RETRY_STATUS_AGAIN_MS = 15 * 60_000;
/** The counter `recover status` and /metrics read: retry-status checks without a usable answer. */
export const UNANSWERED_COUNTER = 'api_retry_status_unanswered';

export const retryStatusRequest = z.object({
  recoveryId: z.string(),
  invoiceId: z.string(),
  customerId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  attempt: z.number().int().meta({ description: 'the attempt number about to be made' }),
});
export type RetryStatusRequest = z.infer<typeof retryStatusRequest>;

export const retryStatusAnswer = z.union([
  z.object({
    retry: z.literal(true),
    amount: z.number().int().min(1).optional().meta({ description: 'charge less than the amount due' }),
  }),
  z.object({ retry: z.literal(false), reason: z.string().min(1).max(500) }),
]);

export async function askRetryStatus(
  url: string,
  secret: string | undefined,
  q: RetryStatusRequest,
  nowMs: number,
  timeoutMs = RETRY_STATUS_TIMEOUT_MS,
): Promise<RetryVerdict> {
  const body = JSON.stringify(q);
  const id = `msg_${randomBytes(12).toString('hex')}`;
  // The timestamp is wall time, as the merchant's verifier checks it against its own clock.
  void nowMs;
  const ts = Math.floor(Date.now() / 1000);
  const headers = secret ? webhookHeaders(secret, id, ts, body) : { 'content-type': 'application/json' };
  const later = (reason: string): RetryVerdict => ({
    ok: false,
    kind: 'ask_later',
    reason,
    retryInMs: RETRY_STATUS_AGAIN_MS,
  });
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (e) {
    const timedOut = (e as Error).name === 'TimeoutError';
    return later(
      timedOut
        ? `the retry-status URL did not answer within ${timeoutMs / 1000} s`
        : 'the retry-status URL could not be reached',
    );
  }
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status > 299) return later(`the retry-status URL answered ${res.status}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return later('the retry-status URL answered something other than JSON');
  }
  const a = retryStatusAnswer.safeParse(json);
  if (!a.success) return later('the retry-status answer is neither {"retry": true} nor {"retry": false, "reason": …}');
  if (a.data.retry === false) {
    return { ok: false, kind: 'merchant_declined', reason: `the merchant said no: ${a.data.reason}` };
  }
  return a.data.amount !== undefined && a.data.amount < q.amount ? { ok: true, amount: a.data.amount } : { ok: true };
}
