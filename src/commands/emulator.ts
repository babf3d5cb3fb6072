/**
 * `recover emulator`: runs the built-in Stripe emulator until `ctx.signal` (SIGINT/SIGTERM),
 * printing the URL, what it loaded and the keys to use.
 */
import { UsageError, badValue } from '../errors.js';
import { aborted } from '../signals.js';
import {
  generateMerchant, parseWebhookFaults, readSeedFile, resolveRetrySettings, SeedError, SMART_RETRIES_ACCEPTED,
  startEmulator, WEBHOOK_FAULTS_ACCEPTED, type Emulator, type EmulatorOptions,
} from '../emulator/index.js';

export interface EmulatorCommandOptions {
  /** stripe (default) | recharge: which platform's emulator. */
  platform?: 'stripe' | 'recharge';
  /** --platform recharge: standard | pro | plus, and Recharge's own retries on | off. */
  plan?: string;
  rechargeRetries?: string;
  port?: number;
  host?: string;
  /** Seed file (JSON). */
  seed?: string;
  /** Generate a merchant with this many customers. */
  generate?: number;
  rngSeed?: number;
  /** Connected accounts for --generate. */
  accounts?: number;
  /** on | off | on:<window>:<tries> (e.g. on:2w:8, on:30d:8). */
  smartRetries?: string;
  latencyMs?: number;
  errorRate?: number;
  /** Requests per second per key. */
  rateLimit?: number;
  /** "rk_test_x=rak_a,rak_b" */
  key?: string[];
  /** Clock start, ISO-8601 date-time (default: now). */
  start?: string;
  /** Accept webhook endpoints on local/private addresses (Stripe refuses them). */
  allowLocalWebhooks?: boolean;
  /** "duplicate=0.1,reorder=0.2,drop=0.05" (seeded by --rng-seed). */
  webhookFaults?: string;
}

interface EmulatorCommandContext {
  /** `result` prints under --json only (recover --json emulator), `line` otherwise. */
  out: { line(text: string): void; result?(value: unknown): void };
  /** Stops the emulator when aborted: the first SIGINT/SIGTERM (src/signals.ts), or a test. */
  signal: AbortSignal;
}

/** The full-access key printed for convenience (any sk_test_… key works). */
const EMULATOR_FULL_KEY = 'sk_test_emulator';

export function emulatorOptions(o: EmulatorCommandOptions): EmulatorOptions {
  const int = (flag: string, v: number | undefined, min: number, max: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) throw badValue(flag, v, `an integer from ${min} to ${max}`);
    return v;
  };
  int('--port', o.port, 0, 65535);
  int('--generate', o.generate, 1, 1_000_000);
  int('--rng-seed', o.rngSeed, 0, 2 ** 32 - 1);
  int('--accounts', o.accounts, 0, 100);
  int('--latency-ms', o.latencyMs, 0, 600_000);
  if (o.errorRate !== undefined && !(o.errorRate >= 0 && o.errorRate <= 1)) throw badValue('--error-rate', o.errorRate, 'a number from 0 to 1');
  if (o.rateLimit !== undefined && !(o.rateLimit > 0)) throw badValue('--rate-limit', o.rateLimit, 'a number of requests per second > 0');
  if (o.smartRetries !== undefined) {
    try {
      resolveRetrySettings(o.smartRetries);
    } catch {
      throw badValue('--smart-retries', o.smartRetries, SMART_RETRIES_ACCEPTED);
    }
  }
  if (o.seed !== undefined && o.generate !== undefined) throw new UsageError('--seed and --generate cannot be used together (pick one)');
  // --rng-seed also seeds --webhook-faults, so it is fine with --seed then (it has no default:
  // a defaulted one made `--seed <file>` always fail here).
  const rngSeedUnused = o.rngSeed !== undefined && o.webhookFaults === undefined;
  if (o.seed !== undefined && (o.accounts !== undefined || rngSeedUnused)) {
    throw new UsageError('with --seed, --accounts does not apply and --rng-seed only seeds --webhook-faults');
  }
  const keys: Record<string, string[]> = {};
  for (const spec of o.key ?? []) {
    const m = /^((?:rk|sk)_test_\w+)=(rak_\w+(?:,rak_\w+)*)$/.exec(spec.trim());
    if (!m) throw badValue('--key', spec, 'rk_test_<name>=rak_<perm>[,rak_<perm>…]');
    keys[m[1]] = m[2].split(',');
  }
  const smartRetries = o.smartRetries?.trim();
  const clockStart = o.start === undefined ? undefined : isoTime('--start', o.start);
  let webhookFaults: EmulatorOptions['webhookFaults'];
  try {
    const seed = o.rngSeed ?? 1;
    webhookFaults = o.webhookFaults === undefined ? undefined : { ...parseWebhookFaults(o.webhookFaults), seed };
  } catch {
    throw badValue('--webhook-faults', o.webhookFaults, WEBHOOK_FAULTS_ACCEPTED);
  }
  let seed: EmulatorOptions['seed'];
  try {
    if (o.seed !== undefined) seed = readSeedFile(o.seed);
    else if (o.generate !== undefined) {
      seed = generateMerchant({
        customers: o.generate, rngSeed: o.rngSeed ?? 1, accounts: o.accounts ?? 0, smartRetries: smartRetries ?? true,
        start: clockStart,
      });
    }
  } catch (e) {
    if (e instanceof SeedError) throw new UsageError(`--seed ${o.seed}: ${e.message}`);
    throw e;
  }
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 12111,
    seed,
    smartRetries,
    latencyMs: o.latencyMs,
    errorRate: o.errorRate,
    rateLimitPerSec: o.rateLimit,
    keys,
    clockStart,
    allowLocalWebhooks: o.allowLocalWebhooks ?? false,
    webhookFaults,
  };
}

/** An ISO-8601 date-time with a zone ("2026-12-01T09:00:00Z"), or a date (midnight UTC), as epoch ms. */
function isoTime(flag: string, v: string): number {
  const iso = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d))?$/;
  const ms = iso.test(v.trim()) ? Date.parse(v.trim()) : NaN;
  if (!Number.isFinite(ms)) throw badValue(flag, v, 'an ISO-8601 date-time such as 2026-12-01T09:00:00Z');
  return ms;
}

export async function runEmulator(options: EmulatorCommandOptions, ctx: EmulatorCommandContext): Promise<void> {
  if (options.platform === 'recharge') return runRecharge(options, ctx);
  if (options.plan !== undefined || options.rechargeRetries !== undefined) {
    throw new UsageError('--plan and --recharge-retries need --platform recharge');
  }
  const opts = emulatorOptions(options);
  let emu: Emulator;
  try {
    emu = await startEmulator(opts);
  } catch (e) {
    if (e instanceof SeedError) throw new UsageError(`${options.seed !== undefined ? `--seed ${options.seed}` : '--generate'}: ${e.message}`);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${opts.port} is already in use (pick another with --port, or --port 0 for any free port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw badValue('--host', opts.host, 'a local address such as 127.0.0.1');
    throw e;
  }
  const { loaded } = emu;
  const state = emu.state({ summary: true });
  const connected = loaded.accounts - 1;
  const smart = state.accounts.every((a) => a.smartRetries) ? 'on' : state.accounts.some((a) => a.smartRetries) ? 'mixed' : 'off';
  ctx.out.line(`Stripe emulator listening on ${emu.url}`);
  ctx.out.line(
    `Loaded account ${emu.accountId}${connected > 0 ? ` + ${connected} connected account${connected === 1 ? '' : 's'}` : ''}: ` +
      `${loaded.customers} customers, ${loaded.invoices} invoices, ${loaded.charges} charges (Smart Retries ${smart}); clock ${new Date(emu.now()).toISOString()}`,
  );
  // Output redacts anything shaped like a key; these are the emulator's own test keys, so they are
  // spelled as prefix + rest for the user to type them.
  ctx.out.line(`Keys: any sk_test_ key has full access (e.g. ${spell(EMULATOR_FULL_KEY)}, written without the spaces)`);
  const seedKeys = opts.seed && 'keys' in opts.seed ? (opts.seed.keys ?? []) : [];
  const restricted: Array<[string, string[]]> = [...seedKeys.map((k): [string, string[]] => [k.key, k.permissions]), ...Object.entries(opts.keys ?? {})];
  for (const [key, perms] of restricted) ctx.out.line(`Restricted key ${spell(key)}: ${perms.join(',')}`);
  ctx.out.line(`Point the CLI at it with --stripe-api-base ${emu.url}`);
  ctx.out.line(`Control: POST ${emu.url}/_emulator/clock {"advance_ms":86400000} · GET /_emulator/state · POST /_emulator/faults · POST /_emulator/flush`);
  ctx.out.line('Press Ctrl-C to stop.');
  // For scripts: `recover --json emulator | jq -r .url`. Keys come as prefix + rest, as in the text,
  // because every key-shaped string is redacted on output (`.keys[0] | .prefix + .rest` in jq).
  const keyJson = (k: string, permissions: string[] | 'all') => ({ prefix: splitKey(k)[0], rest: splitKey(k)[1], permissions });
  ctx.out.result?.({
    url: emu.url, accountId: emu.accountId, clock: new Date(emu.now()).toISOString(), loaded, smartRetries: smart,
    keys: [keyJson(EMULATOR_FULL_KEY, 'all'), ...restricted.map(([k, p]) => keyJson(k, p))],
  });
  // Until the first SIGINT/SIGTERM (src/signals.ts) or the caller's abort (tests, the demo).
  await aborted(ctx.signal);
  await emu.close();
  ctx.out.line('Stripe emulator stopped.');
}

/** The Recharge emulator (src/emulators/recharge/command.ts); Stripe-only flags are refused. */
async function runRecharge(o: EmulatorCommandOptions, ctx: EmulatorCommandContext): Promise<void> {
  const stripeOnly = { seed: '--seed', accounts: '--accounts', smartRetries: '--smart-retries', key: '--key',
    latencyMs: '--latency-ms', errorRate: '--error-rate', webhookFaults: '--webhook-faults' } as const;
  const used = Object.entries(stripeOnly).filter(([k]) => o[k as keyof typeof stripeOnly] !== undefined);
  if (used.length) throw new UsageError(`${used.map(([, f]) => f).join(', ')}: Stripe emulator only (not with --platform recharge)`);
  const { runRechargeEmulator } = await import('../emulators/recharge/command.js');
  return runRechargeEmulator(o, ctx);
}

/** `sk_test_abc` → `sk_test_ + abc`: readable, and not redacted as a secret would be. */
function spell(key: string): string {
  const [prefix, rest] = splitKey(key);
  return rest ? `${prefix} + ${rest}` : key;
}

function splitKey(key: string): [string, string] {
  const m = /^((?:sk|rk)_test_)(.*)$/.exec(key);
  return m ? [m[1]!, m[2]!] : [key, ''];
}
