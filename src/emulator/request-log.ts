/**
 * Counts of the API requests the emulator answered (for tests: "how many calls did takeover
 * make", "was the retry sent with the same idempotency key"), plus the last 10,000 requests.
 * Keys are never stored whole: only their last four characters.
 */
export interface RequestRecord {
  /** Wall clock, epoch ms. */
  at: number;
  method: string;
  path: string;
  /** Route pattern, e.g. "GET /v1/invoices/:id" ("" when no route matched). */
  route: string;
  status: number;
  keyTail: string | null;
  account: string | null;
  idempotencyKey: string | null;
  replayed: boolean;
  requestId: string;
}

export interface RequestCounts {
  total: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
  log: RequestRecord[];
}

const LIMIT = 10_000;

export class RequestLog {
  total = 0;
  private byStatus = new Map<number, number>();
  private byRoute = new Map<string, number>();
  private recent: RequestRecord[] = [];

  add(r: RequestRecord): void {
    this.total++;
    this.byStatus.set(r.status, (this.byStatus.get(r.status) ?? 0) + 1);
    if (r.route) this.byRoute.set(r.route, (this.byRoute.get(r.route) ?? 0) + 1);
    this.recent.push(r);
    if (this.recent.length > LIMIT * 1.1) this.recent.splice(0, this.recent.length - LIMIT);
  }

  snapshot(): RequestCounts {
    return {
      total: this.total,
      byStatus: Object.fromEntries([...this.byStatus].map(([k, v]) => [String(k), v])),
      byRoute: Object.fromEntries(this.byRoute),
      log: this.recent.slice(-LIMIT),
    };
  }
}
