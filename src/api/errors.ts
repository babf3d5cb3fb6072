/**
 * The API's error answers, in Stripe's envelope `{"error": {type, code, message, param}}`, so a
 * merchant's code that already handles Stripe errors handles these. `message` names the bad value
 * and what is accepted; it never holds a key (the server redacts every answer anyway).
 */
import type { z } from 'zod';

export type ApiErrorType =
  'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'idempotency_error' | 'api_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { type: ApiErrorType; code: string; message: string; param?: string } } {
    return {
      error: { type: this.type, code: this.code, message: this.message, ...(this.param ? { param: this.param } : {}) },
    };
  }
}

export const notFound = (what: string): ApiError =>
  new ApiError(404, 'invalid_request_error', 'resource_missing', `No such ${what}`);

/** The first zod issue as one line: the parameter (dotted path), what was wrong, what is accepted. */
export function fromZod(e: z.ZodError): ApiError {
  const issue = e.issues[0]!;
  const param = issue.path.map(String).join('.') || undefined;
  const code = issue.code === 'unrecognized_keys' ? 'parameter_unknown' : 'parameter_invalid';
  const what = issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}` : issue.message;
  return new ApiError(400, 'invalid_request_error', code, param ? `${param}: ${what}` : what, param);
}
