#!/usr/bin/env node
/**
 * Regenerates the console transcripts in docs/ from real runs, so they cannot drift from the
 * output: `npm run build && node scripts/transcripts.mjs`. Starts the built-in emulator (a
 * generated merchant, Smart Retries on), runs the operator's path with bin/recover against a
 * fresh database, and replaces each block between
 *   <!-- transcript:NAME -->  and  <!-- /transcript -->
 * in the docs with the commands and what they printed (stdout and stderr, as a terminal shows
 * them; not a terminal, so tables are 80 columns wide). Long outputs keep their first and last
 * lines around a "…".
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/recover');
const KEY = 'rk_test_51DocsTranscript000000000f00d';
const PERMS = ['rak_charge_read', 'rak_customer_read', 'rak_payment_intent_read', 'rak_invoice_write',
  'rak_subscription_write', 'rak_webhook_write', 'rak_credit_note_read', 'rak_payment_method_read',
  'rak_event_read'].join(',');

function run(args, env, cwd) {
  const o = { env: { ...process.env, NO_COLOR: '1', ...env }, cwd, maxBuffer: 1 << 26 };
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args], o, (err, stdout, stderr) => {
      res({ code: err ? (err.code ?? 1) : 0, text: (stdout + stderr).replace(/\s+$/, '') });
    });
  });
}

async function startEmulator() {
  const args = ['--json', 'emulator', '--port', '0', '--generate', '300', '--rng-seed', '7', '--key', `${KEY}=${PERMS}`];
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  for await (const line of createInterface({ input: child.stdout })) {
    json += line + '\n';
    if (line === '}') break;
  }
  return { url: JSON.parse(json).url, stop: () => child.kill('SIGINT') };
}

function elide(text, head, tail) {
  const lines = text.split('\n');
  if (head === undefined || lines.length <= head + tail + 1) return text;
  return [...lines.slice(0, head), '…', ...lines.slice(lines.length - tail)].join('\n');
}

const emu = await startEmulator();
const dir = mkdtempSync(join(tmpdir(), 'recover-transcripts-'));
// The database in the working directory, as a user would have it: ./recover.db.
const env = { RECOVER_DB: './recover.db', RECOVER_STRIPE_API_BASE: emu.url, RECOVER_PRIMARY_KEY: KEY };
const blocks = {};
async function step(block, shown, args, o = {}) {
  const r = await run(args, env, dir);
  if (r.code !== (o.code ?? 0)) throw new Error(`recover ${args.join(' ')} exited ${r.code}:\n${r.text}`);
  (blocks[block] ??= []).push(`$ ${shown}\n${elide(r.text, o.head, o.tail)}`);
}
try {
  const onboard = ['onboard', 'stripe', '--env', 'test', '--scope', 'account', '--webhook-url', 'https://pay.example.com/stripe/webhook', '--yes'];
  await step('going-live', `recover ${onboard.join(' ')}`, onboard, { head: 0, tail: 3 });
  await step('going-live', 'recover takeover --clock emulator', ['takeover', '--clock', 'emulator'], { head: 0, tail: 4 });
  await step('going-live', 'recover config set mode live', ['config', 'set', 'mode', 'live'], { code: 2 });
  await step('going-live', 'recover go-live --yes', ['go-live', '--yes']);
  await step('status', 'recover status', ['status'], { code: 1 }); // live with no daemon: a FAIL, exit 1
  await step('offboard', 'recover offboard --yes', ['offboard', '--yes']);
} finally {
  emu.stop();
  rmSync(dir, { recursive: true, force: true });
}

for (const file of ['docs/run.md']) {
  const path = join(ROOT, file);
  let text = readFileSync(path, 'utf8');
  text = text.replace(/<!-- transcript:([\w-]+) -->\n[\s\S]*?<!-- \/transcript -->/g, (whole, name) => {
    if (!blocks[name]) return whole;
    return `<!-- transcript:${name} -->\n\`\`\`console\n${blocks[name].join('\n')}\n\`\`\`\n<!-- /transcript -->`;
  });
  writeFileSync(path, text);
  process.stdout.write(`updated ${file}\n`);
}
