import type { DeclineSpec } from './declines.js';
import type { Rng } from './rng.js';

/** Tables behind generateMerchant: countries, prices, names, and the decline mix. */
export const COUNTRIES: ReadonlyArray<{ country: string; currency: string; zones: string[]; weight: number }> = [
  { country: 'US', currency: 'usd', zones: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'], weight: 40 },
  { country: 'GB', currency: 'gbp', zones: ['Europe/London'], weight: 12 },
  { country: 'DE', currency: 'eur', zones: ['Europe/Berlin'], weight: 8 },
  { country: 'FR', currency: 'eur', zones: ['Europe/Paris'], weight: 8 },
  { country: 'CA', currency: 'cad', zones: ['America/Toronto', 'America/Vancouver'], weight: 6 },
  { country: 'AU', currency: 'aud', zones: ['Australia/Sydney', 'Australia/Perth'], weight: 6 },
  { country: 'JP', currency: 'jpy', zones: ['Asia/Tokyo'], weight: 4 },
  { country: 'IN', currency: 'inr', zones: ['Asia/Kolkata'], weight: 4 },
  { country: 'BR', currency: 'brl', zones: ['America/Sao_Paulo'], weight: 4 },
  { country: 'NL', currency: 'eur', zones: ['Europe/Amsterdam'], weight: 4 },
  { country: 'ES', currency: 'eur', zones: ['Europe/Madrid'], weight: 4 },
].flatMap((c) => Array.from({ length: c.weight }, () => c));

/** Monthly prices in minor units (JPY is zero-decimal). */
export const PRICES: Record<string, number[]> = {
  usd: [900, 1900, 2900, 4900, 9900, 19900],
  gbp: [800, 1500, 2500, 4500, 8900],
  eur: [900, 1900, 2900, 4900, 9900],
  cad: [1200, 2500, 3900, 6900],
  aud: [1300, 2900, 4500, 7900],
  jpy: [980, 1980, 2980, 4980, 9800],
  inr: [49900, 99900, 199900],
  brl: [2990, 4990, 9990],
};

export const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'John', 'Katherine', 'Guido', 'Yukihiro', 'Sophie', 'Anders', 'Bjarne'];
export const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Lee', 'Lamarr', 'McCarthy', 'Johnson', 'Rossum', 'Matsumoto', 'Wilson', 'Hejlsberg', 'Stroustrup'];

export type Scenario =
  | 'insufficient_funds'
  | 'generic_decline'
  | 'do_not_honor'
  | 'expired_card'
  | 'card_velocity_exceeded'
  | 'try_again_later'
  | 'transaction_not_allowed'
  | 'processing_error'
  | 'incorrect_cvc'
  | 'lost_card'
  | 'stolen_card'
  | 'fraudulent'
  | 'pickup_card'
  | 'do_not_try_again'
  | 'revocation_of_authorization'
  | 'authentication_required';

/** Share (per mille) of each decline among failing customers: ~48% insufficient funds. */
export const SCENARIO_WEIGHTS: Record<Exclude<Scenario, 'authentication_required'>, number> = {
  insufficient_funds: 480,
  generic_decline: 130,
  do_not_honor: 100,
  expired_card: 70,
  card_velocity_exceeded: 30,
  try_again_later: 30,
  transaction_not_allowed: 20,
  processing_error: 20,
  incorrect_cvc: 10,
  lost_card: 40,
  stolen_card: 20,
  fraudulent: 20,
  pickup_card: 10,
  do_not_try_again: 10,
  revocation_of_authorization: 10,
};

/** The decline as the issuer/network reports it, with brand-specific network codes. */
export function declineFor(rng: Rng, scenario: Scenario, brand: string): DeclineSpec {
  const d: DeclineSpec = { decline_code: scenario };
  const mc = brand === 'mastercard';
  switch (scenario) {
    case 'insufficient_funds':
      if (mc) d.network_advice_code = rng.weighted({ none: 50, '24': 25, '25': 10, '26': 5, '02': 10 }) as string;
      break;
    case 'generic_decline':
      d.advice_code = rng.weighted({ try_again_later: 60, none: 30, do_not_try_again: 10 }) as string;
      if (mc && rng.chance(0.15)) d.network_advice_code = '24';
      break;
    case 'do_not_honor':
      if (mc) d.network_advice_code = rng.weighted({ none: 70, '02': 20, '03': 10 }) as string;
      break;
    case 'expired_card':
    case 'incorrect_cvc':
      if (mc) d.network_advice_code = '01';
      break;
    case 'card_velocity_exceeded':
    case 'try_again_later':
      if (mc) d.network_advice_code = rng.weighted({ '24': 50, '25': 30, '02': 20 }) as string;
      break;
    case 'lost_card':
    case 'stolen_card':
    case 'pickup_card':
    case 'do_not_try_again':
      if (mc) d.network_advice_code = '03';
      break;
    case 'revocation_of_authorization':
      if (mc) d.network_advice_code = '21';
      break;
    case 'fraudulent':
      if (rng.chance(0.3)) {
        d.outcome_type = 'issuer_declined';
        d.network_decline_code = '59';
        if (mc) d.network_advice_code = '03';
      }
      break;
    default:
      break;
  }
  if (d.advice_code === 'none') d.advice_code = null;
  if (d.network_advice_code === 'none') delete d.network_advice_code;
  return d;
}

/** Days of the month on which an insufficient-funds card gets paid. */
export function paydays(rng: Rng): number[] {
  return rng.pick([[1], [15], [1, 15], [25], [28, 29, 30, 31], [1, 2]]);
}
