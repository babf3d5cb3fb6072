/**
 * `recover demo --platform recharge`: the whole Recharge loop with no Recharge store. The
 * built-in Recharge emulator lays out a synthetic store (its own retries on, as a store comes);
 * recover onboards it, takes over its errored charges, ingests for the shadow week (no charge),
 * the merchant switches Recharge's retries off in the portal (here: the emulator's control API),
 * `go-live` checks the hand-off from charge data and switches, then the daemon runs the 30 days
 * that end now and the report is printed and written.
 *
 * The control arm keeps Recharge's own schedule (1 day, then every 6 days: DEFAULT_RETRY_DAYS),
 * run by recover, since Recharge's retries are store-wide and cannot be left on for some charges
 * only; the treatment arm gets recover's policy. Same window for both (DEMO_WINDOW_DAYS).
 */
import { DAY_MS, FakeClock, HOUR_MS } from '../clock.js';
import { createContext, type Context } from '../context.js';
import { Daemon } from '../daemon/daemon.js';
import { DEFAULT_RETRY_DAYS, startRechargeEmulator } from '../emulators/recharge/index.js';
import { GENERATED_TOKEN } from '../emulators/recharge/generator.js';
import { SHADOW_DAYS_RECOMMENDED } from '../connectors/recharge/settings.js';
import { silentLogger } from '../log.js';
import type { DemoOptions } from './demo.js';
import { closeDemo, demoDatabase, demoReport, freePort, quietIo, sinceDay } from './demo.js';
import { runGoLiveRecharge } from './go-live-recharge.js';
import { runOnboardRecharge } from './onboard/recharge.js';
import { runRechargeTakeover } from './takeover/recharge.js';

/** Dunning window of both arms, days (Recharge's schedule makes 3 attempts in it: days 1, 7, 13). */
const DEMO_WINDOW_DAYS = 14;
/** Simulated time advances in steps of this many ms; each step delivers webhooks and runs a pass. */
const STEP_MS = HOUR_MS;
const CONTROL_BASELINE = `fixed:${DEFAULT_RETRY_DAYS.join(',')}`;

export async function runDemoRecharge(opts: DemoOptions, ctx: Context): Promise<void> {
  const { out } = ctx;
  const { dir, dbPath } = demoDatabase(opts, ctx);
  const spinner = out.spinner('Starting the Recharge emulator with a synthetic store…');
  const shadowDays = SHADOW_DAYS_RECOMMENDED;
  // Shadow week then the simulated days, ending now (the kept database answers with its defaults).
  const clockStart = Math.floor((Date.now() - (shadowDays + opts.days) * DAY_MS) / 1000) * 1000;
  const emu = await startRechargeEmulator({
    clockStart,
    bucket: null, // on this machine: no need for Recharge's 2 calls/s
    generate: { customers: opts.customers, rngSeed: opts.seed, bucket: null },
  });
  const clock = new FakeClock(emu.now());
  const subOpts = { clock, logger: silentLogger, signal: ctx.signal };
  const sub = createContext({ ...ctx.globals, db: dbPath, json: false }, quietIo(ctx), subOpts);
  let daemon: Daemon | undefined;
  try {
    out.note(`Recharge emulator at ${emu.url}: ${opts.customers} customers, its own retries on. Database: ${dbPath}`);
    const port = await freePort();
    spinner.update('Onboarding the store (non-interactive)…');
    await runOnboardRecharge(
      {
        token: GENERATED_TOKEN,
        clientSecret: emu.clientSecret,
        store: 'demo-shop',
        rechargeApiBase: emu.url,
        webhookUrl: `http://127.0.0.1:${port}/recharge/webhooks`,
        controlBaseline: CONTROL_BASELINE,
        controlShare: 0.5,
        dunningDays: DEMO_WINDOW_DAYS,
        endAction: 'leave',
        yes: true,
      },
      sub,
    );
    const s = sub.db.settings.require();
    sub.db.settings.set({
      ...s,
      baselineWindowDays: DEMO_WINDOW_DAYS,
      recharge: { ...s.recharge!, callsPerSec: 1000 },
    });
    spinner.update('Taking over the errored charges…');
    await runRechargeTakeover({}, sub);
    out.note(`Took over ${sub.db.cases.count()} errored charges (shadow: recorded, not retried).`);

    daemon = new Daemon({ store: sub.db, clock, logger: silentLogger, http: { host: '127.0.0.1', port }, loop: false });
    let recovered = 0;
    daemon.on('recovered', () => void recovered++);
    await daemon.start();
    const run = async (days: number, label: string) => {
      for (let i = 1; i <= (days * DAY_MS) / STEP_MS; i++) {
        await emu.advance(STEP_MS);
        clock.set(emu.now());
        await emu.flushWebhooks();
        await daemon!.settle();
        const day = (i * STEP_MS) / DAY_MS;
        if (Number.isInteger(day)) spinner.update(`${label} day ${day}/${days}: ${recovered} charges recovered`);
      }
    };
    await run(shadowDays, 'Shadow');
    out.note(`Shadow week: ${sub.db.cases.count()} failed charges seen, none retried by recover.`);

    // The merchant's portal step (Settings → Payment → Failed charges: 0 retries), then go-live's checks.
    const off = await fetch(`${emu.url}/_emulator/settings`, { method: 'POST', body: '{"recharge_retries":false}' });
    if (!off.ok) throw new Error(`the Recharge emulator refused its settings (${off.status})`);
    spinner.update('Going live…');
    await runGoLiveRecharge({ yes: true }, sub);
    out.note(`Live after ${shadowDays} days in shadow: Recharge's retries off, recover retries.`);
    recovered = 0;
    for (let d = 10; d <= opts.days + 9; d += 10) {
      const days = Math.min(10, opts.days - (d - 10));
      if (days <= 0) break;
      await run(days, 'Live');
      const done = Math.min(d, opts.days);
      out.note(`day ${String(done).padStart(2)}/${opts.days}  ${bar(done / opts.days)}  ${recovered} recovered`);
    }
    await daemon.stop();
    daemon = undefined;
    spinner.succeed(`Simulated ${shadowDays} days in shadow and ${opts.days} live: ${recovered} charges recovered.`);

    const report = await demoReport(opts, sub, ctx);
    const { treatment: t, control: k } = report.measurement.headline;
    const rate = (a: typeof t) => (a.rate === null ? 'n/a' : `${(a.rate * 100).toFixed(1)}%`);
    out.note(
      `New failures since go-live: recover ${t.recovered}/${t.cases} (${rate(t)}), ` +
        `Recharge's schedule ${k.recovered}/${k.cases} (${rate(k)}), both within ${DEMO_WINDOW_DAYS} days.`,
    );
    if (opts.keep) {
      const command = `recover --db ${dbPath} report --platform recharge --since ${sinceDay(report)}`;
      out.note(`Database kept: explore with  ${command}`);
    }
  } finally {
    spinner.stop();
    await closeDemo({ daemon, sub, emu, dir });
  }
}

function bar(share: number): string {
  return '█'.repeat(Math.round(share * 30)).padEnd(30, '░');
}
