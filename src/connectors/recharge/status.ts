/**
 * `recover status` for a Recharge store: its mode, and for the pre-launch ingest (mode shadow,
 * at least SHADOW_DAYS_RECOMMENDED days) the days counted since onboarding and the failures seen
 * since; whether the plan allows retries (`/charges/{id}/process`) and whether webhooks are set.
 */
import { DAY_MS } from '../../clock.js';
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../db/index.js';
import { SHADOW_DAYS_RECOMMENDED } from './settings.js';

export interface RechargeStatus {
  account: string;
  mode: 'shadow' | 'live';
  /** Whole days since the pre-launch ingest began. */
  shadowDays: number;
  /** Recharge failures that entered since then (cases opened, whatever their source). */
  failuresSeen: number;
  readyForLive: boolean;
  processAllowed: boolean;
  webhookUrl: string | null;
}

export function rechargeStatus(store: Store, settings: Settings, now: number): RechargeStatus | null {
  const rc = settings.recharge;
  if (!rc) return null;
  let failuresSeen = 0;
  for (const c of store.cases.iterate({ enteredSince: rc.shadowSince, accountId: rc.accountId })) {
    if (c.platform === 'recharge') failuresSeen++;
  }
  const shadowDays = Math.max(0, Math.floor((now - rc.shadowSince) / DAY_MS));
  return {
    account: rc.accountId,
    mode: rc.mode,
    shadowDays,
    failuresSeen,
    readyForLive: rc.mode === 'shadow' && shadowDays >= SHADOW_DAYS_RECOMMENDED && rc.processAllowed,
    processAllowed: rc.processAllowed,
    webhookUrl: rc.webhookUrl ?? null,
  };
}

export function describeRechargeStatus(s: RechargeStatus): string {
  if (s.mode === 'live') return `${s.account}: live`;
  const ingest = `shadow ingest day ${s.shadowDays} of ≥ ${SHADOW_DAYS_RECOMMENDED}, ${s.failuresSeen} failures seen`;
  const plan = s.processAllowed ? '' : '; the plan refuses /charges/{id}/process (no retries possible)';
  return `${s.account}: ${ingest}${s.readyForLive ? ' — ready for go-live' : ''}${plan}`;
}
