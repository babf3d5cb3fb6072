/**
 * The commander table: global options and one entry per command. Each command's body lives in
 * src/commands/<name>.ts as run<Name>(options, ctx); nothing here does work itself.
 * Only commands that work are registered, so `--help` never lists a stub.
 *
 * Start-up: this file imports only commander and the flag parsers. A command's module, the
 * context (SQLite, the Stripe SDK, pino, prompts) are imported when that command runs, so
 * `recover --help` loads none of them (bench/startup.ts measures it).
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { CliIO, Context, GlobalOptions } from './context.js';
import { LOG_LEVELS } from './log-levels.js';
import { settableHelp } from './config/settable.js';
import { collect, enumFlag, intFlag, numberFlag, urlFlag, webhookSecretFlag } from './ui/flags.js';
import { redactText } from './redact.js';

export type { CliIO };

export function buildProgram(io: CliIO): Command {
  const program = new Command('recover')
    .description('Self-hosted failed-payment recovery: Stripe Billing, your own billing (the Recovery API), Recharge')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      // commander echoes a bad argument back (`--log-level sk_live_…`): never a key in its messages.
      // Help and --version are commander's own text (ui/output.ts is not loaded for --help: start-up).
      // eslint-disable-next-line no-restricted-syntax
      writeOut: (s) => io.stdout.write(redactText(s)),
      writeErr: (s) => io.stderr.write(redactText(s)),
      outputError: (s, write) => write(redactText(s)),
    })
    .showHelpAfterError('(run recover --help for usage)')
    .addOption(new Option('--db <path>', 'SQLite database file').env('RECOVER_DB').default('./recover.db'))
    .option('--json', 'print results as JSON', false)
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--log-format <format>', 'log format').choices(['text', 'json']).default('text'))
    .addOption(
      new Option('--stripe-api-base <url>', 'Stripe API base URL (the emulator); only test keys are accepted')
        .env('RECOVER_STRIPE_API_BASE')
        .argParser(urlFlag('--stripe-api-base')),
    );

  /**
   * Runs a command body with a fresh context and always closes it. Only onboard, demo, simulate
   * and the emulator may create a database; the others (`existingDb`) refuse a missing one with
   * exit 2 before anything heavy is loaded, so a mistyped --db creates nothing.
   * A `long` command gets the one shutdown path (src/signals.ts) as `ctx.signal`; a second signal
   * returns at once with 128 + its number, leaving the context open under calls still in flight.
   * An onboarding (`setup`) that created the database and failed before saving anything removes it.
   */
  const action =
    <O>(fn: (opts: O, ctx: Context) => Promise<void>, o: { existingDb?: boolean; interrupted?: string; long?: boolean; setup?: boolean } = {}) =>
    async (opts: O) => {
      if (o.interrupted) io.interruptNote = o.interrupted;
      const globals = program.opts<GlobalOptions>();
      const { assertDbExists, isMemoryPath } = await import('./db-path.js');
      if (o.existingDb && !io.overrides?.db) assertDbExists(globals.db);
      const fresh = o.setup && !io.overrides?.db && !isMemoryPath(globals.db) && !existsSync(globals.db);
      const { createContext } = await import('./context.js');
      if (!o.long) {
        const ctx = createContext(globals, io);
        let failed = false;
        try {
          await fn(opts, ctx);
        } catch (e) {
          failed = true;
          throw e;
        } finally {
          await ctx.close();
          if (failed && fresh) (await import('./db/discard.js')).discardIfUnsaved(globals.db);
        }
        return;
      }
      const { runStoppable } = await import('./signals.js');
      await runStoppable(io, (signal) => createContext(globals, io, { ...io.overrides, signal }), (ctx) => fn(opts, ctx));
    };

  const onboard = program.command('onboard').description('set recover up for a payment provider');
  onboard
    .command('stripe')
    .description('the setup wizard: keys, permission check, webhook, Smart Retries hand-off, dunning policy')
    .addOption(new Option('--env <env>', 'test or live').argParser(enumFlag('--env', ['test', 'live'] as const)))
    .addOption(new Option('--scope <scope>', 'this account, or Connect connected accounts').argParser(enumFlag('--scope', ['account', 'connect'] as const)))
    .addOption(new Option('--primary-key <key>', 'restricted key (rk_…); visible in ps: prefer the env or a file').env('RECOVER_PRIMARY_KEY'))
    .option('--primary-key-file <path>', 'read the primary key from this file')
    .addOption(new Option('--fallback-key <key>', 'restricted key used when the primary is rate-limited').env('RECOVER_FALLBACK_KEY'))
    .option('--fallback-key-file <path>', 'read the fallback key from this file')
    .option('--webhook-url <url>', 'public URL that reaches recover run (…/stripe/webhook)')
    .option('--dunning-days <n>', 'dunning length in days (default 30)', intFlag('--dunning-days', 1, 120))
    .addOption(new Option('--subscription-action <action>', 'at the end of dunning').argParser(enumFlag('--subscription-action', ['cancel_at_period_end', 'cancel_after_delay', 'leave'] as const)))
    .option('--cancel-delay <duration>', 'with cancel_after_delay, e.g. 2d6h')
    .option('--prorate', 'prorate when cancelling after a delay')
    .addOption(new Option('--invoice-action <action>', 'at the end of dunning').argParser(enumFlag('--invoice-action', ['mark_uncollectible', 'leave'] as const)))
    .option('--include-subscription-create', 'also recover failures on subscription creation')
    .addOption(new Option('--delay-from <from>', 'cancel delay counted from').argParser(enumFlag('--delay-from', ['hard_decline', 'invoice_created'] as const)))
    .option('--windows <cron,...>', 'allowed retry windows, cron in customer local time (default "0 8-20 * * *")')
    .option('--default-timezone <iana>', 'timezone when the customer\'s is unknown (default UTC)')
    .option('--control-share <share>', 'control-group share, 0 to 0.5 (default 0.1)', numberFlag('--control-share', 0, 0.5))
    .option('--control-baseline <baseline>', 'stripe | fixed:3,5,7')
    .option('--baseline-window-days <n>', "with baseline stripe: Smart Retries' window, as set in the Dashboard (default 14)",
      intFlag('--baseline-window-days', 1, 120))
    .addOption(new Option('--mode <mode>', 'shadow (never charge) or live').argParser(enumFlag('--mode', ['shadow', 'live'] as const)))
    .option('--no-webhook', 'register no webhook endpoint (for `stripe listen --forward-to localhost:4242/stripe/webhook`)')
    .option('-y, --yes', 'accept defaults (and saved answers) instead of asking')
    .action(async (opts: import('./commands/onboard/index.js').OnboardOptions, cmd: Command) => {
      // A key typed in argv is warned about; one from RECOVER_*_KEY is not (commander reads both).
      const keysInArgv = (['primaryKey', 'fallbackKey'] as const).filter((k) => cmd.getOptionValueSource(k) === 'cli');
      await action(async (o: import('./commands/onboard/index.js').OnboardOptions, ctx) =>
        (await import('./commands/onboard/index.js')).runOnboard(o, ctx), { setup: true })({ ...opts, keysInArgv });
    });

  onboard
    .command('api')
    .description('the Recovery API for your own billing: Stripe key (probed), result webhooks, retry-status check, policy, first API key')
    .addOption(new Option('--env <env>', 'test or live').argParser(enumFlag('--env', ['test', 'live'] as const)))
    .addOption(new Option('--stripe-key <key>', 'restricted key recover charges with; visible in ps: prefer the env or a file').env('RECOVER_STRIPE_KEY'))
    .option('--primary-key-file <path>', 'read that key from this file')
    .option('--result-webhook-url <url>', 'where recover POSTs signed results (https)')
    .option('--retry-status-url <url>', 'asked just before each retry whether it is still wanted (https)')
    .option('--card-update-return-url <url>', "where Stripe Checkout sends the customer after a card update (your page)")
    .option('--allow-local-webhooks', 'accept http://localhost URLs (a test server)')
    .option('--dunning-days <n>', 'dunning length in days (default 30)', intFlag('--dunning-days', 1, 120))
    .option('--windows <cron,...>', 'allowed retry windows, cron in customer local time (default "0 8-20 * * *")')
    .option('--control-share <share>', 'control-group share, 0 to 0.5 (default 0.1)', numberFlag('--control-share', 0, 0.5))
    .option('--control-baseline <baseline>', 'the control group\'s schedule: fixed:3,5,7 (default) or stripe')
    .addOption(new Option('--mode <mode>', 'shadow (never charge) or live').argParser(enumFlag('--mode', ['shadow', 'live'] as const)))
    .option('-y, --yes', 'accept defaults (and saved answers) instead of asking')
    .action(action(async (o: import('./commands/onboard/api.js').OnboardApiOptions, ctx) =>
      (await import('./commands/onboard/api.js')).runOnboardApi(o, ctx), { setup: true }));

  const apiKeys = program.command('api-keys').description('the Recovery API keys (rcv_test_…/rcv_live_…): create, list, revoke');
  apiKeys.command('create').description('create a key; printed once, stored only as a hash')
    .addOption(new Option('--mode <mode>', 'test or live (default: the environment set up)').argParser(enumFlag('--mode', ['test', 'live'] as const)))
    .option('--name <name>', 'a label shown in lists')
    .action(action(async (o: import('./commands/api-keys.js').ApiKeysCreateOptions, ctx) => (await import('./commands/api-keys.js')).runApiKeysCreate(o, ctx), { existingDb: true }));
  apiKeys.command('list').description('the keys (redacted), when they were last used, revoked ones too')
    .action(action(async (o, ctx) => (await import('./commands/api-keys.js')).runApiKeysList(o, ctx), { existingDb: true }));
  apiKeys.command('revoke <id>').description('revoke a key: its requests get 401 from now on')
    .action(async (id: string, opts: unknown) =>
      action(async (o: unknown, ctx) => (await import('./commands/api-keys.js')).runApiKeysRevoke(id, o, ctx), { existingDb: true })(opts));

  onboard
    .command('recharge')
    .description('a Recharge store: token, scope probe, webhooks, portal hand-off, end-of-dunning action (mode shadow)')
    .addOption(new Option('--env <env>', 'test or live').argParser(enumFlag('--env', ['test', 'live'] as const)))
    .addOption(new Option('--token <token>', 'Recharge API token; visible in ps: prefer the env or a file').env('RECOVER_RECHARGE_TOKEN'))
    .option('--token-file <path>', 'read the API token from this file')
    .addOption(new Option('--client-secret <secret>', 'API client secret (verifies webhooks)').env('RECOVER_RECHARGE_CLIENT_SECRET'))
    .option('--client-secret-file <path>', 'read the client secret from this file')
    .option('--store <handle>', 'the store handle (account rc_<handle>; default "store")')
    .addOption(new Option('--recharge-api-base <url>', 'Recharge API base URL (the emulator)').env('RECOVER_RECHARGE_API_BASE')
      .argParser(urlFlag('--recharge-api-base')))
    .option('--webhook-url <url>', 'public URL that reaches recover run (…/recharge/webhooks)')
    .option('--no-webhook', 'register no webhooks (the daemon backfills by polling errored charges)')
    .addOption(new Option('--end-action <action>', 'at the end of dunning').argParser(enumFlag('--end-action', ['cancel', 'leave'] as const)))
    .option('--cancel-reason <text>', "with --end-action cancel: Recharge's cancellation_reason")
    .option('--control-baseline <baseline>', 'fixed:3,5,7 (Recharge retries are store-wide: recover runs the control)')
    .option('--dunning-days <n>', 'dunning length in days (default 30), when no Stripe account set it', intFlag('--dunning-days', 1, 120))
    .option('--windows <cron,...>', 'allowed retry windows, cron in customer local time (default "0 8-20 * * *")')
    .option('--control-share <share>', 'control-group share, 0 to 0.5 (default 0.1)', numberFlag('--control-share', 0, 0.5))
    .option('-y, --yes', 'accept defaults (and saved answers) instead of asking')
    .action(action(async (o: import('./commands/onboard/recharge.js').OnboardRechargeOptions, ctx) =>
      (await import('./commands/onboard/recharge.js')).runOnboardRecharge(o, ctx), { setup: true }));

  const config = program.command('config').description('read and change the saved policy');
  config.command('show').description('print the saved settings (secrets redacted)')
    .action(action(async (o, ctx) => (await import('./commands/config.js')).runConfigShow(o, ctx), { existingDb: true }));
  config
    .command('set <key> <value>')
    .description('change one setting and print old → new, e.g. recover config set dunningDays 45')
    .addHelpText('after', settableHelp)
    .action(async (key: string, value: string, opts: unknown) =>
      action(async (o: unknown, ctx) => (await import('./commands/config.js')).runConfigSet(key, value, o, ctx), { existingDb: true })(opts));

  const webhooks = program.command('webhooks').description('result webhooks to the merchant: list, show, resend, enable, endpoint');
  const wh = async () => import('./commands/webhooks.js');
  webhooks.command('list').description('the newest result webhooks and their delivery state')
    .option('--type <type>', 'only this event type, e.g. recovery.succeeded')
    .option('--recovery <id>', 'only this recovery (rcv_<n>)')
    .option('--limit <n>', 'how many (default 50)', intFlag('--limit', 1, 10_000))
    .action(action(async (o: import('./commands/webhooks.js').ListOptions, ctx) => (await wh()).runWebhooksList(o, ctx), { existingDb: true }));
  webhooks.command('show <id>').description('one result webhook: its body and every delivery try with the answer')
    .action(async (id: string, opts: unknown) => action(async (o: unknown, ctx) => (await wh()).runWebhooksShow(id, o, ctx), { existingDb: true })(opts));
  webhooks.command('resend <id>').description('deliver a result webhook again (same webhook-id), whatever its state')
    .action(async (id: string, opts: unknown) => action(async (o: unknown, ctx) => (await wh()).runWebhooksResend(id, o, ctx), { existingDb: true })(opts));
  webhooks.command('enable').description('resume deliveries after the endpoint answered 410 Gone')
    .action(action(async (o: unknown, ctx) => (await wh()).runWebhooksEnable(o, ctx), { existingDb: true }));
  webhooks.command('endpoint').description('where result webhooks go')
    .command('set <url>').description('set the result-webhook URL; the first time, creates the whsec_ signing secret (shown once)')
    .option('--allow-local-webhooks', 'accept http:// and local addresses (tests, a receiver on this machine)')
    .option('--secret-file <path>', 'write a newly created signing secret to this file (0600) instead of printing it')
    .action(async (url: string, opts: import('./commands/webhooks.js').EndpointSetOptions) =>
      action(async (o: import('./commands/webhooks.js').EndpointSetOptions, ctx) => (await wh()).runWebhooksEndpointSet(url, o, ctx), { existingDb: true })(opts));

  program.command('status').description('health of the set-up: daemon, keys, webhook, Smart Retries, events, cases, next attempt')
    .action(action(async (o, ctx) => (await import('./commands/status.js')).runStatus(o, ctx), { existingDb: true }));

  program
    .command('go-live')
    .description('switch from shadow to live mode safely: show what changes, re-check, pause Stripe\'s retries, switch')
    .option('--back-to-shadow', 'switch back: hand the paused invoices back to Stripe, stop charging')
    .addOption(new Option('--platform <platform>', 'stripe or recharge (default: recharge when only a Recharge store is set up)')
      .argParser(enumFlag('--platform', ['stripe', 'recharge'] as const)))
    .option('-y, --yes', 'do not ask for confirmation')
    .action(action(async (o: import('./commands/go-live.js').GoLiveOptions, ctx) => (await import('./commands/go-live.js')).runGoLive(o, ctx), {
      interrupted: 'the invoices handed over so far are recorded, the mode is unchanged: run recover go-live again', existingDb: true,
    }));

  program
    .command('offboard')
    .description('leave cleanly: every managed invoice back to Stripe, webhook disabled, Smart Retries steps printed')
    .addOption(new Option('--platform <platform>', 'stripe or recharge (default: recharge when only a Recharge store is set up)')
      .argParser(enumFlag('--platform', ['stripe', 'recharge'] as const)))
    .option('-y, --yes', 'do not ask for confirmation')
    .action(action(async (o: import('./commands/offboard.js').OffboardOptions, ctx) => (await import('./commands/offboard.js')).runOffboard(o, ctx), {
      interrupted: 'the invoices handed back so far are recorded: run recover offboard again', existingDb: true,
    }));

  program
    .command('takeover')
    .description('import the open failed invoices into recover, decide their first retry, pause Stripe\'s retries on them')
    .option('--dry-run', 'print what would be imported, skipped and why, and the first decisions; write nothing')
    .option('--no-pause-stripe', 'do not set auto_advance=false on the invoices recover will retry')
    .option('--history <period>', 'also import the charges of this period (e.g. 90d) into the history table')
    .option('--account <id>', 'only this account')
    .addOption(new Option('--platform <platform>', 'stripe (default) or recharge (the store set up by onboard recharge)')
      .argParser(enumFlag('--platform', ['stripe', 'recharge'] as const)))
    .option('--concurrency <n>', 'Stripe lists walked at once (default 8; the rate limit is the real bound)', intFlag('--concurrency', 1, 64))
    .addOption(new Option('--clock <clock>', 'whose "now" dates the dunning window: system, or emulator (refused against the real Stripe API)').choices(['system', 'emulator']).default('system'))
    .addOption(new Option('--page-size <n>', 'objects per Stripe list page').argParser(intFlag('--page-size', 1, 100)).hideHelp())
    .action(action(async (o: import('./commands/takeover/index.js').TakeoverOptions, ctx) => (await import('./commands/takeover/index.js')).runTakeover(o, ctx), {
      interrupted: 'the pages recorded so far are kept: run recover takeover again to resume', long: true, existingDb: true,
    }));

  program
    .command('report')
    .description('lift summary: recovered revenue, recovery rate, lift against the control group, breakdowns')
    .option('--since <when>', 'cases that entered dunning from: a date (2026-01-01), a date-time, or a duration back (30d)')
    .option('--until <when>', 'up to (exclusive; a date includes that day), same forms; default now')
    .option('--account <id>', 'only this account (self or acct_…)')
    .addOption(new Option('--platform <platform>', 'only this platform\'s cases (default: all, each also apart)')
      .argParser(enumFlag('--platform', ['stripe', 'recharge', 'api'] as const)))
    .option('--csv [file]', 'CSV (one figure per line) to a file, or to stdout without one')
    .option('--html <file>', 'also write one self-contained HTML report with charts')
    .option('--feed <n>', 'latest recoveries to list', intFlag('--feed', 0, 1000), 10)
    .option('--as-of <date>', 'what the report said then: outcomes and attempts as of that date (its end) or date-time')
    .option('--currency <code>', 'the currency of the headline money figures (default: the one most recoveries are in)')
    .option('--effect <pp>', 'lift (pp) the "days more" estimate is for (default: the one seen, else 5)',
      numberFlag('--effect', 0.1, 100))
    .action(action(async (o: import('./commands/report.js').ReportOptions, ctx) => void (await (await import('./commands/report.js')).runReport(o, ctx)), { existingDb: true }));

  program
    .command('simulate')
    .description('compare retry policies on a virtual clock over a population of failed invoices')
    .option('--policy <names>', 'recover, fixed:a,b,c, daily:N, smart-like (comma-separated; default all four)')
    .option('--world <world>', 'builtin, builtin:<annual|payroll|fatigue|global>, file.json, or ./world.mjs', 'builtin')
    // The simulation's own bounds (a 32-bit seed; 200,000 invoices × 365 days fit in memory).
    .option('--seed <n>', 'random seed (default 1)', intFlag('--seed', 0, 2 ** 32 - 1))
    .option('--count <n>', 'number of failed invoices (default 2000)', intFlag('--count', 1, 200_000))
    .option('--days <n>', 'days over which failures arrive (default 30)', intFlag('--days', 1, 365))
    .option('--dunning-days <n>', 'dunning length in days (default 30)', intFlag('--dunning-days', 1, 120))
    .option('--warm <days>', 'days of earlier failures to learn from first (default 0)', intFlag('--warm', 0, 365))
    .action(action(async (opts: Record<string, unknown>, ctx) => {
      await (await import('./commands/simulate.js')).runSimulate({ ...opts, json: ctx.globals.json }, ctx);
    }));

  program
    .command('run')
    .description('the daemon: webhook receiver, scheduler and executor, end-of-dunning jobs, reconciler')
    .option('--host <host>', 'address the webhook server listens on (put a reverse proxy in front)', '127.0.0.1')
    .option('--port <n>', 'port the webhook server listens on', intFlag('--port', 0, 65535), 4242)
    .option('--shadow', 'run everything but the charge and the end-of-dunning writes (recorded as would-be)')
    .option('--once', 'one pass (events, reconcile if due, jobs, attempts) and exit; no webhook server')
    .option('--reconcile <cron>', 'when to re-list open invoices and recent events (UTC cron)', '0 * * * *')
    .addOption(new Option('--clock <clock>', 'system, or emulator: follow the emulator clock (needs --stripe-api-base)').argParser(enumFlag('--clock', ['system', 'emulator'] as const)).default('system'))
    .option('--concurrency <n>', 'attempts run at once (the shared rate limit is the real bound)', intFlag('--concurrency', 1, 64), 4)
    .option('--adopt', 'this database is a restored copy and the original installation is retired: take over its invoices')
    .addOption(new Option('--webhook-secret <whsec>', 'also accept events signed with this secret, this run only (stripe listen)')
      .env('RECOVER_WEBHOOK_SECRET').argParser(webhookSecretFlag('--webhook-secret')))
    .action(action(async (o: import('./commands/run.js').RunOptions, ctx) => (await import('./commands/run.js')).runRun(o, ctx), { long: true, existingDb: true }));

  program
    .command('backup <file>')
    .description('an online, consistent copy of the database, owner-only (0600): it holds the keys')
    .action(async (file: string) =>
      action(async (_o: unknown, ctx) => void (await (await import('./commands/backup.js')).runBackup(file, ctx)), { existingDb: true })({}));

  program
    .command('explain <invoice>')
    .description("the timeline of one invoice's recovery and why each decision was taken")
    .option('--account <id>', 'the account, when the invoice id is ambiguous')
    .action(async (invoice: string, opts: import('./commands/explain.js').ExplainOptions) =>
      action(async (o: import('./commands/explain.js').ExplainOptions, ctx) => (await import('./commands/explain.js')).runExplain(invoice, o, ctx), { existingDb: true })(opts));

  program
    .command('demo')
    .description('no Stripe account needed: emulator + synthetic merchant → onboard → takeover → 30 simulated days → report')
    .option('--seed <n>', 'random seed of the synthetic merchant', intFlag('--seed', 0), 1)
    .option('--customers <n>', 'customers of the synthetic merchant', intFlag('--customers', 10, 100_000), 2000)
    .option('--days <n>', 'simulated days', intFlag('--days', 1, 120), 30)
    .option('--keep', 'keep the database (recover-demo.db, or --db) to explore with report and explain')
    .option('--html <file>', 'where to write the HTML report', 'demo-report.html')
    .addOption(new Option('--platform <platform>', 'stripe (default) or recharge: onboard, shadow week, go-live, 30 days')
      .argParser(enumFlag('--platform', ['stripe', 'recharge'] as const)))
    .action(action(async (o: import('./commands/demo.js').DemoOptions, ctx) => (await import('./commands/demo.js')).runDemo(o, ctx), { long: true }));

  program
    .command('emulator')
    .description('run the built-in Stripe (or, with --platform recharge, Recharge) emulator, for trying recover and for tests')
    .addOption(new Option('--platform <platform>', 'stripe (default port 12111) or recharge (12112)').argParser(enumFlag('--platform', ['stripe', 'recharge'] as const)).default('stripe'))
    .option('--plan <plan>', 'with --platform recharge: the store plan, standard | pro | plus (default pro)')
    .option('--recharge-retries <on|off>', "with --platform recharge: Recharge's own retries of failed charges (default on)")
    .option('--port <n>', 'port to listen on (default 12111, recharge 12112)', intFlag('--port', 0, 65535))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <file>', 'seed file (JSON) describing a merchant')
    .option('--generate <n>', 'generate a synthetic merchant with n customers', intFlag('--generate', 1, 1_000_000))
    .option('--rng-seed <s>', 'random seed for --generate and --webhook-faults (default 1)', intFlag('--rng-seed', 0))
    .option('--accounts <n>', 'connected accounts to generate', intFlag('--accounts', 0, 100))
    .option('--smart-retries <setting>', 'Smart Retries: on (8 tries in 2w), off, on:<1w|2w|3w|1m|2m|Nd>:<n>')
    .option('--latency-ms <n>', 'added latency per request (ms)', intFlag('--latency-ms', 0, 60_000))
    .option('--error-rate <r>', 'share of requests answered 500', numberFlag('--error-rate', 0, 1))
    .option('--rate-limit <n>', 'requests per second per key before 429', numberFlag('--rate-limit', 0.001, 1_000_000))
    .option('--key <key=perms>', 'restricted key and its permissions, e.g. rk_test_x=rak_invoice_write,rak_charge_read (repeatable)', collect)
    .option('--start <iso>', 'emulator clock start, e.g. 2026-12-01T00:00:00Z (default: now)')
    .option('--allow-local-webhooks', 'accept webhook endpoints on localhost/private addresses (Stripe refuses them)')
    .option('--webhook-faults <faults>', 'seeded webhook delivery faults, e.g. duplicate=0.1,reorder=0.2,drop=0.05')
    .action(action(async (o: import('./commands/emulator.js').EmulatorCommandOptions, ctx) => (await import('./commands/emulator.js')).runEmulator(o, ctx), { long: true }));

  program
    .command('completion <shell>')
    .description('print a shell completion script: bash, zsh or fish (e.g. recover completion bash >> ~/.bashrc)')
    .action(async (shell: string) => (await import('./commands/completion.js')).runCompletion(shell, program, io));

  return program;
}
