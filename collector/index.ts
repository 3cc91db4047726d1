export type { DecodedRecord, RecordSink, TappedRecord } from './types.js';
export {
  captureReferenceValues,
  type CaptureOptions,
  type CaptureResult,
} from './capture-reference.js';
