import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { assertKeyAllowed, createGateway, keyInfo } from '../../src/stripe/index.js';

const LIVE_RK = 'rk_live_51AbCdEfGh1a2b';
const TEST_RK = 'rk_test_51AbCdEfGh9z8y';
const TEST_SK = 'sk_test_51AbCdEfGh7x6w';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('keyInfo', () => {
  it('tells kinds and environments apart', () => {
    expect(keyInfo(LIVE_RK)).toEqual({ kind: 'restricted', env: 'live' });
    expect(keyInfo(TEST_SK)).toEqual({ kind: 'secret', env: 'test' });
    expect(keyInfo('pk_live_abc123')).toEqual({ kind: 'publishable', env: 'live' });
    expect(keyInfo('whsec_abc')).toEqual({ kind: 'unknown', env: undefined });
    expect(keyInfo('hello')).toEqual({ kind: 'unknown', env: undefined });
  });
});

describe('assertKeyAllowed', () => {
  it('accepts a restricted key of the chosen environment', () => {
    expect(assertKeyAllowed(TEST_RK, { env: 'test' })).toEqual({ kind: 'restricted', env: 'test' });
  });

  it('accepts a secret key with a warning', () => {
    const r = assertKeyAllowed(TEST_SK, { env: 'test' });
    expect(r.kind).toBe('secret');
    expect(r.warning).toMatch(/full access/);
    expect(r.warning).not.toContain(TEST_SK);
  });

  it('refuses a live key in the test environment, naming the redacted key', () => {
    const e = thrown(() => assertKeyAllowed(LIVE_RK, { env: 'test', label: '--primary-key' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('rk_live_…1a2b');
    expect(e.message).toContain('--primary-key');
    expect(e.message).not.toContain(LIVE_RK);
  });

  it('refuses live keys with a custom API base', () => {
    const e = thrown(() => assertKeyAllowed(LIVE_RK, { apiBase: 'http://127.0.0.1:12111' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/rk_test_… or sk_test_…/);
    expect(e.message).not.toContain(LIVE_RK);
  });

  it('refuses publishable and malformed keys', () => {
    expect(thrown(() => assertKeyAllowed('pk_test_abcd1234'))).toBeInstanceOf(ConfigError);
    expect(thrown(() => assertKeyAllowed('not-a-key'))).toBeInstanceOf(ConfigError);
  });
});

describe('createGateway', () => {
  it('refuses a live key against the emulator', () => {
    const e = thrown(() => createGateway({ primaryKey: LIVE_RK, apiBase: 'http://127.0.0.1:1' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).not.toContain(LIVE_RK);
    expect(JSON.stringify(e)).not.toContain(LIVE_RK);
    expect(String(e.stack)).not.toContain(LIVE_RK);
  });

  it('refuses a fallback key of another environment', () => {
    const e = thrown(() => createGateway({ primaryKey: 'rk_test_abcdef1234', fallbackKey: LIVE_RK }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('fallback key');
  });

  it('refuses an API base with a path', () => {
    expect(thrown(() => createGateway({ primaryKey: TEST_RK, apiBase: 'http://127.0.0.1:1/v1' }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => createGateway({ primaryKey: TEST_RK, apiBase: 'nonsense' }))).toBeInstanceOf(ConfigError);
  });

  it('defaults the rate by key environment', () => {
    expect(createGateway({ primaryKey: TEST_RK }).rateLimitPerSec).toBe(20);
    expect(createGateway({ primaryKey: LIVE_RK }).rateLimitPerSec).toBe(80);
    expect(createGateway({ primaryKey: LIVE_RK, rateLimitPerSec: 5 }).rateLimitPerSec).toBe(5);
  });
});
