import type { RecordRef } from '../providers/types';

/**
 * What a record holds right now, by record key (`name/type`). A missing entry means the
 * lookup could not tell (network trouble): the check then neither trusts nor distrusts it.
 */
export type Verifier = (records: RecordRef[], signal?: AbortSignal) => Promise<Map<string, string[]>>;
