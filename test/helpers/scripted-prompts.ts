/** Scripted prompts for tests: the answers by name, checked against what the wizard asks. */
import type { Base, Choice, Prompts } from '../../src/ui/prompts.js';

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
  /** Answers for the second, third… time a question is asked (after the program refused the first answer). */
  private readonly later = new Map<string, unknown[]>();
  constructor(private readonly answers: Record<string, unknown>) {}
  /** The answer the next time `name` is asked again (a wizard re-asking after e.g. Stripe refused a key). */
  then(name: string, answer: unknown): this {
    this.later.set(name, [...(this.later.get(name) ?? []), answer]);
    return this;
  }
  private take<T>(q: Base, validate?: (v: string) => true | string): T {
    const again = this.asked.includes(q.name) && this.later.get(q.name)?.length;
    this.asked.push(q.name);
    if (!(q.name in this.answers)) throw new Error(`unexpected prompt "${q.name}": ${q.message}`);
    const given = again ? this.later.get(q.name)!.shift() : this.answers[q.name];
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
