/**
 * Treatment/control assignment by a stable hash of the customer id, so a customer never
 * switches arm (takeover, the daemon and the report all call this with the same inputs).
 */
import { createHash } from 'node:crypto';
import type { Arm } from './types.js';

/** The customer's fixed position in [0, 1): the first 48 bits of sha256(customerId) / 2^48. */
export function armPosition(customerId: string): number {
  const digest = createHash('sha256').update(`recover-arm:${customerId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * `share` is the control share, 0..0.5 (settings.controlShare). Customers whose position is below
 * the share are control. Raising the share only moves treatment customers into control, never
 * the other way, so existing control customers stay control.
 */
export function assignArm(customerId: string, share: number): Arm {
  if (!(share > 0)) return 'treatment';
  return armPosition(customerId) < Math.min(share, 0.5) ? 'control' : 'treatment';
}
