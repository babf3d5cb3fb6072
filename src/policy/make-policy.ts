/** Policies by name: `recover`, `fixed:a,b,c`, `daily[:N]`, `smart-like`. */
import { parseBaseline } from '../config/settings.js';
import { badValue } from '../errors.js';
import { dailyPolicy, fixedPolicy, smartLikePolicy } from './baselines.js';
import { DEFAULT_FEATURES, LEGACY_FEATURES, type RecoverFeatures } from './effort.js';
import { decideTreatment, makeRecoverDecide } from './recover-policy.js';
import type { Decision, Policy, PolicyInput } from './types.js';

export const POLICY_NAMES_HELP =
  'recover, recover-v1, recover-<no|with>-<pay-cycle|value-stop|spend|curve|amount-ceiling|probe|calibrate>..., ' +
  'fixed:<days>,<days>,... (e.g. fixed:3,5,7), daily or daily:<N> (1–30), smart-like';

/**
 * Ablation names: `recover-no-pay-cycle` switches a default capability off, `recover-with-spend`
 * one that is off by default on (combinable: `recover-no-pay-cycle-with-curve`); `recover-v1` is
 * everything off (the policy before issue 12).
 */
const ABLATION: Record<string, keyof RecoverFeatures> = {
  'pay-cycle': 'payCycle',
  'value-stop': 'valueStop',
  spend: 'spend',
  curve: 'curve',
  'amount-ceiling': 'amountCeiling',
  probe: 'probe',
  calibrate: 'calibrate',
};

function recoverVariant(name: string): Policy | undefined {
  if (name === 'recover-v1') return { name, decide: makeRecoverDecide(LEGACY_FEATURES) };
  const m = /^recover((?:-(?:no|with)-(?:pay-cycle|value-stop|spend|curve|amount-ceiling|probe|calibrate))+)$/.exec(name);
  if (!m) return undefined;
  const f: RecoverFeatures = { ...DEFAULT_FEATURES };
  for (const [, sw, part] of m[1].matchAll(/-(no|with)-(pay-cycle|value-stop|spend|curve|amount-ceiling|probe|calibrate)/g)) {
    f[ABLATION[part]] = sw === 'with';
  }
  return { name, decide: makeRecoverDecide(f) };
}
export const DEFAULT_DAILY_RETRIES = 7;

/**
 * The daemon's entry point. Treatment → recover's policy. Control → the baseline: under
 * `stripe` recover makes no decision (Stripe's Smart Retries handle the invoice; we observe),
 * under `fixed:a,b,c` recover runs that schedule itself (caps and hard declines still apply).
 */
export function decide(input: PolicyInput): Decision {
  if (input.case.arm !== 'control') return decideTreatment(input);
  const baseline = parseBaseline(input.settings.controlBaseline);
  if (baseline.kind === 'stripe')
    return {
      action: 'wait',
      kind: 'observe',
      reason: 'Control group (baseline stripe): this invoice is left to Stripe Smart Retries; recover only observes its outcome.',
    };
  const fixed = fixedPolicy(baseline.days, `Control group (baseline fixed:${baseline.days.join(',')})`);
  return fixed.decide(input);
}

export function makePolicy(name: string): Policy {
  const n = name.trim();
  if (n === 'recover') return { name: 'recover', decide: decideTreatment };
  if (n === 'smart-like') return smartLikePolicy();
  const variant = recoverVariant(n);
  if (variant) return variant;
  const fixed = /^fixed:(\d+(?:,\d+)*)$/.exec(n);
  if (fixed) {
    const days = fixed[1].split(',').map(Number);
    if (days.every((d) => d >= 1 && d <= 60) && days.length <= 20) return fixedPolicy(days);
  }
  const daily = /^daily(?::(\d+))?$/.exec(n);
  if (daily) {
    const count = daily[1] === undefined ? DEFAULT_DAILY_RETRIES : Number(daily[1]);
    if (count >= 1 && count <= 30) return dailyPolicy(count);
  }
  throw badValue('--policy', name, POLICY_NAMES_HELP);
}
