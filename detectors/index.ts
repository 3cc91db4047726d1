export { binCounts, binIndex, quantileSorted, referenceEdges } from './drift/binning.js';
export * from './windows/index.js';
