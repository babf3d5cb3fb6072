/**
 * The Recovery API as the daemon mounts it: its parts are read when the first `/v1/` request
 * arrives (the daemon's runtime and policy context exist by then), then kept.
 */
import type http from 'node:http';
import type { PolicyContext } from '../daemon/policy-context.js';
import { KeyRateLimiter } from './rate-limit.js';
import { ApiServer } from './server.js';
import { RecoveryService, type RecoveryServiceDeps } from './service.js';

/** The service's parts, with the policy context read when the first request arrives. */
export interface ApiParts extends Omit<RecoveryServiceDeps, 'policy'> {
  policy(): PolicyContext;
  rateLimit?: { perSec: number; burst: number };
}

export function mountApi(p: ApiParts): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  let server: ApiServer | undefined;
  return (req, res) => {
    server ??= new ApiServer({
      store: p.store,
      logger: p.logger,
      service: new RecoveryService({ ...p, policy: p.policy() }),
      limiter: p.rateLimit && new KeyRateLimiter(p.rateLimit.perSec, p.rateLimit.burst),
    });
    return server.handle(req, res);
  };
}
