/**
 * `recover webhooks list|show <id>|resend <id>|enable` and `recover webhooks endpoint set <url>`:
 * the result webhooks (issue 16 §4, docs/webhooks.md). Reads go through the read-only store;
 * the signing secret is printed once, when the first URL is set, and redacted everywhere else.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Context } from '../context.js';
import { RESULT_EVENT_TYPES, type Delivery, type OutboxMessage, type ResultEventType } from '../db/index.js';
import { badValue, NotFoundError, UsageError } from '../errors.js';
import { redactKey } from '../redact.js';
import {
  caseIdOfRecovery,
  disabledOf,
  enableEndpoint,
  ENDPOINT_ACCEPTED,
  endpointProblem,
  newSigningSecret,
  recoveryIdOf,
} from '../outbox/index.js';
import { ago } from './status.js';

export interface ListOptions {
  type?: string;
  recovery?: string;
  limit?: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function stateOf(m: OutboxMessage): string {
  return m.outcome ?? (m.tries === 0 ? 'pending' : 'retrying');
}

function summary(m: OutboxMessage) {
  return {
    id: m.messageId,
    type: m.type,
    recoveryId: m.caseId === null ? null : recoveryIdOf(m.caseId),
    createdAt: iso(m.createdAt),
    state: stateOf(m),
    tries: m.tries,
    lastStatus: m.lastStatus,
    nextTryAt: m.outcome ? null : iso(m.dueAt),
  };
}

export async function runWebhooksList(o: ListOptions, ctx: Context): Promise<void> {
  if (o.type !== undefined && !(RESULT_EVENT_TYPES as readonly string[]).includes(o.type))
    throw badValue('--type', o.type, RESULT_EVENT_TYPES.join(' | '));
  const caseId = o.recovery === undefined ? undefined : caseIdOfRecovery(o.recovery);
  if (caseId === null) throw badValue('--recovery', o.recovery, 'a recovery id such as rcv_42');
  const rows = ctx.readDb.outbox.list({ limit: o.limit ?? 50, type: o.type as ResultEventType | undefined, caseId });
  const now = ctx.clock.now();
  ctx.out.result({ webhooks: rows.map(summary) });
  if (rows.length === 0) {
    ctx.out.line('No result webhooks recorded yet.');
    return;
  }
  ctx.out.table(
    ['id', 'type', 'case', 'age', 'state', 'HTTP (tries)'],
    rows.map((m) => [
      m.messageId,
      m.type,
      m.caseId === null ? '' : recoveryIdOf(m.caseId),
      ago(m.createdAt, now),
      stateOf(m) + (m.outcome ? '' : ` (next ${ago(m.dueAt, now)})`),
      `${m.lastStatus === null ? '—' : m.lastStatus} (${m.tries})`,
    ]),
    { whole: [0] }, // the id is what `webhooks show|resend` take
  );
}

function find(ctx: Context, id: string, readOnly = true): OutboxMessage {
  const db = readOnly ? ctx.readDb : ctx.db;
  if (!/^msg_[0-9a-f]{1,64}$/.test(id))
    throw badValue('<id>', id, 'a message id such as msg_5f2c… (recover webhooks list)');
  const m = db.outbox.getByMessageId(id);
  if (!m) throw new NotFoundError(`no result webhook ${id}`, 'run: recover webhooks list');
  return m;
}

function deliveryRow(d: Delivery) {
  return {
    attemptedAt: iso(d.attemptedAt),
    url: d.url,
    status: d.status,
    durationMs: d.durationMs,
    response: d.response,
    error: d.error,
  };
}

export async function runWebhooksShow(id: string, _o: unknown, ctx: Context): Promise<void> {
  const m = find(ctx, id);
  const deliveries = ctx.readDb.outbox.deliveries(m.id);
  ctx.out.result({ ...summary(m), payload: m.payload, deliveries: deliveries.map(deliveryRow) });
  ctx.out.line(`${m.messageId}  ${m.type}  ${stateOf(m)} after ${m.tries} tries`);
  ctx.out.line(m.body);
  if (deliveries.length === 0) ctx.out.line('Not tried yet.');
  else
    ctx.out.table(
      ['tried at', 'status', 'ms', 'answer'],
      deliveries.map((d) => [
        iso(d.attemptedAt)!,
        d.status === null ? 'no answer' : String(d.status),
        String(d.durationMs),
        (d.error ?? d.response ?? '').replace(/\s+/g, ' ').slice(0, 80),
      ]),
    );
}

export async function runWebhooksResend(id: string, _o: unknown, ctx: Context): Promise<void> {
  const settings = ctx.db.settings.require();
  if (!settings.resultWebhookUrl)
    throw new UsageError('no result-webhook endpoint is set', 'run: recover webhooks endpoint set <url>');
  const m = find(ctx, id, false);
  ctx.db.outbox.resend(m.messageId, ctx.clock.now());
  const disabled = disabledOf(ctx.db) !== null;
  ctx.out.result({ id: m.messageId, resent: true, endpointDisabled: disabled });
  ctx.out.line(`${m.messageId} is due again: the running daemon sends it with the same webhook-id.`);
  if (disabled) ctx.out.warn('the endpoint is disabled (it answered 410 Gone): run recover webhooks enable');
}

export async function runWebhooksEnable(_o: unknown, ctx: Context): Promise<void> {
  ctx.db.settings.require();
  const was = enableEndpoint(ctx.db);
  ctx.out.result({ enabled: true, wasDisabled: was });
  ctx.out.line(
    was ? 'Result webhooks enabled again: waiting messages are delivered.' : 'The endpoint was not disabled.',
  );
}

export interface EndpointSetOptions {
  allowLocalWebhooks?: boolean;
  /** Write a newly created secret to this file (mode 0600) instead of printing it. */
  secretFile?: string;
}

export async function runWebhooksEndpointSet(url: string, o: EndpointSetOptions, ctx: Context): Promise<void> {
  const problem = endpointProblem(url, o.allowLocalWebhooks ?? false);
  if (problem) throw badValue('<url>', url, `${ENDPOINT_ACCEPTED}; this one is ${problem}`);
  const settings = ctx.db.settings.require();
  const old = settings.resultWebhookUrl ?? null;
  let secret = ctx.db.secrets.get('result_webhook_secret');
  const created = !secret;
  // --json output is redacted, so a secret created under --json must go to a file.
  if (created && ctx.globals.json && !o.secretFile)
    throw new UsageError(
      '--json needs --secret-file <path> when the signing secret is created (JSON output is redacted)',
    );
  if (created && o.secretFile && existsSync(o.secretFile))
    throw badValue(
      '--secret-file',
      o.secretFile,
      'a path that does not exist yet (the secret is written there, mode 0600)',
    );
  ctx.db.tx(() => {
    if (!secret) {
      secret = newSigningSecret();
      ctx.db.secrets.set('result_webhook_secret', secret);
    }
    ctx.db.settings.set({ ...settings, resultWebhookUrl: url });
    // A URL set anew is a (re)configured endpoint: deliveries resume.
    enableEndpoint(ctx.db);
  });
  ctx.out.result({ url, old, secret: redactKey(secret!), secretCreated: created });
  ctx.out.line(`Result webhooks go to ${url}${old && old !== url ? ` (was ${old})` : ''}.`);
  if (created && o.secretFile) {
    writeFileSync(o.secretFile, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    ctx.out.line(`Signing secret written to ${o.secretFile} (mode 0600); it is not shown again.`);
  } else if (created) {
    // The one place the secret is shown (Output redacts every string it writes), never again.
    ctx.out.shownOnce('Signing secret (shown once; verify with any Standard Webhooks library)', secret!);
  }
}
