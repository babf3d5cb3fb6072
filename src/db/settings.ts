/**
 * The merchant's settings: one JSON row, validated by `settingsSchema` on the way in and on the
 * way out, so a hand-edited or corrupted row is reported instead of silently misread.
 */
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { settingsSchema, type Settings } from '../config/settings.js';
import type { Db } from './columns.js';

/** What `set` accepts: the schema's input (defaults may be omitted). */
export type SettingsInput = z.input<typeof settingsSchema>;

export interface SettingsRepo {
  /** The stored settings, or undefined before onboarding. Throws ConfigError if invalid. */
  get(): Settings | undefined;
  /** Like get, but a missing row is a ConfigError telling the user to onboard. */
  require(): Settings;
  /** Validates (filling defaults), stores and returns the parsed settings. */
  set(input: SettingsInput): Settings;
  updatedAt(): number | null;
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export function createSettingsRepo(db: Db, path: string, now: () => number): SettingsRepo {
  const select = db.prepare<[], { json: string; updatedAt: number }>(
    `SELECT json, updated_at AS updatedAt FROM settings WHERE id = 1`,
  );
  const upsert = db.prepare<{ json: string; now: number }>(
    `INSERT INTO settings (id, json, updated_at) VALUES (1, :json, :now)
     ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
  );

  // Validation runs once per stored value, not once per read: the daemon reads the settings several
  // times per pass and per event (issue 18: 6 s of zod in a demo). The row is still read each time,
  // so a change by `config set`, another process or a hand edit is seen (and checked) at once. The
  // cached object is frozen: it is shared by every reader.
  let cached: { json: string; value: Settings } | undefined;

  function get(): Settings | undefined {
    const row = select.get();
    if (!row) return undefined;
    if (cached?.json === row.json) return cached.value;
    let value: unknown;
    try {
      value = JSON.parse(row.json);
    } catch (e) {
      throw new ConfigError(`settings stored in ${path} are not valid JSON (${(e as Error).message})`, 'run `recover onboard stripe` again');
    }
    const parsed = settingsSchema.safeParse(value);
    if (!parsed.success) {
      throw new ConfigError(`settings stored in ${path} are invalid: ${describe(parsed.error)}`, 'run `recover onboard stripe` again');
    }
    cached = { json: row.json, value: deepFreeze(parsed.data) };
    return cached.value;
  }

  return {
    get,
    require() {
      const s = get();
      if (!s) throw new ConfigError(`no settings in ${path}: recover is not set up yet`, 'run `recover onboard stripe`');
      return s;
    },
    set(input) {
      const parsed = settingsSchema.safeParse(input);
      if (!parsed.success) throw new ConfigError(`invalid settings: ${describe(parsed.error)}`);
      upsert.run({ json: JSON.stringify(parsed.data), now: now() });
      return parsed.data;
    },
    updatedAt() {
      return select.get()?.updatedAt ?? null;
    },
  };
}

/** Freezes `v` and everything it holds (plain JSON data: objects and arrays). */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
