import { randomUUID } from "node:crypto";
import os from "node:os";

/** `hostname/pid/uuid`: who holds a running job. */
export function newHolderIdentity(): string {
  return `${os.hostname()}/${process.pid}/${randomUUID()}`;
}

/**
 * Whether a job holder is certainly dead: it ran on this host and its process no longer exists. Holders on other hosts
 * (or alive here) are judged by their heartbeat instead.
 */
export function holderIsDead(holder: string, ownHolder: string): boolean {
  const [host, pidText] = holder.split("/");
  const [ownHost, ownPid] = ownHolder.split("/");
  if (host !== ownHost || pidText === undefined) return false;
  if (pidText === ownPid) return false;
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
