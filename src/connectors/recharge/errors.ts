/**
 * Typed errors for everything the Recharge admin API can answer, like src/stripe/errors.ts:
 * each says whether the same call may succeed later (`retryable`) and whether a person must fix
 * something first (`needsOperator`). Every text goes through the redactor, and the token is
 * redacted by value too (Recharge tokens have no recognisable prefix), so it can never appear
 * in `message`, `String(err)` or `JSON.stringify(err)` (the client registers it: registerSecret).
 */
import { StripeAccessError } from '../../errors.js';
import { redactText, redactValue } from '../../redact.js';

export type RechargeErrorKind =
  | 'scope_missing'
  | 'authentication_failed'
  | 'plan_required'
  | 'rate_limited'
  | 'not_found'
  | 'invalid_request'
  | 'unavailable';

export interface RechargeErrorInfo {
  /** HTTP status; 0 when no response arrived (connection error or timeout). */
  statusCode: number;
  method: string;
  /** Path template, e.g. `/charges/:id/process`. */
  path: string;
  /** HTTP requests made for this call (1 = no retry). */
  attempts: number;
  /** Recharge's own error text (`errors` or `error` in the body), redacted. */
  detail?: string;
}

/**
 * Base of every Recharge error. The exit code is 1 (the platform refused us), as for Stripe:
 * RecoverError's access class is named after Stripe but means "the billing platform".
 */
export abstract class RechargeError extends StripeAccessError {
  abstract readonly kind: RechargeErrorKind;
  readonly statusCode: number;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly detail?: string;
  constructor(message: string, info: RechargeErrorInfo, hint?: string) {
    super(redactText(message), hint === undefined ? undefined : redactText(hint));
    const clean = redactValue(info);
    this.statusCode = clean.statusCode;
    this.method = clean.method;
    this.path = clean.path;
    this.attempts = clean.attempts;
    this.detail = clean.detail;
  }
  /** The same call may succeed later without anyone changing anything. */
  get retryable(): boolean {
    return false;
  }
  /** A person must fix the token, its scopes or the store's plan first. */
  get needsOperator(): boolean {
    return false;
  }
  toJSON(): Record<string, unknown> {
    const { name, kind, message, hint, statusCode, method, path, attempts, detail, retryable } = this;
    return redactValue({
      name,
      kind,
      message,
      hint,
      statusCode,
      method,
      path,
      attempts,
      detail,
      retryable,
      ...this.extra(),
    });
  }
  protected extra(): object {
    return {};
  }
}

/** 403: the token lacks a scope. `scopes` are the names Recharge's body gave, or the ones the route needs. */
export class ScopeMissing extends RechargeError {
  readonly kind = 'scope_missing' as const;
  readonly scopes: string[];
  constructor(message: string, info: RechargeErrorInfo, scopes: string[]) {
    super(
      message,
      info,
      scopes.length
        ? `give the API token ${scopes.join(' or ')} in Recharge (Tools & apps → API tokens → edit the token)`
        : "check the API token's scopes in Recharge (Tools & apps → API tokens)",
    );
    this.scopes = scopes;
  }
  override get needsOperator(): boolean {
    return true;
  }
  protected override extra(): object {
    return { scopes: this.scopes };
  }
}

/** 401: the token is wrong or revoked. */
export class AuthenticationFailed extends RechargeError {
  readonly kind = 'authentication_failed' as const;
  constructor(message: string, info: RechargeErrorInfo) {
    super(
      message,
      info,
      'check the Recharge API token (it may have been deleted), then run `recover onboard recharge`',
    );
  }
  override get needsOperator(): boolean {
    return true;
  }
}

/** `POST /charges/{id}/process` refused because the store's plan lacks it (a Pro feature). */
export class PlanRequired extends RechargeError {
  readonly kind = 'plan_required' as const;
  constructor(message: string, info: RechargeErrorInfo) {
    super(message, info, 'processing charges by API needs the Recharge Pro plan (or higher): upgrade the store');
  }
  override get needsOperator(): boolean {
    return true;
  }
}

/** 429 after every retry the client allows. */
export class RateLimited extends RechargeError {
  readonly kind = 'rate_limited' as const;
  override get retryable(): boolean {
    return true;
  }
}

export class NotFound extends RechargeError {
  readonly kind = 'not_found' as const;
}

/** 400/422 and every other 4xx: the request itself is wrong; retrying it as is fails again. */
export class InvalidRequest extends RechargeError {
  readonly kind = 'invalid_request' as const;
}

/**
 * 5xx, timeouts, connection errors. `ambiguous`: a non-idempotent POST (process) whose outcome
 * is unknown — Recharge has no idempotency keys, so the caller must re-read the charge before
 * any new attempt (never charge twice).
 */
export class RechargeUnavailable extends RechargeError {
  readonly kind = 'unavailable' as const;
  readonly ambiguous: boolean;
  constructor(message: string, info: RechargeErrorInfo, ambiguous: boolean) {
    super(
      message,
      info,
      ambiguous
        ? 'the outcome is unknown: re-read the charge before retrying it'
        : 'Recharge did not answer successfully; the call is safe to retry later',
    );
    this.ambiguous = ambiguous;
  }
  override get retryable(): boolean {
    return true;
  }
  protected override extra(): object {
    return { ambiguous: this.ambiguous };
  }
}

export function isRechargeError(e: unknown): e is RechargeError {
  return e instanceof RechargeError;
}

/** Scope names (read_x / write_x / process_charge…) mentioned in a Recharge error text. */
export function parseScopes(text: string): string[] {
  return [...new Set([...text.matchAll(/\b((?:read|write)_[a-z_]+|process_charge)\b/g)].map((m) => m[1]))];
}

/** Recharge's error body: `{"errors": "…"}`, `{"errors": {field: [...]}}` or `{"error": "…"}` → one text. */
export function errorText(text: string): string {
  try {
    const b = JSON.parse(text) as { errors?: unknown; error?: unknown };
    const e = b.errors ?? b.error;
    return typeof e === 'string' ? e : JSON.stringify(e ?? b);
  } catch {
    return text.slice(0, 200);
  }
}

/**
 * The typed error for an HTTP answer. `ambiguous`: the call was a non-idempotent POST, so after a
 * 5xx its outcome is unknown. The plan refusal of /process is told apart from a scope 403 by its
 * text naming the plan (its status and wording are assumptions: README).
 */
export function toRechargeError(
  status: number,
  i: RechargeErrorInfo,
  detail: string,
  ambiguous: boolean,
): RechargeError {
  const what = `Recharge ${i.method} ${i.path} → ${status}: ${i.detail ?? ''}`.trim();
  if (status === 401) return new AuthenticationFailed(what, i);
  if (i.path === '/charges/:id/process' && [402, 403, 422].includes(status) && /\bplan\b/i.test(detail)) {
    return new PlanRequired(what, i);
  }
  if (status === 403) return new ScopeMissing(what, i, parseScopes(detail));
  if (status === 404) return new NotFound(what, i);
  if (status === 429) return new RateLimited(what, i);
  if (status >= 500) return new RechargeUnavailable(what, i, ambiguous);
  return new InvalidRequest(what, i);
}
