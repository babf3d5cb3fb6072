/**
 * Idempotent API requests (migration 006): the first answer to an Idempotency-Key, stored in the
 * transaction of the work it reports, so a retried request gets the same answer and does nothing.
 */
import { type Db } from './columns.js';

export interface StoredRequest {
  method: string;
  path: string;
  bodyHash: string;
  status: number;
  response: string;
  caseId: number | null;
}

export interface ApiRequestsRepo {
  get(apiKeyId: number, idempotencyKey: string): StoredRequest | undefined;
  /** Call inside the transaction of the work; a second record of the same key throws (UNIQUE). */
  record(r: StoredRequest & { apiKeyId: number; idempotencyKey: string; at: number }): void;
}

export function createApiRequestsRepo(db: Db): ApiRequestsRepo {
  const get = db.prepare<[number, string], StoredRequest>(
    `SELECT method, path, body_hash AS bodyHash, status, response, case_id AS caseId
     FROM api_requests WHERE api_key_id = ? AND idempotency_key = ?`,
  );
  const insert = db.prepare<Record<string, unknown>>(
    `INSERT INTO api_requests (api_key_id, idempotency_key, method, path, body_hash, status, response, case_id, at)
     VALUES (:apiKeyId, :idempotencyKey, :method, :path, :bodyHash, :status, :response, :caseId, :at)`,
  );
  return {
    get: (id, key) => get.get(id, key),
    record: (r) => void insert.run({ ...r }),
  };
}
