/**
 * `checkout.session.completed` of a card-update link recover made (src/api/setup-sessions.ts),
 * when the merchant's Stripe endpoint sends it: the session's poll is brought forward to now. The
 * poll reads the session with the Recovery API's key (the Billing key holds no Checkout or
 * SetupIntent permission) and applies the new card once per session, whichever sees it first.
 * Any other Checkout Session is not recover's: skipped.
 */
import { pollNow } from '../../api/setup-sessions.js';
import { stringField } from '../event-facts.js';
import type { Handler } from './deps.js';

export const setupSessionCompleted: Handler = async (f, d, commit) => {
  const id = stringField(f.object, 'id');
  const s = id ? d.store.setupSessions.get(id) : undefined;
  if (!s) return 'skipped: not a card-update link recover made';
  if (s.status !== 'open') return `card-update session already ${s.status}`;
  return commit(() => {
    const now = d.now();
    d.store.setupSessions.polled(s.id, now);
    pollNow(d.store, now);
    return 'card-update session completed at Stripe: polled now';
  });
};
