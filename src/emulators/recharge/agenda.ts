/**
 * What falls due on the emulator clock (a queued charge, Recharge's own retry, a webhook
 * redelivery), on the simulator's min-heap (by time, then insertion order). Entries are checked
 * when they come up: a charge processed meanwhile simply no longer matches, so nothing is removed.
 */
import { EventHeap } from '../../simulate/heap.js';

export interface Due {
  /** Emulator clock, epoch ms. */
  at: number;
  kind: 'charge' | 'retry' | 'delivery';
  /** Charge id, or delivery id. */
  id: number;
}

export class Agenda {
  private heap = new EventHeap<Due & { t: number; seq: number }>();
  private seq = 0;

  get size(): number {
    return this.heap.size;
  }

  add(d: Due): void {
    this.heap.push({ ...d, t: d.at, seq: this.seq++ });
  }

  /** The earliest entry due at or before `until`, removed; undefined when none. */
  popDue(until: number): Due | undefined {
    const top = this.heap.pop();
    if (!top) return undefined;
    if (top.t > until) {
      this.heap.push(top); // not due yet: back in place (same time and sequence number)
      return undefined;
    }
    return { at: top.at, kind: top.kind, id: top.id };
  }
}
