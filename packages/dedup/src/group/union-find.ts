/** Disjoint sets over 0..count-1 with union by size and path halving (near-constant time per operation). */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(count: number) {
    this.parent = new Int32Array(count);
    for (let item = 0; item < count; item += 1) this.parent[item] = item;
    this.size = new Int32Array(count).fill(1);
  }

  find(item: number): number {
    let current = item;
    while (this.parent[current] !== current) {
      const grandparent = this.parent[this.parent[current]!]!;
      this.parent[current] = grandparent;
      current = grandparent;
    }
    return current;
  }

  /** Joins the sets of `first` and `second`; returns false when they were already one set. */
  union(first: number, second: number): boolean {
    let left = this.find(first);
    let right = this.find(second);
    if (left === right) return false;
    if (this.size[left]! < this.size[right]!) [left, right] = [right, left];
    this.parent[right] = left;
    this.size[left] = this.size[left]! + this.size[right]!;
    return true;
  }

  setSize(item: number): number {
    return this.size[this.find(item)]!;
  }
}
