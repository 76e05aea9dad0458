//! The serde impls of generated structs, written over these helpers instead of derived: a
//! struct's `Deserialize` is one `match` on the key per field ([`Object::field`]) and its
//! `Serialize` one `if` per field, with everything else here, once. This is a fraction of
//! what `#[derive(Serialize, Deserialize)]` expands to (field enums, visitors, sequence
//! forms), which was most of the compile time of a generated crate.
//!
//! The JSON is the same as the derives wrote and read: absent fields take their default,
//! `None` and empty collections are not written, and fields the schema does not declare are
//! kept in the struct's catch-all map and written back after the known ones.
//!
//! A key that appears twice in one object is an error (``duplicate field `state` ``), not the
//! last value silently winning: two parsers of the same answer (a proxy's and ours) must not
//! see different values.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_with::de::DeserializeAsWrap;
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

/// A generated struct read from a JSON object, one field at a time.
pub trait Object: Default {
    /// The schema's name, for error messages.
    const NAME: &'static str;

    /// Reads the value of `key` from `map` into the field it names, or into the struct's map
    /// of undeclared fields.
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// The `Deserialize` impl of a generated struct: a JSON object, field by field.
#[inline]
pub fn deserialize<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object ({})", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut seen = SeenKeys::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if seen.contains(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate field `{}` in {}",
                    crate::untrusted::printable(&key, 64),
                    T::NAME
                )));
            }
            out.field(&key, &mut map)?;
            seen.insert(key);
        }
        Ok(out)
    }
}

/// The keys of one object read so far (borrowed from the input when they can be): a list
/// while it is short (most objects have a few keys, and a list costs no hashing), a set beyond,
/// so a hostile object of a million keys is still read in linear time.
#[derive(Default)]
struct SeenKeys<'de> {
    list: Vec<Cow<'de, str>>,
    set: std::collections::HashSet<Cow<'de, str>>,
}

/// Keys kept in the list before it becomes a set.
const SHORT_OBJECT: usize = 16;

impl<'de> SeenKeys<'de> {
    fn contains(&self, key: &str) -> bool {
        if self.set.is_empty() {
            self.list.iter().any(|seen| seen == key)
        } else {
            self.set.contains(key)
        }
    }

    /// Adds a key that is not there yet.
    fn insert(&mut self, key: Cow<'de, str>) {
        if self.set.is_empty() && self.list.len() < SHORT_OBJECT {
            self.list.push(key);
        } else {
            self.set.extend(self.list.drain(..));
            self.set.insert(key);
        }
    }
}

/// A key, borrowed from the input when it can be.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        crate::wire::deserialize_str(deserializer)
    }
}

/// The next value, with serde's own encoding.
#[inline]
pub fn value<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value()
}

/// The next value, read through the `wire` adapter `U` (`Option<StringEncoded>`, ...).
#[inline]
pub fn value_as<'de, T, U: DeserializeAs<'de, T>, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value::<DeserializeAsWrap<T, U>>()
        .map(DeserializeAsWrap::into_inner)
}

/// Keeps an undeclared field in a struct's catch-all map.
#[inline]
pub fn unknown<'de, A: MapAccess<'de>>(
    fields: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    map: &mut A,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    fields.insert(key.to_owned(), value);
    Ok(())
}

/// Starts writing a struct as a JSON object.
#[inline]
pub fn begin<S: Serializer>(serializer: S) -> Result<S::SerializeMap, S::Error> {
    serializer.serialize_map(None)
}

/// Writes a field with serde's own encoding.
#[inline]
pub fn entry<M: SerializeMap, T: Serialize + ?Sized>(map: &mut M, key: &str, value: &T) -> Result<(), M::Error> {
    map.serialize_entry(key, value)
}

/// Writes a field through the `wire` adapter `U`.
#[inline]
pub fn entry_as<M: SerializeMap, T, U: SerializeAs<T>>(map: &mut M, key: &str, value: &T) -> Result<(), M::Error> {
    map.serialize_entry(key, &SerializeAsWrap::<T, U>::new(value))
}

/// Writes the entries of a catch-all map (undeclared fields, or `additionalProperties`)
/// and ends the object.
#[inline]
pub fn end<M: SerializeMap, V: Serialize>(
    mut map: M,
    rest: &std::collections::BTreeMap<String, V>,
) -> Result<M::Ok, M::Error> {
    for (key, value) in rest {
        map.serialize_entry(key, value)?;
    }
    map.end()
}

/// Like [`end`], for the catch-all of undeclared fields.
#[inline]
pub fn end_unknown<M: SerializeMap>(
    mut map: M,
    rest: &serde_json::Map<String, serde_json::Value>,
) -> Result<M::Ok, M::Error> {
    for (key, value) in rest {
        map.serialize_entry(key, value)?;
    }
    map.end()
}

/// Like [`end`], with the values written through the `wire` adapter `U`.
#[inline]
pub fn end_as<M: SerializeMap, T, U: SerializeAs<T>>(
    mut map: M,
    rest: &std::collections::BTreeMap<String, T>,
) -> Result<M::Ok, M::Error> {
    for (key, value) in rest {
        map.serialize_entry(key, &SerializeAsWrap::<T, U>::new(value))?;
    }
    map.end()
}

/// The `Object`, `Deserialize` and `Serialize` impls of a generated struct, written out from
/// one line per field: `"jsonKey" => rust_field: opt` (an `Option`, written when `Some`) or
/// `many` (a `Vec` or map, written when not empty), each optionally `as Adapter` (a `wire`
/// adapter of one value, or of the collection), then what keeps the other keys: `unknown
/// field` (the catch-all map), `additional field` (optionally `as Adapter` of one value) or
/// `ignore`. The expansion is what the generator wrote out by hand before: a `match` arm and an
/// `if` per field over this module's helpers.
///
/// Generated code only; not part of the runtime's stable API.
#[doc(hidden)]
#[macro_export]
macro_rules! __object {
    (
        $ty:ty = $name:literal {
            $($key:literal => $field:ident : $kind:ident $(as $wire:ty)?,)*
        }
        $rest:ident $($rest_field:ident $(as $rest_wire:ty)?)?
    ) => {
        #[allow(deprecated)]
        impl $crate::__private::object::Object for $ty {
            const NAME: &'static str = $name;

            fn field<'de, A: $crate::__private::serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> ::core::result::Result<(), A::Error> {
                match key {
                    $($key => self.$field = $crate::__object!(@read map $kind $(as $wire)?),)*
                    _ => $crate::__object!(@rest self key map $rest $($rest_field $(as $rest_wire)?)?),
                }
                ::core::result::Result::Ok(())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $ty {
            #[inline]
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::object::deserialize(deserializer)
            }
        }

        #[allow(deprecated)]
        impl $crate::__private::serde::Serialize for $ty {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = $crate::__private::object::begin(serializer)?;
                $($crate::__object!(@write self map $key $field $kind $(as $wire)?);)*
                $crate::__object!(@end self map $rest $($rest_field $(as $rest_wire)?)?)
            }
        }
    };
    (@read $map:ident opt) => { $crate::__private::object::value($map)? };
    (@read $map:ident opt as $wire:ty) => {
        $crate::__private::object::value_as::<_, ::core::option::Option<$wire>, _>($map)?
    };
    (@read $map:ident many) => { $crate::__private::object::value($map)? };
    (@read $map:ident many as $wire:ty) => { $crate::__private::object::value_as::<_, $wire, _>($map)? };
    (@write $self:ident $map:ident $key:literal $field:ident opt) => {
        if let ::core::option::Option::Some(value) = &$self.$field {
            $crate::__private::object::entry(&mut $map, $key, value)?;
        }
    };
    (@write $self:ident $map:ident $key:literal $field:ident opt as $wire:ty) => {
        if let ::core::option::Option::Some(value) = &$self.$field {
            $crate::__private::object::entry_as::<_, _, $wire>(&mut $map, $key, value)?;
        }
    };
    (@write $self:ident $map:ident $key:literal $field:ident many) => {
        if !$self.$field.is_empty() {
            $crate::__private::object::entry(&mut $map, $key, &$self.$field)?;
        }
    };
    (@write $self:ident $map:ident $key:literal $field:ident many as $wire:ty) => {
        if !$self.$field.is_empty() {
            $crate::__private::object::entry_as::<_, _, $wire>(&mut $map, $key, &$self.$field)?;
        }
    };
    (@rest $self:ident $key:ident $map:ident unknown $field:ident) => {
        $crate::__private::object::unknown(&mut $self.$field, $key, $map)?
    };
    (@rest $self:ident $key:ident $map:ident additional $field:ident) => {{
        let value = $crate::__private::object::value($map)?;
        $self.$field.insert(::std::borrow::ToOwned::to_owned($key), value);
    }};
    (@rest $self:ident $key:ident $map:ident additional $field:ident as $wire:ty) => {{
        let value = $crate::__private::object::value_as::<_, $wire, _>($map)?;
        $self.$field.insert(::std::borrow::ToOwned::to_owned($key), value);
    }};
    (@rest $self:ident $key:ident $map:ident ignore) => {
        drop($crate::__private::object::value::<$crate::__private::serde::de::IgnoredAny, _>($map)?)
    };
    (@end $self:ident $map:ident unknown $field:ident) => {
        $crate::__private::object::end_unknown($map, &$self.$field)
    };
    (@end $self:ident $map:ident additional $field:ident) => {
        $crate::__private::object::end($map, &$self.$field)
    };
    (@end $self:ident $map:ident additional $field:ident as $wire:ty) => {
        $crate::__private::object::end_as::<_, _, $wire>($map, &$self.$field)
    };
    (@end $self:ident $map:ident ignore) => {
        $crate::__private::serde::ser::SerializeMap::end($map)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Job {
        state: Option<String>,
        others: serde_json::Map<String, serde_json::Value>,
    }

    impl Object for Job {
        const NAME: &'static str = "Job";

        fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
            match key {
                "state" => self.state = value(map)?,
                _ => unknown(&mut self.others, key, map)?,
            }
            Ok(())
        }
    }

    impl<'de> Deserialize<'de> for Job {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize(deserializer)
        }
    }

    #[test]
    fn a_key_given_twice_is_an_error_whichever_field_it_names() {
        let job: Job = serde_json::from_str(r#"{"state": "A", "x": 1}"#).unwrap();
        assert_eq!(job.state.as_deref(), Some("A"));
        for text in [
            r#"{"state": "IN_PROGRESS", "state": "COMPLETE"}"#,
            r#"{"x": 1, "x": 2}"#,
            r#"{"s\u0074ate": "A", "state": "B"}"#,
        ] {
            let error = serde_json::from_str::<Job>(text).unwrap_err().to_string();
            assert!(error.starts_with("duplicate field `"), "{text}: {error}");
            assert!(error.contains("` in Job"), "{error}");
        }
    }

    #[test]
    fn a_large_object_is_checked_in_linear_time_and_still_finds_a_repeat() {
        let keys: Vec<String> = (0..100_000).map(|n| format!(r#""k{n}": {n}"#)).collect();
        let text = format!("{{{}}}", keys.join(","));
        let job: Job = serde_json::from_str(&text).unwrap();
        assert_eq!(job.others.len(), 100_000);
        let repeated = format!("{{{}, \"k99\": 0}}", keys.join(","));
        let error = serde_json::from_str::<Job>(&repeated).unwrap_err().to_string();
        assert!(error.contains("duplicate field `k99`"), "{error}");
    }
}
