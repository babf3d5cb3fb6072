/**
 * The one place that asks the user anything. Three implementations behind one interface:
 * - interactive: @inquirer/prompts on a TTY;
 * - scripted: answers given by name (tests, and `--yes` defaults); an unexpected prompt throws;
 * - none: no TTY and no answer → UsageError naming the flag that would have answered it.
 */
import { confirm, input, password, select } from '@inquirer/prompts';
import { UsageError } from '../errors.js';

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
    select: (q) => select({ message: q.message, choices: q.choices, default: q.default }),
    input: (q) => input({ message: q.message, default: q.default, validate: q.validate }),
    password: (q) => password({ message: q.message, mask: '*', validate: q.validate }),
    confirm: (q) => confirm({ message: q.message, default: q.default }),
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
 * and recorded in `asked` in order, so tests can check what was asked.
 */
export class ScriptedPrompts implements Prompts {
  readonly interactive = true;
  readonly asked: string[] = [];
  constructor(private readonly answers: Record<string, unknown>) {}
  private take<T>(q: Base, validate?: (v: string) => true | string): T {
    this.asked.push(q.name);
    if (!(q.name in this.answers)) throw new Error(`unexpected prompt "${q.name}": ${q.message}`);
    const v = this.answers[q.name];
    if (validate && typeof v === 'string') {
      const ok = validate(v);
      if (ok !== true) throw new Error(`scripted answer for "${q.name}" rejected: ${ok}`);
    }
    return v as T;
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
