import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LogSourceInfo, LogWindowLine } from '../../shared/contract/logs';
import { LogLine } from './LogLine';

const FETCH_CHUNK = 200;
const KEEP = 3000;

export interface LogListProps {
  /** First position and how many: seqs, or match ordinals when `filtered`. */
  first: number;
  count: number;
  filtered: boolean;
  /** Changes when positions change meaning (a new filter, another view): fetched lines are dropped. */
  generation: string;
  fetchWindow(from: number, count: number, filtered: boolean): Promise<{ lines: LogWindowLine[]; from: number } | undefined>;
  /** While following: main pushes the newest lines with its counts (`logs:follow`). */
  followTail(lines: number, filtered: boolean): void;
  onTail(listener: (tail: { from: number; filtered: boolean; lines: LogWindowLine[] }) => void): () => void;
  sources: LogSourceInfo[];
  showPrefix: boolean;
  timestamps: boolean;
  wrap: boolean;
  follow: boolean;
  onFollowChange(follow: boolean): void;
  /** A seq to scroll to (next / previous match). */
  jumpTo?: { seq: number; nonce: number } | undefined;
  /** Lines on screen, newest last (copy uses them). */
  onVisibleLines?(lines: LogWindowLine[]): void;
}

/**
 * The virtualised lines. Only the window on screen (plus a margin) is fetched from main and kept
 * here, in a ref, never in the store; following sticks to the bottom until the user scrolls up.
 */
export function LogList(props: LogListProps) {
  const { first, count, filtered, generation, fetchWindow, follow, onFollowChange } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const lines = useRef(new Map<number, LogWindowLine>());
  const pending = useRef(new Set<number>());
  const userScrolling = useRef(0);
  const [, setVersion] = useState(0);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [current, setCurrent] = useState<number | undefined>();

  useEffect(() => {
    lines.current = new Map();
    pending.current = new Set();
    setVersion((v) => v + 1);
  }, [generation]);

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 18,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const start = items[0]?.index ?? 0;
  const end = items[items.length - 1]?.index ?? -1;

  const keep = (result: { lines: LogWindowLine[]; from: number }, around: number) => {
    result.lines.forEach((line, i) => lines.current.set(result.from + i, line));
    // Keep a bounded window: forget lines far from the screen.
    if (lines.current.size > KEEP) {
      for (const key of lines.current.keys()) if (Math.abs(key - around) > KEEP / 2) lines.current.delete(key);
    }
    setVersion((v) => v + 1);
  };

  // Following: main pushes the newest lines with every report (no round trip per repaint);
  // asked for as many as the screen shows, in steps of 50 so a resize does not ask every frame.
  const { followTail, onTail } = props;
  const shownRows = Math.ceil((end - start + 1) / 50) * 50;
  useEffect(() => {
    followTail(follow ? Math.min(500, Math.max(50, shownRows)) : 0, filtered);
  }, [follow, filtered, generation, shownRows, followTail]);
  useEffect(() => () => followTail(0, false), [followTail]);
  const filteredRef = useRef(filtered);
  filteredRef.current = filtered;
  useEffect(
    () =>
      onTail((pushed) => {
        if (pushed.filtered !== filteredRef.current || !pushed.lines.length) return;
        keep(pushed, pushed.from);
      }),
    [onTail],
  );

  // Lines on screen that neither a push nor a fetch brought yet (a new filter, the first paint)
  // are asked for in one request, again as soon as it answers when more came meanwhile.
  const latest = useRef({ from: 0, count: 0, filtered, generation });
  latest.current = { from: first + start, count: end - start + 1, filtered, generation };
  const tail = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });
  const fetchTail = useCallback(() => {
    if (tail.current.busy) {
      tail.current.again = true;
      return;
    }
    const ask = latest.current;
    if (ask.count <= 0) return;
    tail.current.busy = true;
    void fetchWindow(ask.from, Math.min(2000, ask.count), ask.filtered).then((result) => {
      tail.current.busy = false;
      if (result && ask.generation === latest.current.generation) keep(result, ask.from);
      if (tail.current.again) {
        tail.current.again = false;
        fetchTail();
      }
    });
  }, [fetchWindow]);
  useEffect(() => {
    if (!follow || end < start) return;
    for (let p = first + start; p <= first + end; p++) {
      if (!lines.current.has(p)) {
        fetchTail();
        return;
      }
    }
  }, [follow, first, count, start, end, filtered, generation, fetchTail]);

  // Not following: fetch what is on screen and not here yet, in chunks.
  useEffect(() => {
    if (end < start || follow) return;
    const from = first + start;
    const to = first + end;
    for (let chunk = Math.floor(from / FETCH_CHUNK) * FETCH_CHUNK; chunk <= to; chunk += FETCH_CHUNK) {
      const missing = () => {
        for (let p = Math.max(chunk, from); p <= Math.min(chunk + FETCH_CHUNK - 1, to); p++) if (!lines.current.has(p)) return true;
        return false;
      };
      if (!missing() || pending.current.has(chunk)) continue;
      pending.current.add(chunk);
      const gen = generation;
      void fetchWindow(chunk, FETCH_CHUNK, filtered).then((result) => {
        pending.current.delete(chunk);
        if (!result || gen !== generation) return;
        keep(result, from);
      });
    }
  }, [first, start, end, filtered, generation, fetchWindow, count, follow]);

  // Follow: stick to the newest line.
  useLayoutEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [follow, count, virtualizer]);

  useEffect(() => {
    if (!props.jumpTo) return;
    const index = props.jumpTo.seq - first;
    if (!filtered && index >= 0 && index < count) {
      onFollowChange(false);
      setCurrent(props.jumpTo.seq);
      virtualizer.scrollToIndex(index, { align: 'center' });
    }
  }, [props.jumpTo]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el || performance.now() - userScrolling.current > 800) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) onFollowChange(atBottom);
  }, [follow, onFollowChange]);
  const markUser = () => (userScrolling.current = performance.now());

  const toggleJson = useCallback((seq: number) => {
    setExpanded((before) => {
      const next = new Set(before);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });
  }, []);

  const { onVisibleLines } = props;
  useEffect(() => {
    if (!onVisibleLines) return;
    const shown: LogWindowLine[] = [];
    for (const item of items) {
      const line = lines.current.get(first + item.index);
      if (line) shown.push(line);
    }
    onVisibleLines(shown);
  });

  const byId = new Map(props.sources.map((s) => [s.id, s]));
  return (
    <div
      ref={scrollRef}
      className={`log-scroll${props.wrap ? ' wrap' : ''}`}
      role="log"
      aria-label="Log lines"
      aria-live="off"
      tabIndex={0}
      onScroll={onScroll}
      onWheel={markUser}
      onPointerDown={markUser}
      onKeyDown={markUser}
      onTouchMove={markUser}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {items.map((item) => {
          const line = lines.current.get(first + item.index);
          return (
            <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="log-row" style={{ transform: `translateY(${item.start}px)` }}>
              {line ? (
                <LogLine
                  line={line}
                  source={byId.get(line.source)}
                  showPrefix={props.showPrefix}
                  timestamps={props.timestamps}
                  expanded={expanded.has(line.seq)}
                  current={current === line.seq}
                  onToggleJson={toggleJson}
                />
              ) : (
                <span className="log-text muted">…</span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
