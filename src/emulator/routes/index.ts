import { accountRoutes } from './accounts.js';
import { chargeRoutes } from './charges.js';
import { checkoutRoutes } from './checkout.js';
import type { Route } from './common.js';
import { customerRoutes } from './customers.js';
import { invoiceRoutes } from './invoices.js';
import { paymentIntentRoutes } from './payment-intents.js';
import { subscriptionRoutes } from './subscriptions.js';
import { webhookRoutes } from './webhooks.js';

/** The route table: method + path pattern → handler and the permission stem it needs. */
const ROUTES: Route[] = [...invoiceRoutes, ...customerRoutes, ...subscriptionRoutes, ...chargeRoutes, ...webhookRoutes, ...accountRoutes,
  ...paymentIntentRoutes, ...checkoutRoutes];

interface Compiled {
  route: Route;
  re: RegExp;
}

const COMPILED: Compiled[] = ROUTES.map((route) => ({
  route,
  re: new RegExp(`^${route.path.replace(/:id/g, '([^/]+)')}$`),
}));

export interface Match {
  route: Route;
  pathParams: string[];
}

export function matchRoute(method: string, path: string): Match | undefined {
  for (const { route, re } of COMPILED) {
    if (route.method !== method) continue;
    const m = re.exec(path);
    if (m) return { route, pathParams: m.slice(1).map((s) => decodeURIComponent(s)) };
  }
  return undefined;
}

/** The permission a restricted key needs: GET → read (write also grants it), else write. */
export function requiredPermission(route: Route): { needed: string; alsoOk: string | null } {
  return route.method === 'GET'
    ? { needed: `rak_${route.resource}_read`, alsoOk: `rak_${route.resource}_write` }
    : { needed: `rak_${route.resource}_write`, alsoOk: null };
}

export function allRoutes(): readonly Route[] {
  return ROUTES;
}
