/**
 * API keys and webhook signing secrets. They live in the database file, which openStore keeps
 * at mode 0600. Nothing here logs or formats a value; `list` returns names only.
 */
import type { Db } from './columns.js';

export type SecretName =
  | 'primary_key'
  | 'fallback_key'
  | 'webhook_secret'
  | 'webhook_secret_previous'
  /** The Recovery API's Stripe key (`recover onboard api`: PaymentIntents, Checkout setup sessions). */
  | 'api_stripe_key'
  /** The Standard Webhooks `whsec_…` secret recover signs its result webhooks with (issue 16 §4). */
  | 'result_webhook_secret'
  | 'recharge_token' // a Recharge store's API token (onboard recharge)
  | 'recharge_client_secret'; // its API client secret: verifies Recharge's webhooks

export interface SecretInfo {
  name: SecretName;
  updatedAt: number;
}

export interface SecretsRepo {
  get(name: SecretName): string | undefined;
  set(name: SecretName, value: string): void;
  /** Returns true if a secret was deleted. */
  delete(name: SecretName): boolean;
  /** Names and update times, never values (for `recover status`). */
  list(): SecretInfo[];
}

export function createSecretsRepo(db: Db, now: () => number): SecretsRepo {
  const select = db.prepare<[string], { value: string }>(`SELECT value FROM secrets WHERE name = ?`);
  const upsert = db.prepare<{ name: string; value: string; now: number }>(
    `INSERT INTO secrets (name, value, updated_at) VALUES (:name, :value, :now)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[string]>(`DELETE FROM secrets WHERE name = ?`);
  const names = db.prepare<[], SecretInfo>(`SELECT name, updated_at AS updatedAt FROM secrets ORDER BY name`);
  return {
    get: (name) => select.get(name)?.value,
    set(name, value) {
      if (value === '') throw new Error(`refusing to store an empty ${name}`);
      upsert.run({ name, value, now: now() });
    },
    delete: (name) => remove.run(name).changes > 0,
    list: () => names.all(),
  };
}
