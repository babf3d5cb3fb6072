import { Rng } from './rng.js';

/**
 * Optional webhook delivery faults, so a receiver's dedupe, reordering and reconciliation are
 * exercised: each (event, endpoint) delivery is independently dropped (never delivered; the event
 * stays listable in /v1/events with pending_webhooks > 0), duplicated (delivered twice) or
 * reordered (sent after the next event for the same endpoint). Shares are 0..1. Decisions come from
 * a seeded generator, three draws per delivery, so the same seed and the same sequence of events
 * give the same faults.
 */
export interface WebhookFaults {
  duplicate?: number;
  reorder?: number;
  drop?: number;
  /** Default 1. */
  seed?: number;
}

export interface FaultDecision {
  drop: boolean;
  duplicate: boolean;
  reorder: boolean;
}

export const WEBHOOK_FAULTS_ACCEPTED =
  'comma-separated duplicate=<0..1>, reorder=<0..1>, drop=<0..1> (e.g. duplicate=0.1,reorder=0.2,drop=0.05)';

/** "duplicate=0.1,reorder=0.2,drop=0.05" → { duplicate: 0.1, reorder: 0.2, drop: 0.05 }. */
export function parseWebhookFaults(spec: string): WebhookFaults {
  const out: WebhookFaults = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(duplicate|reorder|drop)=(\d*\.?\d+)$/.exec(part);
    const share = m ? Number(m[2]) : NaN;
    if (!m || !(share >= 0 && share <= 1)) {
      throw new RangeError(`invalid webhook fault "${part}" (accepted: ${WEBHOOK_FAULTS_ACCEPTED})`);
    }
    out[m[1] as 'duplicate' | 'reorder' | 'drop'] = share;
  }
  return out;
}

export class DeliveryFaults {
  private readonly rng: Rng;
  dropped = 0;
  duplicated = 0;
  reordered = 0;

  constructor(private readonly f: WebhookFaults) {
    for (const k of ['duplicate', 'reorder', 'drop'] as const) {
      const v = f[k];
      if (v !== undefined && !(v >= 0 && v <= 1)) {
        throw new RangeError(`webhookFaults.${k} must be a share from 0 to 1 (got ${v})`);
      }
    }
    this.rng = new Rng(f.seed ?? 1);
  }

  decide(): FaultDecision {
    const drop = this.rng.next() < (this.f.drop ?? 0);
    const duplicate = this.rng.next() < (this.f.duplicate ?? 0);
    const reorder = this.rng.next() < (this.f.reorder ?? 0);
    if (drop) this.dropped++;
    else {
      if (duplicate) this.duplicated++;
      if (reorder) this.reordered++;
    }
    return { drop, duplicate: !drop && duplicate, reorder: !drop && reorder };
  }
}
