import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The render thread's niceness: the lowest priority. A report may take longer while the machine
 * is busy; a `/log` ack may not, and on two cores the render thread otherwise takes a full one
 * from the event loop and the database (bench/README.md, "P2, ack under load").
 */
export const RENDER_THREAD_NICENESS = 19;

/**
 * Lowers the CPU priority of the calling thread only, not of its process. On Linux a thread has
 * its own id (`/proc/thread-self` names it) and its own niceness; elsewhere this changes nothing.
 * Raising niceness needs no privilege. Returns whether it was lowered.
 */
export function lowerCallingThreadPriority(niceness: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(threadId, niceness);
    return true;
  } catch {
    return false;
  }
}
