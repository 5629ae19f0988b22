import { readdir, readFile } from 'node:fs/promises';

/**
 * The processes a shell started, found by session id: node-pty makes the shell a session
 * leader, and an interactive shell puts each job in its own process group, so killing the
 * shell's group alone would leave background jobs orphaned. Linux reads /proc; elsewhere only
 * the shell's own group is known.
 */
export async function sessionMembers(sessionLeader: number): Promise<number[]> {
  if (process.platform !== 'linux') return [sessionLeader];
  const members: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[3]) === sessionLeader && fields[0] !== 'Z') members.push(Number(name));
  }
  return members;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/**
 * Ends a shell's whole session: SIGHUP to every member and to the shell's group (what a closed
 * terminal does), then SIGKILL to whatever is still there after `graceMs`.
 */
export async function killSession(sessionLeader: number, graceMs = 1000): Promise<void> {
  const first = await sessionMembers(sessionLeader);
  signal(-sessionLeader, 'SIGHUP');
  for (const pid of first) signal(pid, 'SIGHUP');
  for (const pid of first) signal(pid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  let left = await sessionMembers(sessionLeader);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = await sessionMembers(sessionLeader);
  }
  signal(-sessionLeader, 'SIGKILL');
  for (const pid of left) signal(pid, 'SIGKILL');
}
