export { pipewatchApp, type AppOptions } from './app.js';
export { handleApiError, httpStatusFor, type ApiErrorBody } from './http-errors.js';
export { createMetricsRegistry, type BuildInfo } from './metrics.js';
export type { ReadinessCheck } from './routes/health.js';
export { startHttpServer, type HttpServerOptions } from './server.js';
export { presentReference, referenceFromBody } from './routes/reference-body.js';
export type { CaptureValues } from './routes/reference-capture.js';
export { referenceRoutes, type ReferenceRoutesOptions } from './routes/references.js';
