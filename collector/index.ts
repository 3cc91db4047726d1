export {
  decodeJsonRecord,
  startTap,
  toTappedRecord,
  type DecodeOutcome,
  type RecordDecoder,
  type Tap,
  type TapOptions,
  type UndecodableHandler,
} from './tap.js';
export type { DecodedRecord, RecordSink, TappedRecord } from './types.js';
