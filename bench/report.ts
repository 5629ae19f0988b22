/**
 * One figure per line, `name: value unit (target ...)`, as `npm run bench` prints them.
 * Each bench module exports `run(report)` and measures its peer in the same run.
 */
export type Report = (name: string, value: number, unit: string, target: string) => void;

export const printReport: Report = (name, value, unit, target) => {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  console.log(`${name}: ${shown} ${unit} (target ${target})`);
};

export interface BenchModule {
  run(report: Report): Promise<void>;
}
