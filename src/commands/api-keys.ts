/**
 * `recover api-keys create|list|revoke`: the Recovery API's bearer keys. A key is printed once,
 * by `create`, and stored only as its SHA-256; lists show the redacted prefix (rcv_test_…ab12).
 */
import type { Context } from '../context.js';
import { NotFoundError, UsageError, badValue } from '../errors.js';
import { createApiKey } from '../api/keys.js';
import type { ApiKey } from '../db/index.js';

export interface ApiKeysCreateOptions {
  mode?: 'test' | 'live';
  name?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const shown = (k: ApiKey) => ({
  id: k.id,
  prefix: k.prefix,
  mode: k.mode,
  name: k.name,
  createdAt: iso(k.createdAt),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
});

export async function runApiKeysCreate(opts: ApiKeysCreateOptions, ctx: Context): Promise<void> {
  const settings = ctx.db.settings.get();
  const mode = opts.mode ?? settings?.env ?? 'test';
  if (settings && mode !== settings.env) {
    throw new UsageError(
      `invalid value for --mode: "${mode}" (accepted: ${settings.env}, the environment this database is set up for)`,
    );
  }
  const { key, row } = createApiKey(ctx.db, mode, opts.name ?? null);
  // The key itself on stdout only, once; --json carries it too (the caller asked for it), nothing logs it.
  if (ctx.globals.json) ctx.out.rawJson({ ...shown(row), key });
  else ctx.out.shownOnce('', key);
  ctx.out.note(`API key ${row.id} (${row.prefix}) created; it is not shown again. Use: Authorization: Bearer <key>`);
}

export async function runApiKeysList(_opts: unknown, ctx: Context): Promise<void> {
  const keys = ctx.db.apiKeys.list();
  ctx.out.result({ keys: keys.map(shown) });
  ctx.out.table(
    ['id', 'key', 'mode', 'name', 'created', 'last used', 'revoked'],
    keys.map((k) => [
      String(k.id),
      k.prefix,
      k.mode,
      k.name ?? '',
      iso(k.createdAt) ?? '',
      iso(k.lastUsedAt) ?? 'never',
      iso(k.revokedAt) ?? '',
    ]),
  );
  if (keys.length === 0) ctx.out.line('No API keys: recover api-keys create');
}

export async function runApiKeysRevoke(id: string, _opts: unknown, ctx: Context): Promise<void> {
  if (!/^[1-9]\d{0,9}$/.test(id)) throw badValue('<id>', id, 'the numeric id shown by recover api-keys list');
  const k = ctx.db.apiKeys.get(Number(id));
  if (!k) throw new NotFoundError(`no API key ${id}`, 'recover api-keys list shows the ids');
  const revoked = ctx.db.apiKeys.revoke(k.id);
  ctx.out.result({ id: k.id, prefix: k.prefix, revoked, alreadyRevoked: !revoked });
  ctx.out.line(
    revoked
      ? `API key ${k.id} (${k.prefix}) revoked: requests with it now get 401`
      : `API key ${k.id} was already revoked`,
  );
}
