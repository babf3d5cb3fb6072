/** takeover's closing hint: in shadow mode the daemon charges nothing, so it must not promise retries. */
import { describe, expect, it } from 'vitest';
import { generateMerchant } from '../../src/emulator/index.js';
import { onboardNoWebhook, runCli } from '../helpers/cli.js';
import { LEAST_KEY, emulator, tempDb } from '../helpers/env.js';

describe('takeover: the next step', () => {
  it('names shadow mode and go-live in shadow mode, the retries in live mode', async () => {
    const emu = await emulator({ seed: generateMerchant({ customers: 30, rngSeed: 2 }) });
    for (const mode of ['shadow', 'live'] as const) {
      const db = tempDb();
      const base = ['--db', db, '--stripe-api-base', emu.url];
      const onboard = await runCli([...onboardNoWebhook(db, emu.url), '--primary-key', LEAST_KEY, '--mode', mode]);
      expect(onboard.code, onboard.stderr).toBe(0);
      const r = await runCli([...base, 'takeover']);
      expect(r.code, r.stderr).toBe(0);
      const next = r.stdout.split('\n').find((l) => l.startsWith('Next: '));
      expect(next).toBe(
        mode === 'live'
          ? 'Next: recover run (the daemon retries the imported invoices)'
          : 'Next: recover run (shadow mode: it schedules and explains, charges nothing; ' +
              'recover go-live after the shadow week)',
      );
    }
  });
});
