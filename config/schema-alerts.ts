import { z } from 'zod';

/** The `rules` and `alerts` sections of the configuration, strict like the rest of config/schema.ts. */

export const rulesSection = z
  .object({
    /**
     * YAML rule files (`{rules: [...]}` or Prometheus-style `{groups: [{rules: [...]}]}`, format
     * in rules/schema.ts), loaded and validated at start-up. Default [].
     */
    files: z.array(z.string().min(1)).default([]),
    /**
     * The default rules: DLQ ratio > 0.1 % for 2 m, pipeline stale beyond its freshness target,
     * consumer group STOP/STALL/DATA_LOSS, schema violations, feature drift, collector down.
     * Default true.
     */
    defaults: z.boolean().default(true),
    /** Period of rule evaluation over the readings board, in seconds. Default 15. */
    evaluationIntervalSeconds: z.number().positive().default(15),
  })
  .strict();

const alertMatcher = z
  .string()
  .regex(
    /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*$/,
    'expected a matcher such as label="value" (operators =, !=, =~, !~)',
  );

export const alertsSection = z
  .object({
    /**
     * Base URL of pipewatch's status page, linked from notifications. Default: the URL the HTTP
     * server listens on, `http://<http.host>:<port bound>` (with `http.port: 0`, the port it
     * got; host 0.0.0.0 written as 127.0.0.1).
     */
    externalUrl: z.string().url().optional(),
    /** The email receiver (named `email`). Unset: no email. */
    email: z
      .object({
        /** `smtp://host:port` or `smtps://host:port` (implicit TLS). */
        url: z
          .string()
          .regex(
            /^smtps?:\/\/[^\s/]+(:\d+)?\/?$/,
            'expected smtp://host:port or smtps://host:port',
          ),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
        /** SMTP login; the password is read from the environment variable named here. */
        auth: z
          .object({ user: z.string().min(1), passwordEnv: z.string().min(1) })
          .strict()
          .optional(),
        tls: z
          .object({
            /** Never upgrade with STARTTLS. Default false. */
            ignoreTLS: z.boolean().default(false),
            /** Refuse to send without STARTTLS. Default false. */
            requireTLS: z.boolean().default(false),
            /** Verify the server certificate. Default true. */
            rejectUnauthorized: z.boolean().default(true),
          })
          .strict()
          .default({}),
        /** Per-message SMTP timeout, in milliseconds. Default 10000. */
        timeoutMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .optional(),
    /** Webhook receivers: `webhook` posts Alertmanager's payload (version 4), `slack` a Slack message. Default []. */
    webhooks: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/),
            url: z.string().url(),
            kind: z.enum(['webhook', 'slack']).default('webhook'),
          })
          .strict(),
      )
      .default([]),
    /** Alertmanagers that receive every alert through POST /api/v2/alerts. Default []. */
    alertmanagers: z
      .array(
        z
          .object({ name: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/), url: z.string().url() })
          .strict(),
      )
      .default([]),
    /** Label-based routes, first match wins unless `continue`; unmatched alerts go to `defaultReceivers`. Default []. */
    routes: z
      .array(
        z
          .object({
            matchers: z.array(alertMatcher).min(1),
            receiver: z.string().min(1),
            continue: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
    /** Receivers of alerts no route matches. Default: every configured receiver. */
    defaultReceivers: z.array(z.string().min(1)).optional(),
    /** Labels whose values split alerts into notification groups. Default [alertname, pipeline]. */
    groupBy: z.array(z.string().min(1)).default(['alertname', 'pipeline']),
    /** Wait before a new group's first notification, seconds (Alertmanager's default). Default 30. */
    groupWaitSeconds: z.number().nonnegative().default(30),
    /** Wait between notifications of a group that changed, seconds. Default 300. */
    groupIntervalSeconds: z.number().nonnegative().default(300),
    /** Resend of a group that still fires unchanged, seconds. Default 14400 (4 h). */
    repeatIntervalSeconds: z.number().positive().default(14_400),
    /** Send resolved notifications. Default true. */
    sendResolved: z.boolean().default(true),
    /** Also send the resolved notification of an alert that was silenced or inhibited. Default false. */
    sendResolvedWhenSilenced: z.boolean().default(false),
    /** Inhibition: a stale or stopped pipeline mutes its own DLQ and drift alerts. Default true. */
    inhibitDefaults: z.boolean().default(true),
    /**
     * Alerts received through POST /api/v1/alerts/webhook (an Alertmanager's webhook receiver),
     * kept (in SQLite) so GET /api/v1/alerts, its history and the status page list them.
     */
    external: z
      .object({
        /**
         * Most external alerts kept; past it, resolved ones are forgotten first, then new ones
         * are not listed (they are still routed; a warning and
         * pipewatch_external_alerts_dropped_total count them). Default 5000.
         */
        maxAlerts: z.number().int().positive().default(5000),
        /**
         * A firing alert that came with no endsAt (Alertmanager always sends none for firing
         * alerts) resolves this long after it was last received. Alertmanager re-sends a group
         * that keeps firing unchanged every repeat_interval (default 4 h) at its next
         * group_interval (default 5 m) tick: keep this above their sum. Default 16200 (4.5 h).
         */
        staleAfterSeconds: z.number().positive().default(16_200),
      })
      .strict()
      .default({}),
    outbox: z
      .object({
        /** First retry delay, ms; doubles per attempt with full jitter. Default 1000. */
        initialBackoffMs: z.number().int().positive().default(1000),
        /** Largest retry delay, ms. Default 300000. */
        maxBackoffMs: z.number().int().positive().default(300_000),
        /** Attempts before a notification is given up (kept in the outbox as failed). Default 1000. */
        maxAttempts: z.number().int().positive().default(1000),
        /** How often the outbox looks for due notifications, ms. Default 1000. */
        pollIntervalMs: z.number().int().positive().default(1000),
      })
      .strict()
      .default({}),
  })
  .strict();
