/**
 * From the SDK's errors to ours (errors.ts), and which SDK errors are worth retrying.
 * The SDK error itself is never passed on: only the fields we vet and redact.
 */
import Stripe from 'stripe';
import { redactText } from '../redact.js';
import {
  AuthenticationFailed,
  CardDeclined,
  IdempotencyConflict,
  InvalidRequest,
  NotFound,
  PermissionMissing,
  RateLimited,
  StripeUnavailable,
  type DeclineInfo,
  type StripeErrorInfo,
} from './errors.js';

type SdkError = InstanceType<typeof Stripe.errors.StripeError>;

export function isSdkError(e: unknown): e is SdkError {
  return e instanceof Stripe.errors.StripeError;
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return (v as { id: string }).id;
  return undefined;
}

/** The decline facts of a 402, completed from the embedded PaymentIntent's last_payment_error. */
function declineOf(e: SdkError): DeclineInfo {
  const pi = e.payment_intent;
  const last = pi?.last_payment_error ?? undefined;
  return {
    declineCode: e.decline_code ?? last?.decline_code,
    adviceCode: e.advice_code ?? last?.advice_code,
    networkAdviceCode: e.network_advice_code ?? last?.network_advice_code,
    networkDeclineCode: e.network_decline_code ?? last?.network_decline_code,
    chargeId: e.charge ?? last?.charge ?? idOf(pi?.latest_charge),
    paymentIntentId: pi?.id,
    paymentIntentStatus: pi?.status,
    paymentMethodId: idOf(e.payment_method) ?? idOf(last?.payment_method) ?? idOf(pi?.payment_method),
  };
}

/** Whether the SDK error is worth retrying with the same idempotency key. */
export function isTransient(e: SdkError): boolean {
  const shouldRetry = e.headers?.['stripe-should-retry'];
  if (shouldRetry === 'false') return false;
  if (shouldRetry === 'true') return true;
  if (e instanceof Stripe.errors.StripeConnectionError || e.statusCode === undefined) return true;
  return e.statusCode === 409 || e.statusCode >= 500;
}

export function isRateLimit(e: SdkError): boolean {
  return e.statusCode === 429 || (e.statusCode === 400 && e.code === 'rate_limit');
}

/** Maps an SDK error (after our retries) to one of ours. Non-Stripe errors are redacted in place and returned. */
export function mapStripeError(e: unknown): Error {
  if (!isSdkError(e)) {
    if (e instanceof Error) {
      e.message = redactText(e.message);
      if (e.stack) e.stack = redactText(e.stack);
      return e;
    }
    return new Error(redactText(String(e)));
  }
  const statusCode = e.statusCode ?? 0;
  const info: StripeErrorInfo = {
    statusCode,
    requestId: e.requestId,
    stripeType: e.rawType,
    code: e.code,
    param: e.param,
    docUrl: e.doc_url,
  };
  const message = e.message || `Stripe answered HTTP ${statusCode}`;
  if (e instanceof Stripe.errors.StripeConnectionError || e.statusCode === undefined) {
    const timeout = /timeout/i.test(message) || (e.detail as { code?: string } | undefined)?.code === 'ETIMEDOUT';
    return new StripeUnavailable(message, info, timeout ? 'timeout' : 'connection');
  }
  if (e.rawType === 'idempotency_error') return new IdempotencyConflict(message, info);
  if (isRateLimit(e)) return new RateLimited(message, info, 'Stripe rate-limited every key; lower the request rate or try later');
  switch (statusCode) {
    case 401:
      return new AuthenticationFailed(message, info);
    case 402:
      return new CardDeclined(message, info, declineOf(e));
    case 403:
      return new PermissionMissing(message, info);
    case 404:
      return new NotFound(message, info);
    case 409:
      return new StripeUnavailable(message, info, 'conflict');
  }
  if (statusCode >= 500) return new StripeUnavailable(message, info, 'server_error');
  return new InvalidRequest(message, info);
}
