import { useEffect, useMemo, useRef, useState } from 'react';
import { castDuration, CastFormatError, parseCast, parseResize, type Cast } from '../../shared/terminal/asciicast';
import { useCockpit } from '../state/store';
import type { OpenRecording } from './terminalSlice';
import { TerminalScreen } from './terminalScreens';

const SPEEDS = [0.5, 1, 2, 4, 8];

/** The seek slider's step, in seconds. */
const SEEK_STEP = 0.01;

/** Replays a cast into a read-only xterm: writes every event up to `seconds` from the start. */
class Playback {
  private index = 0;
  constructor(
    private readonly screen: TerminalScreen,
    private readonly cast: Cast,
  ) {}

  /** Moves to `seconds`: forward by writing what lies between, backward by replaying from the start. */
  seek(seconds: number): void {
    const { events, header } = this.cast;
    if (seconds < (events[this.index - 1]?.[0] ?? 0)) {
      this.screen.terminal.reset();
      this.screen.terminal.resize(header.width, header.height);
      this.index = 0;
    }
    let output = '';
    while (this.index < events.length && events[this.index]![0] <= seconds) {
      const [, code, data] = events[this.index]!;
      if (code === 'o') output += data;
      if (code === 'r') {
        const size = parseResize(data);
        if (size) {
          if (output) this.screen.terminal.write(output);
          output = '';
          this.screen.terminal.resize(size.cols, size.rows);
        }
      }
      this.index++;
    }
    if (output) this.screen.terminal.write(output);
  }
}

/** The player for a sealed terminal recording: play / pause / speed / seek, and export as .cast. */
export function CastPlayer({ recording }: { recording: OpenRecording }) {
  const closeRecording = useCockpit((s) => s.closeRecording);
  const parsed = useMemo((): Cast | { error: string } => {
    try {
      return parseCast(recording.cast);
    } catch (error) {
      return { error: error instanceof CastFormatError ? error.message : String(error) };
    }
  }, [recording.cast]);
  const host = useRef<HTMLDivElement>(null);
  const playback = useRef<Playback | undefined>(undefined);
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState(1);
  const duration = 'error' in parsed ? 0 : castDuration(parsed);

  useEffect(() => {
    if ('error' in parsed || !host.current) return;
    const screen = new TerminalScreen({ onInput: () => {}, onResize: () => {} }, { readOnly: true, cols: parsed.header.width, rows: parsed.header.height });
    screen.mount(host.current);
    screen.terminal.resize(parsed.header.width, parsed.header.height);
    playback.current = new Playback(screen, parsed);
    setPosition(0);
    setPlaying(true);
    return () => {
      playback.current = undefined;
      screen.dispose();
    };
  }, [parsed]);

  useEffect(() => {
    playback.current?.seek(position);
  }, [position]);

  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const step = ((now - last) / 1000) * speed;
      last = now;
      setPosition((p) => {
        const next = Math.min(duration, p + step);
        if (next >= duration) setPlaying(false);
        return next;
      });
    }, 33);
    return () => clearInterval(timer);
  }, [playing, speed, duration]);

  const exportCast = () => {
    const url = URL.createObjectURL(new Blob([recording.cast], { type: 'application/x-asciicast' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = recording.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <section className="cast-player card" aria-label={`Recording ${recording.name}`}>
      <header className="terminal-toolbar">
        <strong>{recording.name}</strong>
        <span className="small muted">
          from {recording.incidentId} · {'error' in parsed ? '' : `${parsed.events.length} events`}
        </span>
        <button type="button" className="link-button" onClick={exportCast}>
          Export .cast
        </button>
        <button type="button" className="link-button" onClick={closeRecording}>
          Close player
        </button>
      </header>
      {'error' in parsed ? (
        <p className="error-detail" role="alert">
          This recording cannot be replayed: {parsed.error}
        </p>
      ) : (
        <>
          <div ref={host} className="terminal-host player" role="region" aria-label="Recording screen" />
          <div className="player-controls">
            <button
              type="button"
              className="button"
              onClick={() => {
                if (!playing && position >= duration) setPosition(0);
                setPlaying(!playing);
              }}
            >
              {playing ? 'Pause' : 'Play'}
            </button>
            <input
              type="range"
              aria-label="Seek"
              min={0}
              max={Math.max(duration, 0.001)}
              step={SEEK_STEP}
              value={position}
              // The slider snaps to its 0.01 s steps, below the last event when the cast does not
              // end on one: its last step is the end, so the whole session is on the screen.
              onChange={(e) => {
                const value = Number(e.target.value);
                setPosition(value > duration - SEEK_STEP ? duration : value);
              }}
            />
            <span className="small mono" aria-label="Position">
              {position.toFixed(1)} / {duration.toFixed(1)} s
            </span>
            <label className="inline-field small">
              <span className="muted">Speed</span>
              <select aria-label="Speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
                {SPEEDS.map((s) => (
                  <option key={s} value={s}>
                    {s}×
                  </option>
                ))}
              </select>
            </label>
          </div>
        </>
      )}
    </section>
  );
}
