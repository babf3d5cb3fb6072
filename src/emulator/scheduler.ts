/**
 * Time-based work on the emulator clock (epoch ms): Smart Retries and first attempts of
 * invoices, customers' scheduled card updates, subscriptions ending at period end, renewals
 * the automatic finalization of renewal drafts, and Checkout Sessions reaching `expires_at`.
 * A binary min-heap; entries are validated when they come due (a rescheduled invoice simply
 * leaves a stale entry behind), so nothing needs to be removed from the middle.
 */
export type Job =
  | { kind: 'invoice_attempt'; account: string; invoice: string }
  | { kind: 'customer_update'; account: string; customer: string; index: number }
  | { kind: 'subscription_end'; account: string; subscription: string }
  | { kind: 'renewal'; account: string; subscription: string }
  | { kind: 'finalize'; account: string; invoice: string }
  | { kind: 'checkout_expire'; account: string; session: string };

interface Entry {
  at: number;
  seq: number;
  job: Job;
}

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  add(at: number, job: Job): void {
    this.heap.push({ at, seq: this.seq++, job });
    this.up(this.heap.length - 1);
  }

  /** Earliest due time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  pop(): { at: number; job: Job } | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop() as Entry;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return { at: top.at, job: top.job };
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
