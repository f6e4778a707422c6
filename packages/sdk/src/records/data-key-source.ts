import type { Envelope } from '@tresor/crypto';
import { records as c } from '../contract/index.js';
import type { DataKeySource, WrappedDataKey } from '../accounts/rewrap-data-keys.js';
import { type RecordsContext, call } from './records-context.js';

/**
 * The `DataKeySource` of the records module for `rewrapDataKeys`: pages through every patient's
 * wrapped data key and replaces one with compare-and-swap (a concurrent write wins).
 */
export function recordsDataKeySource(context: RecordsContext): DataKeySource {
  return {
    async *list(): AsyncIterable<WrappedDataKey> {
      let after: string | null = null;
      do {
        const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
        const page: c.DataKeysPage = await call(
          context,
          'GET',
          `/api/v1/data-keys?limit=500${query}`,
          c.DataKeysPage,
        );
        for (const key of page.keys) yield { owner: key.patientId, wrapped: key.dataKey };
        after = page.next;
      } while (after !== null);
    },
    async replace(owner: string, previous: Envelope, next: Envelope): Promise<boolean> {
      const path = `/api/v1/patients/${encodeURIComponent(owner)}/data-key`;
      return (await call(context, 'PUT', path, c.ReplaceDataKeyReply, { previous, next })).replaced;
    },
  };
}
