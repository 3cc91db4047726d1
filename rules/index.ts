export {
  defaultRuleInputs,
  defaultRules,
  dlqRatioThreshold,
  type PipelineSpec,
} from './defaults.js';
export { formatDuration, parseDurationMs } from './duration.js';
export { compare, RuleEngine, type EvaluationResult, type RuleReading } from './engine.js';
export {
  dlqRatioRecord,
  exportPrometheusRules,
  prometheusRuleFileText,
  ruleExpression,
  type PrometheusAlertingRule,
  type PrometheusRecordingRule,
  type PrometheusRuleFile,
} from './export.js';
export { fingerprint } from './fingerprint.js';
export {
  compileMatcher,
  formatMatcher,
  matchesAll,
  parseMatcher,
  type CompiledMatcher,
  type LabelSet,
  type Matcher,
  type MatchOp,
} from './matchers.js';
export {
  parseRule,
  parseRuleFile,
  ruleInputSchema,
  type CompareOp,
  type Rule,
  type RuleInput,
  type RuleKind,
  type Severity,
} from './schema.js';
export {
  stepAlerts,
  type ActiveSample,
  type AlertState,
  type AlertStatus,
  type StepTiming,
  type Transition,
} from './state.js';
export { checkTemplate, formatNumber, renderTemplate, type TemplateData } from './template.js';
