import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<T> {
  id: string;
  label: string;
  /** CSS grid track, e.g. `2fr` or `90px`. */
  width: string;
  /** What the cell shows and what text filtering reads. */
  text: (row: T) => string;
  /** Sort key (defaults to `text`). */
  sortValue?: (row: T) => number | string;
  render?: (row: T) => ReactNode;
  /** A class for the cell (colour by status). */
  className?: (row: T) => string | undefined;
}

export interface VirtualTableProps<T> {
  label: string;
  rows: readonly T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  onOpen?: (row: T) => void;
  selectedKey?: string | undefined;
  initialSort?: { column: string; descending?: boolean };
  /** Shown instead of rows when there are none. */
  empty?: ReactNode;
  rowHeight?: number;
}

/**
 * A sortable, keyboard-navigable table that renders only the rows on screen
 * (@tanstack/react-virtual), so 20,000 pods cost as much as 30. Arrow keys, Page Up/Down,
 * Home/End move; Enter opens the row. It is one ARIA grid: a screen reader hears the row count.
 */
export function VirtualTable<T>({ label, rows, columns, rowKey, onOpen, selectedKey, initialSort, empty, rowHeight = 30 }: VirtualTableProps<T>) {
  const [sort, setSort] = useState<{ column: string; descending: boolean }>({ column: initialSort?.column ?? columns[0]!.id, descending: initialSort?.descending ?? false });
  const [active, setActive] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  // Sort keys per row object and column: an update re-keys only the rows it replaced.
  const keyCache = useRef(new Map<string, WeakMap<object, number | string>>());
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.id === sort.column) ?? columns[0]!;
    const value = column.sortValue ?? column.text;
    let cache = keyCache.current.get(column.id);
    if (!cache) keyCache.current.set(column.id, (cache = new WeakMap()));
    const keyOf = (row: T): number | string => {
      if (typeof row !== 'object' || row === null) return sortKey(value(row));
      let key = cache.get(row);
      if (key === undefined) cache.set(row, (key = sortKey(value(row))));
      return key;
    };
    const keyed = rows.map((row) => ({ row, key: keyOf(row) }));
    const direction = sort.descending ? -1 : 1;
    keyed.sort((a, b) => (a.key < b.key ? -direction : a.key > b.key ? direction : 0));
    return keyed.map((k) => k.row);
  }, [rows, columns, sort]);
  useEffect(() => {
    // `now` moves ages and restarts-ago: start from fresh keys when the columns change.
    keyCache.current.clear();
  }, [columns]);
  const virtualizer = useVirtualizer({ count: sorted.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 12 });
  const template = columns.map((c) => c.width).join(' ');

  useEffect(() => {
    if (active >= sorted.length && sorted.length > 0) setActive(sorted.length - 1);
  }, [active, sorted.length]);

  const move = (index: number) => {
    const next = Math.max(0, Math.min(sorted.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 300) / rowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(sorted.length - 1),
      Enter: () => {
        const row = sorted[active];
        if (row && onOpen) onOpen(row);
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };
  const activeRow = sorted[active];

  return (
    <div className="vtable" role="grid" aria-label={label} aria-rowcount={sorted.length + 1} aria-colcount={columns.length}>
      <div className="vtable-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c.id} role="columnheader" aria-sort={sort.column === c.id ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
            <button type="button" className="vtable-sort" onClick={() => setSort((s) => ({ column: c.id, descending: s.column === c.id ? !s.descending : false }))}>
              {c.label}
              {sort.column === c.id ? (sort.descending ? ' ▾' : ' ▴') : ''}
            </button>
          </div>
        ))}
      </div>
      <div
        className="vtable-body"
        ref={scroller}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={activeRow ? `row-${cssId(rowKey(activeRow))}` : undefined}
        data-testid={`table-${label.toLowerCase().replace(/\s+/g, '-')}`}
      >
        {sorted.length === 0 ? (
          <div className="vtable-empty muted">{empty ?? 'Nothing to show.'}</div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = sorted[item.index]!;
              const key = rowKey(row);
              return (
                <div
                  key={key}
                  id={`row-${cssId(key)}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={key === selectedKey}
                  data-key={key}
                  className={`vtable-row${item.index === active ? ' active' : ''}${key === selectedKey ? ' selected' : ''}`}
                  style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: rowHeight }}
                  onClick={() => {
                    setActive(item.index);
                    onOpen?.(row);
                  }}
                >
                  {columns.map((c) => (
                    <div key={c.id} role="gridcell" className={c.className?.(row)} title={c.text(row)}>
                      {c.render ? c.render(row) : c.text(row)}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

/**
 * A key plain `<` orders like a numeric collation: lower case, and digit runs padded so that
 * `pod-9` sorts before `pod-10`. Intl's collator per comparison was most of a 20,000-row sort.
 */
function sortKey(value: number | string): number | string {
  return typeof value === 'number' ? value : value.toLowerCase().replace(/\d+/g, (digits) => digits.padStart(15, '0'));
}

const cssId = (key: string) => key.replace(/[^A-Za-z0-9_-]/g, '_');
