/** The fault matrix's cells, printed as a table in the test output. */

export interface Cell {
  fault: string;
  kind: string;
  operation: string;
  /** "succeeded", or "failed: <the one line the person sees>". */
  outcome: string;
  /** The next `up` left the stand-in as the state says. */
  converged: boolean;
  duplicates: number;
  orphans: number;
}

export function printCells(title: string, cells: readonly Cell[]): void {
  const rows = cells.map((cell) => [
    cell.fault,
    cell.kind,
    cell.operation,
    cell.outcome.length > 90 ? `${cell.outcome.slice(0, 87)}...` : cell.outcome,
    cell.converged ? "yes" : "NO",
    String(cell.duplicates),
    String(cell.orphans),
  ]);
  const header = ["fault", "resource", "op", "outcome", "converged", "dups", "orphans"];
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((text, column) => text.padEnd(widths[column])).join(" | ")} |`;
  const table = [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...rows.map(line)];
  process.stdout.write(`\n${title}: ${cells.length} cells\n${table.join("\n")}\n`);
}
