/**
 * `recover emulator --platform recharge`: runs the Recharge emulator until SIGINT/SIGTERM (or
 * `ctx.signal`), printing the URL, what it generated, the token and client secret to use.
 */
import { UsageError, badValue } from '../../errors.js';
import {
  GENERATED_TOKEN,
  startRechargeEmulator,
  type RechargeEmulator,
  type RechargeEmulatorOptions,
} from './index.js';
import { PLANS, type StorePlan } from './world.js';

export interface RechargeEmulatorCommandOptions {
  port?: number;
  host?: string;
  generate?: number;
  rngSeed?: number;
  /** Clock start, ISO-8601 (default now). */
  start?: string;
  plan?: string;
  /** on | off: Recharge's own retries of failed charges. */
  rechargeRetries?: string;
  /** Leak rate of every token's bucket, calls per second (Recharge's default 2; "some tokens more"). */
  rateLimit?: number;
}

export interface RechargeCommandContext {
  out: { line(text: string): void; result?(value: unknown): void };
  signal?: AbortSignal;
}

/** Default port: beside the Stripe emulator's 12111, so both can run. */
export const RECHARGE_EMULATOR_PORT = 12112;

export function rechargeEmulatorOptions(o: RechargeEmulatorCommandOptions): RechargeEmulatorOptions {
  if (o.plan !== undefined && !PLANS.includes(o.plan as StorePlan)) throw badValue('--plan', o.plan, PLANS.join(' | '));
  if (o.rechargeRetries !== undefined && o.rechargeRetries !== 'on' && o.rechargeRetries !== 'off') {
    throw badValue('--recharge-retries', o.rechargeRetries, 'on | off');
  }
  if (o.rateLimit !== undefined && !(o.rateLimit > 0)) {
    throw badValue('--rate-limit', o.rateLimit, 'calls per second > 0');
  }
  let clockStart: number | undefined;
  if (o.start !== undefined) {
    const iso = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d))?$/;
    clockStart = iso.test(o.start.trim()) ? Date.parse(o.start.trim()) : NaN;
    if (!Number.isFinite(clockStart))
      throw badValue('--start', o.start, 'an ISO-8601 date-time such as 2026-12-01T09:00:00Z');
  }
  const bucket = { capacity: 40, leakPerSec: o.rateLimit ?? 2 };
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? RECHARGE_EMULATOR_PORT,
    plan: (o.plan as StorePlan | undefined) ?? 'pro',
    rechargeRetries: o.rechargeRetries === undefined ? true : o.rechargeRetries === 'on',
    clockStart,
    bucket,
    generate: o.generate === undefined ? undefined : { customers: o.generate, rngSeed: o.rngSeed ?? 1, bucket },
    tokens: o.generate === undefined ? { [GENERATED_TOKEN]: 'all' } : {},
  };
}

export async function runRechargeEmulator(
  o: RechargeEmulatorCommandOptions,
  ctx: RechargeCommandContext,
): Promise<void> {
  const opts = rechargeEmulatorOptions(o);
  let emu: RechargeEmulator;
  try {
    emu = await startRechargeEmulator(opts);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${opts.port} is already in use (pick another with --port, or --port 0 for any free port)`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw badValue('--host', opts.host, 'a local address such as 127.0.0.1');
    throw e;
  }
  const s = emu.world.settings;
  const l = emu.loaded;
  ctx.out.line(`Recharge emulator (API 2021-11) listening on ${emu.url}`);
  const store = l ? `Store: ${l.customers} customers, ${l.charges} charges (${l.errored} in error)` : 'Store: empty';
  const retries = s.rechargeRetries ? 'on' : 'off';
  ctx.out.line(`${store}; plan ${s.plan}; Recharge retries ${retries}; clock ${new Date(emu.now()).toISOString()}`);
  ctx.out.line(`Token (every scope): ${GENERATED_TOKEN}   API client secret (webhook signatures): ${emu.clientSecret}`);
  ctx.out.line(
    `Control: POST ${emu.url}/_emulator/clock {"advance_ms":86400000} · POST /_emulator/settings ` +
      '{"recharge_retries":false} · POST /_emulator/tokens · GET /_emulator/state',
  );
  ctx.out.line('Press Ctrl-C to stop.');
  ctx.out.result?.({
    url: emu.url,
    token: GENERATED_TOKEN,
    clientSecret: emu.clientSecret,
    clock: new Date(emu.now()).toISOString(),
    loaded: l,
    plan: s.plan,
    rechargeRetries: s.rechargeRetries,
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (ctx.signal?.aborted) stop();
    else ctx.signal?.addEventListener('abort', stop);
  });
  await emu.close();
  ctx.out.line('Recharge emulator stopped.');
}
