/** Every benchmark, by name. Each returns its figures; bench/run.ts adds peak RSS. */
export type Bench = () => Promise<Record<string, number | string>>;

export const BENCHES: Record<string, Bench> = {};
