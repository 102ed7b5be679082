/** Benchmark rows: the shape every measure reports, the machine-readable line hook scripts print, and the table. */
import os from 'node:os';

/** One measure beside its bare baseline, measured in the same run. */
export type BenchRow = {
  measure: string;
  cadre: number;
  baseline: number;
  /** e.g. 'req/s', 'ms', 'MB'. */
  unit: string;
  /** Which direction is good (the ratio is always Cadre / baseline). */
  better: 'higher' | 'lower';
  /** What was measured, caveats (e.g. a fallback path). */
  note?: string;
};

const PREFIX = 'BENCH_ROW ';

/** The line a hook script (bench/live.ts, bench/readiness.ts) prints for each of its rows: `console.log(benchRowLine(row))`. */
export function benchRowLine(row: BenchRow | MissingRow): string {
  return PREFIX + JSON.stringify(row);
}

/** Picks the BENCH_ROW lines out of a script's output. */
export function parseBenchRows(output: string): (BenchRow | MissingRow)[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith(PREFIX))
    .map((l) => JSON.parse(l.slice(PREFIX.length)) as BenchRow | MissingRow);
}

const num = (n: number, unit: string) => `${n >= 100 ? Math.round(n).toLocaleString('en-GB') : n.toFixed(n >= 10 ? 1 : 2)} ${unit}`;

/** A row that could not be measured (shown in the table with the reason). */
export type MissingRow = { measure: string; reason: string };

/** The markdown table `| measure | Cadre | baseline | ratio |`. */
export function formatTable(rows: (BenchRow | MissingRow)[]): string {
  const lines = ['| measure | Cadre | baseline | ratio |', '|---|---|---|---|'];
  for (const r of rows) {
    if ('reason' in r) {
      lines.push(`| ${r.measure} | — | — | not measured: ${r.reason} |`);
      continue;
    }
    const ratio = r.baseline > 0 ? r.cadre / r.baseline : NaN;
    const label = `${r.measure} (${r.better} is better)${r.note ? ` — ${r.note}` : ''}`;
    lines.push(`| ${label} | ${num(r.cadre, r.unit)} | ${num(r.baseline, r.unit)} | ${Number.isFinite(ratio) ? `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×` : 'n/a'} |`);
  }
  return lines.join('\n');
}

/** One line about the machine, for RESULTS.md. */
export function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg()[0].toFixed(1);
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}, load average ${load} at the end`;
}
