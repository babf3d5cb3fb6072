/** Every benchmark, by name. Each returns its figures; bench/run.ts adds peak RSS. */
import { benchSimulate } from './simulate.js';

export type Bench = () => Promise<Record<string, number | string>>;

export const BENCHES: Record<string, Bench> = {
  simulate: benchSimulate,
};
