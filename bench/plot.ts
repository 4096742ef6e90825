/**
 * An SVG plot of the result: one panel per mode and operation, median seconds against N, the product (blue) and the
 * baseline (grey), solid without added latency, dashed with it.
 */
import type { BenchResult } from "./report";

const panel = { width: 300, height: 200, margin: 40 };
const columns = 3;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderPlot(result: BenchResult): string {
  const sizes = [...new Set(result.cells.map((cell) => cell.size))].sort((a, b) => a - b);
  const latencies = [...new Set(result.cells.map((cell) => cell.latencyMs))].sort((a, b) => a - b);
  const modes = [...new Set(result.cells.map((cell) => cell.mode))];
  const panels = modes.flatMap((mode) => result.operations.map((operation) => ({ mode, operation })));
  const rows = Math.ceil(panels.length / columns);
  const width = columns * panel.width;
  const height = rows * panel.height + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="${height - 10}">median seconds against N: product (blue), baseline (grey); dashed: ${escape(latencies.slice(1).join(", ") || "—")} ms added per request</text>`,
  ];
  panels.forEach(({ mode, operation }, index) => {
    const left = (index % columns) * panel.width + panel.margin;
    const top = Math.floor(index / columns) * panel.height + 20;
    const plotWidth = panel.width - panel.margin - 15;
    const plotHeight = panel.height - panel.margin - 20;
    const series = latencies.flatMap((latencyMs) =>
      (["product", "baseline"] as const).map((which) => ({
        which,
        latencyMs,
        points: sizes.flatMap((size) => {
          const cell = result.cells.find((c) => c.mode === mode && c.size === size && c.latencyMs === latencyMs);
          const op = cell?.operations.find((o) => o.operation === operation);
          return op ? [{ size, seconds: op[which].median }] : [];
        }),
      })),
    );
    const most = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.seconds)));
    const x = (size: number) =>
      left + (sizes.length === 1 ? plotWidth / 2 : (sizes.indexOf(size) / (sizes.length - 1)) * plotWidth);
    const y = (seconds: number) => top + plotHeight - (seconds / most) * plotHeight;
    parts.push(
      `<text x="${left}" y="${top - 6}" font-weight="bold">${escape(`${mode}: ${operation}`)}</text>`,
      `<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="black"/>`,
      `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="black"/>`,
      `<text x="${left - 4}" y="${top + 4}" text-anchor="end">${most.toFixed(0)} s</text>`,
      `<text x="${left - 4}" y="${top + plotHeight}" text-anchor="end">0</text>`,
      ...sizes.map((size) => `<text x="${x(size)}" y="${top + plotHeight + 14}" text-anchor="middle">N=${size}</text>`),
    );
    for (const { which, latencyMs, points } of series) {
      const colour = which === "product" ? "#1f5fbf" : "#888888";
      const dash = latencyMs === latencies[0] ? "" : ` stroke-dasharray="5,3"`;
      const path = points.map((p) => `${x(p.size).toFixed(1)},${y(p.seconds).toFixed(1)}`).join(" ");
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      parts.push(
        ...points.map(
          (p) => `<circle cx="${x(p.size).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="2.5" fill="${colour}"/>`,
        ),
      );
    }
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
