/**
 * In-memory tables. Each object lives in a `Row`; its `doc` is the object's own fields in
 * Stripe's shape (only what differs from the template). Docs are never mutated in place:
 * an update replaces `row.doc` with a new object, so an event can keep a reference to the
 * version it describes without copying it.
 *
 * Rows are kept in arrays sorted by (created, seq) — ascending, so appends are O(1); lists walk
 * them backwards to answer newest-first. Secondary indexes (e.g. invoices by customer) are the
 * same kind of sorted array per key value, so a filtered page costs O(log n + page).
 */
export type Doc = Record<string, any>;

export interface Row {
  id: string;
  /** Insertion order; breaks ties between objects created in the same second. */
  seq: number;
  /** Unix seconds (the doc's `created`). */
  created: number;
  doc: Doc;
  /** Emulator-only state (behaviours, idempotency key of the charge, …); never rendered. */
  meta: Record<string, any>;
}

const before = (a: Row, b: Row): boolean => a.created < b.created || (a.created === b.created && a.seq < b.seq);

export class SortedRows {
  rows: Row[] = [];
  /** True while bulk-loading: rows are appended unsorted until `sort()`. */
  private unsorted = false;

  insert(row: Row, bulk: boolean): void {
    const n = this.rows.length;
    if (bulk) {
      this.rows.push(row);
      this.unsorted = true;
      return;
    }
    if (n === 0 || !before(row, this.rows[n - 1])) {
      this.rows.push(row);
      return;
    }
    this.rows.splice(this.lowerBound(row), 0, row);
  }

  remove(row: Row): void {
    const i = this.unsorted ? this.rows.indexOf(row) : this.indexOf(row);
    if (i >= 0) this.rows.splice(i, 1);
  }

  sort(): void {
    if (!this.unsorted) return;
    this.rows.sort((a, b) => (a.created - b.created) || (a.seq - b.seq));
    this.unsorted = false;
  }

  /** First index whose row is not before `row`. */
  lowerBound(row: Row): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.rows[mid], row)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of `row`, or -1. */
  indexOf(row: Row): number {
    const i = this.lowerBound(row);
    return this.rows[i] === row ? i : -1;
  }

  /** First index with created >= sec. */
  firstAtOrAfter(sec: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rows[mid].created < sec) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export type IndexKey = (doc: Doc) => string | null | undefined;

export class Collection {
  readonly byId = new Map<string, Row>();
  readonly all = new SortedRows();
  private readonly indexes = new Map<string, { key: IndexKey; map: Map<string, SortedRows> }>();
  private bulk = false;

  constructor(
    private readonly nextSeq: () => number,
    indexes: Record<string, IndexKey> = {},
  ) {
    for (const [name, key] of Object.entries(indexes)) this.indexes.set(name, { key, map: new Map() });
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Row | undefined {
    return this.byId.get(id);
  }

  /** Starts bulk loading (seed): inserts append, `endBulk()` sorts once. */
  beginBulk(): void {
    this.bulk = true;
  }

  endBulk(): void {
    this.bulk = false;
    this.all.sort();
    for (const { map } of this.indexes.values()) for (const rows of map.values()) rows.sort();
  }

  insert(doc: Doc, meta: Record<string, any> = {}): Row {
    const id = doc.id as string;
    if (this.byId.has(id)) throw new Error(`duplicate id ${id}`);
    const row: Row = { id, seq: this.nextSeq(), created: doc.created as number, doc, meta };
    this.byId.set(id, row);
    this.all.insert(row, this.bulk);
    for (const { key, map } of this.indexes.values()) {
      const k = key(doc);
      if (k) this.indexRows(map, k).insert(row, this.bulk);
    }
    return row;
  }

  /** Replaces the row's doc with `{...doc, ...patch}`; returns the previous doc. */
  update(row: Row, patch: Doc): Doc {
    const old = row.doc;
    const next = { ...old, ...patch };
    for (const { key, map } of this.indexes.values()) {
      const a = key(old);
      const b = key(next);
      if (a === b) continue;
      if (a) map.get(a)?.remove(row);
      if (b) this.indexRows(map, b).insert(row, this.bulk);
    }
    row.doc = next;
    return old;
  }

  delete(row: Row): void {
    this.byId.delete(row.id);
    this.all.remove(row);
    for (const { key, map } of this.indexes.values()) {
      const k = key(row.doc);
      if (k) map.get(k)?.remove(row);
    }
  }

  /** Rows whose index `name` has value `value`, or undefined when no row has it. */
  indexed(name: string, value: string): SortedRows | undefined {
    const idx = this.indexes.get(name);
    if (!idx) throw new Error(`no index ${name}`);
    return idx.map.get(value);
  }

  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  private indexRows(map: Map<string, SortedRows>, k: string): SortedRows {
    let rows = map.get(k);
    if (!rows) {
      rows = new SortedRows();
      map.set(k, rows);
    }
    return rows;
  }
}
