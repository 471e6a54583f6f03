// Calls `onIdle` after `minutes` without keyboard, mouse or touch input (auto-lock).
export function idleTimer(minutes: () => number, onIdle: () => void): { reset: () => void; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reset = () => {
    if (timer) clearTimeout(timer);
    const m = minutes();
    if (m > 0) timer = setTimeout(onIdle, m * 60_000);
  };
  const events = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'];
  events.forEach((e) => window.addEventListener(e, reset, { passive: true }));
  reset();
  return {
    reset,
    stop: () => {
      if (timer) clearTimeout(timer);
      events.forEach((e) => window.removeEventListener(e, reset));
    },
  };
}
