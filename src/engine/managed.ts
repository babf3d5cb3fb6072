/**
 * The metadata recover writes on every invoice it manages (pauses Stripe's retries on):
 * `recover_managed` (takeover finds its own pauses after an interruption) and
 * `recover_installation` (which installation manages it: a second copy of the database never
 * charges an invoice the first one manages; see src/db/installation.ts).
 */
export const MANAGED_KEY = 'recover_managed';
export const INSTALLATION_KEY = 'recover_installation';

export function managedMetadata(installationId: string | undefined): Record<string, string> {
  return installationId ? { [MANAGED_KEY]: 'true', [INSTALLATION_KEY]: installationId } : { [MANAGED_KEY]: 'true' };
}
