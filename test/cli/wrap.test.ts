/** wrapText: prose lines broken between words with a hanging indent, never mid-word. */
import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src/ui/wrap.js';

const HEAD = '  2026-11-19 04:18:07  decision  ';
const REASON =
  'decision: retry at 2026-11-21T11:00:00Z — insufficient_funds (soft, retry ' +
  'later). Attempt 2 on this invoice (retry 1): worth trying while the estimated success beats its cost.';

describe('wrapText', () => {
  it('leaves a line that fits alone', () => {
    expect(wrapText('next: attempt 2', 80, { indent: 2 })).toBe('next: attempt 2');
  });
  it('breaks between words, indents continuation lines, keeps every word', () => {
    const out = wrapText(REASON, 80, { head: HEAD }).split('\n');
    expect(out.length).toBeGreaterThan(1);
    for (const l of out) expect(l.length).toBeLessThanOrEqual(80);
    expect(out[0]!.startsWith('  2026-11-19 04:18:07  decision  decision:')).toBe(true);
    for (const l of out.slice(1)) expect(l).toMatch(new RegExp(`^ {${HEAD.length}}\\S`));
    expect(out.join(' ').slice(HEAD.length).split(/ +/)).toEqual(REASON.split(/ +/));
  });
  it('indents 4 when the hanging indent would leave fewer than 40 columns; a long word stays whole', () => {
    const id = 'https://dashboard.stripe.com/test/apikeys/create?name=recover+primary';
    const out = wrapText(`see ${id} then continue`, 60, { head: '  - ', indent: 30 }).split('\n');
    expect(out).toEqual(['  - see', `    ${id}`, '    then continue']);
  });
});
