/** The decision log: every action recover takes on a case, with the reason `recover explain` prints. */
import { orNull, parseJson, selectList, type ColumnMap, type Db } from './columns.js';
import type { DecisionAction } from './types.js';

export interface Decision {
  id: number;
  caseId: number;
  /** When the decision was taken (ms). */
  at: number;
  action: DecisionAction;
  /** The scheduled time, for `retry` (and only for it). */
  retryAt: number | null;
  /** Sub-kind, e.g. `hard_decline`, `dunning_over`, `network_cap`, `cancel_subscription`. */
  kind: string | null;
  /** A sentence a merchant understands. */
  reason: string;
  attemptId: number | null;
  /** The policy inputs, if recorded (any JSON value). */
  inputs: unknown;
}

export interface NewDecision {
  caseId: number;
  at: number;
  action: DecisionAction;
  retryAt?: number | null;
  kind?: string | null;
  reason: string;
  attemptId?: number | null;
  inputs?: unknown;
}

const COLUMNS: ColumnMap<Decision> = {
  id: 'id',
  caseId: 'case_id',
  at: 'at',
  action: 'action',
  retryAt: 'retry_at',
  kind: 'kind',
  reason: 'reason',
  attemptId: 'attempt_id',
  inputs: 'inputs',
};

type Row = Omit<Decision, 'inputs'> & { inputs: string | null };
const fromRow = (r: Row): Decision => ({ ...r, inputs: parseJson(r.inputs) });

export interface DecisionsRepo {
  add(decision: NewDecision): number;
  listForCase(caseId: number): Decision[];
  latestForCase(caseId: number): Decision | undefined;
}

export function createDecisionsRepo(db: Db): DecisionsRepo {
  const cols = selectList(COLUMNS);
  const insert = db.prepare<Record<string, unknown>>(
    `INSERT INTO decisions (case_id, at, action, retry_at, kind, reason, attempt_id, inputs)
     VALUES (:caseId, :at, :action, :retryAt, :kind, :reason, :attemptId, :inputs)`,
  );
  const forCase = db.prepare<[number], Row>(`SELECT ${cols} FROM decisions WHERE case_id = ? ORDER BY at, id`);
  const latest = db.prepare<[number], Row>(`SELECT ${cols} FROM decisions WHERE case_id = ? ORDER BY at DESC, id DESC LIMIT 1`);
  return {
    add(d) {
      const info = insert.run({
        caseId: d.caseId,
        at: d.at,
        action: d.action,
        retryAt: orNull(d.retryAt),
        kind: orNull(d.kind),
        reason: d.reason,
        attemptId: orNull(d.attemptId),
        inputs: d.inputs === undefined ? null : JSON.stringify(d.inputs),
      });
      return Number(info.lastInsertRowid);
    },
    listForCase: (caseId) => forCase.all(caseId).map(fromRow),
    latestForCase(caseId) {
      const r = latest.get(caseId);
      return r ? fromRow(r) : undefined;
    },
  };
}
