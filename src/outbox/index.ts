/** Result webhooks (issue 16 §4): signing, the endpoint, the schedule, delivery, lifecycle events. */
export * from './signing.js';
export * from './schedule.js';
export * from './endpoint.js';
export * from './deliver.js';
export * from './events.js';
export * from './card-expiry.js';
