// docker-compose.yml against the tree, the config schema and the real tools: every host path it
// mounts exists, images are pinned, long-running services have health checks, ports line up
// (Prometheus targets, Alertmanager's webhook and SMTP, Grafana's datasource), and the config
// files pass promtool, amtool and pipewatch's own parser. No Docker engine is needed: the stack
// itself is not started here. One file on purpose: every check reads the same parsed stack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { parseConfig, type Config } from '../../config/index.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  restart?: string;
  volumes?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
}
type Yaml = Record<string, unknown>;

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const service = (name: string): ComposeService => {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
};

/** Bind mounts (short syntax) of a service: host source and container target. */
function bindMounts(name: string): { source: string; target: string }[] {
  return (service(name).volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([source]) => source!.startsWith('.') || source!.startsWith('/'))
    .map(([source, target]) => ({ source: source!, target: target! }));
}

/** The host file behind a path inside a container, through that service's bind mounts. */
function hostPath(name: string, containerPath: string): string {
  const mount = bindMounts(name).find(
    (m) => containerPath === m.target || containerPath.startsWith(`${m.target}/`),
  );
  assert.ok(mount, `service ${name}: ${containerPath} is not on a bind mount`);
  return join(mount.source, posix.relative(mount.target, containerPath));
}

/** The value of `--flag VALUE` or `--flag=VALUE` in a service's command. */
function flag(name: string, flagName: string): string | undefined {
  const command = service(name).command ?? [];
  const at = command.indexOf(flagName);
  if (at >= 0) return command[at + 1];
  return command.find((c) => c.startsWith(`${flagName}=`))?.slice(flagName.length + 1);
}

const readYaml = (path: string): Yaml => parse(readFileSync(path, 'utf8')) as Yaml;

/** The services built from this repository (pipewatch and the reference pipeline). */
const pipewatchServices = Object.keys(services).filter((n) => services[n]!.build !== undefined);
const roleOf = (name: string): string => (service(name).command ?? []).slice(0, 2).join(' ');

/**
 * Keys the compose config files set that arrive with other branches of issue 12; while this
 * branch's config/schema.ts lacks them, the parse drops them and the test says so.
 */
const keysFromOtherBranches: Readonly<Record<string, string>> = {
  alerts: 'rules-alerts',
  'pipeline.producer.metricsHost': 'pipeline-fix',
  'pipeline.consumer.metricsHost': 'pipeline-fix',
};

function withoutKey(raw: Yaml, dotted: string): Yaml {
  const copy = structuredClone(raw);
  const path = dotted.split('.');
  let node: Yaml | undefined = copy;
  for (const key of path.slice(0, -1)) node = node?.[key] as Yaml | undefined;
  if (node) delete node[path[path.length - 1]!];
  return copy;
}

interface ContainerConfig {
  readonly file: string | undefined;
  readonly raw: Yaml;
  readonly config: Readonly<Config>;
  /** Keys of the file this branch's schema does not know yet (see keysFromOtherBranches). */
  readonly pendingKeys: readonly string[];
}

/** A pipewatch container's configuration: its --config file (if any) plus its environment. */
function containerConfig(name: string): ContainerConfig {
  const configFlag = flag(name, '--config');
  const file = configFlag === undefined ? undefined : hostPath(name, configFlag);
  const raw = file === undefined ? {} : readYaml(file);
  const environment = service(name).environment ?? {};
  const pendingKeys: string[] = [];
  let input = raw;
  for (;;) {
    try {
      return { file, raw, pendingKeys, config: parseConfig(input, environment, file) };
    } catch (error) {
      const issues = ((error as { details?: { issues?: string[] } }).details?.issues ?? []).join();
      const unknown = [...issues.matchAll(/unknown key ([\w.]+)/g)].map((m) => m[1]!);
      const pending = unknown.find((k) => k in keysFromOtherBranches && !pendingKeys.includes(k));
      if (pending === undefined) throw error;
      pendingKeys.push(pending);
      input = withoutKey(input, pending);
    }
  }
}

/** Where a compose service listens, per the config it runs with (or the image's default). */
function listenPorts(name: string): { http: number; smtp?: number } {
  if (pipewatchServices.includes(name)) {
    const { config } = containerConfig(name);
    const role = roleOf(name);
    if (role === 'pipeline producer') return { http: config.pipeline.producer.metricsPort };
    if (role === 'pipeline consumer') return { http: config.pipeline.consumer.metricsPort };
    assert.equal(role.split(' ')[0], 'serve', `service ${name}: unknown pipewatch command`);
    return { http: config.http.port };
  }
  // Third-party images at their defaults; a listen-address flag would change them.
  const defaults: Record<string, { http: number; smtp?: number }> = {
    prometheus: { http: 9090 },
    alertmanager: { http: 9093 },
    grafana: { http: 3000 },
    mailpit: { http: 8025, smtp: 1025 },
  };
  assert.ok(defaults[name], `no known listening port for service ${name}`);
  assert.equal(flag(name, '--web.listen-address'), undefined, `${name} moves its port`);
  return defaults[name];
}

/** Services that run once to completion (others wait for them to succeed). */
const oneShots = new Set(
  Object.values(services).flatMap((s) =>
    Object.entries(s.depends_on ?? {})
      .filter(([, d]) => d.condition === 'service_completed_successfully')
      .map(([target]) => target),
  ),
);

const tool = (command: string, args: string[]) =>
  spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
const missingTool = (command: string): boolean => {
  const error: (Error & { code?: string }) | undefined = tool(command, ['--version']).error;
  return error?.code === 'ENOENT';
};

const prometheusConfigFile = hostPath('prometheus', flag('prometheus', '--config.file')!);
const prometheusConfig = readYaml(prometheusConfigFile) as {
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
};

/** Host files each rule_files pattern matches (a `*` only in the file name, as we write them). */
function ruleFiles(): { pattern: string; files: string[] }[] {
  return prometheusConfig.rule_files.map((pattern) => {
    const dir = hostPath('prometheus', posix.dirname(pattern));
    const name = posix.basename(pattern);
    assert.ok(!/[*?[]/.test(posix.dirname(pattern)), `${pattern}: glob only in the file name`);
    const regex = new RegExp(`^${name.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => regex.test(f)) : [];
    return { pattern, files: files.map((f) => join(dir, f)) };
  });
}

describe('docker-compose.yml against the tree', () => {
  it('mounts only host paths that exist', () => {
    const mounts = Object.keys(services).flatMap((name) =>
      bindMounts(name).map((m) => ({ name, source: m.source })),
    );
    assert.ok(mounts.some((m) => m.source === './dashboards/grafana/dashboards'));
    for (const { name, source } of mounts) {
      assert.ok(existsSync(source), `service ${name} mounts ${source}, which does not exist`);
    }
  });

  it('pins every image to a version, the Dockerfile base image too', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build !== undefined) continue; // built here from the Dockerfile checked below
      const match = /^[^\s:@]+:([^\s:@]+)$/.exec(s.image ?? '');
      assert.ok(match, `service ${name}: image ${s.image} has no tag`);
      assert.notEqual(match[1], 'latest', `service ${name} uses latest`);
      assert.match(match[1]!, /\d+\.\d+/, `service ${name}: tag ${match[1]} is not a version`);
    }
    const bases = [...readFileSync('Dockerfile', 'utf8').matchAll(/^FROM\s+(\S+)/gm)];
    assert.ok(bases.length > 0);
    for (const [, image] of bases)
      assert.match(image!, /:\d+\.\d+\.\d+/, `Dockerfile FROM ${image}`);
  });

  it('gives every long-running service a health check and every dependency a condition', () => {
    assert.ok(oneShots.has('kafka-init'));
    for (const [name, s] of Object.entries(services)) {
      if (oneShots.has(name)) {
        assert.ok([undefined, 'no'].includes(s.restart), `one-shot ${name} must not restart`);
        continue;
      }
      assert.ok(s.healthcheck?.test && !s.healthcheck.disable, `service ${name}: no health check`);
      for (const [target, dependency] of Object.entries(s.depends_on ?? {})) {
        const condition = dependency.condition;
        assert.ok(services[target], `${name} depends on unknown service ${target}`);
        if (condition === 'service_healthy') {
          assert.ok(services[target].healthcheck?.test, `${name} waits on ${target}'s health`);
        } else {
          assert.equal(condition, 'service_completed_successfully', `${name} → ${target}`);
          assert.ok(oneShots.has(target));
        }
      }
    }
    const probes = JSON.stringify(service('pipewatch').healthcheck?.test);
    assert.match(probes, new RegExp(`127\\.0\\.0\\.1:${listenPorts('pipewatch').http}/readyz`));
  });

  it('publishes each host port once, each to a port the service listens on', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of Object.entries(services)) {
      for (const mapping of s.ports ?? []) {
        const parts = mapping.replace(/\/(tcp|udp)$/, '').split(':');
        if (parts.length < 2) continue; // an ephemeral host port cannot collide
        const hostPort = parts[parts.length - 2]!;
        assert.ok(!seen.has(hostPort), `host port ${hostPort}: ${seen.get(hostPort)} and ${name}`);
        seen.set(hostPort, name);
        if (name === 'kafka' || name === 'schema-registry') continue; // their env says
        const listens = Object.values(listenPorts(name));
        assert.ok(
          listens.includes(Number(parts[parts.length - 1])),
          `${name} publishes ${mapping}`,
        );
      }
    }
    assert.ok(seen.size >= 8);
  });

  it('pipewatch listens on 127.0.0.1 by default and the containers set 0.0.0.0 themselves', () => {
    const defaults = parseConfig({}, {});
    assert.equal(defaults.http.host, '127.0.0.1');
    assert.equal(defaults.registry.host, '127.0.0.1');
    assert.ok(pipewatchServices.length >= 3, 'pipewatch, the producer and the consumer');
    for (const name of pipewatchServices) {
      const { config, raw } = containerConfig(name);
      assert.equal(config.http.host, '0.0.0.0', `${name} must answer Prometheus on the network`);
      const role = roleOf(name).split(' ')[1];
      if (role === 'producer' || role === 'consumer') {
        // The file's own value: pipeline.*.metricsHost binds the pipeline's /metrics.
        const section = (raw.pipeline as Record<string, Yaml> | undefined)?.[role];
        assert.equal(section?.metricsHost, '0.0.0.0', `${name}: pipeline.${role}.metricsHost`);
      }
    }
  });
});

describe('config files of the compose stack', () => {
  for (const name of pipewatchServices) {
    it(`${name}'s config file parses with pipewatch's own parser`, (t: TestContext) => {
      const { file, pendingKeys } = containerConfig(name);
      assert.ok(file, `${name} runs with --config`);
      if (pendingKeys.length > 0) {
        const named = pendingKeys.map((k) => `${k} (branch ${keysFromOtherBranches[k]})`);
        t.skip(`${file} sets ${named.join(', ')}, not in this checkout's config/schema.ts yet`);
      }
    });
  }

  it('pipewatch watches the topics kafka-init creates and the feature consumer group', () => {
    const init = (service('kafka-init').command ?? []).join('\n');
    const created = /for t in ([^;]+);/.exec(init)?.[1]?.trim().split(/\s+/) ?? [];
    const { raw } = containerConfig('pipewatch');
    const pipelines = raw.pipelines as { name: string; [k: string]: unknown }[];
    assert.equal(pipelines.length, 1);
    const [watched] = pipelines;
    const consumer = pipewatchServices.find((n) => roleOf(n) === 'pipeline consumer')!;
    const { config } = containerConfig(consumer);
    assert.deepEqual(watched!.rawTopics, [config.topics.raw]);
    assert.deepEqual(watched!.featureTopics, [config.topics.features]);
    assert.deepEqual(watched!.dlqTopics, [config.topics.dlq]);
    assert.deepEqual(
      [...created].sort(),
      [config.topics.raw, config.topics.features, config.topics.dlq].sort(),
    );
    assert.deepEqual(watched!.groups, [config.pipeline.consumer.groupId]);
    // The exported rules select pipelines by name; each one named must be watched.
    const selected = ruleFiles()
      .flatMap((r) => r.files)
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/pipeline="([^"]+)"/g)].map((m) => m[1]),
      );
    for (const p of selected)
      assert.ok(
        pipelines.some((w) => w.name === p),
        `rules select ${p}`,
      );
  });

  it('pipewatch emails through Mailpit without TLS', () => {
    const email = (containerConfig('pipewatch').raw.alerts as Yaml | undefined)?.email as
      { url: string; tls?: { ignoreTLS?: boolean } } | undefined;
    assert.ok(email, 'alerts.email in the pipewatch config');
    const url = new URL(email.url);
    assert.equal(url.protocol, 'smtp:');
    assert.ok(services[url.hostname], `${url.hostname} is a compose service`);
    assert.equal(Number(url.port), listenPorts(url.hostname).smtp);
    assert.equal(email.tls?.ignoreTLS, true, 'Mailpit offers no STARTTLS');
  });
});

describe('Prometheus in the compose stack', () => {
  it('scrapes compose services on the ports they listen on', () => {
    const targets = prometheusConfig.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets.map((t) => ({ job: c.job_name, target: t }))),
    );
    for (const { job, target } of targets) {
      const [host, port] = target.split(':');
      assert.ok(services[host!], `job ${job}: ${host} is not a compose service`);
      assert.equal(Number(port), listenPorts(host!).http, `job ${job}: ${target}`);
    }
    for (const name of pipewatchServices) {
      assert.ok(
        targets.some((t) => t.target.startsWith(`${name}:`)),
        `${name} is scraped`,
      );
    }
    assert.equal(targets.find((t) => t.target.startsWith('pipewatch:'))?.job, 'pipewatch');
    const alertmanagers = prometheusConfig.alerting.alertmanagers.flatMap((a) =>
      a.static_configs.flatMap((s) => s.targets),
    );
    assert.deepEqual(alertmanagers, [`alertmanager:${listenPorts('alertmanager').http}`]);
    assert.ok(service('prometheus').command?.includes('--web.enable-lifecycle'));
  });

  it('loads every rule file in dashboards/prometheus/rules', () => {
    const matched = ruleFiles();
    assert.ok(matched.length > 0);
    for (const { pattern, files } of matched) {
      assert.ok(files.length > 0, `rule_files ${pattern} matches no file`);
      for (const f of files) assert.ok(Array.isArray(readYaml(f).groups), `${f} has groups`);
    }
    const dir = 'dashboards/prometheus/rules';
    const onDisk = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    const loaded = matched.flatMap((m) => m.files).map((f) => posix.basename(f));
    assert.deepEqual([...loaded].sort(), onDisk.sort(), 'every rule file there is loaded');
  });

  it('loads the exported default rules (pipewatch-defaults.yml)', (t: TestContext) => {
    const loaded = ruleFiles().flatMap((m) => m.files.map((f) => posix.basename(f)));
    if (!existsSync('dashboards/prometheus/rules/pipewatch-defaults.yml')) {
      t.skip('pipewatch-defaults.yml is generated on branch rules-alerts, not merged here yet');
      return;
    }
    assert.ok(loaded.includes('pipewatch-defaults.yml'));
  });

  it('passes promtool check config, rule files included', (t: TestContext) => {
    if (missingTool('promtool')) {
      t.skip('promtool not installed (Debian package prometheus: bash scripts/setup.sh --test)');
      return;
    }
    // The rule paths are the container's; point a copy at the same files on this machine.
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-promtool-'));
    try {
      const copy = { ...prometheusConfig, rule_files: [] as string[] };
      const matched = ruleFiles();
      copy.rule_files = prometheusConfig.rule_files.map((p) =>
        join(process.cwd(), hostPath('prometheus', posix.dirname(p)), posix.basename(p)),
      );
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, JSON.stringify(copy));
      const result = tool('promtool', ['check', 'config', file]);
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.status, 0, output);
      const count = matched.reduce((n, m) => n + m.files.length, 0);
      assert.match(output, new RegExp(`SUCCESS: ${count} rule files found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Alertmanager in the compose stack', () => {
  const file = hostPath('alertmanager', flag('alertmanager', '--config.file')!);
  const config = readYaml(file) as {
    route: {
      receiver: string;
      group_wait?: string;
      group_interval?: string;
      repeat_interval?: string;
    };
    receivers: {
      name: string;
      webhook_configs?: { url: string; send_resolved?: boolean }[];
      email_configs?: { smarthost: string; require_tls?: boolean; send_resolved?: boolean }[];
    }[];
  };

  it('passes amtool check-config', (t: TestContext) => {
    if (missingTool('amtool')) {
      t.skip('amtool not installed (Debian prometheus-alertmanager: bash scripts/setup.sh --test)');
      return;
    }
    const result = tool('amtool', ['check-config', file]);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it("routes to pipewatch's webhook and to Mailpit with Alertmanager's default timing", () => {
    const receiver = config.receivers.find((r) => r.name === config.route.receiver);
    assert.ok(receiver, 'the root route names a receiver');
    const [webhook] = receiver.webhook_configs ?? [];
    assert.ok(webhook, 'a webhook to pipewatch');
    const url = new URL(webhook.url);
    assert.equal(url.hostname, 'pipewatch');
    assert.equal(Number(url.port), listenPorts('pipewatch').http);
    assert.equal(url.pathname, '/api/v1/alerts/webhook');
    assert.equal(webhook.send_resolved, true);
    const [email] = receiver.email_configs ?? [];
    assert.ok(email, 'email to Mailpit');
    const [host, port] = email.smarthost.split(':');
    assert.equal(host, 'mailpit');
    assert.equal(Number(port), listenPorts('mailpit').smtp);
    assert.equal(email.require_tls, false);
    assert.equal(email.send_resolved, true);
    const { group_wait, group_interval, repeat_interval } = config.route;
    assert.deepEqual([group_wait, group_interval, repeat_interval], ['30s', '5m', '4h']);
  });

  it('posts to a path pipewatch serves', (t: TestContext) => {
    const routes = readdirSync('api/routes').map((f) =>
      readFileSync(join('api/routes', f), 'utf8'),
    );
    const served = routes.some((s) =>
      /\.post(<[\s\S]*?>)?\(\s*'\/api\/v1\/alerts\/webhook'/.test(s),
    );
    if (!served) {
      t.skip('POST /api/v1/alerts/webhook lands with branch rules-alerts, not merged here yet');
      return;
    }
    assert.ok(served);
  });
});

describe('Grafana in the compose stack', () => {
  it('provisions the Prometheus datasource by uid and the three dashboards', () => {
    const datasources = readYaml(
      hostPath('grafana', '/etc/grafana/provisioning/datasources/prometheus.yaml'),
    ).datasources as { uid: string; url: string }[];
    const prometheus = datasources.find((d) => d.uid === 'pipewatch-prometheus');
    assert.ok(prometheus);
    const url = new URL(prometheus.url);
    assert.equal(url.hostname, 'prometheus');
    assert.equal(Number(url.port), listenPorts('prometheus').http);
    const providers = readYaml(
      hostPath('grafana', '/etc/grafana/provisioning/dashboards/pipewatch.yaml'),
    ).providers as { options: { path: string } }[];
    const folder = hostPath('grafana', providers[0]!.options.path);
    const dashboards = readdirSync(folder).filter((f) => f.endsWith('.json'));
    assert.deepEqual(dashboards.sort(), ['dlq-schemas.json', 'drift.json', 'freshness.json']);
    const home = service('grafana').environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    assert.ok(home && existsSync(hostPath('grafana', home)), `home dashboard ${home}`);
  });
});
