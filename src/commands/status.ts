/**
 * `recover status`: one screen on the health of the set-up. Stripe checks (keys, webhook
 * endpoint, Smart Retries) are re-run quickly; local figures come from the database, opened
 * read-only (status never creates a database). Exits 1 when a check fails, so it can serve as a
 * monitoring probe.
 */
import { ACTIVE_CASE_STATUSES } from '../db/index.js';
import { evaluateHealth, OVERDUE_TOLERANCE_MS } from '../daemon/health.js';
import { lockStatus } from '../daemon/lock.js';
import type { Context } from '../context.js';
import { markCheck, runChecks } from './checks.js';
import { disabledOf } from '../outbox/endpoint.js';
import { describeRechargeStatus, rechargeStatus } from '../connectors/recharge/status.js';
import { UNANSWERED_COUNTER } from '../api/retry-status.js';

/** "3 min ago" from two epoch-ms instants. */
export function ago(then: number, now: number): string {
  const s = Math.round((now - then) / 1000);
  if (s < 0) return `in ${ago(now, then).replace(/ ago$/, '')}`;
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export async function runStatus(_opts: unknown, ctx: Context): Promise<void> {
  const { out } = ctx;
  const db = ctx.readDb;
  const settings = db.settings.require();
  const accounts = db.accounts.list();
  // A Recharge-only database has no Stripe key to check.
  const stripe = Boolean(db.secrets.get('primary_key')) || !settings.recharge;
  const checks = stripe ? await runChecks({ store: db, settings, apiBase: ctx.apiBase, logger: ctx.logger }) : [];
  const now = ctx.clock.now();
  const recharge = rechargeStatus(db, settings, now);
  const byPlatform = db.cases.countsByPlatform();
  const lock = lockStatus(db);
  const daemon = lock?.alive
    ? { running: true, pid: lock.pid, host: lock.host, heartbeatAt: lock.beat }
    : { running: false };
  const cases = db.cases.countsByStatus();
  const lastEvent = db.events.lastReceivedAt();
  const failed = db.events.countFailed();
  const rejections = db.counters.webhookRejections();
  const nextDue = db.attempts.nextDueAt();
  const overdue = nextDue !== null && nextDue < now - OVERDUE_TOLERANCE_MS;
  // The daemon's own health checks (src/daemon/health.ts), as far as the database tells them.
  const health = evaluateHealth({
    daemonHolds: Boolean(lock?.alive), now, nextAttemptDueAt: nextDue, inboxBacklog: db.events.countUnprocessed(),
    oldestUnprocessedAt: db.events.listUnprocessed(1)[0]?.receivedAt ?? null, wallNow: Date.now(),
  });
  // No daemon is a failure once there is work for one (live mode, or cases to follow).
  const idle = settings.mode !== 'live' && ACTIVE_CASE_STATUSES.every((st) => !cases[st]);
  for (const h of health.checks) {
    const detail = h.name === 'attempts' && !h.ok ? `${h.detail}: ${daemon.running ? 'the daemon is behind' : 'start recover run'}` : h.detail;
    checks.push({ name: h.name === 'attempts' ? 'next attempt' : h.name, ok: h.ok, detail, ...(h.name === 'daemon' && idle ? { warnOnly: true } : {}) });
  }
  const webhooks = resultWebhooks(db, settings);
  if (webhooks.disabled) checks.push({ name: 'result webhooks', ok: false, warnOnly: true, detail: `endpoint disabled (410 Gone at ${new Date(webhooks.disabled.at).toISOString()}): run recover webhooks enable` });
  const report = {
    environment: settings.env,
    scope: settings.scope,
    mode: settings.mode,
    baseline: settings.controlBaseline,
    accounts: accounts.map((a) => ({ id: a.id, platform: a.platform, kind: a.kind, name: a.name })),
    /** Cases by platform (apart), beside `cases` (together). */
    platforms: byPlatform,
    recharge,
    // Written on every managed invoice (metadata recover_installation); created at the first run.
    installation: db.meta.get('installation_id') ?? null,
    daemon,
    checks,
    cases,
    events: { total: db.events.count(), unprocessed: db.events.countUnprocessed(), failed, lastReceivedAt: lastEvent },
    webhookRejections: rejections,
    nextAttemptAt: nextDue,
    nextAttemptOverdue: overdue,
    resultWebhooks: webhooks,
    retryStatus: retryStatusOf(db, settings),
    healthy: checks.every((c) => c.ok || c.warnOnly),
  };
  out.result(report);
  const iso = (ms: number | null) => (ms === null ? 'never' : `${new Date(ms).toISOString()} (${ago(ms, now)})`);
  const rejected = Object.entries(rejections).map(([r, n]) => `${r} ${n}`).join(', ');
  out.table(['', ''], [
    ['environment / scope', `${settings.env} / ${settings.scope}`],
    ['mode / baseline', `${settings.mode} / ${settings.controlBaseline}`],
    // The heartbeat is wall time (src/daemon/lock.ts), not the business clock.
    ['daemon', lock?.alive ? `running (pid ${lock.pid} on ${lock.host}, beat ${ago(lock.beat, Date.now())})` : 'not running'],
    ['accounts', accounts.map((a) => `${a.id} (${a.kind})`).join(', ') || 'none'],
    ['installation', report.installation ?? 'not yet (created by the first takeover or run)'],
    ['cases', Object.entries(cases).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') || 'none yet'],
    ...Object.entries(byPlatform).map(([p, st]) => [`  ${p}`, Object.entries(st).map(([s, n]) => `${s} ${n}`).join(', ')]),
    ...(recharge ? [['recharge store', describeRechargeStatus(recharge)]] : []),
    ['last event received', iso(lastEvent)],
    ['events failed', `${failed.givenUp} given up, ${failed.retrying} being retried`],
    ['webhooks rejected', rejected || 'none'],
    ['result webhooks', describeWebhooks(webhooks, now)],
    ...(report.retryStatus.url ? [['retry-status check', describeRetryStatus(report.retryStatus, now)]] : []),
    ['next scheduled attempt', nextDue === null ? 'none' : iso(nextDue) + (overdue ? ' OVERDUE' : '')],
  ], { title: `recover status (${ctx.globals.db})` });
  out.table(['check', 'status', 'detail'], checks.map((c) => [c.name, markCheck(out.color, c), c.detail]));
  if (!report.healthy) ctx.io.exitCode = 1;
}

/** The outbox as `status` shows it: endpoint, backlog, oldest undelivered, last failed try. */
function resultWebhooks(db: Context['readDb'], settings: { resultWebhookUrl?: string }) {
  const last = db.outbox.lastFailure();
  return {
    url: settings.resultWebhookUrl ?? null,
    disabled: disabledOf(db),
    backlog: db.outbox.pending(),
    oldestUndeliveredAt: db.outbox.oldestPendingAt(),
    lastFailure: last ? { id: last.messageId, at: last.attemptedAt, status: last.status, error: last.error } : null,
  };
}

function describeWebhooks(w: ReturnType<typeof resultWebhooks>, now: number): string {
  const where = w.url ? (w.disabled ? `${w.url} (DISABLED)` : w.url) : 'no endpoint (recover webhooks endpoint set)';
  const oldest = w.oldestUndeliveredAt === null ? '' : `, oldest ${ago(w.oldestUndeliveredAt, now)}`;
  const failed = w.lastFailure ? `; last failure ${w.lastFailure.status ?? w.lastFailure.error} ${ago(w.lastFailure.at, now)}` : '';
  return `${where}: ${w.backlog} undelivered${oldest}${failed}`;
}

/**
 * The merchant's retry-status check (issue 16 §3): each timeout, 5xx or bad answer meant no charge
 * and a reschedule; counted by the API connector (UNANSWERED_COUNTER), shown here.
 */
function retryStatusOf(db: Context['readDb'], settings: { retryStatusUrl?: string }) {
  const c = db.counters.list(UNANSWERED_COUNTER).find((x) => x.name === UNANSWERED_COUNTER);
  return { url: settings.retryStatusUrl ?? null, unanswered: c?.value ?? 0, lastUnansweredAt: c?.updatedAt ?? null };
}

function describeRetryStatus(r: ReturnType<typeof retryStatusOf>, now: number): string {
  const last = r.lastUnansweredAt === null ? '' : `, last ${ago(r.lastUnansweredAt, now)}`;
  return `${r.url}: ${r.unanswered} unanswered (timeout, 5xx or bad JSON: not charged, rescheduled)${last}`;
}
