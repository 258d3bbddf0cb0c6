/** A small dependency-free SVG line chart: server CPU per player-second against players, one line per server. */

interface Point {
  kind: string;
  players: number;
  cpuUsPerPlayerSecond: number;
}

const COLORS: Record<string, string> = { arena: "#1f77b4", floor: "#2ca02c", naive: "#d62728", socketio: "#9467bd" };

export function chartSvg(rows: readonly Point[]): string {
  const W = 640;
  const H = 360;
  const m = { l: 60, r: 110, t: 30, b: 45 };
  const maxX = Math.max(1, ...rows.map((r) => r.players));
  const maxY = Math.max(1, ...rows.map((r) => r.cpuUsPerPlayerSecond)) * 1.1;
  const x = (v: number): number => m.l + (v / maxX) * (W - m.l - m.r);
  const y = (v: number): number => H - m.b - (v / maxY) * (H - m.t - m.b);
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const lines = kinds.map((k, i) => {
    const pts = rows.filter((r) => r.kind === k).sort((a, b) => a.players - b.players);
    const color = COLORS[k] ?? "#555";
    const path = pts.map((p, j) => `${j === 0 ? "M" : "L"}${x(p.players).toFixed(1)},${y(p.cpuUsPerPlayerSecond).toFixed(1)}`).join(" ");
    const dots = pts.map((p) => `<circle cx="${x(p.players).toFixed(1)}" cy="${y(p.cpuUsPerPlayerSecond).toFixed(1)}" r="3" fill="${color}"/>`).join("");
    return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}<text x="${W - m.r + 12}" y="${m.t + 16 + i * 18}" fill="${color}" font-size="13">${k}</text>`;
  }).join("\n");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => {
    const vy = maxY * t;
    const vx = maxX * t;
    return `<line x1="${m.l}" x2="${W - m.r}" y1="${y(vy)}" y2="${y(vy)}" stroke="#eee"/><text x="${m.l - 6}" y="${y(vy) + 4}" font-size="11" text-anchor="end">${vy.toFixed(0)}</text>`
      + `<text x="${x(vx)}" y="${H - m.b + 16}" font-size="11" text-anchor="middle">${vx.toFixed(0)}</text>`;
  }).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" font-size="14" text-anchor="middle">Server CPU per player-second (µs) against players</text>
${ticks}
<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>
<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" font-size="12" text-anchor="middle">players connected</text>
${lines}
</svg>
`;
}
