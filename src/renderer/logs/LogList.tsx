import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type WheelEvent } from 'react';
import type { LogSourceInfo, LogWindowLine } from '../../shared/contract/logs';
import { LogLine } from './LogLine';

const FETCH_CHUNK = 200;
const KEEP = 3000;
const ROW_HEIGHT = 18;
/** A scroll this soon after the user's wheel, key, pointer or touch in the list is theirs. */
const USER_SCROLL_MS = 800;
/** While not following, new lines reach the scrollbar at most this often (each is a re-layout of every position). */
const SCROLLED_COUNT_MS = 500;

/**
 * `count` as the scrolled-back list takes it: at once while following or when it shrinks, at
 * most every `SCROLLED_COUNT_MS` while it grows under a reader who scrolled up.
 */
function useSteadyCount(count: number, follow: boolean): number {
  const [steady, setSteady] = useState(count);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(count);
  latest.current = count;
  useEffect(() => {
    if (follow || count < steady) {
      if (timer.current) clearTimeout(timer.current);
      timer.current = undefined;
      if (count !== steady) setSteady(count);
      return;
    }
    if (count === steady || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      setSteady(latest.current);
    }, SCROLLED_COUNT_MS);
  }, [count, follow, steady]);
  useEffect(() => () => clearTimeout(timer.current), []);
  return follow ? count : Math.min(steady, count);
}

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
 *
 * Following, the list is the newest lines that fit, at the bottom of a block as tall as every
 * line at its estimated height, and the virtualizer is off: its layout of every position (a
 * million entries, rebuilt whenever the count changes) cost the page a quarter of a core during
 * a flood. Scrolled up, the virtualizer places the rows (wrapped and expanded lines measured),
 * and new lines reach it at most twice a second.
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

  const scrolledCount = useSteadyCount(count, follow);
  const virtualizer = useVirtualizer({
    count: scrolledCount,
    enabled: !follow,
    getScrollElement: () => scrollRef.current,
    // Turned on when the user leaves follow: it starts where the list is, not at the top.
    initialOffset: () => scrollRef.current?.scrollTop ?? 0,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  // Following: as many rows as the list is tall, plus one partly hidden at the top.
  const [viewHeight, setViewHeight] = useState(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setViewHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setViewHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const tailRows = Math.min(count, Math.ceil(viewHeight / ROW_HEIGHT) + 1);
  const items = follow ? [] : virtualizer.getVirtualItems();
  const start = follow ? count - tailRows : (items[0]?.index ?? 0);
  const end = follow ? count - 1 : (items[items.length - 1]?.index ?? -1);

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

  // Follow: stick to the newest line; not while the user scrolls (a scrollbar drag, a touch), whose
  // scroll decides whether follow stays.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && follow && performance.now() - userScrolling.current > USER_SCROLL_MS) el.scrollTop = el.scrollHeight;
  });

  // A jump leaves follow; the virtualizer scrolls once it is on again.
  const jumpIndex = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!props.jumpTo) return;
    const index = props.jumpTo.seq - first;
    if (!filtered && index >= 0 && index < count) {
      onFollowChange(false);
      setCurrent(props.jumpTo.seq);
      jumpIndex.current = index;
      setVersion((v) => v + 1);
    }
  }, [props.jumpTo]);
  useEffect(() => {
    if (follow || jumpIndex.current === undefined) return;
    virtualizer.scrollToIndex(jumpIndex.current, { align: 'center' });
    jumpIndex.current = undefined;
  });

  // The user's scroll up leaves follow; back down to the bottom follows again (a list that got
  // shorter under a still scroll is not a scroll down).
  const lastTop = useRef(0);
  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const down = el.scrollTop > lastTop.current;
    lastTop.current = el.scrollTop;
    if (performance.now() - userScrolling.current > USER_SCROLL_MS) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (follow && !atBottom) onFollowChange(false);
    else if (!follow && atBottom && down) onFollowChange(true);
  }, [follow, onFollowChange]);
  const markUser = () => (userScrolling.current = performance.now());
  // Scrolling up by wheel or key leaves follow at once: a flood's next repaint would otherwise
  // pull the list back down before the scroll event said the user left the bottom.
  const onWheel = (event: WheelEvent) => {
    markUser();
    if (follow && event.deltaY < 0) onFollowChange(false);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    markUser();
    if (follow && ['ArrowUp', 'PageUp', 'Home'].includes(event.key)) onFollowChange(false);
  };

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
    for (let index = start; index <= end; index++) {
      const line = lines.current.get(first + index);
      if (line) shown.push(line);
    }
    onVisibleLines(shown);
  });

  const byId = new Map(props.sources.map((s) => [s.id, s]));
  const row = (index: number) => {
    const line = lines.current.get(first + index);
    return line ? (
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
    );
  };
  const followed: number[] = [];
  if (follow) for (let index = start; index <= end; index++) followed.push(index);
  return (
    <div
      ref={scrollRef}
      className={`log-scroll${props.wrap ? ' wrap' : ''}`}
      role="log"
      aria-label="Log lines"
      aria-live="off"
      tabIndex={0}
      onScroll={onScroll}
      onWheel={onWheel}
      onPointerDown={markUser}
      onKeyDown={onKeyDown}
      onTouchMove={markUser}
    >
      {follow ? (
        // As tall as the virtualizer makes the list (every row its estimate): leaving follow keeps the scroll where it is.
        <div className="log-tail" style={{ minHeight: count * ROW_HEIGHT }}>
          {followed.map((index) => (
            // Keyed by slot: a flood replaces every row on each repaint, and new text in a row costs less than a new row.
            <div key={index - start} data-index={index} className="log-row">
              {row(index)}
            </div>
          ))}
        </div>
      ) : (
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {items.map((item) => (
            <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="log-row" style={{ transform: `translateY(${item.start}px)` }}>
              {row(item.index)}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
