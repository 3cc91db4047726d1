// The wire decoder's view of the one schema-registry client (schemas/client/registry-client.ts):
// the calls it needs, under the names the collector has always used. Credentials in the URL
// (user-info) work here as in every other caller.
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryClientOptions,
} from '../../schemas/index.js';

export type { CompatibilityAnswer, RegisteredSchema } from '../../schemas/index.js';

export type RegistryHttpOptions = RegistryClientOptions;

/** The registry calls the wire decoder needs; `undefined` means "the registry said 404". */
export type RegistryHttp = Pick<
  RegistryClient,
  'url' | 'schemaById' | 'subjectsOfSchema' | 'latestVersion' | 'testCompatibility'
>;

export function createRegistryHttp(options: RegistryHttpOptions): RegistryHttp {
  return createRegistryClient(options);
}
