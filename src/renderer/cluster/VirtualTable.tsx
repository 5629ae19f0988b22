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
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.id === sort.column) ?? columns[0]!;
    const value = column.sortValue ?? column.text;
    const keyed = rows.map((row) => ({ row, value: value(row) }));
    keyed.sort((a, b) => {
      const order = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : String(a.value).localeCompare(String(b.value), undefined, { numeric: true });
      return sort.descending ? -order : order;
    });
    return keyed.map((k) => k.row);
  }, [rows, columns, sort]);
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

const cssId = (key: string) => key.replace(/[^A-Za-z0-9_-]/g, '_');
