/**
 * Typed errors for everything Stripe can answer, mapped from the SDK's error classes.
 *
 * Every text that ends up in an error (message, hint, Stripe's fields) goes through the redactor
 * first, so no API key can appear in `message`, `stack`, `String(err)` or `JSON.stringify(err)`.
 * The SDK's own error object is never kept (no `cause`): its `raw`/`headers` are not ours to vet.
 *
 * All of them extend StripeAccessError (exit 1) except CardDeclined, which is a normal outcome
 * of charging a card and extends WorkError (exit 1 if it ever escapes to the CLI).
 */
import { StripeAccessError, WorkError } from '../errors.js';
import { redactText, redactValue } from '../redact.js';

export type KeyRole = 'primary' | 'fallback';

/** Which call produced the error; filled in by the executor. Never contains a key. */
export interface CallInfo {
  method: string;
  /** Path template, e.g. `/v1/invoices/:id/pay`. */
  path: string;
  account?: string;
  key: KeyRole;
  /** How many HTTP requests were made for this call (1 = no retry). */
  attempts: number;
}

export interface StripeErrorInfo {
  /** HTTP status; 0 when no response arrived (connection error or timeout). */
  statusCode: number;
  requestId?: string;
  /** Stripe's error `type`: card_error, invalid_request_error, idempotency_error, api_error… */
  stripeType?: string;
  /** Stripe's error `code`, e.g. resource_missing, card_declined. */
  code?: string;
  param?: string;
  docUrl?: string;
}

export type GatewayErrorKind =
  | 'permission_missing'
  | 'authentication_failed'
  | 'card_declined'
  | 'rate_limited'
  | 'not_found'
  | 'invalid_request'
  | 'idempotency_conflict'
  | 'unavailable';

function jsonOf(err: Error & { kind: string; hint?: string; call?: CallInfo }, info: object): Record<string, unknown> {
  return redactValue({ name: err.name, kind: err.kind, message: err.message, hint: err.hint, ...info, call: err.call });
}

/** Base of every gateway error except CardDeclined. */
export abstract class StripeGatewayError extends StripeAccessError implements StripeErrorInfo {
  abstract readonly kind: GatewayErrorKind;
  /**
   * The same call may succeed later without anyone changing anything (Stripe down, rate limit, the
   * same key still in flight). False: retrying as is would fail again (bullmq's UnrecoverableError
   * is the inverse flag); a refused key needs the operator (`needsOperator`) and is kept apart.
   */
  get retryable(): boolean {
    return false;
  }
  /** A person must fix something (the key, its permissions) before the call can succeed. */
  get needsOperator(): boolean {
    return false;
  }
  readonly statusCode: number;
  readonly requestId?: string;
  readonly stripeType?: string;
  readonly code?: string;
  readonly param?: string;
  readonly docUrl?: string;
  call?: CallInfo;
  constructor(message: string, info: StripeErrorInfo, hint?: string) {
    super(redactText(message), hint === undefined ? undefined : redactText(hint));
    const clean = redactValue(info);
    this.statusCode = clean.statusCode;
    this.requestId = clean.requestId;
    this.stripeType = clean.stripeType;
    this.code = clean.code;
    this.param = clean.param;
    this.docUrl = clean.docUrl;
  }
  toJSON(): Record<string, unknown> {
    return jsonOf(this, this.ownInfo());
  }
  protected ownInfo(): object {
    const { statusCode, requestId, stripeType, code, param, docUrl } = this;
    return { statusCode, requestId, stripeType, code, param, docUrl };
  }
}

/** 403: the restricted key lacks a permission. `permissions` are the `rak_*` names Stripe asked for. */
export class PermissionMissing extends StripeGatewayError {
  readonly kind = 'permission_missing' as const;
  readonly permissions: string[];
  constructor(message: string, info: StripeErrorInfo) {
    const permissions = parsePermissions(message);
    super(
      message,
      info,
      permissions.length
        ? `add ${permissions.join(', ')} to the restricted key in the Stripe Dashboard (Developers → API keys)`
        : "check the restricted key's permissions in the Stripe Dashboard (Developers → API keys)",
    );
    this.permissions = permissions;
  }
  override get needsOperator(): boolean {
    return true;
  }
  protected override ownInfo(): object {
    return { ...super.ownInfo(), permissions: this.permissions };
  }
}

/** 401: the key is wrong, revoked or expired. */
export class AuthenticationFailed extends StripeGatewayError {
  readonly kind = 'authentication_failed' as const;
  constructor(message: string, info: StripeErrorInfo) {
    super(
      message,
      info,
      'check the key (it may have been rolled or revoked), then save a valid one with `recover onboard stripe` ' +
        '(the Recovery API\'s key: `recover onboard api`)',
    );
  }
  override get needsOperator(): boolean {
    return true;
  }
}

/** 429 on every key after all retries. */
export class RateLimited extends StripeGatewayError {
  readonly kind = 'rate_limited' as const;
  override get retryable(): boolean {
    return true;
  }
}

/** 404 resource_missing. */
export class NotFound extends StripeGatewayError {
  readonly kind = 'not_found' as const;
}

/** 400 (and other 4xx not listed above): the request itself is wrong. */
export class InvalidRequest extends StripeGatewayError {
  readonly kind: 'invalid_request' | 'idempotency_conflict' = 'invalid_request';
}

/**
 * Stripe's idempotency_error: the key was used with other parameters (`params_mismatch`, 400),
 * or another request with the same key is still in flight (`in_progress`, 409, after retries).
 */
export class IdempotencyConflict extends InvalidRequest {
  override readonly kind = 'idempotency_conflict' as const;
  readonly reason: 'params_mismatch' | 'in_progress';
  constructor(message: string, info: StripeErrorInfo) {
    super(message, info);
    this.reason = info.statusCode === 409 ? 'in_progress' : 'params_mismatch';
  }
  /** In progress: the first request with this key will finish; a mismatch never will. */
  override get retryable(): boolean {
    return this.reason === 'in_progress';
  }
  protected override ownInfo(): object {
    return { ...super.ownInfo(), reason: this.reason };
  }
}

/**
 * 5xx, 409 lock conflicts, timeouts and connection errors, after all retries; or `stopped`: the
 * owner's stop signal cut the call before Stripe answered (it may still have gone through, so it
 * is retried with the same idempotency key, which makes Stripe replay it).
 */
export class StripeUnavailable extends StripeGatewayError {
  readonly kind = 'unavailable' as const;
  /** `timeout`, `connection` and `stopped` have statusCode 0. */
  readonly reason: 'server_error' | 'timeout' | 'connection' | 'conflict' | 'stopped';
  constructor(message: string, info: StripeErrorInfo, reason: StripeUnavailable['reason']) {
    super(message, info, 'Stripe did not answer successfully; the call is safe to retry later');
    this.reason = reason;
  }
  override get retryable(): boolean {
    return true;
  }
  protected override ownInfo(): object {
    return { ...super.ownInfo(), reason: this.reason };
  }
}

export interface DeclineInfo {
  declineCode?: string;
  adviceCode?: string;
  /** Mastercard merchant advice code (e.g. "03", "21", "24"…"30") or Visa equivalent. */
  networkAdviceCode?: string;
  networkDeclineCode?: string;
  chargeId?: string;
  paymentIntentId?: string;
  paymentIntentStatus?: string;
  paymentMethodId?: string;
}

/**
 * 402 card_error. Not an access problem: the card was declined (or needs the customer's action).
 * `code` is Stripe's error code (card_declined, expired_card, invoice_payment_intent_requires_action…).
 */
export class CardDeclined extends WorkError implements StripeErrorInfo, DeclineInfo {
  readonly kind = 'card_declined' as const;
  readonly statusCode: number;
  readonly requestId?: string;
  readonly stripeType?: string;
  readonly code?: string;
  readonly param?: string;
  readonly docUrl?: string;
  readonly declineCode?: string;
  readonly adviceCode?: string;
  readonly networkAdviceCode?: string;
  readonly networkDeclineCode?: string;
  readonly chargeId?: string;
  readonly paymentIntentId?: string;
  readonly paymentIntentStatus?: string;
  readonly paymentMethodId?: string;
  call?: CallInfo;
  constructor(message: string, info: StripeErrorInfo, decline: DeclineInfo) {
    super(redactText(message));
    const i = redactValue(info);
    const d = redactValue(decline);
    this.statusCode = i.statusCode;
    this.requestId = i.requestId;
    this.stripeType = i.stripeType;
    this.code = i.code;
    this.param = i.param;
    this.docUrl = i.docUrl;
    this.declineCode = d.declineCode;
    this.adviceCode = d.adviceCode;
    this.networkAdviceCode = d.networkAdviceCode;
    this.networkDeclineCode = d.networkDeclineCode;
    this.chargeId = d.chargeId;
    this.paymentIntentId = d.paymentIntentId;
    this.paymentIntentStatus = d.paymentIntentStatus;
    this.paymentMethodId = d.paymentMethodId;
  }
  /** The payment needs the customer (3D Secure): retrying off-session cannot succeed. */
  get requiresAction(): boolean {
    return this.code === 'invoice_payment_intent_requires_action' || this.paymentIntentStatus === 'requires_action';
  }
  toJSON(): Record<string, unknown> {
    const { statusCode, requestId, stripeType, code, param, docUrl } = this;
    const {
      declineCode,
      adviceCode,
      networkAdviceCode,
      networkDeclineCode,
      chargeId,
      paymentIntentId,
      paymentIntentStatus,
      paymentMethodId,
    } = this;
    return jsonOf(this, {
      statusCode,
      requestId,
      stripeType,
      code,
      param,
      docUrl,
      declineCode,
      adviceCode,
      networkAdviceCode,
      networkDeclineCode,
      chargeId,
      paymentIntentId,
      paymentIntentStatus,
      paymentMethodId,
      requiresAction: this.requiresAction,
    });
  }
}

export type GatewayError = StripeGatewayError | CardDeclined;

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof StripeGatewayError || e instanceof CardDeclined;
}

/** All `rak_*` permission names in Stripe's 403 message ("Having the 'rak_…' permission would allow…"). */
export function parsePermissions(message: string): string[] {
  const found = new Set<string>();
  for (const m of message.matchAll(/\b(rak_[a-z0-9_]+)\b/g)) found.add(m[1]);
  return [...found];
}

/** Whether `e` is a gateway error that may succeed if the same call is made again later. */
export function isRetryable(e: unknown): boolean {
  return e instanceof StripeGatewayError && e.retryable;
}

/** Whether `e` is a gateway error that waits for a person to fix the key or its permissions. */
export function needsOperator(e: unknown): boolean {
  return e instanceof StripeGatewayError && e.needsOperator;
}
