/**
 * Recovery API keys: `rcv_test_` / `rcv_live_` + 32 random base62 characters (≈190 bits), shown
 * once and stored only as their SHA-256 (a leaked database gives no usable key). A key's mode is
 * part of it, so a test key can never act on a live set-up.
 */
import { createHash, randomInt } from 'node:crypto';
import type { ApiKey, Store } from '../db/index.js';
import { redactKey } from '../redact.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_RE = /^rcv_(test|live)_[0-9A-Za-z]{32}$/;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function generateApiKey(mode: 'test' | 'live'): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += BASE62[randomInt(62)];
  return `rcv_${mode}_${s}`;
}

/** Creates and stores a key; returns it in full (the only time it exists outside the caller's hands). */
export function createApiKey(store: Store, mode: 'test' | 'live', name?: string | null): { key: string; row: ApiKey } {
  const key = generateApiKey(mode);
  const row = store.apiKeys.create({ prefix: redactKey(key), hash: sha256Hex(key), mode, name: name ?? null });
  return { key, row };
}

/** The active key a bearer token names, or undefined (unknown, revoked, malformed). */
export function authenticate(store: Store, token: string): ApiKey | undefined {
  if (!API_KEY_RE.test(token)) return undefined;
  return store.apiKeys.byHash(sha256Hex(token));
}
