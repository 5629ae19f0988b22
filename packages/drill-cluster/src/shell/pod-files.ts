/**
 * The files of a drill container: what the image ships (/etc, the app's code, the database's
 * data directory), what the kubelet mounts (ConfigMap volumes, the service account's namespace),
 * and what the process writes (its log under /var/log, whose lines are the ones `kubectl logs`
 * shows, following the scenario; cgroup and /proc figures from the pod's profile).
 */
import { gzipSync } from 'node:zlib';
import type { DrillPodRef } from '../types';
import { ContainerLog } from '../streams/pod-logs';
import { postgresMajor, postgresVersion } from '../world/versions';
import { VirtualFileSystem, type FileFollower } from './virtual-fs';

const MiB = 1024 * 1024;
/** History lines a log file holds when read (the file is rotated at about this size). */
const LOG_FILE_LINES = 2000;
/** Most lines a followed log adds per tick, however fast the app logs. */
const FOLLOW_LINES_PER_TICK = 200;
const FOLLOW_TICK_MS = 250;

export interface PodFilesSource {
  /** The pod as it is now (its profile follows the scenarios). */
  current(): DrillPodRef;
  containerName: string;
  now(): number;
  /** The log seed of the stream handler, so the file holds the lines `kubectl logs` shows. */
  logSeed: number;
  podIp: string;
  /** Names of the executables on PATH (listed in /usr/bin). */
  commandNames: string[];
}

/** Where the main process of each app writes its log. */
export function logFilePath(app: string, container: string): string {
  switch (app) {
    case 'codesign-api':
      return '/var/log/app/app.log';
    case 'celery-worker':
      return '/var/log/app/celery.log';
    case 'postgres':
      return `/var/log/postgresql/postgresql-${postgresMajor()}-main.log`;
    case 'redis':
      return '/var/log/redis/redis-server.log';
    default:
      return `/var/log/${container}.log`;
  }
}

/** Rewrites (or drops, answering undefined) an app log line for a file derived from the log. */
type LineTransform = (line: string) => string | undefined;

function logText(source: PodFilesSource, transform?: LineTransform): string {
  const pod = source.current();
  const log = new ContainerLog(pod, source.containerName, pod.logProfile(), source.logSeed);
  const { lines } = log.history(source.now(), transform ? LOG_FILE_LINES * 4 : LOG_FILE_LINES, undefined);
  let text = '';
  for (const line of lines) {
    const kept = transform ? transform(line.text) : line.text;
    if (kept !== undefined) text += `${kept}\n`;
  }
  return text;
}

const AUTH_FAILURE = /^(\S+) .*\[auth\] authentication failed for user (\S+) from ([^:]+): (.*)$/;

/** /var/log/security/auth.log: the app's authentication failures as its security log writes them (`grep FAIL`). */
const authLogLine: LineTransform = (line) => {
  const match = AUTH_FAILURE.exec(line);
  return match ? `${match[1]} codesign-api auth[1]: FAIL login user=${match[2]} rhost=${match[3]} reason="${match[4]}"` : undefined;
};

function logFollower(source: PodFilesSource, transform?: LineTransform): FileFollower {
  return async (emit, signal) => {
    const pod = source.current();
    const log = new ContainerLog(pod, source.containerName, pod.logProfile(), source.logSeed);
    let next = log.entriesBy(source.now());
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        log.refresh(source.current().logProfile());
        const due = log.entriesBy(source.now());
        if (due - next > FOLLOW_LINES_PER_TICK) next = due - FOLLOW_LINES_PER_TICK;
        let text = '';
        for (; next < due; next++) {
          const entry = log.entryText(next, false);
          if (!transform) text += entry;
          else {
            for (const line of entry.split('\n')) {
              const kept = line ? transform(line) : undefined;
              if (kept !== undefined) text += `${kept}\n`;
            }
          }
        }
        if (text) emit(text);
      }, FOLLOW_TICK_MS);
      signal.addEventListener('abort', () => {
        clearInterval(timer);
        resolve();
      }, { once: true });
    });
  };
}

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n';

const APP_SOURCES: Record<string, string> = {
  '/app/backend/codesign_playground/__init__.py': '__version__ = "2.0"\n',
  '/app/backend/codesign_playground/wsgi.py': 'from .server import create_app\n\napp = create_app()\n',
  '/app/backend/codesign_playground/utils/__init__.py': '',
  '/app/backend/codesign_playground/utils/monitoring.py': 'def get_health_status():\n    """Health of the app and its dependencies, as /health reports it."""\n    ...\n',
  '/app/backend/codesign_playground/utils/circuit_breaker.py': 'def reset_all_circuit_breakers():\n    """Closes every circuit breaker."""\n    ...\n',
  '/app/backend/codesign_playground/utils/compliance.py': 'def get_compliance_manager():\n    """The process-wide compliance manager (audit log, data subject requests)."""\n    ...\n',
  '/app/requirements.txt': 'gunicorn==21.2.0\nflask==3.0.3\nSQLAlchemy==2.0.31\npsycopg2-binary==2.9.9\nredis==5.0.7\ncelery==5.4.0\npsutil==6.0.0\nprometheus-client==0.20.0\n',
};

/** Builds a fresh container filesystem: what a new container of this pod starts with. */
export function buildPodFileSystem(source: PodFilesSource): VirtualFileSystem {
  const pod = source.current();
  const started = pod.startedAt;
  const fs = new VirtualFileSystem(source.now);
  const container = pod.containers.find((c) => c.name === source.containerName) ?? pod.containers[0];
  for (const dir of ['/bin', '/dev', '/etc', '/home', '/root', '/tmp', '/usr/bin', '/usr/local/bin', '/var/log', '/var/tmp', '/run', '/proc', '/sys/fs/cgroup']) fs.mkdirp(dir, started - 86_400_000 * 30);
  for (const name of source.commandNames) fs.addFile(`/usr/bin/${name}`, '\x7fELF', 0o755, started - 86_400_000 * 30);
  fs.addFile('/etc/hostname', `${pod.name}\n`, 0o644, started);
  fs.addFile('/etc/hosts', `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${source.podIp}\t${pod.name}\n`, 0o644, started);
  fs.addFile('/etc/resolv.conf', `search ${pod.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`, 0o644, started);
  fs.addFile('/etc/os-release', OS_RELEASE, 0o644, started - 86_400_000 * 30);
  fs.addFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/app:/bin/sh\npostgres:x:999:999::/var/lib/postgresql:/bin/bash\nredis:x:998:998::/data:/bin/sh\n', 0o644, started - 86_400_000 * 30);
  fs.addFile('/run/secrets/kubernetes.io/serviceaccount/namespace', pod.namespace, 0o644, started, true);

  const profile = () => source.current().logProfile();
  fs.addGenerated('/proc/meminfo', () => {
    const total = 16_222_208;
    const used = Math.round(profile().memoryMiB * 1024) + 2_150_000;
    return `MemTotal:       ${total} kB\nMemFree:        ${total - used - 3_900_000} kB\nMemAvailable:   ${total - used} kB\nBuffers:          182344 kB\nCached:          3717656 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n`;
  }, { readOnly: true });
  fs.addGenerated('/proc/loadavg', () => {
    const load = (profile().latencyMs.p95 / 1000 + 0.35).toFixed(2);
    return `${load} ${load} ${load} 3/412 ${4000 + (Math.floor(source.now() / 1000) % 3000)}\n`;
  }, { readOnly: true });
  fs.addGenerated('/proc/uptime', () => `${((source.now() - started) / 1000 + 86_400 * 12).toFixed(2)} ${((source.now() - started) / 500).toFixed(2)}\n`, { readOnly: true });
  fs.addGenerated('/sys/fs/cgroup/memory.max', () => `${profile().memoryLimitMiB * MiB}\n`, { readOnly: true });
  fs.addGenerated('/sys/fs/cgroup/memory.current', () => `${Math.round(profile().memoryMiB * MiB)}\n`, { readOnly: true });
  fs.addGenerated('/sys/fs/cgroup/memory.events', () => {
    const current = source.current();
    const oom = current.lastTermination?.reason === 'OOMKilled' ? current.restartCount : 0;
    return `low 0\nhigh 0\nmax ${oom * 3}\noom ${oom}\noom_kill ${oom}\n`;
  }, { readOnly: true });

  const logPath = logFilePath(pod.app, source.containerName);
  fs.addGenerated(logPath, () => logText(source), { follow: logFollower(source) }, started);
  switch (pod.app) {
    case 'codesign-api': {
      fs.mkdirp('/var/log/security', started);
      fs.addGenerated('/var/log/security/auth.log', () => logText(source, authLogLine), { follow: logFollower(source, authLogLine) }, started);
      for (const [path, content] of Object.entries(APP_SOURCES)) fs.addFile(path, content, 0o644, started - 86_400_000 * 2);
      break;
    }
    case 'celery-worker':
      for (const [path, content] of Object.entries(APP_SOURCES)) fs.addFile(path, content, 0o644, started - 86_400_000 * 2);
      break;
    case 'postgres':
      fs.addFile('/var/lib/postgresql/data/PG_VERSION', `${postgresMajor()}\n`, 0o600, started - 86_400_000 * 40);
      fs.addFile('/var/lib/postgresql/data/postgresql.conf', `# PostgreSQL ${postgresVersion()} configuration\nlisten_addresses = '*'\nmax_connections = 200\nshared_buffers = 512MB\nshared_preload_libraries = 'pg_stat_statements'\nlog_min_duration_statement = 1000\n`, 0o600, started - 86_400_000 * 40);
      fs.addFile('/var/lib/postgresql/data/pg_hba.conf', 'local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\n', 0o600, started - 86_400_000 * 40);
      fs.addGenerated('/var/lib/postgresql/data/postmaster.pid', () => `1\n/var/lib/postgresql/data\n${Math.floor(started / 1000)}\n5432\n/var/run/postgresql\n*\n`, {}, started);
      fs.mkdirp('/var/lib/postgresql/data/base', started - 86_400_000 * 40);
      fs.mkdirp('/var/lib/postgresql/data/pg_wal', started - 86_400_000 * 40);
      break;
    case 'redis':
      fs.addFile('/data/dump.rdb', Buffer.concat([Buffer.from('REDIS0011'), Buffer.alloc(64)]), 0o644, source.now() - 300_000);
      fs.addFile('/usr/local/etc/redis/redis.conf', 'bind 0.0.0.0\nport 6379\nappendonly no\nsave 300 10\nmaxmemory 512mb\nmaxmemory-policy allkeys-lru\n', 0o644, started - 86_400_000 * 40);
      break;
    case 'backup': {
      fs.mkdirp('/backup', started);
      for (let day = 3; day >= 1; day--) {
        const at = started - day * 86_400_000;
        const stamp = new Date(at).toISOString().slice(0, 10).replace(/-/g, '');
        fs.addFile(`/backup/codesign_db_${stamp}.sql.gz`, gzipSync(`--\n-- PostgreSQL database dump (${stamp})\n--\n`), 0o644, at);
      }
      break;
    }
    default:
      break;
  }
  for (const mount of container?.mounts ?? []) {
    fs.mkdirp(mount.path, started);
    for (const [name, content] of Object.entries(mount.files)) fs.addFile(`${mount.path}/${name}`, content, 0o644, started, mount.readOnly);
    const node = fs.stat(mount.path);
    if (node?.kind === 'dir' && mount.readOnly) node.readOnly = true;
  }
  fs.mkdirp('/root', started);
  return fs;
}
