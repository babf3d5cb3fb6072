import { noSuch } from '../api-error.js';
import { listPage } from '../list.js';
import { allowOnly, expandList } from '../params.js';
import { render } from '../render.js';
import { applyExpand } from '../expand.js';
import { resolverFor, type Route, type RouteCtx } from './common.js';

/**
 * Accounts: `GET /v1/account` (the acting account) needs `rak_accounts_kyc_basic_read` — the
 * permission Stripe names when a least-privilege restricted key asks for it ("Having the
 * 'rak_accounts_kyc_basic_read' permission would allow this request to continue.", as recorded
 * by a public project's test of its Stripe probe); the platform's connected accounts
 * (`GET /v1/accounts[/:id]`) need rak_connected_account_*.
 */
function own(ctx: RouteCtx) {
  allowOnly(ctx.params, []);
  return withExpand(ctx, render('account', ctx.acct.row.doc));
}

function retrieve(ctx: RouteCtx) {
  allowOnly(ctx.params, []);
  const id = ctx.pathParams[0];
  const acct = ctx.world.accounts.get(id);
  // The platform sees itself and its connected accounts; a connected account only itself.
  if (!acct || (ctx.onBehalf && acct !== ctx.acct)) throw noSuch('account', id, 'account');
  return withExpand(ctx, render('account', acct.row.doc));
}

function list(ctx: RouteCtx) {
  allowOnly(ctx.params, ['created'], true);
  const world = ctx.world;
  const rows = ctx.onBehalf && !ctx.acct.main ? undefined : world.accountRows;
  const page = listPage(ctx.params, {
    rows: rows?.all,
    lookup: (id) => world.accountRows.get(id),
    label: 'account',
    filter: (r) => r.id !== world.main.id,
  });
  return withExpand(ctx, { object: 'list', data: page.rows.map((r) => render('account', r.doc)), has_more: page.hasMore, url: '/v1/accounts' });
}

function withExpand(ctx: RouteCtx, obj: Record<string, unknown>) {
  const paths = expandList(ctx.params);
  return paths.length ? applyExpand(obj, paths, resolverFor(ctx.world, ctx.acct)) : obj;
}

export const accountRoutes: Route[] = [
  { method: 'GET', path: '/v1/account', resource: 'accounts_kyc_basic', handler: own },
  { method: 'GET', path: '/v1/accounts', resource: 'connected_account', handler: list },
  { method: 'GET', path: '/v1/accounts/:id', resource: 'connected_account', handler: retrieve },
];
