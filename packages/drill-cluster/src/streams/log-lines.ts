/**
 * Realistic, deterministic log lines for the simulated apps. Entry `k` of a container instance
 * always reads the same for the same seed and profile, so a history can be re-synthesised on every
 * request; follow mode keeps counting from where the history ended.
 */
import type { DrillPodRef, LogProfile } from '../types';
import { runningPostgres } from '../world/versions';

/** FNV-1a, 32 bits: seeds from names. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** mulberry32: small, fast, good enough for log jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same generator as `seededRandom`, reseeded in place: no allocation per log entry. */
export class ReseedableRandom {
  private state = 0;
  /** Bound once; hand this to the models. */
  readonly next = (): number => {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  seed(seed: number): void {
    this.state = seed >>> 0;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats timestamps, caching the formatted second: at high rates many lines share it. */
class TimestampCache {
  private lastSec = Number.NaN;
  private secText = '';
  private lastMs = Number.NaN;
  private lastIso = '';
  iso(ms: number): string {
    const whole = Math.floor(ms);
    if (whole === this.lastMs) return this.lastIso;
    const sec = Math.floor(whole / 1000);
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.secText = new Date(sec * 1000).toISOString().slice(0, 19);
    }
    this.lastMs = whole;
    this.lastIso = `${this.secText}.${String(whole - sec * 1000).padStart(3, '0')}Z`;
    return this.lastIso;
  }
}

/**
 * `rfc3339Nano` for a stream of stamps: the `YYYY-MM-DDTHH:MM:SS` part is formatted once per
 * second and only the fraction per line, so stamping every line (`timestamps=true`, what the
 * cockpit asks for to resume) costs next to nothing at hundreds of thousands of lines a second.
 */
export class StampFormatter {
  private lastSec = Number.NaN;
  private secText = '';

  /** `wholeMs` (integer ms since the epoch) plus `subMsNanos` (0..999,999), as Go's RFC3339Nano writes it. */
  format(wholeMs: number, subMsNanos = 0): string {
    const sec = Math.floor(wholeMs / 1000);
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.secText = new Date(sec * 1000).toISOString().slice(0, 19);
    }
    const ms = wholeMs - sec * 1000;
    const sub = Math.floor(subMsNanos) % 1_000_000;
    const hi = Math.floor(sub / 1000);
    const lo = sub - hi * 1000;
    // Go trims trailing zeros of the fraction: three digits at a time from tables.
    if (lo !== 0) return `${this.secText}.${DIGITS3[ms]}${DIGITS3[hi]}${TRIMMED3[lo]}Z`;
    if (hi !== 0) return `${this.secText}.${DIGITS3[ms]}${TRIMMED3[hi]}Z`;
    if (ms !== 0) return `${this.secText}.${TRIMMED3[ms]}Z`;
    return `${this.secText}Z`;
  }
}

const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const TRIMMED3 = DIGITS3.map((d) => d.replace(/0+$/, ''));

const sharedStamps = new StampFormatter();

/** `2026-11-27T10:00:00.123456789Z`, trailing zeros trimmed as Go's RFC3339Nano does. */
export function rfc3339Nano(ms: number, subMsNanos = 0): string {
  return sharedStamps.format(Math.floor(ms), subMsNanos);
}

/** One app's line model: entry `k` (one or more lines) at `timeMs`. */
export interface AppLogModel {
  entry(k: number, timeMs: number, rng: () => number, out: string[]): void;
  /** Lines a fresh container instance writes first. */
  startup(timeMs: number, out: string[]): void;
  /** The last lines of an instance that ended with `reason` / `exitCode`. */
  ending(reason: string, exitCode: number, timeMs: number, out: string[]): void;
  /** Crash-looping: the whole life of an instance that fails during start-up. */
  crash(timeMs: number, out: string[]): void;
  /** Finite logs (a Job): total entries; undefined for a long-running server. */
  readonly finiteEntries?: number;
  /** This app's share of the profile's line rate: infrastructure pods log less than the API. */
  readonly rateShare?: number;
}

const API_ROUTES: Array<[string, string, number]> = [
  ['GET', '/api/v1/designs', 30],
  ['GET', '/api/v1/designs/{id}', 25],
  ['POST', '/api/v1/designs', 6],
  ['PUT', '/api/v1/designs/{id}', 8],
  ['POST', '/api/v1/designs/{id}/render', 7],
  ['GET', '/api/v1/designs/{id}/export', 5],
  ['GET', '/api/v1/users/me', 10],
  ['POST', '/api/v1/auth/token', 4],
  ['GET', '/api/v1/health', 5],
];
const ROUTE_TOTAL = API_ROUTES.reduce((sum, r) => sum + r[2], 0);

function pickRoute(u: number): [string, string] {
  let acc = u * ROUTE_TOTAL;
  for (const [method, path, weight] of API_ROUTES) {
    acc -= weight;
    if (acc < 0) return [method, path];
  }
  return ['GET', '/api/v1/designs'];
}

/** Standard normal from two uniforms (Box-Muller). */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A log-normal latency with the profile's p50 and p95. */
export function sampleLatencyMs(latency: LogProfile['latencyMs'], rng: () => number): number {
  const p50 = Math.max(1, latency.p50);
  const p95 = Math.max(p50 + 1, latency.p95);
  const sigma = Math.log(p95 / p50) / 1.6449;
  return Math.max(1, Math.round(p50 * Math.exp(sigma * gaussian(rng))));
}

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return HEX_BYTES[value >>> 24]! + HEX_BYTES[(value >>> 16) & 255]! + HEX_BYTES[(value >>> 8) & 255]! + HEX_BYTES[value & 255]!;
}

/** `digits` (a multiple of 8) random hex digits. */
function hex(rng: () => number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i += 8) out += hex32((rng() * 4294967296) >>> 0);
  return out;
}

function clientIp(rng: () => number): string {
  return `10.244.${1 + Math.floor(rng() * 3)}.${2 + Math.floor(rng() * 250)}`;
}

const LEVEL = { INFO: 'INFO  ', WARN: 'WARN  ', ERROR: 'ERROR ', CRITICAL: 'CRITICAL ' } as const;

function gunicornStartup(ts: string, out: string[]): void {
  out.push(
    `${ts} ${LEVEL.INFO}[gunicorn] Starting gunicorn 21.2.0`,
    `${ts} ${LEVEL.INFO}[gunicorn] Listening at: http://0.0.0.0:8000 (1)`,
    `${ts} ${LEVEL.INFO}[gunicorn] Using worker: gthread`,
    `${ts} ${LEVEL.INFO}[gunicorn] Booting worker with pid: 7`,
    `${ts} ${LEVEL.INFO}[gunicorn] Booting worker with pid: 8`,
    `${ts} ${LEVEL.INFO}[codesign_playground.app] application startup complete (workers=4, db_pool_size=20)`,
  );
}

const CODESIGN_TRACEBACKS: string[][] = [
  [
    'Traceback (most recent call last):',
    '  File "/app/backend/codesign_playground/api/designs.py", line 142, in render_design',
    '    result = renderer.render(design, timeout=settings.RENDER_TIMEOUT)',
    '  File "/app/backend/codesign_playground/services/renderer.py", line 88, in render',
    '    raise RenderTimeoutError(f"render exceeded {timeout}s")',
    'codesign_playground.services.renderer.RenderTimeoutError: render exceeded 30s',
  ],
  [
    'Traceback (most recent call last):',
    '  File "/app/backend/codesign_playground/api/designs.py", line 61, in get_design',
    '    design = repository.get(design_id)',
    '  File "/app/backend/codesign_playground/db/repository.py", line 34, in get',
    '    return self.session.execute(query).scalar_one()',
    'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly',
  ],
];

const POOL_TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/pool/impl.py", line 157, in _do_get',
  '    raise exc.TimeoutError(',
  'sqlalchemy.exc.TimeoutError: QueuePool limit of size 20 overflow 0 reached, connection timed out, timeout 30.00',
];

/** codesign-api: gunicorn request logs plus pool, memory, auth and error lines. */
export function codesignApiModel(profile: LogProfile): AppLogModel {
  const stamps = new TimestampCache();
  const poolSize = Math.max(1, profile.dbPool.size);
  const exhausted = profile.dbPool.exhausted;
  const memoryShare = profile.memoryMiB / Math.max(1, profile.memoryLimitMiB);
  return {
    entry(k, timeMs, rng, out) {
      const ts = stamps.iso(timeMs);
      const u = rng();
      const poolChance = exhausted ? 0.12 : 0.02;
      if (u < poolChance) {
        if (exhausted && rng() < 0.7) {
          if (rng() < 0.5) {
            out.push(
              `${ts} ${LEVEL.ERROR}[sqlalchemy.pool] QueuePool limit of size ${poolSize} overflow 0 reached, connection timed out, timeout 30.00`,
            );
          } else {
            out.push(
              `${ts} ${LEVEL.ERROR}[sqlalchemy.pool] connection to postgres-0.postgres:5432 failed: FATAL: sorry, too many clients already`,
            );
          }
          return;
        }
        const inUse = exhausted
          ? poolSize
          : Math.min(poolSize, Math.max(0, profile.dbPool.inUse + Math.round((rng() - 0.5) * 4)));
        const level = inUse >= poolSize ? LEVEL.WARN : LEVEL.INFO;
        out.push(`${ts} ${level}[sqlalchemy.pool] connection pool: ${inUse}/${poolSize} in use`);
        return;
      }
      const memoryChance = memoryShare > 0.8 ? 0.05 : 0.01;
      if (u < poolChance + memoryChance) {
        const mem = Math.round(profile.memoryMiB + (rng() - 0.5) * 8);
        const limit = profile.memoryLimitMiB;
        if (memoryShare > 0.95) {
          out.push(`${ts} ${LEVEL.CRITICAL}[monitoring] memory usage ${mem} MB exceeds 95% of limit ${limit} MB`);
        } else if (memoryShare > 0.8) {
          out.push(`${ts} ${LEVEL.WARN}[monitoring] memory usage ${mem} MB (${Math.round(memoryShare * 100)}% of limit ${limit} MB)`);
        } else {
          out.push(`${ts} ${LEVEL.INFO}[monitoring] memory usage ${mem} MB`);
        }
        return;
      }
      const [method, template] = pickRoute(rng());
      const path = template.replace('{id}', String(1 + Math.floor(rng() * 5000)));
      const user = `u-${1000 + Math.floor(rng() * 9000)}`;
      const requestId = hex(rng, 16);
      const duration = sampleLatencyMs(profile.latencyMs, rng);
      const r = rng();
      if (r < profile.errorRatio) {
        const s = rng();
        const status = s < 0.7 ? 500 : s < 0.85 ? 502 : 503;
        if (exhausted && rng() < 0.6) {
          out.push(`${ts} ${LEVEL.ERROR}[codesign_playground.api] database unavailable request_id=${requestId}`);
          for (const line of POOL_TRACEBACK) out.push(line);
        } else if (status === 503) {
          out.push(
            `${ts} ${LEVEL.CRITICAL}[codesign_playground.circuit_breaker] circuit breaker 'design-renderer' is OPEN after 5 consecutive failures request_id=${requestId}`,
          );
        } else if (rng() < 0.3) {
          out.push(`${ts} ${LEVEL.ERROR}[codesign_playground.api] Unhandled exception request_id=${requestId}`);
          for (const line of CODESIGN_TRACEBACKS[Math.floor(rng() * CODESIGN_TRACEBACKS.length)]!) out.push(line);
        }
        out.push(
          `${ts} ${LEVEL.ERROR}[gunicorn] ${method} ${path} status=${status} duration=${duration}ms user=${user} request_id=${requestId}`,
        );
        return;
      }
      if (r < profile.errorRatio + profile.authFailureRatio) {
        out.push(
          `${ts} ${LEVEL.WARN}[auth] authentication failed for user ${user} from ${clientIp(rng)}: invalid or expired token`,
          `${ts} ${LEVEL.WARN}[gunicorn] ${method} ${path} status=401 duration=${Math.min(duration, 40)}ms user=${user} request_id=${requestId} error=unauthorized`,
        );
        return;
      }
      const status = rng() < 0.01 ? 404 : method === 'POST' ? 201 : 200;
      out.push(
        `${ts} ${LEVEL.INFO}[gunicorn] ${method} ${path} status=${status} duration=${duration}ms user=${user} request_id=${requestId}`,
      );
    },
    startup(timeMs, out) {
      gunicornStartup(stamps.iso(timeMs), out);
    },
    ending(reason, exitCode, timeMs, out) {
      const ts = stamps.iso(timeMs);
      if (reason === 'OOMKilled') {
        const limit = profile.memoryLimitMiB;
        out.push(
          `${ts} ${LEVEL.WARN}[monitoring] memory usage ${Math.round(limit * 0.93)} MB (93% of limit ${limit} MB)`,
          `${ts} ${LEVEL.CRITICAL}[monitoring] memory usage ${Math.round(limit * 0.99)} MB exceeds 95% of limit ${limit} MB`,
          `${ts} ${LEVEL.CRITICAL}[gunicorn] WORKER TIMEOUT (pid:8)`,
          `${ts} ${LEVEL.ERROR}[gunicorn] Worker (pid:8) was sent SIGKILL! Perhaps out of memory?`,
        );
        return;
      }
      if (exitCode !== 0 && exitCode !== 143 && reason !== 'Completed') {
        this.crash(timeMs, out);
        return;
      }
      out.push(
        `${ts} ${LEVEL.INFO}[gunicorn] Handling signal: term`,
        `${ts} ${LEVEL.INFO}[gunicorn] Worker exiting (pid: 7)`,
        `${ts} ${LEVEL.INFO}[gunicorn] Worker exiting (pid: 8)`,
        `${ts} ${LEVEL.INFO}[gunicorn] Shutting down: Master`,
      );
    },
    crash(timeMs, out) {
      const ts = stamps.iso(timeMs);
      out.push(
        `${ts} ${LEVEL.INFO}[gunicorn] Starting gunicorn 21.2.0`,
        `${ts} ${LEVEL.INFO}[gunicorn] Listening at: http://0.0.0.0:8000 (1)`,
        `${ts} ${LEVEL.INFO}[gunicorn] Booting worker with pid: 7`,
        `${ts} ${LEVEL.ERROR}[gunicorn] Exception in worker process`,
        'Traceback (most recent call last):',
        '  File "/usr/local/lib/python3.11/site-packages/gunicorn/arbiter.py", line 609, in spawn_worker',
        '    worker.init_process()',
        '  File "/app/backend/codesign_playground/app.py", line 23, in <module>',
        '    from codesign_playground.settings import settings',
        '  File "/app/backend/codesign_playground/settings.py", line 57, in <module>',
        '    raise ImproperlyConfigured("DATABASE_URL must use the postgresql+psycopg2 scheme")',
        'codesign_playground.settings.ImproperlyConfigured: DATABASE_URL must use the postgresql+psycopg2 scheme',
        `${ts} ${LEVEL.INFO}[gunicorn] Worker exiting (pid: 7)`,
        `${ts} ${LEVEL.ERROR}[gunicorn] Worker (pid:7) exited with code 3`,
        `${ts} ${LEVEL.ERROR}[gunicorn] Shutting down: Master`,
        `${ts} ${LEVEL.ERROR}[gunicorn] Reason: Worker failed to boot.`,
      );
    },
  };
}

const CELERY_TASKS = [
  'codesign.tasks.render_thumbnail',
  'codesign.tasks.export_design',
  'codesign.tasks.send_notification',
  'codesign.tasks.cleanup_sessions',
];

function uuid(rng: () => number): string {
  const h = hex(rng, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** celery-worker: task received / succeeded / failed lines. */
export function celeryWorkerModel(profile: LogProfile, pod?: DrillPodRef): AppLogModel {
  const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  return {
    entry(k, timeMs, rng, out) {
      const ts = stamp(timeMs);
      const task = CELERY_TASKS[Math.floor(rng() * CELERY_TASKS.length)]!;
      const id = uuid(rng);
      const worker = 1 + Math.floor(rng() * 4);
      if (rng() < 0.5) {
        out.push(`[${ts}: INFO/MainProcess] Task ${task}[${id}] received`);
        return;
      }
      if (profile.dbPool.exhausted && rng() < 0.3) {
        out.push(
          `[${ts}: ERROR/ForkPoolWorker-${worker}] Task ${task}[${id}] raised unexpected: OperationalError('connection to server at "postgres-0.postgres" (10.244.2.9), port 5432 failed: FATAL:  sorry, too many clients already')`,
        );
        return;
      }
      if (rng() < profile.errorRatio) {
        out.push(`[${ts}: ERROR/ForkPoolWorker-${worker}] Task ${task}[${id}] raised unexpected: TimeoutError('render backend did not answer in 30s')`);
        return;
      }
      const seconds = (sampleLatencyMs(profile.latencyMs, rng) * 8) / 1000;
      out.push(`[${ts}: INFO/ForkPoolWorker-${worker}] Task ${task}[${id}] succeeded in ${seconds.toFixed(3)}s: None`);
    },
    startup(timeMs, out) {
      const ts = stamp(timeMs);
      out.push(
        `[${ts}: INFO/MainProcess] Connected to redis://redis-0.redis:6379/0`,
        `[${ts}: INFO/MainProcess] mingle: searching for neighbors`,
        `[${ts}: INFO/MainProcess] mingle: all alone`,
        `[${ts}: INFO/MainProcess] celery@${pod?.name ?? 'celery-worker'} ready.`,
      );
    },
    ending(reason, exitCode, timeMs, out) {
      const ts = stamp(timeMs);
      if (reason === 'OOMKilled') {
        out.push(`[${ts}: ERROR/MainProcess] Process 'ForkPoolWorker-2' pid:31 exited with 'signal 9 (SIGKILL)'`);
        return;
      }
      out.push(`[${ts}: WARNING/MainProcess] worker: Warm shutdown (MainProcess)`);
      if (exitCode !== 0 && exitCode !== 143) this.crash(timeMs, out);
    },
    crash(timeMs, out) {
      const ts = stamp(timeMs);
      out.push(
        `[${ts}: CRITICAL/MainProcess] Unrecoverable error: ImportError("cannot import name 'render_queue' from 'codesign.tasks'")`,
        'Traceback (most recent call last):',
        '  File "/usr/local/lib/python3.11/site-packages/celery/worker/worker.py", line 202, in start',
        '    self.blueprint.start(self)',
        "ImportError: cannot import name 'render_queue' from 'codesign.tasks'",
      );
    },
  };
}

/** postgres: connection, statement-duration, checkpoint and too-many-clients lines. */
export function postgresModel(profile: LogProfile): AppLogModel {
  const stamp = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
  return {
    rateShare: 0.5,
    entry(k, timeMs, rng, out) {
      const ts = stamp(timeMs);
      const pid = 100 + (k % 900);
      const u = rng();
      if (profile.dbPool.exhausted && u < 0.35) {
        out.push(`${ts} [${pid}] FATAL:  sorry, too many clients already`);
        return;
      }
      if (u < 0.3) {
        out.push(`${ts} [${pid}] LOG:  connection received: host=${clientIp(rng)} port=${30000 + Math.floor(rng() * 30000)}`);
        return;
      }
      if (u < 0.55) {
        out.push(`${ts} [${pid}] LOG:  connection authorized: user=codesign database=codesign_db application_name=codesign-api`);
        return;
      }
      if (u < 0.6) {
        out.push(`${ts} [${pid}] LOG:  checkpoint starting: time`);
        return;
      }
      if (u < 0.8) {
        const ms = sampleLatencyMs(profile.latencyMs, rng) * 0.6 + rng();
        out.push(`${ts} [${pid}] LOG:  duration: ${ms.toFixed(3)} ms  statement: SELECT designs.id, designs.title FROM designs WHERE designs.owner_id = ${1 + Math.floor(rng() * 40)}`);
        return;
      }
      out.push(`${ts} [${pid}] LOG:  disconnection: session time: 0:00:0${Math.floor(rng() * 10)}.${String(Math.floor(rng() * 1000)).padStart(3, '0')} user=codesign database=codesign_db host=${clientIp(rng)}`);
    },
    startup(timeMs, out) {
      const ts = stamp(timeMs);
      out.push(
        `${ts} [1] LOG:  starting PostgreSQL ${runningPostgres().serverVersion} on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit`,
        `${ts} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432`,
        `${ts} [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"`,
        `${ts} [1] LOG:  database system is ready to accept connections`,
      );
    },
    ending(reason, _exitCode, timeMs, out) {
      const ts = stamp(timeMs);
      if (reason === 'OOMKilled') {
        out.push(`${ts} [1] LOG:  server process (PID 412) was terminated by signal 9: Killed`);
        return;
      }
      out.push(`${ts} [1] LOG:  received fast shutdown request`, `${ts} [1] LOG:  database system is shut down`);
    },
    crash(timeMs, out) {
      out.push(`${stamp(timeMs)} [1] FATAL:  data directory "/var/lib/postgresql/data/pgdata" has invalid permissions`);
    },
  };
}

/** redis: the server's own log format. */
export function redisModel(): AppLogModel {
  const stamp = (ms: number) => {
    const d = new Date(ms);
    const hh = String(d.getUTCHours()).padStart(2, '0');
    const mm = String(d.getUTCMinutes()).padStart(2, '0');
    const ss = String(d.getUTCSeconds()).padStart(2, '0');
    const mss = String(d.getUTCMilliseconds()).padStart(3, '0');
    return `${String(d.getUTCDate()).padStart(2, '0')} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${hh}:${mm}:${ss}.${mss}`;
  };
  return {
    rateShare: 0.1,
    entry(k, timeMs, rng, out) {
      const ts = stamp(timeMs);
      switch (k % 4) {
        case 0:
          out.push(`1:M ${ts} * ${10 + Math.floor(rng() * 90)} changes in 300 seconds. Saving...`);
          break;
        case 1:
          out.push(`1:M ${ts} * Background saving started by pid ${20 + Math.floor(rng() * 900)}`);
          break;
        case 2:
          out.push(`${20 + Math.floor(rng() * 900)}:C ${ts} * DB saved on disk`);
          break;
        default:
          out.push(`1:M ${ts} * Background saving terminated with success`);
      }
    },
    startup(timeMs, out) {
      const ts = stamp(timeMs);
      out.push(
        `1:C ${ts} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
        `1:C ${ts} # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1, just started`,
        `1:M ${ts} * Running mode=standalone, port=6379.`,
        `1:M ${ts} # Server initialized`,
        `1:M ${ts} * Ready to accept connections`,
      );
    },
    ending(_reason, _exitCode, timeMs, out) {
      const ts = stamp(timeMs);
      out.push(`1:signal-handler (${Math.floor(timeMs / 1000)}) Received SIGTERM scheduling shutdown...`, `1:M ${ts} # Redis is now ready to exit, bye bye...`);
    },
    crash(timeMs, out) {
      out.push(`1:M ${stamp(timeMs)} # Fatal error loading the DB: Permission denied. Exiting.`);
    },
  };
}

/** The backup Job: a finite pg_dump run ending "backup completed ... uploaded". */
export function backupJobModel(pod: DrillPodRef): AppLogModel {
  const day = new Date(pod.startedAt).toISOString().slice(0, 10).replace(/-/g, '');
  const file = `codesign_db_${day}.sql.gz`;
  const steps = [
    '[backup] starting daily backup of codesign_db from postgres-0.postgres.codesign-production.svc.cluster.local:5432',
    '[backup] pg_dump: last built-in OID is 16383',
    '[backup] pg_dump: reading schemas',
    '[backup] pg_dump: reading user-defined tables',
    '[backup] pg_dump: dumping contents of table "public.users"',
    '[backup] pg_dump: dumping contents of table "public.designs"',
    '[backup] pg_dump: dumping contents of table "public.audit_logs"',
    '[backup] dump finished: 412.7 MB in 218s',
    '[backup] compressing with gzip -6',
    `[backup] uploading ${file} (98.2 MB) to s3://codesign-backups/daily/`,
    `[backup] backup completed: ${file} uploaded to s3://codesign-backups/daily/${file} (98.2 MB)`,
  ];
  return {
    finiteEntries: steps.length,
    entry(k, timeMs, _rng, out) {
      out.push(`${new Date(timeMs).toISOString().slice(0, 19)}Z ${steps[Math.min(k, steps.length - 1)]}`);
    },
    startup() {},
    ending() {},
    crash(timeMs, out) {
      out.push(`${new Date(timeMs).toISOString().slice(0, 19)}Z [backup] pg_dump: error: connection to server failed: FATAL:  sorry, too many clients already`);
    },
  };
}

const KLOG_MESSAGES = [
  'controller.go:118] "Reconciling" resource="%s"',
  'reflector.go:368] "Caches populated" type="*v1.Pod" reflector="k8s.io/client-go/informers/factory.go:160"',
  'leaderelection.go:281] "successfully renewed lease" lease="%s/%s-leader"',
  'server.go:145] "Request handled" path="/healthz" status=200',
];

/** Cluster add-ons (coredns, metrics-server, prometheus, cert-manager): klog-style lines. */
export function addOnModel(pod: DrillPodRef): AppLogModel {
  const klog = (ms: number, severity: string) => {
    const d = new Date(ms);
    const two = (n: number) => String(n).padStart(2, '0');
    const micros = String(d.getUTCMilliseconds() * 1000).padStart(6, '0');
    return `${severity}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${micros}       1`;
  };
  return {
    rateShare: 0.05,
    entry(k, timeMs, rng, out) {
      const template = KLOG_MESSAGES[Math.floor(rng() * KLOG_MESSAGES.length)]!;
      out.push(`${klog(timeMs, 'I')} ${template.replace('%s', pod.app).replace('%s', pod.namespace).replace('%s', pod.app)}`);
    },
    startup(timeMs, out) {
      out.push(`${klog(timeMs, 'I')} main.go:52] "Starting ${pod.app}" version="v1.0.0"`);
    },
    ending(_reason, _exitCode, timeMs, out) {
      out.push(`${klog(timeMs, 'I')} main.go:88] "Shutting down ${pod.app}"`);
    },
    crash(timeMs, out) {
      out.push(`${klog(timeMs, 'E')} main.go:60] "Failed to start ${pod.app}" err="invalid configuration"`);
    },
  };
}

/** The model for a pod's app (`app` label). */
export function logModelFor(pod: DrillPodRef, profile: LogProfile): AppLogModel {
  switch (pod.app) {
    case 'codesign-api':
      return codesignApiModel(profile);
    case 'celery-worker':
      return celeryWorkerModel(profile, pod);
    case 'postgres':
      return postgresModel(profile);
    case 'redis':
      return redisModel();
    case 'backup':
    case 'backup-job':
      return backupJobModel(pod);
    default:
      return pod.namespace === 'codesign-production' ? codesignApiModel(profile) : addOnModel(pod);
  }
}
