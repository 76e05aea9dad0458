//! Open enums: the string enums of generated crates, which keep values added to the API
//! after the crate was generated.
//!
//! A generated enum is one `open_enum!` invocation; everything it needs
//! beyond its two `match`es lives here, once, so each enum costs a few lines of source.
//! The rules, which hold for every generated enum:
//!
//! - A value the crate knows is always its named variant: the only way to an
//!   `UnknownValue(..)` is reading a string that is none of the known values (`From<&str>`,
//!   `FromStr`, deserialization), so `State::UnknownValue(..)` never stands for `COMPLETE`.
//! - [`UnknownValue`] is opaque: it can be read (`as_str()`) but not built by users.
//! - Equality, hashing and ordering follow the wire string, so they do not change when a
//!   regeneration moves a value from `UnknownValue` to a named variant.

use std::fmt;

/// A value of an open enum that the generated crate does not know, kept as received.
///
/// Only the enum's conversions from strings create one, and only for a string that is none
/// of the enum's known values.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// The value as it appears in JSON.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For `open_enum!` only: `value` must be none of the enum's values.
    #[doc(hidden)]
    pub fn __new(value: &str) -> Self {
        Self(value.into())
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What every generated open enum implements (through `open_enum!`).
pub trait OpenEnum: Sized {
    /// The value as it appears in JSON.
    fn as_str(&self) -> &str;
    /// The variant for a JSON value: a known one, or `UnknownValue`.
    fn from_wire(value: &str) -> Self;
}

/// Serializes an open enum as its JSON string.
pub fn serialize<E: OpenEnum, S: serde::Serializer>(value: &E, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.as_str())
}

/// Deserializes an open enum from a JSON string; an unknown value is never an error.
pub fn deserialize<'de, E: OpenEnum, D: serde::Deserializer<'de>>(deserializer: D) -> Result<E, D::Error> {
    crate::wire::deserialize_str(deserializer).map(|value| E::from_wire(&value))
}

/// Defines an open enum: the variants with their JSON values, an `UnknownValue` variant,
/// and the conversions, comparisons and serde impls, all over the wire string. Every function
/// is `#[inline]`, so it is compiled only in the crates that use it.
///
/// Generated code only; the syntax is `enum Name { Variant = "VALUE", .. }`.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $value:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)*
            /// A value this version of the crate does not know, kept as received.
            UnknownValue($crate::UnknownValue),
        }

        #[allow(deprecated)]
        impl $crate::__private::OpenEnum for $name {
            #[inline]
            fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::UnknownValue(value) => value.as_str(),
                }
            }

            #[inline]
            fn from_wire(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::UnknownValue($crate::UnknownValue::__new(other)),
                }
            }
        }

        impl $name {
            /// The value as it appears in JSON.
            #[inline]
            pub fn as_str(&self) -> &str {
                $crate::__private::OpenEnum::as_str(self)
            }
        }

        impl ::std::convert::From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                $crate::__private::OpenEnum::from_wire(value)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            #[inline]
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok($crate::__private::OpenEnum::from_wire(value))
            }
        }

        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::cmp::PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::Eq for $name {}

        impl ::std::hash::Hash for $name {
            #[inline]
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                ::std::hash::Hash::hash(self.as_str(), state)
            }
        }

        impl ::std::cmp::PartialOrd for $name {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {
                ::std::option::Option::Some(::std::cmp::Ord::cmp(self, other))
            }
        }

        impl ::std::cmp::Ord for $name {
            #[inline]
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            #[inline]
            fn serialize<S: $crate::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::__private::open_enum::serialize(self, serializer)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            #[inline]
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::open_enum::deserialize(deserializer)
            }
        }

        impl $crate::__private::QueryValue for $name {
            #[inline]
            fn to_query_value(&self) -> ::std::string::String {
                ::std::borrow::ToOwned::to_owned(self.as_str())
            }
        }
    };
}

/// One OAuth scope of an API: a row of the generated `Scope` enum's static table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScopeInfo {
    /// The scope's URL, as requested from Google's OAuth server.
    pub url: &'static str,
    /// The URL without the API's common prefix (the URL when that would be ambiguous).
    pub short_name: &'static str,
    /// What the scope grants, from the Discovery document.
    pub description: &'static str,
}

impl ScopeInfo {
    /// A row of the table.
    pub const fn new(url: &'static str, short_name: &'static str, description: &'static str) -> Self {
        Self {
            url,
            short_name,
            description,
        }
    }
}

/// The index of the scope whose URL or short name is `value`.
pub fn find_scope(table: &[ScopeInfo], value: &str) -> Option<usize> {
    table.iter().position(|s| s.url == value || s.short_name == value)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    crate::open_enum! {
        /// A test enum.
        pub enum State {
            /// In progress.
            InProgress = "IN_PROGRESS",
            #[deprecated]
            Complete = "COMPLETE",
        }
    }

    #[test]
    #[allow(deprecated)]
    fn a_known_value_is_never_unknown() {
        assert!(matches!(State::from("COMPLETE"), State::Complete));
        assert!(matches!(State::from("complete"), State::UnknownValue(_)));
        let state: State = serde_json::from_str(r#""NEW_STATE""#).unwrap();
        match &state {
            State::UnknownValue(value) => assert_eq!(value.as_str(), "NEW_STATE"),
            other => panic!("{other:?}"),
        }
        assert_eq!(serde_json::to_string(&state).unwrap(), r#""NEW_STATE""#);
        assert_eq!("IN_PROGRESS".parse::<State>(), Ok(State::InProgress));
    }

    #[test]
    fn order_and_equality_follow_the_wire_string() {
        let set: BTreeSet<State> = ["Z", "IN_PROGRESS", "A", "COMPLETE", "A"]
            .into_iter()
            .map(State::from)
            .collect();
        let order: Vec<&str> = set.iter().map(State::as_str).collect();
        assert_eq!(order, ["A", "COMPLETE", "IN_PROGRESS", "Z"]);
        assert_eq!(State::from("A"), State::from("A"));
        assert_ne!(State::from("A"), State::InProgress);
    }

    #[test]
    fn scopes_are_found_by_url_or_short_name() {
        let table = [
            super::ScopeInfo::new("https://x/a", "a", ""),
            super::ScopeInfo::new("https://x/b", "b", ""),
        ];
        assert_eq!(super::find_scope(&table, "b"), Some(1));
        assert_eq!(super::find_scope(&table, "https://x/a"), Some(0));
        assert_eq!(super::find_scope(&table, "c"), None);
    }
}
