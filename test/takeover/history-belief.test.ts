/**
 * The first decision of a case already knows when the customer pays: a re-run of takeover after
 * `--history` gave the history table the customer's past charges feeds them to the policy's
 * pay-cycle belief (issue 12: "in production, with the dates of their past successful charges").
 */
import { describe, expect, it } from 'vitest';
import { setup } from './helpers.js';

const beliefFrom = (reason: string) =>
  Number(/Pay-cycle belief from (\d+) charges? of this customer/.exec(reason)?.[1] ?? -1);

describe('takeover and the payment history', () => {
  it("a later run decides new cases with the customer's past charges", async () => {
    const s = await setup({ customers: 200 });
    const first = await s.takeover(['--history', '120d']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.total.historyImported).toBeGreaterThan(0);
    const store = s.store();
    const before = new Set([...store.cases.iterate()].map((c) => c.id));
    // Invoices that fail from now on are taken over by a later run, with the history in place.
    await s.emu.advance(3 * 86_400_000);
    const second = await s.takeover();
    expect(second.code, second.stderr).toBe(0);
    expect(second.json.total.imported).toBeGreaterThan(0);
    const counted = [...store.cases.iterate()]
      .filter((c) => !before.has(c.id))
      .map((c) => store.decisions.listForCase(c.id)[0]?.reason ?? '')
      .map(beliefFrom)
      .filter((n) => n >= 0);
    expect(counted.length).toBeGreaterThan(0);
    expect(Math.max(...counted)).toBeGreaterThan(0);
  });
});
