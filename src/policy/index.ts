/**
 * The retry policy ("the brain"): pure functions, no I/O. The daemon, takeover and the simulator
 * all import from here. See README.md in this folder for the model, its priors and their sources.
 */
export type {
  Arm,
  AttemptBy,
  AttemptRecord,
  CardFacts,
  CardHistoryEntry,
  CaseFacts,
  CustomerFacts,
  CustomerPayment,
  DecideFn,
  Decision,
  DeclineFacts,
  LearnedStats,
  OutcomeContext,
  Policy,
  PolicyInput,
  PolicySettings,
  StatCounts,
  StopKind,
  WaitKind,
} from './types.js';
export { decide, makePolicy, POLICY_NAMES_HELP, DEFAULT_DAILY_RETRIES } from './make-policy.js';
export { decideTreatment } from './recover-policy.js';
export { fixedPolicy, dailyPolicy, smartLikePolicy, SMART_LIKE_OFFSETS_DAYS } from './baselines.js';
export { classifyDecline, type Classification, type DeclineSignal } from './classify.js';
export { DECLINE_CODES, BLOCKING_OUTCOME_REASONS, type DeclineCategory, type DeclineRule, type StatCategory } from './decline-codes.js';
export { STRIPE_ADVICE_CODES, MASTERCARD_ADVICE_CODES, MAC_STOP } from './advice-codes.js';
export { visaCategoryOfResponseCode, type VisaCategory } from './visa-categories.js';
export { NETWORK_CAPS, cardBan, earliestAllowed, type CapVerdict, type CardBan } from './caps.js';
export { learn, statKeysFor, statKey, posterior } from './stats.js';
export { assignArm, armPosition } from './arm.js';
export { mulberry32, hashSeed, hashUniform, type Random } from './random.js';
export { enumerateSlots, isInWindow, type Slot } from './windows.js';
export { formatLocal, localParts, resolveTimezone } from './local-time.js';
export { BUDGET } from './priors.js';
export { DEFAULT_FEATURES, LEGACY_FEATURES, type RecoverFeatures } from './effort.js';
export { attemptCostIn, DEFAULT_ATTEMPT_COST, REFERENCE_CURRENCY, type AttemptCost } from './attempt-cost.js';
export { makeRecoverDecide } from './recover-policy.js';
export { payBelief, type PayBelief } from './pay-cycle.js';
export { PAY_LIBRARY, type PaySchedule } from './pay-schedules.js';
