// Stands in for signal-exit inside proper-lockfile (see scripts/build/build.mjs), which uses it once, to remove the locks
// still held when the process ends. signal-exit listens to every signal that can end a process (13 on Linux), and
// each listener costs a start a signal handle; this listens to the three that end taskpulse in practice: Ctrl-C
// (SIGINT), `kill` (SIGTERM) and a closed terminal (SIGHUP). Like signal-exit, it acts on a signal only when nobody
// else listens to it (then the signal's default action follows: the lock is removed and the signal raised again).
// Any other ending (SIGKILL included) leaves the lock to go stale, which the next writer takes over after 10 s.
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];

module.exports = function onExit(callback) {
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
      remove();
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler];
  });
  process.on("exit", once);
  function remove() {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    process.removeListener("exit", once);
  }
  return remove;
};
