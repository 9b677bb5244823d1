// What a run costs the processes around it: CPU time of another process (the Temporal dev server,
// toxiproxy-server, PostgreSQL with its backends) from /proc, and peaks sampled while the run goes on.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;

/** User + system CPU of process `pid` so far, in milliseconds (proc(5): fields 14 and 15 of stat). */
export function cpuMillisOf(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const { utime, stime } = statFields(pid);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/**
 * CPU of process `pid` and of all its children so far, in milliseconds: its own, that of the children it has
 * reaped (proc(5): cutime and cstime) and that of the children still running. For PostgreSQL's postmaster that is
 * the whole server, backends included, however short-lived they were.
 */
export function treeCpuMillis(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const root = statFields(pid);
  let ticks = root.utime + root.stime + root.cutime + root.cstime;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const child = statFields(Number(entry));
      if (child.ppid === pid) ticks += child.utime + child.stime;
    } catch {
      // The process ended between the listing and the read: its time is in the parent's cutime now.
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}

/** The parent process id of `pid`. */
export function parentPid(pid: number): number {
  return statFields(pid).ppid;
}

function statFields(pid: number): { ppid: number; utime: number; stime: number; cutime: number; cstime: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [ppid, utime, stime, cutime, cstime] = [1, 11, 12, 13, 14].map((i) => Number(fields[i]));
  return { ppid, utime, stime, cutime, cstime };
}

/** This process's user + system CPU so far, in milliseconds (all its threads). */
export function ownCpuMillis(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Peak resident set size of process `pid` over its life (VmHWM), in bytes. */
export function peakRssOf(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Reads `read` every `everyMs` (skipping a tick while a read is still out) until stopped; resolves the largest value seen. */
export function samplePeak(read: () => number | Promise<number>, everyMs: number): { stop(): Promise<number> } {
  let peak = 0;
  let busy = false;
  let last: Promise<void> = Promise.resolve();
  const sample = () => {
    if (busy) return;
    busy = true;
    last = Promise.resolve()
      .then(read)
      .then(
        (value) => void (peak = Math.max(peak, value)),
        // A failed sample (a server busy or restarting) only loses that sample.
        () => undefined,
      )
      .finally(() => (busy = false));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await last;
      return peak;
    },
  };
}
