//! Walking two maps side by side, key by key.

use std::collections::{BTreeMap, BTreeSet};

/// Every key of `old` and `new` in sorted order, with the value on each side (`None` where
/// the key is absent).
pub fn pairs<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
) -> Vec<(&'a str, Option<&'a V>, Option<&'a V>)> {
    let keys: BTreeSet<&str> = old.keys().chain(new.keys()).map(String::as_str).collect();
    keys.into_iter().map(|key| (key, old.get(key), new.get(key))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_every_key_once_in_order() {
        let old: BTreeMap<String, u8> = [("b".into(), 1), ("a".into(), 2)].into();
        let new: BTreeMap<String, u8> = [("c".into(), 3), ("b".into(), 4)].into();
        assert_eq!(
            pairs(&old, &new),
            vec![("a", Some(&2), None), ("b", Some(&1), Some(&4)), ("c", None, Some(&3))]
        );
    }
}
