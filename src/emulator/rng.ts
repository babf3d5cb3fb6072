/**
 * A small seeded PRNG (mulberry32) so the emulator's ids, fault injection and the merchant
 * generator are reproducible: the same seed always yields the same sequence.
 */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Picks a key by weight, e.g. `{ visa: 55, mastercard: 35, amex: 10 }`. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1][0];
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODES = Array.from(BASE62, (c) => c.charCodeAt(0));
const CHUNK = 62 ** 4; // four base-62 digits per draw (62^4 < 2^32)

/** Appends `n` base-62 character codes drawn from `rng` to `out`. */
export function base62Codes(rng: Rng, n: number, out: number[]): number[] {
  const end = out.length + n;
  while (out.length < end) {
    let v = Math.floor(rng.next() * CHUNK);
    for (let i = 0; i < 4 && out.length < end; i++) {
      out.push(CODES[v % 62]);
      v = Math.floor(v / 62);
    }
  }
  return out;
}

/**
 * `n` base-62 characters drawn from `rng`. Built from char codes in one go: appending
 * character by character would leave a chain of V8 cons-strings (~700 bytes per id).
 */
export function base62(rng: Rng, n: number): string {
  return String.fromCharCode(...base62Codes(rng, n, []));
}

/** A flat copy of a string built by concatenation (cheaper to keep around by the million). */
export function flat(s: string): string {
  const codes = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) codes[i] = s.charCodeAt(i);
  return String.fromCharCode(...codes);
}
