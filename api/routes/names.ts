/**
 * Name rules, checked once at the edge for every route that takes a name. Topics follow
 * Kafka's own rule (`kafkaTopicName`, shared with the config); feature names become Prometheus
 * label values and URL path segments; subjects follow Confluent Schema Registry's rule.
 */
import { z } from 'zod';
import { kafkaTopicName } from '../../config/index.js';

export const topicName = kafkaTopicName;

/** Longest feature name: Kafka's topic bound, so a (topic, feature) pair stays printable. */
export const maxFeatureNameLength = 249;
/**
 * Not printable, or a path separator: control (Cc) and format (Cf) characters, lone
 * surrogates (not encodable as UTF-8), line and paragraph separators, `/` and `\`.
 */
const unprintableOrSlash = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}/\\]/u;

/** A feature: a field name or dotted path into the record value. */
export const featureName = z
  .string()
  .min(1, 'must not be empty')
  .max(maxFeatureNameLength, `must be at most ${maxFeatureNameLength} characters`)
  .refine((f) => !unprintableOrSlash.test(f), {
    message: 'must be printable, without control characters, / or \\',
  })
  .refine((f) => f.trim() === f, { message: 'must not start or end with white space' })
  .refine((f) => f !== '.' && f !== '..', { message: 'may not be . or ..' });

/** Confluent's own subjects are topic names plus `-key`/`-value`: 249 + 6 characters. */
export const maxSubjectLength = 255;
/** Java's ISO control characters, which Confluent Schema Registry rejects in subjects. */
const isoControl = /[\u0000-\u001f\u007f-\u009f]/;
// Lone surrogates cannot be stored as UTF-8; literal escapes keep the regex readable.
const loneSurrogate = /\p{Cs}/u;

/**
 * Why a schema registry subject is refused, or undefined when it is fine. Confluent refuses
 * empty subjects and ISO control characters; pipewatch also refuses subjects past
 * `maxSubjectLength` and path tricks (`.`, `..`, `/`, `\`), which would be ambiguous in URLs.
 */
export function subjectProblem(subject: string): string | undefined {
  if (subject.length === 0) return 'must not be empty';
  if (subject.length > maxSubjectLength) return `must be at most ${maxSubjectLength} characters`;
  if (isoControl.test(subject)) return 'must not contain control characters';
  if (loneSurrogate.test(subject)) return 'must be valid Unicode (a lone surrogate)';
  if (subject === '.' || subject === '..' || /[/\\]/.test(subject)) {
    return 'must not be . or .. or contain / or \\';
  }
  return undefined;
}
