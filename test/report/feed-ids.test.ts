/**
 * The report's text at 80 columns (a pipe, a narrow terminal): the feed keeps invoice ids whole
 * (the id is what `recover explain` takes; a Stripe invoice id is 27 characters, in_ + 24), and
 * the like-for-like table fits without cutting its labels or figures.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { buildReport, printReport } from '../../src/report/index.js';
import { renderTable } from '../../src/ui/output.js';
import { tempDb } from '../helpers/env.js';
import { D, NOW, seedHandComputed } from './fixture.js';

const ID = 'in_1kDjXGWIXnvvA9iRzKGmNeuY';

describe('report text at 80 columns', () => {
  it('prints every feed invoice id whole and the lift table uncut, and every table line fits', () => {
    const store = seedHandComputed(tempDb());
    const r = buildReport(store, { now: NOW, period: { since: D(1), until: D(29) }, account: 'self' });
    store.close();
    expect(r.feed.length).toBeGreaterThan(0);
    for (const f of r.feed) f.invoiceId = ID;
    const lines: string[] = [];
    const color = new Chalk({ level: 0 });
    printReport(r, {
      color,
      columns: 80,
      line: (t = '') => lines.push(t),
      table: (head, rows, opts) => {
        if (opts?.title) lines.push(opts.title); // as Output.table prints it
        lines.push(renderTable(head, rows, color, 80, opts?.whole));
      },
    });
    // The like-for-like table: one column per arm, so the arm labels and figures are not cut ("treatm…").
    const lift = lines[lines.findIndex((l) => l.startsWith('lift, like for like')) + 1]!;
    expect(lift).toMatch(/│ +│ treatment \(recover\) +│ control \(Stripe Smart +│/);
    expect(lift).toMatch(/│ attempts per recovery +│ \S+ +│ \S+ +│/);
    expect(lift).not.toContain('…');
    for (const l of lift.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    // Its prose lines (the verdict, both intervals, the backlog) wrap between words at 80.
    const from = lines.findIndex((l) => l.startsWith('lift, like for like'));
    const prose = lines.slice(
      from,
      lines.findIndex((l) => l.includes("This period's cases by arm")),
    );
    for (const l of prose.join('\n').split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(prose.join('\n')).toMatch(/\n {2}\S/);
    const period = lines[lines.findIndex((l) => l.includes("This period's cases by arm")) + 1]!;
    expect(period).toMatch(/│ attempts per recovered +│ \S+ +│ \S+ +│/);
    for (const l of period.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    const feed = lines.slice(lines.findIndex((l) => l.includes('latest recoveries')));
    expect(feed.join('\n').split(ID).length - 1).toBe(r.feed.length);
    for (const l of feed.join('\n').split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });
});
