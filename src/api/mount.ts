/**
 * The Recovery API as the daemon mounts it: its parts are read when the first `/v1/` request
 * arrives (the daemon's runtime and policy context exist by then), then kept.
 */
import type http from 'node:http';
import type { Settings } from '../config/settings.js';
import type { Store } from '../db/index.js';
import type { PolicyContext } from '../daemon/policy-context.js';
import type { Logger } from '../log.js';
import type { StripeGateway } from '../stripe/index.js';
import { KeyRateLimiter } from './rate-limit.js';
import { ApiServer } from './server.js';
import { RecoveryService } from './service.js';

export interface ApiParts {
  store: Store;
  logger: Logger;
  policy(): PolicyContext;
  settings(): Settings;
  now(): number;
  gateway(): StripeGateway | undefined;
  wake(): void;
  owner: string;
  leaseMs: number;
  mayCharge(): boolean;
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
