/**
 * Structured logs with pino: one JSON object per line with `--log-format json`, a readable
 * line otherwise. Keys and webhook secrets are redacted from every message and field before
 * anything is written (pino's own `redact` only knows paths, not secrets inside strings).
 */
import pino, { type Logger, type LevelWithSilent } from 'pino';
import { Writable } from 'node:stream';
import { redactText, redactValue } from './redact.js';

export type { Logger };
export type LogFormat = 'text' | 'json';
import { LOG_LEVELS } from './log-levels.js';
export { LOG_LEVELS };

export interface LoggerOptions {
  level?: LevelWithSilent;
  format?: LogFormat;
  /** Where lines go; default stderr (stdout is for command results). */
  destination?: NodeJS.WritableStream;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Turns pino's JSON lines into `HH:MM:SS.mmm INFO message key=value …`. */
function textStream(dest: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const raw of chunk.toString('utf8').split('\n')) {
        if (!raw) continue;
        try {
          const { time, level, msg, pid: _pid, hostname: _h, ...rest } = JSON.parse(raw) as Record<string, unknown>;
          const t = new Date(Number(time)).toISOString().slice(11, 23);
          const fields = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          dest.write(`${t} ${LEVEL_NAMES[Number(level)] ?? level} ${msg ?? ''}${fields ? ' ' + fields : ''}\n`);
        } catch {
          dest.write(raw + '\n');
        }
      }
      done();
    },
  });
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = opts.destination ?? process.stderr;
  const stream = opts.format === 'json' ? dest : textStream(dest);
  return pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      formatters: { log: (obj) => redactValue(obj) },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === 'string' ? redactText(a) : redactValue(a)));
          return method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    stream as pino.DestinationStream,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
