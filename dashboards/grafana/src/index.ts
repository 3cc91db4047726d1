import { dlqDashboard } from './dlq.js';
import { driftDashboard } from './drift.js';
import { freshnessDashboard } from './freshness.js';

export { alertThresholds, datasource } from './panels.js';

/** Every generated dashboard, by the file name it is committed under in ../dashboards/. */
export function buildDashboards(): { file: string; json: string }[] {
  return [
    { file: 'freshness.json', builder: freshnessDashboard() },
    { file: 'dlq-schemas.json', builder: dlqDashboard() },
    { file: 'drift.json', builder: driftDashboard() },
  ].map(({ file, builder }) => {
    // `id: null` lets Grafana assign its own id; the fixed uid is what links and provisioning use.
    const json = { ...builder.build(), id: null };
    return { file, json: `${JSON.stringify(json, null, 2)}\n` };
  });
}
