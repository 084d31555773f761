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

    pub fn is_blocked(&self, ip: &str, now: i64) -> bool {
        let mut map = self.lock();
        match map.get_mut(ip) {
            Some(q) => {
                while q.front().is_some_and(|t| *t <= now - self.window_ms) {
                    q.pop_front();
                }
                q.len() >= self.limit
            }
            None => false,
        }
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
            assert!(!t.is_blocked("1.2.3.4", i));
            t.record_failure("1.2.3.4", i);
        }
        assert!(t.is_blocked("1.2.3.4", 10));
        assert!(!t.is_blocked("5.6.7.8", 10));
        assert!(!t.is_blocked("1.2.3.4", 60_003));
    }
}
