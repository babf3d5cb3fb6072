/**
 * Default fields of the Checkout Session (setup mode) and SetupIntent objects, from Stripe's example
 * objects (openapi/fixtures3.json `checkout.session` and `setup_intent`, MIT License, Copyright (c)
 * 2011- Stripe, Inc.), cleaned the way templates.ts cleans the others (the examples' placeholder junk —
 * `obj_123`, random amounts, sample errors and `custom_text` messages — replaced by what a plain
 * test-mode object carries), with the fields the SDK's `Session` / `SetupIntent` types
 * (node_modules/stripe/esm/resources/Checkout/Sessions.d.ts, SetupIntents.d.ts) declare.
 * Shared by every rendered object: never mutate them.
 */
type Doc = Record<string, unknown>;

export const CHECKOUT_SESSION: Doc = {
  object: 'checkout.session',
  adaptive_pricing: null,
  after_expiration: null,
  allow_promotion_codes: null,
  allowed_payment_method_types: null,
  amount_subtotal: null,
  amount_total: null,
  automatic_tax: { enabled: false, liability: null, provider: null, status: null },
  billing_address_collection: null,
  cancel_url: null,
  client_reference_id: null,
  client_secret: null,
  collected_information: null,
  consent: null,
  consent_collection: null,
  created: 0,
  currency: null,
  currency_conversion: null,
  custom_fields: [],
  custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
  customer: null,
  customer_account: null,
  customer_creation: null,
  customer_details: null,
  customer_email: null,
  discounts: null,
  expires_at: 0,
  integration_identifier: null,
  invoice: null,
  invoice_creation: null,
  livemode: false,
  locale: null,
  managed_payments: null,
  metadata: {},
  mode: 'setup',
  origin_context: null,
  payment_intent: null,
  payment_link: null,
  payment_method_collection: null,
  payment_method_configuration_details: null,
  payment_method_options: { card: { request_three_d_secure: 'automatic' } },
  payment_method_types: ['card'],
  // Setup mode collects no payment (SDK Session.PaymentStatus: `no_payment_required`).
  payment_status: 'no_payment_required',
  permissions: null,
  phone_number_collection: { enabled: false },
  recovered_from: null,
  saved_payment_method_options: null,
  setup_intent: null,
  shipping_address_collection: null,
  shipping_cost: null,
  shipping_options: [],
  status: 'open',
  submit_type: null,
  subscription: null,
  success_url: null,
  total_details: null,
  ui_mode: 'hosted_page',
  url: null,
  wallet_options: null,
};

export const SETUP_INTENT: Doc = {
  object: 'setup_intent',
  allowed_payment_method_types: null,
  application: null,
  automatic_payment_methods: null,
  cancellation_reason: null,
  client_secret: null,
  created: 0,
  customer: null,
  customer_account: null,
  description: null,
  excluded_payment_method_types: null,
  flow_directions: null,
  last_setup_error: null,
  latest_attempt: null,
  livemode: false,
  mandate: null,
  metadata: {},
  next_action: null,
  on_behalf_of: null,
  payment_method: null,
  payment_method_configuration_details: null,
  payment_method_options: {
    card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' },
  },
  payment_method_types: ['card'],
  single_use_mandate: null,
  status: 'requires_payment_method',
  usage: 'off_session',
};

/** `customer_details` of a completed setup session: the customer's email and name (no address in setup mode). */
export function setupCustomerDetails(email: string | null, name: string | null): Doc {
  return {
    address: null,
    business_name: null,
    email,
    individual_name: null,
    name,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
}
