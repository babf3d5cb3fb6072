/**
 * Tables fitted to the terminal: cells are wrapped or cut to the width, except columns marked
 * whole (ids the user copies into the next command, e.g. `recover webhooks show <id>`).
 */
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/ui/output.js';

const ID = 'msg_7243f2640e40a32dd885cbcc';
const rows = [[ID, 'recovery.attempt_failed', 'rcv_2', '7 min ago', 'delivered', '200 (1)']];
const head = ['id', 'type', 'case', 'age', 'state', 'HTTP (tries)'];

describe('renderTable at 80 columns', () => {
  it('cuts the widest column when nothing is marked whole', () => {
    const t = renderTable(head, rows, undefined, 80);
    expect(t).not.toContain(ID);
    for (const line of t.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
  it('keeps a column marked whole intact and still fits the width', () => {
    const t = renderTable(head, rows, undefined, 80, [0]);
    expect(t).toContain(ID);
    for (const line of t.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
  it('cuts even a whole column when the others are at their minimum width', () => {
    const t = renderTable([...head, 'x', 'y'], [[...rows[0]!, 'abcdefghij', 'abcdefghij']], undefined, 80, [0]);
    for (const line of t.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});
