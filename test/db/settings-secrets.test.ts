import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { open, tempDbPath } from './helpers.js';

describe('settings', () => {
  it('round-trips, filling defaults', () => {
    const store = open();
    expect(store.settings.get()).toBeUndefined();
    expect(() => store.settings.require()).toThrow(/not set up yet/);
    try {
      store.settings.require();
    } catch (e) {
      expect((e as ConfigError).hint).toMatch(/recover onboard stripe/);
    }
    const saved = store.settings.set({ env: 'live', scope: 'connect', dunningDays: 21 });
    expect(saved.dunningDays).toBe(21);
    expect(saved.controlShare).toBe(0.1);
    expect(store.settings.get()).toEqual(saved);
    expect(store.settings.require()).toEqual(saved);
  });

  it('set refuses an invalid value with a ConfigError naming the field', () => {
    const store = open();
    const bad = { env: 'prod', scope: 'account' } as unknown as Parameters<typeof store.settings.set>[0];
    expect(() => store.settings.set(bad)).toThrow(ConfigError);
    expect(() => store.settings.set(bad)).toThrow(/env:/);
    expect(store.settings.get()).toBeUndefined();
  });

  it('a malformed stored value is a ConfigError naming the problem', () => {
    const p = tempDbPath();
    const store = open(p);
    store.settings.set({ env: 'test', scope: 'account' });
    const raw = new Database(p);
    raw
      .prepare(
        `UPDATE settings SET json = json_set(json, '$.controlShare', 0.9, '$.windows', json_array('not a cron'))`,
      )
      .run();
    // Not JSON at all is stopped by the table's CHECK.
    expect(() => raw.prepare(`UPDATE settings SET json = '{oops'`).run()).toThrow(/CHECK/);
    raw.close();
    let error: unknown;
    try {
      store.settings.get();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/settings stored in .* are invalid: .*controlShare/);
    expect((error as Error).message).toMatch(/windows\.0: must be a 5-field cron expression/);
  });

  it('is validated once per stored value: reads share one frozen copy, a change by another connection is seen', () => {
    const p = tempDbPath();
    const store = open(p);
    store.settings.set({ env: 'test', scope: 'account', dunningDays: 21 });
    const first = store.settings.require();
    expect(store.settings.require()).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.windows)).toBe(true);
    expect(() => ((first as { dunningDays: number }).dunningDays = 3)).toThrow(TypeError);
    const raw = new Database(p);
    raw.prepare(`UPDATE settings SET json = json_set(json, '$.dunningDays', 9)`).run();
    expect(store.settings.require().dunningDays).toBe(9);
    raw.prepare(`UPDATE settings SET json = json_set(json, '$.controlShare', 0.9)`).run();
    raw.close();
    expect(() => store.settings.get()).toThrow(/are invalid: .*controlShare/);
  });
});

describe('secrets', () => {
  it('round-trip, overwrite, delete, list names only', () => {
    const store = open();
    expect(store.secrets.get('primary_key')).toBeUndefined();
    store.secrets.set('primary_key', 'rk_test_abcdef123456');
    store.secrets.set('webhook_secret', 'whsec_one');
    store.secrets.set('webhook_secret', 'whsec_two');
    expect(store.secrets.get('primary_key')).toBe('rk_test_abcdef123456');
    expect(store.secrets.get('webhook_secret')).toBe('whsec_two');
    const listed = store.secrets.list();
    expect(listed.map((s) => s.name)).toEqual(['primary_key', 'webhook_secret']);
    expect(JSON.stringify(listed)).not.toMatch(/rk_test|whsec/);
    expect(store.secrets.delete('webhook_secret')).toBe(true);
    expect(store.secrets.delete('webhook_secret')).toBe(false);
    expect(store.secrets.get('webhook_secret')).toBeUndefined();
    expect(() => store.secrets.set('fallback_key', '')).toThrow(/empty/);
  });

  it('survive reopening the file', () => {
    const p = tempDbPath();
    open(p).secrets.set('fallback_key', 'rk_live_zzzz9999');
    expect(open(p).secrets.get('fallback_key')).toBe('rk_live_zzzz9999');
  });
});
