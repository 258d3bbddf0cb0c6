/** Small DOM helpers: find an element by data-testid, or fail loudly. */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.querySelector<T>(`[data-testid="${id}"]`);
  if (el === null) throw new Error(`missing element [data-testid="${id}"]`);
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id) as T | null;
  if (el === null) throw new Error(`missing element #${id}`);
  return el;
}

/** Replaces a table's rows; every cell is text, never HTML. */
export function fillTable(table: HTMLTableElement, head: string[], rows: string[][]): void {
  table.replaceChildren();
  const tr = table.insertRow();
  for (const h of head) {
    const th = document.createElement("th");
    th.textContent = h;
    tr.appendChild(th);
  }
  for (const row of rows) {
    const r = table.insertRow();
    for (const cell of row) r.insertCell().textContent = cell;
  }
}

/** Appends a text line to a list, keeping at most `max` lines. */
export function appendLine(list: HTMLElement, text: string, max: number): HTMLLIElement {
  const li = document.createElement("li");
  li.textContent = text;
  list.appendChild(li);
  while (list.children.length > max) list.firstElementChild?.remove();
  return li;
}
