/**
 * Page-by-page iteration over a Stripe list with `starting_after`, yielding each page with the
 * cursor to persist. A caller that stores `lastId` and later passes it back as
 * `params.starting_after` resumes exactly after the last page it finished: no gap, no duplicate.
 */
import type { ApiList, Page } from './types.js';

export interface PagingParams {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}

export async function* pages<T extends { id?: string }, P extends PagingParams>(
  fetchPage: (params: P) => Promise<ApiList<T>>,
  params: P,
): AsyncGenerator<Page<T>, void, undefined> {
  if (params.ending_before !== undefined) {
    throw new TypeError('listAll pages forward with starting_after; ending_before is not supported');
  }
  let cursor = params.starting_after;
  for (;;) {
    const list = await fetchPage({ ...params, ...(cursor === undefined ? {} : { starting_after: cursor }) });
    const last = list.data.at(-1);
    const lastId = last?.id ?? undefined;
    yield { page: list.data, lastId, hasMore: list.has_more };
    // An empty page with has_more=true would loop forever on the same cursor: stop instead.
    if (!list.has_more || lastId === undefined) return;
    cursor = lastId;
  }
}
