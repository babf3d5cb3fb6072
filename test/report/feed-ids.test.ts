/**
 * The report's feed keeps invoice ids whole at 80 columns (a pipe, a narrow terminal): the id is
 * what `recover explain` takes, and a Stripe invoice id is 27 characters (in_ + 24).
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { buildReport, printReport } from '../../src/report/index.js';
import { renderTable } from '../../src/ui/output.js';
import { tempDb } from '../helpers/env.js';
import { D, NOW, seedHandComputed } from './fixture.js';

const ID = 'in_1kDjXGWIXnvvA9iRzKGmNeuY';

describe('report text at 80 columns', () => {
  it('prints every feed invoice id whole, and every table line fits', () => {
    const store = seedHandComputed(tempDb());
    const r = buildReport(store, { now: NOW, period: { since: D(1), until: D(29) }, account: 'self' });
    store.close();
    expect(r.feed.length).toBeGreaterThan(0);
    for (const f of r.feed) f.invoiceId = ID;
    const lines: string[] = [];
    const color = new Chalk({ level: 0 });
    printReport(r, {
      color,
      line: (t = '') => lines.push(t),
      table: (head, rows, opts) => lines.push(renderTable(head, rows, color, 80, opts?.whole)),
    });
    const feed = lines.slice(lines.findIndex((l) => l.includes('latest recoveries')));
    expect(feed.join('\n').split(ID).length - 1).toBe(r.feed.length);
    for (const l of feed.join('\n').split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });
});
