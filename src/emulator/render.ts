import { TEMPLATES, type ObjectType } from './templates.js';
import { chargeCardDetails } from './cards.js';
import type { Doc } from './store.js';

/**
 * Turns a stored doc into the object Stripe would send: the template's defaults overlaid with
 * the doc, plus fields derived from the doc (an invoice's `lines`, a subscription's `items`).
 * A pure function of the doc, so an event can render the version it captured at any later time.
 * The result shares nested objects with the doc and the template: callers must copy before
 * changing anything below the top level (expand.ts does).
 */
export function render(type: ObjectType, doc: Doc): Doc {
  switch (type) {
    case 'invoice': {
      const { _s: stat, _pay: _payment, ...rest } = doc;
      return { id: doc.id, ...TEMPLATES.invoice, ...stat, ...rest, lines: invoiceLines(doc) };
    }
    case 'subscription':
      return renderSubscription(doc);
    case 'payment_intent':
      return renderPaymentIntent(doc);
    case 'charge':
      return renderCharge(doc);
    default:
      return { id: doc.id, ...TEMPLATES[type], ...doc };
  }
}

/**
 * Charges keep a reference to the payment method's (immutable) `card` hash in `_card`; the
 * card details, capture and receipt fields are derived from it and from `paid`.
 */
function renderCharge(doc: Doc): Doc {
  const { _card: card, _3ds: threeDs, ...rest } = doc;
  const paid = doc.paid === true;
  const id = String(doc.id);
  return {
    id,
    ...TEMPLATES.charge,
    amount_captured: paid ? doc.amount : 0,
    balance_transaction: paid ? `txn_${id.slice(3)}` : null,
    captured: paid,
    receipt_url: paid ? `https://pay.stripe.com/receipts/payment/test_${id}` : null,
    ...rest,
    payment_method_details: card ? chargeCardDetails(card, doc.amount, paid, threeDs === true) : null,
  };
}

/** `last_payment_error.payment_method` is stored as the payment method's doc; render it in full. */
function renderPaymentIntent(doc: Doc): Doc {
  const out: Doc = { id: doc.id, ...TEMPLATES.payment_intent, client_secret: `${doc.id}_secret_${String(doc.id).slice(3, 27)}`, ...doc };
  const lpe = doc.last_payment_error;
  if (lpe && lpe.payment_method && typeof lpe.payment_method === 'object') {
    out.last_payment_error = { ...lpe, payment_method: render('payment_method', lpe.payment_method) };
  }
  return out;
}

/** The one line an emulated invoice has: its whole amount, for the subscription's price. */
function invoiceLines(doc: Doc): Doc {
  const stat: Doc = doc._s ?? {};
  const sub: string | null = stat.parent?.subscription_details?.subscription ?? null;
  const id = `il_${String(doc.id).slice(3)}`;
  const amount = stat.subtotal ?? doc.amount_due;
  const line = {
    id,
    object: 'line_item',
    amount,
    currency: doc.currency,
    description: stat.description ?? (sub ? `1 × Subscription (at ${amount} ${doc.currency})` : 'Invoice item'),
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: doc.id,
    livemode: false,
    metadata: {},
    parent: sub
      ? {
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            proration: false,
            proration_details: { credited_items: null },
            subscription: sub,
            subscription_item: `si_${sub.slice(4)}`,
          },
          type: 'subscription_item_details',
        }
      : null,
    period: { end: stat.period_end, start: stat.period_start },
    pretax_credit_amounts: [],
    pricing: { price_details: null, type: 'price_details', unit_amount_decimal: null },
    quantity: 1,
    quantity_decimal: null,
    subscription: sub,
    subtotal: amount,
    taxes: [],
  };
  return { object: 'list', data: [line], has_more: false, total_count: 1, url: `/v1/invoices/${doc.id}/lines` };
}

/**
 * Subscriptions keep their single item compactly in `_item`
 * ({ price, currency, interval, created, period_start, period_end }, unix seconds).
 */
function renderSubscription(doc: Doc): Doc {
  const { _item: item, ...rest } = doc;
  const out: Doc = { id: doc.id, ...TEMPLATES.subscription, ...rest };
  if (item) {
    const priceId = `price_${String(doc.id).slice(4)}`;
    out.items = {
      object: 'list',
      data: [
        {
          id: `si_${String(doc.id).slice(4)}`,
          object: 'subscription_item',
          billing_thresholds: null,
          created: item.created,
          current_period_end: item.period_end,
          current_period_start: item.period_start,
          discounts: [],
          metadata: {},
          price: {
            id: priceId,
            object: 'price',
            active: true,
            billing_scheme: 'per_unit',
            created: item.created,
            currency: item.currency,
            custom_unit_amount: null,
            livemode: false,
            lookup_key: null,
            metadata: {},
            nickname: null,
            product: `prod_${String(doc.id).slice(4)}`,
            recurring: { interval: item.interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
            tax_behavior: 'unspecified',
            tiers_mode: null,
            transform_quantity: null,
            type: 'recurring',
            unit_amount: item.price,
            unit_amount_decimal: String(item.price),
          },
          quantity: 1,
          subscription: doc.id,
          tax_rates: [],
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${doc.id}`,
    };
  }
  return out;
}
