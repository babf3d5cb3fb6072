/**
 * The daemon's state machine as data: idle → starting → running → stopping → stopped, plus the
 * two short cuts a failed or never-begun start takes (starting → stopped, idle → stopped). Any
 * other move is a bug (e.g. `start()` finishing after `stop()` and turning a stopped daemon back
 * to running on a released lock) and is refused, not taken.
 */
import type { DaemonState } from './types.js';

const TRANSITIONS: Readonly<Record<DaemonState, readonly DaemonState[]>> = {
  idle: ['starting', 'stopped'],
  starting: ['running', 'stopping', 'stopped'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export class IllegalTransition extends Error {
  constructor(
    readonly from: DaemonState,
    readonly to: DaemonState,
  ) {
    super(`daemon state ${from} → ${to} is not allowed (from ${from}: ${TRANSITIONS[from].join(', ') || 'none'})`);
    this.name = 'IllegalTransition';
  }
}

/** `to` if the table allows it from `from`; throws IllegalTransition otherwise. */
export function transition(from: DaemonState, to: DaemonState): DaemonState {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransition(from, to);
  return to;
}
