//! "At most N at once per caller": for work that holds a connection or a
//! core for long (live streams, exports, chain verifications). A slot is
//! given back when its guard is dropped, however the work ended.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

#[derive(Clone)]
pub struct Slots {
    per_key: usize,
    taken: Arc<Mutex<HashMap<String, usize>>>,
}

/// A slot in use; dropping it frees the slot.
pub struct Slot {
    key: String,
    taken: Arc<Mutex<HashMap<String, usize>>>,
}

impl Slots {
    pub fn new(per_key: usize) -> Slots {
        Slots {
            per_key,
            taken: Arc::default(),
        }
    }

    /// A slot for `key`, or `None` when it already holds `per_key`.
    pub fn take(&self, key: &str) -> Option<Slot> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let count = taken.entry(key.to_string()).or_default();
        if *count >= self.per_key {
            return None;
        }
        *count += 1;
        Some(Slot {
            key: key.to_string(),
            taken: self.taken.clone(),
        })
    }

    /// How many a key may hold.
    pub fn per_key(&self) -> usize {
        self.per_key
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = taken.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                taken.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_holds_at_most_its_slots_until_one_is_dropped() {
        let slots = Slots::new(2);
        let a = slots.take("ann").unwrap();
        let _b = slots.take("ann").unwrap();
        assert!(slots.take("ann").is_none());
        assert!(slots.take("bob").is_some());
        drop(a);
        assert!(slots.take("ann").is_some());
    }
}
