/**
 * The one place that asks the user anything. Three implementations behind one interface:
 * - interactive: @inquirer/prompts on a TTY;
 * - scripted: answers given by name (tests, and `--yes` defaults); an unexpected prompt throws;
 * - none: no TTY and no answer → UsageError naming the flag that would have answered it.
 */
import { UsageError } from '../errors.js';

/** @inquirer/prompts is loaded on the first question only (start-up of commands that ask nothing). */
const inquirer = () => import('@inquirer/prompts');

interface Base {
  /** Stable name of the answer, also used by scripted prompts. */
  name: string;
  message: string;
  /** The flag (or env var) that answers this question non-interactively. */
  flag: string;
}
export interface Choice<T> {
  value: T;
  name: string;
  description?: string;
}
export interface Prompts {
  readonly interactive: boolean;
  select<T>(q: Base & { choices: Choice<T>[]; default?: T }): Promise<T>;
  input(q: Base & { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  password(q: Base & { validate?: (v: string) => true | string }): Promise<string>;
  confirm(q: Base & { default?: boolean }): Promise<boolean>;
}

export function inquirerPrompts(): Prompts {
  return {
    interactive: true,
    select: async (q) => (await inquirer()).select({ message: q.message, choices: q.choices, default: q.default }),
    input: async (q) => (await inquirer()).input({ message: q.message, default: q.default, validate: q.validate }),
    password: async (q) => (await inquirer()).password({ message: q.message, mask: '*', validate: q.validate }),
    confirm: async (q) => (await inquirer()).confirm({ message: q.message, default: q.default }),
  };
}

/** No TTY: every question must have been answered by a flag. */
export function noPrompts(): Prompts {
  const fail = (q: Base): never => {
    throw new UsageError(`missing ${q.flag}: no terminal to ask "${q.message}"`, `pass ${q.flag}, or run in a terminal`);
  };
  return {
    interactive: false,
    select: async (q) => fail(q),
    input: async (q) => fail(q),
    password: async (q) => fail(q),
    confirm: async (q) => fail(q),
  };
}

/**
 * Scripted answers by prompt name. Used by tests (a prompt without an answer fails the test)
 * and recorded in `asked` in order, so tests can check what was asked. An array of answers is
 * typed one after the other, as a user re-asked after a bad answer would: each rejected one is
 * recorded in `rejected` with the reason shown, and the first accepted one is the answer.
 */
export class ScriptedPrompts implements Prompts {
  readonly interactive = true;
  readonly asked: string[] = [];
  readonly rejected: Array<{ name: string; answer: string; reason: string }> = [];
  constructor(private readonly answers: Record<string, unknown>) {}
  private take<T>(q: Base, validate?: (v: string) => true | string): T {
    this.asked.push(q.name);
    if (!(q.name in this.answers)) throw new Error(`unexpected prompt "${q.name}": ${q.message}`);
    const given = this.answers[q.name];
    for (const v of Array.isArray(given) ? given : [given]) {
      const ok = validate && typeof v === 'string' ? validate(v) : true;
      if (ok === true) return v as T;
      this.rejected.push({ name: q.name, answer: v as string, reason: ok });
    }
    throw new Error(`every scripted answer for "${q.name}" was rejected: ${this.rejected.at(-1)?.reason}`);
  }
  async select<T>(q: Base & { choices: Choice<T>[] }): Promise<T> {
    const v = this.take<T>(q);
    if (!q.choices.some((c) => c.value === v)) throw new Error(`scripted answer for "${q.name}" is not a choice`);
    return v;
  }
  async input(q: Base & { validate?: (v: string) => true | string }): Promise<string> {
    return this.take<string>(q, q.validate);
  }
  async password(q: Base & { validate?: (v: string) => true | string }): Promise<string> {
    return this.take<string>(q, q.validate);
  }
  async confirm(q: Base): Promise<boolean> {
    return this.take<boolean>(q);
  }
}
