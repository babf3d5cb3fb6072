/**
 * The webhook endpoint is created with `api_version` pinned to the SDK's version, so events
 * arrive in the shapes recover reads even on an account whose default version is older.
 * Stripe: "The API version that events are rendered as for this webhook endpoint. You can't
 * change this value after you create the endpoint." (the SDK's WebhookEndpoint.api_version doc),
 * so an endpoint of ours on another version is replaced, never updated.
 */
import { describe, expect, it } from 'vitest';
import { planWebhook } from '../../src/commands/onboard/webhook.js';
import { createGateway, STRIPE_API_VERSION, type WebhookEndpoint } from '../../src/stripe/index.js';
import { runCli } from '../helpers/cli.js';
import { LEAST_KEY, emulator, tempDb } from '../helpers/env.js';

const HOOK = 'https://pay.example.com/stripe/webhook';

describe('webhook endpoint api_version', () => {
  it('onboarding creates the endpoint on the pinned version', async () => {
    const emu = await emulator();
    const r = await runCli(['--db', tempDb(), '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope', 'account',
      '--primary-key', LEAST_KEY, '--webhook-url', HOOK, '--control-baseline', 'stripe', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const gw = createGateway({ primaryKey: 'sk_test_inspect', apiBase: emu.url });
    const [ep] = (await gw.webhookEndpoints.list({ limit: 10 })).data;
    expect(ep.api_version).toBe(STRIPE_API_VERSION);
  });

  it('an endpoint of ours on another version is replaced (Stripe cannot change it)', () => {
    const ours = { id: 'we_1', url: HOOK, metadata: { recover: 'true' }, enabled_events: ['*'], status: 'enabled', api_version: '2024-06-20' };
    const plan = planWebhook([ours as unknown as WebhookEndpoint], HOOK, false, { endpointId: 'we_1', hasSecret: true });
    expect(plan).toMatchObject({ action: 'replace', reason: expect.stringContaining('its API version is 2024-06-20') });
    const same = { ...ours, api_version: STRIPE_API_VERSION };
    expect(planWebhook([same as unknown as WebhookEndpoint], HOOK, false, { endpointId: 'we_1', hasSecret: true }).action).toBe('keep');
  });
});
