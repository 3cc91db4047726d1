export {
  ReadingsBoard,
  type BoardListener,
  type Labels,
  type MetricDescriptor,
  type MetricType,
  type Reading,
  type ReadingsFilter,
} from './board.js';
export { renderBoard } from './prometheus-text.js';
export { AlertsRuntime, type AlertsRuntimeOptions, type RuleSource } from './alerts-runtime.js';
export { loadRuleFile, loadRuleFiles } from './rules-files.js';
