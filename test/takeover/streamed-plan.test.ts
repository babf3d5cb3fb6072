/**
 * The `--dry-run --json` plan is streamed (Output.resultStream): one JSON document however it
 * ends, written as the pages arrive, redacted like any result.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/ui/output.js';

function capture(json: boolean): { out: Output; text: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { out: new Output({ json, stdout, stderr: new PassThrough(), env: {} }), text: () => text };
}

describe('a streamed result', () => {
  it('is one JSON document with the array first and the other fields after it', () => {
    const { out, text } = capture(true);
    const s = out.resultStream('plan');
    s.item({ invoice: 'in_1' });
    s.item({ invoice: 'in_2', note: 'key sk_test_abcdefghijklmnopqrstuvwx' });
    s.close({ complete: true, total: { listed: 2 } });
    const doc = JSON.parse(text()) as {
      plan: Array<{ invoice: string; note?: string }>;
      complete: boolean;
      total: { listed: number };
    };
    expect(doc.plan.map((e) => e.invoice)).toEqual(['in_1', 'in_2']);
    expect(doc.total.listed).toBe(2);
    expect(doc.complete).toBe(true);
    expect(text()).not.toContain('abcdefghijklmnopqrstuvwx');
  });

  it('is valid with no items and no other fields', () => {
    const { out, text } = capture(true);
    out.resultStream('plan').close({});
    expect(JSON.parse(text())).toEqual({ plan: [] });
  });

  it('writes nothing without --json', () => {
    const { out, text } = capture(false);
    const s = out.resultStream('plan');
    s.item({ invoice: 'in_1' });
    s.close({ complete: true });
    expect(text()).toBe('');
  });
});
