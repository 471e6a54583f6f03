//! Resource readings for the benchmarks (`quzheng bench …`): CPU seconds and peak memory
//! from Linux's /proc (Android's too). Every reading is `None` where /proc is missing;
//! callers then fall back to wall time or print nothing. One place for all of them, so
//! every benchmark means the same thing by "CPU time".

use std::time::Instant;

/// CPU time of the calling thread in seconds, from `/proc/thread-self/schedstat`
/// (nanoseconds on CPU).
pub fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// CPU seconds (user + system, all threads) used so far by this process (`children`
/// false) or by its finished children (`children` true), from `/proc/self/stat`.
pub fn process_cpu_seconds(children: bool) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let f: Vec<&str> = s.rsplit_once(')')?.1.split_whitespace().collect();
    let at = if children { 13 } else { 11 };
    let user: f64 = f.get(at)?.parse().ok()?;
    let system: f64 = f.get(at + 1)?.parse().ok()?;
    // Linux reports clock ticks of 1/100 s (USER_HZ) on every mainstream platform.
    Some((user + system) / 100.0)
}

/// Peak resident memory of this process so far (VmHWM), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A stopwatch for work on the calling thread. On a shared machine wall time counts other
/// people's work; the thread's own CPU time is what "messages per second on one core"
/// means, so that is what [`ThreadTimer::stop`] reports where /proc gives it.
#[derive(Debug, Clone, Copy)]
pub struct ThreadTimer {
    cpu: Option<f64>,
    wall: Instant,
}

impl ThreadTimer {
    /// Starts timing now.
    pub fn start() -> ThreadTimer {
        ThreadTimer {
            cpu: thread_cpu_seconds(),
            wall: Instant::now(),
        }
    }

    /// `(seconds, wall seconds)` since [`ThreadTimer::start`]: seconds are the thread's CPU
    /// time when it is readable and advanced, wall time otherwise.
    pub fn stop(&self) -> (f64, f64) {
        let wall = self.wall.elapsed().as_secs_f64();
        let seconds = match (self.cpu, thread_cpu_seconds()) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => wall,
        };
        (seconds, wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_advance_with_work() {
        let t = ThreadTimer::start();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let (secs, wall) = t.stop();
        assert!(secs > 0.0 && wall > 0.0);
        if cfg!(target_os = "linux") {
            assert!(thread_cpu_seconds().is_some());
            assert!(process_cpu_seconds(false).is_some_and(|s| s >= 0.0));
            assert!(peak_rss_mb().is_some_and(|m| m > 0.0));
        }
    }
}
