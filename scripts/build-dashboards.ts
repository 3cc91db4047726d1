// Writes the generated Grafana dashboards to dashboards/grafana/dashboards/ (committed; a test
// fails when they are stale). Usage: node --import tsx scripts/build-dashboards.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboards } from '../dashboards/grafana/src/index.js';

const folder = join(import.meta.dirname, '..', 'dashboards', 'grafana', 'dashboards');
mkdirSync(folder, { recursive: true });
for (const { file, json } of buildDashboards()) {
  writeFileSync(join(folder, file), json);
  console.log(`wrote ${join('dashboards/grafana/dashboards', file)}`);
}
