/**
 * Small deterministic pseudo-random generator for seeding: a Weyl sequence fed
 * through a 32-bit integer mixer. Never Math.random, so a seed always gives the
 * same data.
 */

/** Mixes a 32-bit integer into a well-spread 32-bit unsigned integer. */
export function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Deterministic hash of a few integers, in [0, 1). */
export function hashUnit(...parts: number[]): number {
  let h = 0x2545f491;
  for (const p of parts) h = mix32(h ^ mix32(p + 0x632be5ab));
  return h / 4294967296;
}

export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Fixed-width base-62 digits of a non-negative integer (most significant first, so it sorts). */
export function base62(n: number, width: number): string {
  let out = "";
  let v = Math.max(0, Math.floor(n));
  for (let i = 0; i < width; i++) {
    out = BASE62[v % 62]! + out;
    v = Math.floor(v / 62);
  }
  return out;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(Math.floor(seed) ^ 0x5bd1e995) | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    return mix32(this.state) / 4294967296;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `{ active: 5, canceled: 1 }`. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }

  chars(n: number, alphabet: string = BASE62): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  /** A child generator with its own stream, so adding draws here does not shift it. */
  fork(salt: number): Rng {
    return new Rng(mix32(this.state ^ mix32(salt)));
  }
}
