// Scope lists the tests ask for, derived from the contract so they follow it.
import { RECORD_RESOURCES, readScope, SCOPES, writeScope } from '@ihf/contract';

/** Reading every record type; subscribing to a topic needs the read scope of its records. */
export const RECORD_READ_SCOPES = RECORD_RESOURCES.map(readScope);
/** Reading and writing every record type. */
export const RECORD_SCOPES = RECORD_RESOURCES.flatMap((r) => [readScope(r), writeScope(r)]);
/** Everything a consumer key can hold (all but `admin`). */
export const CONSUMER_SCOPES = SCOPES.filter((s) => s !== 'admin');
