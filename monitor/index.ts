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
