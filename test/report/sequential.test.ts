/**
 * The anytime-valid confidence sequence (src/report/sequential.ts) by simulation: merchants look
 * at the report every day, so what must hold is "the interval excluded the truth on ANY day of
 * the run" at most 5% of the time. A/A runs (both arms recover 30%) are looked at daily for 90
 * days; the fixed-horizon Newcombe interval checked the same way is shown to fail that bar, so
 * the test can tell a valid method from an invalid one. Method: Howard, Ramdas, McAuliffe &
 * Sekhon (2021), normal mixture; see docs/report.md.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/policy/random.js';
import { newcombeDifference } from '../../src/report/stats.js';
import { casesNeeded, csMultiplier, sequentialRateDifference } from '../../src/report/sequential.js';

interface RunResult {
  csMiss: boolean;
  newcombeMiss: boolean;
}

/**
 * One run: `perDay` resolved cases a day, each in control with probability `share`; treatment
 * recovers with pT, control with pC. Looks once a day from the day both arms have 30 cases.
 */
function run(rnd: () => number, days: number, perDay: number, share: number, pT: number, pC: number): RunResult {
  let xT = 0, nT = 0, xC = 0, nC = 0;
  let csMiss = false;
  let newcombeMiss = false;
  const truth = pT - pC;
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < perDay; i++) {
      if (rnd() < share) {
        nC++;
        if (rnd() < pC) xC++;
      } else {
        nT++;
        if (rnd() < pT) xT++;
      }
    }
    if (nT < 30 || nC < 30) continue;
    const cs = sequentialRateDifference(xT, nT, xC, nC)!.cs;
    if (truth < cs.low || truth > cs.high) csMiss = true;
    const nw = newcombeDifference(xT, nT, xC, nC)!.ci;
    if (truth < nw.low || truth > nw.high) newcombeMiss = true;
  }
  return { csMiss, newcombeMiss };
}

function missRates(seed: number, runs: number, days: number, perDay: number, share: number, pT: number, pC: number) {
  const rnd = mulberry32(seed);
  let cs = 0, nw = 0;
  for (let r = 0; r < runs; r++) {
    const x = run(rnd, days, perDay, share, pT, pC);
    if (x.csMiss) cs++;
    if (x.newcombeMiss) nw++;
  }
  return { cs: cs / runs, newcombe: nw / runs };
}

describe('anytime-valid confidence sequence for a difference of recovery rates', () => {
  it('A/A with daily looks for 90 days: the CS wrongly excludes 0 in ≤ 5% of runs; daily Newcombe does not', () => {
    // 1,000 runs; 20 resolved cases a day, 10% control (the default share).
    const r = missRates(13, 1000, 90, 20, 0.1, 0.3, 0.3);
    expect(r.cs).toBeLessThanOrEqual(0.05);
    // The fixed-horizon 95% interval, peeked at daily, is wrong far more than 5% of the time.
    expect(r.newcombe).toBeGreaterThan(0.1);
  });

  it('A/A at an even split and a rare outcome (5%): still ≤ 5%', () => {
    expect(missRates(29, 600, 90, 30, 0.5, 0.05, 0.05).cs).toBeLessThanOrEqual(0.05);
  });

  it('with a true difference of +10 pp, the CS covers the truth on every day in ≥ 95% of runs', () => {
    expect(missRates(31, 600, 90, 20, 0.1, 0.4, 0.3).cs).toBeLessThanOrEqual(0.05);
  });

  it('is wider than the fixed-horizon interval (multiplier > 1.96) and narrows as cases accrue', () => {
    expect(csMultiplier(30)).toBeGreaterThan(1.96);
    expect(csMultiplier(10_000)).toBeGreaterThan(1.96);
    const small = sequentialRateDifference(40, 100, 30, 100)!;
    const large = sequentialRateDifference(400, 1000, 300, 1000)!;
    expect(small.difference).toBeCloseTo(0.1, 12);
    expect(large.cs.high - large.cs.low).toBeLessThan(small.cs.high - small.cs.low);
    expect(sequentialRateDifference(1, 2, 0, 0)).toBeNull();
  });

  it('cases needed: a smaller effect needs more cases; the count reaches 80% power in simulation', () => {
    const n10 = casesNeeded(0.1, 0.24, 0.21, 0.1)!;
    const n5 = casesNeeded(0.05, 0.24, 0.21, 0.1)!;
    expect(n5).toBeGreaterThan(3 * n10);
    expect(casesNeeded(0, 0.24, 0.21, 0.1)).toBeNull();
    // At n10 cases in total, a true +10 pp (40% vs 30%) is detected in about 80% of runs.
    const rnd = mulberry32(77);
    let detected = 0;
    for (let i = 0; i < 300; i++) {
      let xT = 0, nT = 0, xC = 0, nC = 0;
      for (let k = 0; k < n10; k++) {
        if (rnd() < 0.1) { nC++; if (rnd() < 0.3) xC++; } else { nT++; if (rnd() < 0.4) xT++; }
      }
      if (sequentialRateDifference(xT, nT, xC, nC)!.cs.low > 0) detected++;
    }
    expect(detected / 300).toBeGreaterThan(0.7);
    expect(detected / 300).toBeLessThan(0.92);
  });
});
