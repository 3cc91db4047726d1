import type { LabelSet } from './matchers.js';

/**
 * The fingerprint of a label set, computed exactly as Prometheus' `model.LabelSet.Fingerprint`
 * (FNV-1a 64 over the sorted names and values, each followed by the 0xff separator byte), so an
 * alert has the same fingerprint here, in Alertmanager's API and in its webhook payloads.
 */
const offset64 = 0xcbf29ce484222325n;
const prime64 = 0x100000001b3n;
const mask64 = 0xffffffffffffffffn;
const separator = 0xff;
const encoder = new TextEncoder();

export function fingerprint(labels: LabelSet): string {
  const names = Object.keys(labels).sort();
  let h = offset64;
  const add = (byte: number) => {
    h ^= BigInt(byte);
    h = (h * prime64) & mask64;
  };
  for (const name of names) {
    for (const b of encoder.encode(name)) add(b);
    add(separator);
    for (const b of encoder.encode(labels[name])) add(b);
    add(separator);
  }
  return h.toString(16).padStart(16, '0');
}
