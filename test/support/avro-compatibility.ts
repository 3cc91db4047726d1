import avro from 'avsc';
import type { CompatibilityChecker } from '../../schemas/index.js';

/** Can data written with `writer` be read with `reader`? (Avro schema resolution, via avsc.) */
function canRead(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    // A new options object every call: avsc caches resolvers into it, and a reused one gives
    // wrong "compatible" answers.
    reader.createResolver(writer, { ignoreNamespaces: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Test stand-in for the compatibility engine: Confluent's level rules on top of avsc's resolver.
 * BACKWARD: the candidate reads each previous schema's data; FORWARD: each previous schema reads
 * the candidate's data; FULL: both. The registry passes only the versions the level names.
 */
export const avscCompatibilityChecker: CompatibilityChecker = ({ candidate, previous, level }) => {
  if (level === 'NONE') return { compatible: true, messages: [] };
  const next = avro.Type.forSchema(JSON.parse(candidate) as avro.Schema);
  const messages: string[] = [];
  previous.forEach((text, index) => {
    const old = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
    const problems = [
      level.startsWith('BACKWARD') || level.startsWith('FULL') ? canRead(next, old) : undefined,
      level.startsWith('FORWARD') || level.startsWith('FULL') ? canRead(old, next) : undefined,
    ].filter((p): p is string => p !== undefined);
    for (const p of problems) messages.push(`{oldSchemaIndex: ${index}, reason: '${p}'}`);
  });
  return { compatible: messages.length === 0, messages };
};
