export { binCounts, binIndex, quantileSorted, referenceEdges } from './drift/binning.js';
