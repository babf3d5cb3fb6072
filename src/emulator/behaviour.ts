import { DateTime } from 'luxon';
import type { DeclineSpec } from './declines.js';

/**
 * A payment method's behaviour at run time (seed times already resolved to epoch ms).
 * See seed-schema.ts for the documented shapes.
 */
export type RuntimeBehaviour =
  | { type: 'succeed' }
  | ({ type: 'decline' } & DeclineSpec)
  | { type: 'requires_action' }
  | {
      type: 'schedule';
      decline: DeclineSpec;
      succeed_on_days?: number[];
      /** Epoch ms. */
      succeed_after?: number;
      succeed_after_new_payment_method?: boolean;
    };

export type Outcome = { kind: 'succeeded' } | { kind: 'declined'; decline: DeclineSpec } | { kind: 'requires_action' };

export interface ChargeContext {
  /** Emulator clock, epoch ms. */
  now: number;
  /** IANA zone used for "day of month" rules. */
  timezone: string;
  /** True when the customer attached another payment method after this one. */
  newerPaymentMethod: boolean;
}

export function evaluate(b: RuntimeBehaviour, ctx: ChargeContext): Outcome {
  switch (b.type) {
    case 'succeed':
      return { kind: 'succeeded' };
    case 'requires_action':
      return { kind: 'requires_action' };
    case 'decline':
      // The behaviour itself is the DeclineSpec (its extra `type` is ignored), so resolved
      // declines can be cached per behaviour object.
      return { kind: 'declined', decline: b };
    case 'schedule': {
      if (b.succeed_after !== undefined && ctx.now >= b.succeed_after) return { kind: 'succeeded' };
      if (b.succeed_after_new_payment_method && ctx.newerPaymentMethod) return { kind: 'succeeded' };
      if (b.succeed_on_days && b.succeed_on_days.includes(localDayOfMonth(ctx.now, ctx.timezone))) {
        return { kind: 'succeeded' };
      }
      return { kind: 'declined', decline: b.decline };
    }
  }
}

export function localDayOfMonth(ms: number, zone: string): number {
  const dt = DateTime.fromMillis(ms, { zone });
  return dt.isValid ? dt.day : new Date(ms).getUTCDate();
}

/** A representative zone for a country, used when a customer has no metadata.timezone. */
const COUNTRY_ZONES: Record<string, string> = {
  US: 'America/New_York',
  CA: 'America/Toronto',
  MX: 'America/Mexico_City',
  BR: 'America/Sao_Paulo',
  GB: 'Europe/London',
  IE: 'Europe/Dublin',
  FR: 'Europe/Paris',
  DE: 'Europe/Berlin',
  ES: 'Europe/Madrid',
  IT: 'Europe/Rome',
  NL: 'Europe/Amsterdam',
  SE: 'Europe/Stockholm',
  PL: 'Europe/Warsaw',
  IN: 'Asia/Kolkata',
  JP: 'Asia/Tokyo',
  SG: 'Asia/Singapore',
  AU: 'Australia/Sydney',
  NZ: 'Pacific/Auckland',
};

export function zoneForCountry(country: string | null | undefined): string | undefined {
  return country ? COUNTRY_ZONES[country.toUpperCase()] : undefined;
}

export function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}
