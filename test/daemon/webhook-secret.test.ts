/**
 * Receiving Stripe events on a laptop: `stripe listen --forward-to localhost:4242/stripe/webhook`
 * signs what it forwards with its own `whsec_…` secret, which `recover run --webhook-secret`
 * (or RECOVER_WEBHOOK_SECRET) accepts for that run only, besides the saved one.
 */
import { describe, expect, it } from 'vitest';
import { signPayload } from '../../src/stripe/index.js';
import { runCli } from '../helpers/cli.js';
import { startWorld } from './helpers.js';

const LISTEN_SECRET = 'whsec_stripeListen0123456789abcdefABCDEF';

const event = (id: string, created: number) =>
  JSON.stringify({
    id,
    object: 'event',
    type: 'invoice.created',
    created,
    livemode: false,
    api_version: '2026-10-28.endive',
    data: { object: { id: 'in_listen1', object: 'invoice' } },
    request: { id: null, idempotency_key: null },
  });

describe('recover run --webhook-secret', () => {
  it('accepts events signed with the given secret, and still the saved one', async () => {
    const w = await startWorld({ daemon: { webhookSecret: LISTEN_SECRET } });
    const url = `${w.daemon.url}/stripe/webhook`;
    const t = Math.floor(w.clock.now() / 1000);
    const post = (body: string, secret: string) =>
      fetch(url, { method: 'POST', body, headers: { 'Stripe-Signature': signPayload(body, secret, t) } });
    const viaListen = event('evt_listen_1', t);
    expect((await post(viaListen, LISTEN_SECRET)).status).toBe(200);
    const viaEndpoint = event('evt_listen_2', t);
    expect((await post(viaEndpoint, w.store.secrets.get('webhook_secret')!)).status).toBe(200);
    expect((await post(event('evt_listen_3', t), 'whsec_someoneElse0123456789abcdef')).status).toBe(400);
    expect(w.store.events.get('evt_listen_1')).toBeDefined();
    // For this run only: nothing of it is saved.
    expect(w.store.secrets.list().map((s) => s.name)).not.toContain('webhook_secret_previous');
    expect(JSON.stringify(w.store.secrets.list())).not.toContain(LISTEN_SECRET);
  });

  it('a malformed secret is exit 2, and the message never echoes it', async () => {
    const r = await runCli(['--db', 'nowhere.db', 'run', '--webhook-secret', 'whsec_tooShort']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid value for --webhook-secret');
    expect(r.stderr).toContain('whsec_…');
    expect(r.stderr).not.toContain('tooShort');
    const env = await runCli(['--db', 'nowhere.db', 'run'], { env: { RECOVER_WEBHOOK_SECRET: 'nope' } });
    expect(env.code).toBe(2);
  });
});
