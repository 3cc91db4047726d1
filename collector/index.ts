export type { DecodedRecord, RecordSink, TappedRecord } from './types.js';
