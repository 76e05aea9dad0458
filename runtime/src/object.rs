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

/// Reads the value of one field from a JSON object: `Read(map).opt(&mut self.field)`, or
/// `Read(map).with::<Adapter>().many(&mut self.field)` through a `wire` adapter. A method
/// call per field (rather than an assignment, a `?` and a drop of the old value written out
/// in each struct's impl) keeps the code a generated crate type-checks, borrow-checks and
/// stores as MIR to one call per field; the rest is here, checked once.
pub struct Read<'a, A>(pub &'a mut A);

impl<'a, A> Read<'a, A> {
    /// Reads through the `wire` adapter `U` (of one value for `opt`, of the collection for
    /// `many`).
    #[inline]
    pub fn with<U>(self) -> ReadAs<'a, A, U> {
        ReadAs(self.0, PhantomData)
    }

    /// An `Option` field: `null` is `None`.
    #[inline]
    pub fn opt<'de, T: Deserialize<'de>>(self, slot: &mut Option<T>) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
    {
        *slot = self.0.next_value()?;
        Ok(())
    }

    /// A `Vec` or map field.
    #[inline]
    pub fn many<'de, T: Deserialize<'de>>(self, slot: &mut T) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
    {
        *slot = self.0.next_value()?;
        Ok(())
    }

    /// A key the schema does not declare, kept in the struct's catch-all map.
    #[inline]
    pub fn unknown<'de>(
        self,
        key: &str,
        fields: &mut serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
    {
        let value = self.0.next_value()?;
        fields.insert(key.to_owned(), value);
        Ok(())
    }

    /// A key of the schema's `additionalProperties`.
    #[inline]
    pub fn additional<'de, T: Deserialize<'de>>(
        self,
        key: &str,
        fields: &mut std::collections::BTreeMap<String, T>,
    ) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
    {
        let value = self.0.next_value()?;
        fields.insert(key.to_owned(), value);
        Ok(())
    }

    /// A key the struct does not keep: its value is read and dropped.
    #[inline]
    pub fn ignore<'de>(self, _key: &str) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
    {
        self.0.next_value::<serde::de::IgnoredAny>().map(drop)
    }
}

/// [`Read`] through the `wire` adapter `U`.
pub struct ReadAs<'a, A, U>(&'a mut A, PhantomData<U>);

impl<A, U> ReadAs<'_, A, U> {
    /// An `Option` field, `U` the adapter of its value.
    #[inline]
    pub fn opt<'de, T>(self, slot: &mut Option<T>) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
        U: DeserializeAs<'de, T>,
    {
        *slot = self
            .0
            .next_value::<DeserializeAsWrap<Option<T>, Option<U>>>()?
            .into_inner();
        Ok(())
    }

    /// A `Vec` or map field, `U` the adapter of the collection.
    #[inline]
    pub fn many<'de, T>(self, slot: &mut T) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
        U: DeserializeAs<'de, T>,
    {
        *slot = self.0.next_value::<DeserializeAsWrap<T, U>>()?.into_inner();
        Ok(())
    }

    /// A key of the schema's `additionalProperties`, `U` the adapter of its value.
    #[inline]
    pub fn additional<'de, T>(
        self,
        key: &str,
        fields: &mut std::collections::BTreeMap<String, T>,
    ) -> Result<(), A::Error>
    where
        A: MapAccess<'de>,
        U: DeserializeAs<'de, T>,
    {
        let value = self.0.next_value::<DeserializeAsWrap<T, U>>()?.into_inner();
        fields.insert(key.to_owned(), value);
        Ok(())
    }
}

/// Writes a struct as a JSON object, one method call per field (`write.opt("etag",
/// &self.etag)`, `write.with::<Adapter>().many("ids", &self.ids)`) and one to end it with the
/// catch-all map. The first error is kept and returned by the call that ends the object; the
/// fields after it are not written. Like [`Read`], this keeps each struct's impl to a call per
/// field.
pub struct Write<M: SerializeMap> {
    state: WriteState<M>,
}

enum WriteState<M: SerializeMap> {
    Open(M),
    Failed(M::Error),
    Ended,
}

impl<M: SerializeMap> Write<M> {
    /// Starts writing a struct as a JSON object.
    #[inline]
    pub fn begin<S: Serializer<SerializeMap = M, Error = M::Error>>(serializer: S) -> Result<Self, S::Error> {
        Ok(Write {
            state: WriteState::Open(serializer.serialize_map(None)?),
        })
    }

    /// Writes through the `wire` adapter `U` (of one value for `opt`, of the collection for
    /// `many` and `additional`).
    #[inline]
    pub fn with<U>(&mut self) -> WriteAs<'_, M, U> {
        WriteAs(self, PhantomData)
    }

    /// An `Option` field, written when `Some`.
    #[inline]
    pub fn opt<T: Serialize>(&mut self, key: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.entry(key, value);
        }
    }

    /// A `Vec` or map field, written when not empty.
    #[inline]
    pub fn many<T: Serialize + Many>(&mut self, key: &str, value: &T) {
        if !value.is_empty() {
            self.entry(key, value);
        }
    }

    /// Writes the keys the schema does not declare and ends the object.
    #[inline]
    pub fn unknown(&mut self, rest: &serde_json::Map<String, serde_json::Value>) -> Result<M::Ok, M::Error> {
        self.end(|map| rest.iter().try_for_each(|(key, value)| map.serialize_entry(key, value)))
    }

    /// Writes the `additionalProperties` and ends the object.
    #[inline]
    pub fn additional<V: Serialize>(
        &mut self,
        rest: &std::collections::BTreeMap<String, V>,
    ) -> Result<M::Ok, M::Error> {
        self.end(|map| rest.iter().try_for_each(|(key, value)| map.serialize_entry(key, value)))
    }

    /// Ends the object (a struct that keeps no other keys).
    #[inline]
    pub fn ignore(&mut self) -> Result<M::Ok, M::Error> {
        self.end(|_| Ok(()))
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        if let WriteState::Open(map) = &mut self.state
            && let Err(error) = map.serialize_entry(key, value)
        {
            self.state = WriteState::Failed(error);
        }
    }

    fn end(&mut self, rest: impl FnOnce(&mut M) -> Result<(), M::Error>) -> Result<M::Ok, M::Error> {
        match std::mem::replace(&mut self.state, WriteState::Ended) {
            WriteState::Open(mut map) => {
                rest(&mut map)?;
                map.end()
            }
            WriteState::Failed(error) => Err(error),
            WriteState::Ended => Err(serde::ser::Error::custom("an object ended twice")),
        }
    }
}

/// [`Write`] through the `wire` adapter `U`.
pub struct WriteAs<'a, M: SerializeMap, U>(&'a mut Write<M>, PhantomData<U>);

impl<M: SerializeMap, U> WriteAs<'_, M, U> {
    /// An `Option` field, written when `Some`, `U` the adapter of its value.
    #[inline]
    pub fn opt<T>(self, key: &str, value: &Option<T>)
    where
        U: SerializeAs<T>,
    {
        if let Some(value) = value {
            self.0.entry(key, &SerializeAsWrap::<T, U>::new(value));
        }
    }

    /// A `Vec` or map field, written when not empty, `U` the adapter of the collection.
    #[inline]
    pub fn many<T: Many>(self, key: &str, value: &T)
    where
        U: SerializeAs<T>,
    {
        if !value.is_empty() {
            self.0.entry(key, &SerializeAsWrap::<T, U>::new(value));
        }
    }

    /// Writes the `additionalProperties`, `U` the adapter of each value, and ends the object.
    #[inline]
    pub fn additional<T>(self, rest: &std::collections::BTreeMap<String, T>) -> Result<M::Ok, M::Error>
    where
        U: SerializeAs<T>,
    {
        self.0.end(|map| {
            rest.iter()
                .try_for_each(|(key, value)| map.serialize_entry(key, &SerializeAsWrap::<T, U>::new(value)))
        })
    }
}

/// A collection field, not written when empty.
pub trait Many {
    /// Whether there is nothing to write.
    fn is_empty(&self) -> bool;
}

impl<T> Many for Vec<T> {
    #[inline]
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

impl<K, V> Many for std::collections::BTreeMap<K, V> {
    #[inline]
    fn is_empty(&self) -> bool {
        std::collections::BTreeMap::is_empty(self)
    }
}

/// The `Object`, `Deserialize` and `Serialize` impls of a generated struct, written out from
/// one line per field: `"jsonKey" => rust_field: opt` (an `Option`, written when `Some`) or
/// `many` (a `Vec` or map, written when not empty), each optionally `as Adapter` (a `wire`
/// adapter of one value, or of the collection), then what keeps the other keys: `unknown
/// field` (the catch-all map), `additional field` (optionally `as Adapter` of one value) or
/// `ignore`.
///
/// The expansion is one flat repetition, with no recursive call of the macro: the field's
/// kind, the adapter and the catch-all are the names of the `Read`/`Write` methods called
/// (`Read(map).with::<Adapter>().opt(&mut self.field)`, `write.opt("jsonKey",
/// &self.field)`), so each field costs a method call in the generated crate's front end and
/// the logic is type-checked once, here.
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
                let read = $crate::__private::object::Read(map);
                match key {
                    $($key => read $(.with::<$wire>())? .$kind(&mut self.$field),)*
                    _ => read $($(.with::<$rest_wire>())?)? .$rest(key $(, &mut self.$rest_field)?),
                }
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
                let mut write = $crate::__private::object::Write::begin(serializer)?;
                $(write $(.with::<$wire>())? .$kind($key, &self.$field);)*
                write $($(.with::<$rest_wire>())?)? .$rest($(&self.$rest_field)?)
            }
        }
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
                "state" => Read(map).opt(&mut self.state),
                _ => Read(map).unknown(key, &mut self.others),
            }
        }
    }

    impl<'de> Deserialize<'de> for Job {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize(deserializer)
        }
    }

    #[derive(Debug, Default, PartialEq)]
    struct Sample {
        name: Option<String>,
        count: Option<i64>,
        sizes: Vec<i64>,
        tags: std::collections::BTreeMap<String, String>,
        rest: serde_json::Map<String, serde_json::Value>,
    }

    crate::__object! {
        Sample = "Sample" {
            "name" => name: opt,
            "count" => count: opt as crate::wire::StringEncoded,
            "sizes" => sizes: many as Vec<crate::wire::StringEncoded>,
            "tags" => tags: many,
        }
        unknown rest
    }

    #[derive(Debug, Default, PartialEq)]
    struct Labels {
        ids: Vec<i64>,
        labels: std::collections::BTreeMap<String, i64>,
    }

    crate::__object! {
        Labels = "Labels" {
            "ids" => ids: many,
        }
        additional labels as crate::wire::StringEncoded
    }

    #[test]
    fn the_macro_reads_and_writes_fields_in_order_through_their_adapters() {
        let text = r#"{"name":"a","count":"7","sizes":["1","2"],"tags":{"k":"v"},"zz":[1]}"#;
        let sample: Sample = serde_json::from_str(text).unwrap();
        assert_eq!(sample.count, Some(7));
        assert_eq!(sample.sizes, [1, 2]);
        assert_eq!(serde_json::to_string(&sample).unwrap(), text);
        let empty = Sample::default();
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
        let nulls: Sample = serde_json::from_str(r#"{"name":null,"count":null}"#).unwrap();
        assert_eq!(nulls, empty);

        let text = r#"{"ids":[3],"a":"1","b":"2"}"#;
        let labels: Labels = serde_json::from_str(text).unwrap();
        assert_eq!(labels.labels.get("b"), Some(&2));
        assert_eq!(serde_json::to_string(&labels).unwrap(), text);
    }

    /// A writer with room for `.0` bytes.
    struct Full(usize);

    impl std::io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 < buf.len() {
                return Err(std::io::Error::other("full"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_write_error_is_returned_by_the_end_of_the_object() {
        let sample = Sample {
            name: Some("a".repeat(100)),
            sizes: vec![1],
            ..Sample::default()
        };
        for room in [0, 1, 20, 115] {
            let error = serde_json::to_writer(Full(room), &sample).unwrap_err();
            assert!(error.is_io(), "{room}: {error}");
        }
        assert!(serde_json::to_writer(Full(200), &sample).is_ok());
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
