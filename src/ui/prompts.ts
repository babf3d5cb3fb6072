/**
 * The one place that asks the user anything. Three implementations behind one interface:
 * - interactive: @inquirer/prompts on a TTY;
 * - scripted: answers given by name (tests: test/helpers/scripted-prompts.ts);
 * - none: no TTY and no answer → UsageError naming the flag that would have answered it.
 */
import { UsageError } from '../errors.js';

/** @inquirer/prompts is loaded on the first question only (start-up of commands that ask nothing). */
const inquirer = () => import('@inquirer/prompts');

export interface Base {
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

