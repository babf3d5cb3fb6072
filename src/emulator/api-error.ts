/**
 * Stripe's error envelope: `{ error: { type, code, message, param, decline_code, … } }` with the
 * HTTP status Stripe uses for it. Handlers throw `ApiError`; the server turns it into a response.
 * Messages are Stripe's own wording where we know it (see README.md in this folder).
 */
export interface StripeErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  advice_code?: string;
  network_advice_code?: string;
  network_decline_code?: string;
  charge?: string;
  payment_intent?: unknown;
  setup_intent?: unknown;
  payment_method?: unknown;
  payment_method_type?: string;
  doc_url?: string;
  request_log_url?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    /** Extra response headers, e.g. `Stripe-Should-Retry`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

/** 400 invalid_request_error. */
export function invalidRequest(message: string, param?: string, code?: string): ApiError {
  return new ApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
  });
}

/** 404 resource_missing: "No such invoice: 'in_123'". */
export function noSuch(label: string, id: string, param = 'id'): ApiError {
  return new ApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${label}: '${id}'`,
    param,
  });
}

/**
 * 400 resource_missing for an id passed as a parameter (not in the path), e.g. `customer` on a create.
 * Stripe's body for it (a public report of `POST /v1/checkout/sessions` with a bad customer):
 * `{"code": "resource_missing", "message": "No such customer: '5'", "param": "customer",
 * "type": "invalid_request_error"}`; ids in the path are the 404 of `noSuch`.
 */
export function noSuchParam(label: string, id: string, param: string): ApiError {
  return new ApiError(400, { ...noSuch(label, id, param).body });
}

/** Stripe masks a key as its prefix, one `*` per hidden character, then the last four. */
export function maskKey(key: string): string {
  const m = /^((?:sk|rk|pk)_(?:test|live)_)/.exec(key);
  const prefix = m ? m[1] : '';
  const rest = key.slice(prefix.length);
  if (rest.length <= 4) return prefix + '*'.repeat(rest.length);
  return prefix + '*'.repeat(rest.length - 4) + rest.slice(-4);
}

/** 401: no key, or a key Stripe does not know. */
export function authError(key: string | null): ApiError {
  const message =
    key === null || key === ''
      ? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."
      : `Invalid API Key provided: ${maskKey(key)}`;
  return new ApiError(401, { type: 'invalid_request_error', message }, { 'WWW-Authenticate': 'Basic realm="Stripe"' });
}

/** 403: a restricted key without the permission this endpoint needs. */
export function permissionError(key: string, account: string, permission: string): ApiError {
  return new ApiError(403, {
    type: 'invalid_request_error',
    message:
      `The provided key '${maskKey(key)}' does not have the required permissions for this endpoint ` +
      `on account '${account}'. Having the '${permission}' permission would allow this request to continue.`,
  });
}

/** 403: `Stripe-Account` names an account the key cannot act for. */
export function accountAccessError(key: string, account: string): ApiError {
  return new ApiError(403, {
    type: 'invalid_request_error',
    code: 'account_invalid',
    doc_url: docUrl('account_invalid'),
    message:
      `The provided key '${maskKey(key)}' does not have access to account '${account}' ` +
      '(or that account does not exist). Application access may have been revoked.',
  });
}

/** 429 as Stripe answers it in test mode. */
export function rateLimitError(): ApiError {
  return new ApiError(429, {
    type: 'invalid_request_error',
    code: 'rate_limit',
    doc_url: docUrl('rate_limit'),
    message:
      'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. ' +
      'You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
  });
}

/** 500 injected by the fault settings (before the request did anything). */
export function injectedServerError(): ApiError {
  return new ApiError(500, {
    type: 'api_error',
    message:
      "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, " +
      'you can reach us at https://support.stripe.com/contact. (emulator: injected fault, nothing was done)',
  });
}

export function idempotencyMismatch(key: string): ApiError {
  return new ApiError(400, {
    type: 'idempotency_error',
    message:
      'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
      `Try using a key other than '${key}' if you meant to execute a different request.`,
  });
}

/** 409: the same key is being processed by a concurrent request. */
export function idempotencyInFlight(key: string): ApiError {
  return new ApiError(409, {
    type: 'idempotency_error',
    code: 'idempotency_key_in_use',
    doc_url: docUrl('idempotency_key_in_use'),
    message:
      'There is currently another in-progress request using this Idempotent Key (that probably means you ' +
      `submitted twice, and the other request is still going through): ${key}. Please try again later.`,
  });
}

export function unknownRoute(method: string, path: string): ApiError {
  return new ApiError(404, {
    type: 'invalid_request_error',
    message:
      `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at ` +
      'https://support.stripe.com/.',
  });
}

export function unknownParameter(name: string): ApiError {
  return invalidRequest(`Received unknown parameter: ${name}`, name, 'parameter_unknown');
}

export { docUrl };
