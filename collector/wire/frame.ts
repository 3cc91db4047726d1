/** Confluent wire format: magic byte 0x00, 4-byte big-endian schema id, then the payload. */
export const confluentMagicByte = 0;
export const confluentHeaderBytes = 5;

export type FrameOutcome =
  | { readonly ok: true; readonly schemaId: number; readonly payloadOffset: number }
  | { readonly ok: false; readonly message: string };

/** Reads the frame header of a record value; says what is wrong when it is not a frame. */
export function parseConfluentFrame(value: Buffer): FrameOutcome {
  if (value.length < confluentHeaderBytes) {
    return {
      ok: false,
      message: `value has ${value.length} bytes, fewer than the ${confluentHeaderBytes}-byte Confluent header`,
    };
  }
  const magic = value[0];
  if (magic !== confluentMagicByte) {
    return {
      ok: false,
      message: `first byte is 0x${(magic ?? 0).toString(16).padStart(2, '0')}, not the Confluent magic byte 0x00`,
    };
  }
  // Confluent ids are positive signed 32-bit integers.
  return { ok: true, schemaId: value.readInt32BE(1), payloadOffset: confluentHeaderBytes };
}

/** Frames an already encoded payload (producers, tests and benchmarks). */
export function encodeConfluentFrame(schemaId: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(confluentHeaderBytes + payload.length);
  frame[0] = confluentMagicByte;
  frame.writeInt32BE(schemaId, 1);
  payload.copy(frame, confluentHeaderBytes);
  return frame;
}
