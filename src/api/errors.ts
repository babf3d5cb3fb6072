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

/**
 * The first zod issue as one line: the parameter (dotted path), the bad value as given, and what is
 * accepted (the project's rule for bad input). zod's own wording ("Invalid input: expected object,
 * received undefined") is replaced where it would not tell a merchant's engineer what to send.
 */
export function fromZod(e: z.ZodError, body?: unknown): ApiError {
  const issue = e.issues[0]!;
  const param = issue.path.map(String).join('.') || undefined;
  if (issue.code === 'unrecognized_keys') {
    const at = param ? ` in ${param}` : '';
    const msg = `unknown parameter ${issue.keys.join(', ')}${at} (see docs/api.md for the accepted ones)`;
    return new ApiError(400, 'invalid_request_error', 'parameter_unknown', msg, param);
  }
  const value = valueAt(body, issue.path);
  let what: string;
  if (value === undefined) what = `${param ?? 'the body'} is required (${accepted(issue)})`;
  else what = `${param ?? 'the body'}: ${shown(value)} is not accepted (${accepted(issue)})`;
  return new ApiError(400, 'invalid_request_error', 'parameter_invalid', what, param);
}

function accepted(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const t = issue.expected === 'int' ? 'integer' : issue.expected;
    return `accepted: ${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
  }
  if (issue.code === 'too_small') return `accepted: at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big') return `accepted: at most ${String(issue.maximum)}`;
  // Our own messages ("must be a Stripe customer id (cus_…)") already say what is accepted.
  return issue.message.replace(/^must be /, 'accepted: ');
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let v: unknown = body;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
