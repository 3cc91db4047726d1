import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PipewatchError } from '../common/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict flags; a bad flag becomes a USAGE error that quotes the usage line. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new PipewatchError('USAGE', `${(error as Error).message}\nusage: ${usage}`);
  }
}
