/**
 * Fast "number of edges <= x" for ascending edges: an equal-width grid over [first, last edge]
 * remembers how many edges lie below each cell border, so a lookup is one multiply and a search
 * over the few edges inside one cell (usually none) instead of log2(edges) unpredictable
 * branches. The answer is checked against its two neighbouring edges; a value the grid misplaced
 * (rounding at a cell border) falls back to a full binary search, so results equal `binIndex`.
 */
/** 32 KiB of grid at most: past ~500 edges a cell may hold a few edges (a short search). */
const maxCells = 8192;

export class BinLocator {
  private readonly edges: Float64Array;
  private readonly first: number;
  private readonly last: number;
  private readonly cellsPerUnit: number;
  private readonly cellCount: number;
  /** below[g] = number of edges < the start of cell g (g = 0..cellCount); one spare = count. */
  private readonly below: Uint32Array;

  /** `cellsPerEdge` trades memory (4 bytes per cell) for fewer comparisons; default 16. */
  constructor(edges: Float64Array, cellsPerEdge = 16) {
    this.edges = edges;
    const count = edges.length;
    this.first = count > 0 ? edges[0]! : 0;
    this.last = count > 0 ? edges[count - 1]! : 0;
    const span = this.last - this.first;
    this.cellCount =
      span > 0 && Number.isFinite(span) ? Math.min(cellsPerEdge * (count + 1), maxCells) : 0;
    this.cellsPerUnit = this.cellCount > 0 ? this.cellCount / span : 0;
    // The spare entry catches g = cellCount when rounding puts x just below `last` there.
    this.below = new Uint32Array(this.cellCount + 2).fill(count);
    let below = 0;
    for (let g = 0; g <= this.cellCount; g++) {
      const start = this.first + g / this.cellsPerUnit;
      while (below < count && edges[below]! < start) below++;
      this.below[g] = below;
    }
  }

  get byteSize(): number {
    return this.below.byteLength;
  }

  /** Number of edges <= x (x not NaN). */
  locate(x: number): number {
    const edges = this.edges;
    const count = edges.length;
    if (x < this.first) return 0;
    if (x >= this.last) return count;
    const g = ((x - this.first) * this.cellsPerUnit) | 0;
    let lo = this.below[g]!;
    let hi = this.below[g + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    if ((lo === 0 || edges[lo - 1]! <= x) && (lo === count || edges[lo]! > x)) return lo;
    return this.search(x);
  }

  private search(x: number): number {
    const edges = this.edges;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
