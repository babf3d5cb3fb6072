/**
 * `recover status`: one screen on the health of the set-up. Stripe checks (keys, webhook
 * endpoint, Smart Retries) are re-run quickly; local figures come from the database. Exits 1
 * when a check fails, so it can serve as a monitoring probe.
 */
import { WEBHOOK_EVENTS } from '../config/events.js';
import { redactKey } from '../redact.js';
import { createGateway, probePermissions } from '../stripe/index.js';
import type { Context } from '../context.js';
import { judgeSignal, scanSmartRetries } from './onboard/baseline.js';
import { permissionsFor } from './onboard/keys.js';

type Check = { name: string; ok: boolean; detail: string };

export async function runStatus(_opts: unknown, ctx: Context): Promise<void> {
  const { db, out } = ctx;
  const settings = db.settings.require();
  const accounts = db.accounts.list();
  const checks: Check[] = [];
  const attempt = async (name: string, fn: () => Promise<Check | Check[]>) => {
    try {
      const r = await fn();
      checks.push(...(Array.isArray(r) ? r : [r]));
    } catch (e) {
      checks.push({ name, ok: false, detail: (e as Error).message });
    }
  };

  for (const label of ['primary', 'fallback'] as const) {
    const key = db.secrets.get(`${label}_key`);
    if (!key) {
      if (label === 'primary') checks.push({ name: 'primary key', ok: false, detail: 'not saved' });
      continue;
    }
    await attempt(`${label} key`, async () => {
      const rows = await probePermissions(createGateway({ primaryKey: key, apiBase: ctx.globals.stripeApiBase, logger: ctx.logger }), undefined, permissionsFor(settings.scope));
      const missing = rows.filter((r) => !r.ok).map((r) => r.permission);
      return { name: `${label} key`, ok: missing.length === 0, detail: `${redactKey(key)}: ${missing.length ? `missing ${missing.join(', ')}` : `all ${rows.length} permissions ok`}` };
    });
  }

  await attempt('webhook endpoint', async () => {
    const eps = (await ctx.stripe.webhookEndpoints.list({ limit: 100 })).data;
    const ep = eps.find((e) => e.id === settings.webhookEndpointId);
    if (!ep) return { name: 'webhook endpoint', ok: false, detail: `${settings.webhookEndpointId ?? 'none'} not found at Stripe; run recover onboard stripe` };
    const have = new Set(ep.enabled_events);
    const missing = WEBHOOK_EVENTS.filter((e) => !have.has(e) && !have.has('*'));
    const secret = Boolean(db.secrets.get('webhook_secret'));
    const ok = ep.status === 'enabled' && missing.length === 0 && secret;
    return { name: 'webhook endpoint', ok, detail: `${ep.id} ${ep.status} → ${ep.url}; ${missing.length ? `missing events ${missing.join(', ')}` : 'all events'}; secret ${secret ? 'saved' : 'NOT saved'}` };
  });

  await attempt('smart retries', async () => {
    const signal = await scanSmartRetries(ctx.stripe, settings.scope === 'connect' ? accounts.map((a) => a.id) : [undefined], 2);
    const v = judgeSignal(settings.controlBaseline, signal);
    return { name: 'smart retries', ok: v.ok, detail: v.message };
  });

  const cases = db.cases.countsByStatus();
  const lastEvent = db.events.lastReceivedAt();
  const nextDue = db.attempts.nextDueAt();
  const report = {
    environment: settings.env,
    scope: settings.scope,
    mode: settings.mode,
    baseline: settings.controlBaseline,
    accounts: accounts.map((a) => ({ id: a.id, kind: a.kind, name: a.name })),
    checks,
    cases,
    events: { total: db.events.count(), unprocessed: db.events.countUnprocessed(), lastReceivedAt: lastEvent },
    nextAttemptAt: nextDue,
    healthy: checks.every((c) => c.ok),
  };
  out.result(report);
  const iso = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());
  out.table(['', ''], [
    ['environment / scope', `${settings.env} / ${settings.scope}`],
    ['mode / baseline', `${settings.mode} / ${settings.controlBaseline}`],
    ['accounts', accounts.map((a) => `${a.id} (${a.kind})`).join(', ') || 'none'],
    ['cases', Object.entries(cases).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') || 'none yet'],
    ['last event received', iso(lastEvent)],
    ['next scheduled attempt', nextDue === null ? 'none' : iso(nextDue)],
  ], { title: `recover status (${ctx.globals.db})` });
  out.table(['check', 'status', 'detail'], checks.map((c) => [c.name, c.ok ? out.color.green('ok') : out.color.red('FAIL'), c.detail]));
  if (!report.healthy) ctx.io.exitCode = 1;
}
