import { Rng, base62Codes } from './rng.js';

/**
 * Stripe-looking ids (`in_1Pgc6tB7WZ01zgkWu9fdqL6I`: prefix, then 24 base-62 characters),
 * drawn from a seeded generator so two emulators fed the same requests mint the same ids.
 */
export class IdGen {
  private rng: Rng;
  constructor(seed = 0x5eed) {
    this.rng = new Rng(seed);
  }
  next(prefix: string, length = 24): string {
    const codes: number[] = [];
    for (let i = 0; i < prefix.length; i++) codes.push(prefix.charCodeAt(i));
    codes.push(95 /* _ */, 49 /* 1 */);
    return String.fromCharCode(...base62Codes(this.rng, length - 1, codes));
  }
}
