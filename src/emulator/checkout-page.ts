import { ApiError } from './api-error.js';
import { completeSession, findSession, successRedirect } from './checkout.js';
import type { Doc } from './store.js';
import type { World } from './world.js';

/**
 * The hosted page at a setup session's `url` (`/_emulator/checkout/:id`) and the call that completes it
 * (`POST /_emulator/checkout/:id/complete`). The page is what a customer sees: who asks, for which
 * account, a choice of Stripe test cards instead of a card form, and a button that saves the card and
 * then follows `success_url` (Stripe's redirect) — or shows why it could not.
 */
type Reply = { status: number; body: unknown; contentType?: string };

/** Test cards offered on the page: Stripe's test ids, one per behaviour recover cares about. */
const PAGE_CARDS: Array<[string, string]> = [
  ['pm_card_visa', 'Visa •••• 4242 (succeeds)'],
  ['pm_card_mastercard', 'Mastercard •••• 4444 (succeeds)'],
  ['pm_card_authenticationRequired', 'Visa •••• 3184 (3-D Secure on every charge off-session)'],
  ['pm_card_chargeDeclinedInsufficientFunds', 'Visa •••• 9995 (insufficient funds)'],
  ['pm_card_chargeDeclined', 'Visa •••• 0341 (declined)'],
];

export async function checkoutControl(
  world: World,
  method: string,
  id: string,
  complete: boolean,
  body: Doc,
): Promise<Reply> {
  const found = findSession(world, id);
  const missing = {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such checkout.session: '${id}'`,
  };
  if (!complete && method === 'GET') {
    return {
      status: found ? 200 : 404,
      body: page(found?.row.doc ?? null, found ? accountName(found.acct.row.doc) : ''),
      contentType: HTML,
    };
  }
  if (!complete || method !== 'POST')
    return {
      status: 404,
      body: { error: { type: 'invalid_request_error', message: `Unknown control endpoint ${method}` } },
    };
  if (!found) return { status: 404, body: { error: missing } };
  const card = body.card === undefined ? 'pm_card_visa' : body.card;
  if (typeof card !== 'string')
    return { status: 400, body: { error: { type: 'invalid_request_error', message: '"card" must be a string' } } };
  try {
    const done = completeSession(world, found.acct, found.row, card);
    return { status: 200, body: { ...done, redirect: successRedirect(found.row.doc) } };
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, body: { error: e.body } };
    throw e;
  }
}

const HTML = 'text/html; charset=utf-8';

function accountName(acct: Doc): string {
  return (
    (acct.settings?.dashboard?.display_name as string | null) ??
    (acct.business_profile?.name as string | null) ??
    'the merchant'
  );
}

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(doc: Doc | null, merchant: string): string {
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Update your card</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
h1{font-size:1.4rem}label{display:block;margin:1rem 0 .3rem}select,button{font:inherit;width:100%;padding:.6rem}
button{margin-top:1rem;background:#635bff;color:#fff;border:0;border-radius:6px;cursor:pointer}
[role=alert]{color:#c0123c;margin-top:1rem}.muted{color:#697386;font-size:.9rem}</style></head><body>`;
  if (!doc) return `${head}<h1>Checkout Session not found</h1></body></html>`;
  if (doc.status !== 'open') {
    const what = doc.status === 'complete' ? 'Your card has already been saved.' : 'This link has expired.';
    return `${head}<h1>This Checkout Session is no longer active</h1><p>${esc(what)}</p></body></html>`;
  }
  const options = PAGE_CARDS.map(([v, label]) => `<option value="${esc(v)}">${esc(label)}</option>`).join('');
  const cancel = doc.cancel_url ? `<p><a href="${esc(doc.cancel_url)}">Cancel and go back</a></p>` : '';
  const expires = new Date((doc.expires_at as number) * 1000).toISOString().replace('T', ' ').slice(0, 16);
  return `${head}<h1>Update your card for ${esc(merchant)}</h1>
<p class="muted">Test mode (recover's Stripe emulator). The card is saved for future payments; nothing is charged now.
This link expires at ${esc(expires)} UTC.</p>
<form id="f"><label for="card">Card</label><select id="card" name="card">${options}</select>
<button type="submit">Save card</button></form><div id="msg" role="alert"></div>${cancel}
<script>
document.getElementById('f').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const msg = document.getElementById('msg');
  msg.textContent = '';
  const res = await fetch(location.pathname + '/complete', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ card: document.getElementById('card').value }),
  });
  const out = await res.json();
  if (!res.ok) { msg.textContent = out.error && out.error.message || 'Something went wrong.'; return; }
  if (out.redirect) location.href = out.redirect;
  else document.body.innerHTML = '<h1>Card saved</h1><p>You can close this page.</p>';
});
</script></body></html>`;
}
