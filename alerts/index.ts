export {
  defaultInhibitRules,
  Dispatcher,
  type DispatcherOptions,
  type FlushContext,
  type GroupTimers,
  type InhibitRule,
  type OutgoingNotification,
  type Route,
} from './dispatcher.js';
export {
  expireExternal,
  notifiedExternal,
  receiveExternal,
  type AlertSource,
  type ExternalAlert,
  type ExternalChanges,
  type ExternalLimits,
  type ExternalTransition,
  type ReceivedAlert,
} from './external.js';
export { emailNotifier, renderEmail, type EmailOptions } from './email.js';
export {
  backoffMs,
  OutboxWorker,
  type BackoffOptions,
  type OutboxEntry,
  type OutboxStore,
  type OutboxWorkerOptions,
} from './outbox.js';
export { parseSilenceRequest, silenceActive, silences, type Silence } from './silences.js';
export {
  commonAnnotations,
  commonLabels,
  notificationTitle,
  type Notification,
  type NotifiedAlert,
  type Notifier,
} from './types.js';
export {
  alertmanagerAlerts,
  postJson,
  postToAlertmanager,
  slackPayload,
  webhookNotifier,
  webhookPayload,
} from './webhook.js';
