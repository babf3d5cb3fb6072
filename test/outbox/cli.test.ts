/** `recover webhooks …` through the real CLI (commander table, context, SQLite file). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { onboardNoWebhook, runCli } from '../helpers/cli.js';
import { LEAST_KEY, emulator, tempDb, tempDir } from '../helpers/env.js';

async function onboarded() {
  const emu = await emulator();
  const db = tempDb();
  const r = await runCli(onboardNoWebhook(db, emu.url), { env: { RECOVER_PRIMARY_KEY: LEAST_KEY } });
  expect(r.code, r.stderr).toBe(0);
  return db;
}

function withStore<T>(db: string, fn: (s: ReturnType<typeof openStore>) => T): T {
  const s = openStore(db);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

/** `recover [--json] webhooks endpoint set <url> [flags…]`. */
const endpointSet = (db: string, url: string, o: { json?: boolean; flags?: string[] } = {}) =>
  runCli(['--db', db, ...(o.json ? ['--json'] : []), 'webhooks', 'endpoint', 'set', url, ...(o.flags ?? [])]);

const SECRET_RE = /whsec_[A-Za-z0-9+/]{43}=/g;

describe('recover webhooks', () => {
  it('refuses a bad endpoint URL in one line, changing nothing', async () => {
    const db = await onboarded();
    const before = withStore(db, (s) => JSON.stringify(s.settings.require()));
    for (const [url, why] of [
      ['http://merchant.example/hooks', 'plain http'],
      ['https://127.0.0.1:9/hooks', 'a local address'],
      ['ftp://merchant.example/x', 'scheme ftp:'],
      ['https://u:p@merchant.example/x', 'credentials in the URL'],
      ['not a url', 'not a URL'],
    ]) {
      const r = await endpointSet(db, url);
      expect(r.code, url).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toContain(`invalid value for <url>: ${JSON.stringify(url)}`);
      expect(lines[0]).toContain(why);
    }
    expect(withStore(db, (s) => JSON.stringify(s.settings.require()))).toBe(before);
    expect(withStore(db, (s) => s.secrets.get('result_webhook_secret'))).toBeUndefined();
  });

  it('sets the endpoint, shows the new secret once, then never again', async () => {
    const db = await onboarded();
    const first = await endpointSet(db, 'https://merchant.example/hooks');
    expect(first.code, first.stderr).toBe(0);
    const shown = first.stdout.match(SECRET_RE) ?? [];
    expect(shown).toHaveLength(1);
    expect(withStore(db, (s) => s.secrets.get('result_webhook_secret'))).toBe(shown[0]);
    expect(withStore(db, (s) => s.settings.require().resultWebhookUrl)).toBe('https://merchant.example/hooks');

    const local = await endpointSet(db, 'http://127.0.0.1:8080/h', { json: true, flags: ['--allow-local-webhooks'] });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout + local.stderr).not.toMatch(SECRET_RE);
    expect(JSON.parse(local.stdout)).toMatchObject({
      url: 'http://127.0.0.1:8080/h',
      old: 'https://merchant.example/hooks',
      secretCreated: false,
      secret: `whsec_…${shown[0]!.slice(-4)}`,
    });
  });

  it('--json needs --secret-file to create the secret, which it writes 0600', async () => {
    const db = await onboarded();
    const refused = await endpointSet(db, 'https://m.example/h', { json: true });
    expect(refused.code).toBe(2);
    expect(withStore(db, (s) => s.settings.require().resultWebhookUrl)).toBeUndefined();
    const file = path.join(tempDir(), 'whsec');
    const r = await endpointSet(db, 'https://m.example/h', { json: true, flags: ['--secret-file', file] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(SECRET_RE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(withStore(db, (s) => s.secrets.get('result_webhook_secret')));
  });

  it('lists, shows, resends and re-enables', async () => {
    const db = await onboarded();
    await endpointSet(db, 'https://m.example/h');
    const t = Date.UTC(2026, 10, 30, 12);
    const { messageId, id } = withStore(db, (s) => {
      const m = s.tx(() =>
        s.outbox.record({ type: 'recovery.failed', dedupeKey: 'recovery.failed:case:x', data: { a: 1 }, at: t }),
      );
      const [c] = s.outbox.claimDue(t, 60_000, 1, 'd');
      s.outbox.start(c.id, 'd', t);
      s.outbox.addDelivery({ outboxId: c.id, url: 'https://m.example/h', attemptedAt: t, durationMs: 12, status: 410 });
      s.outbox.finish(c.id, 'd', 'disabled', t, 410);
      s.meta.set('result_webhook_disabled', JSON.stringify({ at: t, messageId: m.messageId, status: 410 }));
      return m;
    });
    const list = await runCli(['--db', db, '--json', 'webhooks', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).webhooks).toMatchObject([
      { id: messageId, type: 'recovery.failed', state: 'disabled', tries: 1, lastStatus: 410 },
    ]);
    const show = await runCli(['--db', db, '--json', 'webhooks', 'show', messageId]);
    expect(JSON.parse(show.stdout)).toMatchObject({
      payload: { type: 'recovery.failed', data: { a: 1 } },
      deliveries: [{ status: 410, durationMs: 12 }],
    });
    const status = await runCli(['--db', db, '--json', 'status']);
    expect(JSON.parse(status.stdout).resultWebhooks).toMatchObject({
      backlog: 0,
      lastFailure: { id: messageId, status: 410 },
      disabled: { status: 410 },
    });
    const resend = await runCli(['--db', db, 'webhooks', 'resend', messageId]);
    expect(resend.code, resend.stderr).toBe(0);
    expect(resend.stderr).toContain('recover webhooks enable');
    expect(withStore(db, (s) => s.outbox.get(id))).toMatchObject({ outcome: null, doneAt: null });
    const enable = await runCli(['--db', db, '--json', 'webhooks', 'enable']);
    expect(JSON.parse(enable.stdout)).toEqual({ enabled: true, wasDisabled: true });
    expect((await runCli(['--db', db, 'webhooks', 'show', 'msg_0000'])).code).toBe(1);
    const bad = await runCli(['--db', db, 'webhooks', 'show', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')[0]).toContain('invalid value for <id>: "nope"');
    const badType = await runCli(['--db', db, 'webhooks', 'list', '--type', 'recovery.nope']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('recovery.succeeded');
  });
});

describe('cardExpiryNoticeDays', () => {
  it('is set with config set, 1 to 90', async () => {
    const db = await onboarded();
    const ok = await runCli(['--db', db, 'config', 'set', 'cardExpiryNoticeDays', '14']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(withStore(db, (s) => s.settings.require().cardExpiryNoticeDays)).toBe(14);
    const bad = await runCli(['--db', db, 'config', 'set', 'cardExpiryNoticeDays', '91']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('an integer from 1 to 90');
    expect(withStore(db, (s) => s.settings.require().cardExpiryNoticeDays)).toBe(14);
  });
});
