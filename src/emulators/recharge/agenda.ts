/**
 * What falls due on the emulator clock (a queued charge, Recharge's own retry, a webhook
 * redelivery), as a binary min-heap by time then insertion order. Entries are checked when they
 * come up (`still`): a charge processed meanwhile simply no longer matches, so nothing is removed.
 */
export interface Due {
  /** Emulator clock, epoch ms. */
  at: number;
  kind: 'charge' | 'retry' | 'delivery';
  /** Charge id, or delivery id. */
  id: number;
}

interface Entry extends Due {
  seq: number;
}

export class Agenda {
  private heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  add(d: Due): void {
    const h = this.heap;
    h.push({ ...d, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  /** The earliest entry due at or before `until`, removed; undefined when none. */
  popDue(until: number): Due | undefined {
    const h = this.heap;
    if (!h.length || h[0].at > until) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return { at: top.at, kind: top.kind, id: top.id };
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
