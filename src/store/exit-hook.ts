// Runs a callback once when the process ends: at its exit (process.exit included), and at the three signals that end
// taskpulse in practice, Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal (SIGHUP). A signal is acted on only
// when nobody else listens to it (a server that handles SIGTERM itself keeps it); then the callback runs, and the
// signal is raised again, so that it ends the process as it would have. Any other ending (SIGKILL included) runs
// nothing. lock.ts removes the locks a process still holds here; a lock left anyway is judged from /proc (holder.ts).

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function onExit(callback: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    callback();
  };
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (process.listeners(signal).length > 1) return;
      once();
      for (const [s, h] of handlers) process.removeListener(s, h);
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  process.on("exit", once);
}
