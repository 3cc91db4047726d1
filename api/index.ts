export { pipewatchApp, type AppOptions } from './app.js';
export { apiAuthHook, type ApiAuthOptions, type AuthErrorStyle } from './auth.js';
export { handleApiError, httpStatusFor, type ApiErrorBody } from './http-errors.js';
export { createMetricsRegistry, type BuildInfo } from './metrics.js';
export type { ReadinessCheck } from './routes/health.js';
export {
  schemaViolationRoutes,
  type SchemaViolationRoutesOptions,
} from './routes/schema-violations.js';
export { apiServerOptions, startHttpServer, type HttpServerOptions } from './server.js';
export {
  handleRegistryError,
  httpStatusOfConfluentCode,
  type ConfluentErrorBody,
} from './registry/errors.js';
export {
  registryContentType,
  schemaRegistryApi,
  type RegistryApiOptions,
} from './registry/routes.js';
export {
  registryServerOptions,
  startRegistryServer,
  type RegistryServerOptions,
  type RunningRegistryServer,
} from './registry/server.js';
export {
  defaultReferenceLimits,
  presentReference,
  referenceFromBody,
  type ReferenceLimits,
} from './routes/reference-body.js';
export type { CaptureValues } from './routes/reference-capture.js';
export { referenceRoutes, type ReferenceRoutesOptions } from './routes/references.js';
export { driftRoutes, type DriftRoutesOptions } from './routes/drift.js';
export { alertRoutes, presentAlert, type AlertsRoutesOptions } from './routes/alerts.js';
export { presentRule, ruleRoutes, type RulesRoutesOptions } from './routes/rules.js';
export { silenceRoutes, type SilenceRoutesOptions } from './routes/silences.js';
