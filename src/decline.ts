/**
 * Decline facts, one home: what Stripe says about a failed charge (the decline code, Stripe's
 * advice code, the network's advice and decline codes). Stored and passed around in this form,
 * with `null` for "Stripe said nothing"; the SDK's and the policy's optional fields (`undefined`)
 * are converted at their edges by `declineFacts`. Pure.
 */
export interface DeclineFacts {
  declineCode: string | null;
  adviceCode: string | null;
  networkAdviceCode: string | null;
  networkDeclineCode: string | null;
}

/** Whatever optional/nullable form `d` has, as DeclineFacts (every field null when `d` is absent). */
export function declineFacts(d: { [K in keyof DeclineFacts]?: string | null } | null | undefined): DeclineFacts {
  return {
    declineCode: d?.declineCode ?? null,
    adviceCode: d?.adviceCode ?? null,
    networkAdviceCode: d?.networkAdviceCode ?? null,
    networkDeclineCode: d?.networkDeclineCode ?? null,
  };
}

/** The case's `last…` columns for a decline (the case keeps the latest one). */
export function lastDeclineOf(d: DeclineFacts): {
  lastDeclineCode: string | null; lastAdviceCode: string | null;
  lastNetworkAdviceCode: string | null; lastNetworkDeclineCode: string | null;
} {
  return {
    lastDeclineCode: d.declineCode, lastAdviceCode: d.adviceCode,
    lastNetworkAdviceCode: d.networkAdviceCode, lastNetworkDeclineCode: d.networkDeclineCode,
  };
}
