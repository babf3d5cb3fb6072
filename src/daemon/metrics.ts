/**
 * Prometheus metrics for `GET /metrics`, in a registry of the daemon's own (never prom-client's
 * global one, so two daemons in one test process do not share counters). Money is in minor
 * units of its currency, times in seconds, as Prometheus conventions ask.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallReport } from '../stripe/index.js';
import type { DaemonState } from './types.js';

const STATES: DaemonState[] = ['idle', 'starting', 'running', 'stopping', 'stopped'];

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({
    name: 'recover_webhook_events_received_total',
    help: 'Verified webhook events stored in the inbox, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'recover_webhook_events_duplicate_total',
    help: 'Verified webhook deliveries of an event already in the inbox',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'recover_webhook_events_rejected_total',
    help: 'Webhook requests rejected (400/413), by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly ackSeconds = new Histogram({
    name: 'recover_webhook_ack_seconds',
    help: 'Time from request start to the 200 answer (event durably stored)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly processed = new Counter({
    name: 'recover_events_processed_total',
    help: 'Inbox events processed, by type and result',
    labelNames: ['type', 'result'],
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: 'recover_attempts_total',
    help: 'Retry attempts finished, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly recovered = new Counter({
    name: 'recover_recovered_amount_total',
    help: 'Recovered amount in minor units, by currency',
    labelNames: ['currency'],
    registers: [this.registry],
  });
  readonly recoveredCases = new Counter({
    name: 'recover_recovered_cases_total',
    help: 'Cases recovered, by who got the invoice paid',
    labelNames: ['by'],
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: 'recover_jobs_total',
    help: 'End-of-dunning jobs run, by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'recover_scheduler_lag_seconds',
    help: 'How late the latest claimed attempt started compared with its due time',
    registers: [this.registry],
  });
  readonly tickSeconds = new Histogram({
    name: 'recover_scheduler_tick_seconds',
    help: 'Time to select and claim due work (database only)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25],
    registers: [this.registry],
  });
  readonly stripeCalls = new Counter({
    name: 'recover_stripe_calls_total',
    help: 'HTTP requests to Stripe, by method, path template and status (0 = no answer)',
    labelNames: ['method', 'path', 'status'],
    registers: [this.registry],
  });
  readonly state = new Gauge({
    name: 'recover_daemon_state',
    help: '1 for the current daemon state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly backlog: Gauge;
  /** Result webhooks (issue 16 §4): tries by result, and the undelivered backlog after each pass. */
  readonly webhookDeliveries = new Counter({
    name: 'recover_result_webhook_deliveries_total',
    help: 'Result webhook delivery tries by result (delivered, retry, failed, disabled)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly outboxBacklog = new Gauge({
    name: 'recover_result_webhook_backlog',
    help: 'Result webhooks not delivered yet (as of the last delivery pass)',
    registers: [this.registry],
  });
  readonly health = new Gauge({
    name: 'recover_health_check',
    help: '1 when the named health check passes, 0 when it fails',
    labelNames: ['check'],
    registers: [this.registry],
  });

  constructor(inboxBacklog: () => number) {
    this.backlog = new Gauge({
      name: 'recover_inbox_backlog',
      help: 'Inbox events not processed yet',
      registers: [this.registry],
      collect() {
        try {
          this.set(inboxBacklog());
        } catch {
          // The database may be closing; leave the last value.
        }
      },
    });
    this.setState('idle');
  }

  setState(s: DaemonState): void {
    for (const x of STATES) this.state.set({ state: x }, x === s ? 1 : 0);
  }

  /** The result-webhook deliverer's `report` hook. */
  onDelivery = (r: { result: string }): void => {
    this.webhookDeliveries.inc({ result: r.result });
  };

  /** The gateway's `onCall` hook. */
  onStripeCall = (c: CallReport): void => {
    this.stripeCalls.inc({ method: c.method, path: c.path, status: String(c.status) });
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
