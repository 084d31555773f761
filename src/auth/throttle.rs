//! Per-IP login throttle, in memory: after N failures within a minute the IP waits.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub struct Throttle {
    limit: usize,
    window_ms: i64,
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl Throttle {
    pub fn new(limit_per_minute: u32) -> Throttle {
        Throttle {
            limit: limit_per_minute as usize,
            window_ms: 60_000,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<i64>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// While the IP is throttled: how many ms until its oldest failure in the window expires.
    pub fn blocked_for(&self, ip: &str, now: i64) -> Option<i64> {
        let mut map = self.lock();
        let q = map.get_mut(ip)?;
        while q.front().is_some_and(|t| *t <= now - self.window_ms) {
            q.pop_front();
        }
        if q.len() < self.limit {
            return None;
        }
        q.front().map(|oldest| oldest + self.window_ms - now)
    }

    pub fn record_failure(&self, ip: &str, now: i64) {
        let mut map = self.lock();
        // Bound the memory an attacker rotating addresses can make us hold.
        if map.len() > 10_000 {
            let cutoff = now - self.window_ms;
            map.retain(|_, q| q.back().is_some_and(|t| *t > cutoff));
        }
        map.entry(ip.to_string()).or_default().push_back(now);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn blocks_after_limit_within_window() {
        let t = super::Throttle::new(3);
        for i in 0..3 {
            assert_eq!(t.blocked_for("1.2.3.4", i), None);
            t.record_failure("1.2.3.4", i);
        }
        assert_eq!(t.blocked_for("1.2.3.4", 10), Some(59_990));
        assert_eq!(t.blocked_for("5.6.7.8", 10), None);
        assert_eq!(t.blocked_for("1.2.3.4", 60_003), None);
    }
}
