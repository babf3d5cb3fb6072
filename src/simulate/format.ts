/** The human-readable side-by-side table of a simulation (cli-table3), one column per policy. */
import { renderTable } from '../ui/output.js';
import { currencyDecimals } from '../money.js';
import type { PolicyRunResult, SimulationReport } from './types.js';

/** "usd 12,345.67" (several currencies joined by "; "). */
export function formatMoney(byCurrency: Record<string, number>): string {
  const parts = Object.entries(byCurrency)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cur, minor]) => {
      const digits = currencyDecimals(cur);
      const major = minor / 10 ** digits;
      return `${cur} ${major.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
    });
  return parts.length ? parts.join('; ') : '0';
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number | null, digits = 2) => (x === null ? '–' : x.toFixed(digits));

const ROWS: Array<[string, (r: PolicyRunResult) => string]> = [
  ['cases', (r) => r.cases.toLocaleString('en-US')],
  ['recovered', (r) => r.recovered.toLocaleString('en-US')],
  ['recovery rate', (r) => pct(r.recoveryRate)],
  ['recovered revenue', (r) => formatMoney(r.revenueRecovered)],
  ['revenue recovery rate', (r) => pct(r.revenueRecoveryRate)],
  ['attempts', (r) => r.attempts.toLocaleString('en-US')],
  ['attempts per recovered invoice', (r) => num(r.attemptsPerRecovered)],
  ['declines', (r) => r.declines.toLocaleString('en-US')],
  ['network-cap violations', (r) => String(r.networkCapViolations)],
  ['median days to recover', (r) => num(r.medianDaysToRecover, 1)],
  ['recovered on a new card', (r) => r.recoveredOnNewCard.toLocaleString('en-US')],
];

export function renderReport(report: SimulationReport): string[] {
  const table = renderTable(['', ...report.policies.map((p) => p.policy)], ROWS.map(([label, cell]) => [label, ...report.policies.map(cell)]));
  return [
    `World ${report.world}, seed ${report.seed}: ${report.count.toLocaleString('en-US')} failed invoices per policy, ` +
      `failing over ${report.days} days from ${report.start.slice(0, 10)}; dunning ${report.dunningDays} days; ` +
      `retry windows ${report.windows.join(', ')} (customer-local).` +
      (report.warmDays
        ? ` Learned state warmed on ${report.warmDays} earlier days (steady state).`
        : ' Cold start (see --warm).'),
    table,
    'attempts: charges made by the policy (the first failure is not counted). Violations are counted by an independent checker of the Visa/Mastercard rules.',
  ];
}
