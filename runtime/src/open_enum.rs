//! Open enums: the string enums of generated crates, which keep values added to the API
//! after the crate was generated.
//!
//! A generated enum is one `open_enum!` invocation; everything it needs
//! beyond its two `match`es lives here, once, so each enum costs a few lines of source.
//! The rules, which hold for every generated enum:
//!
//! - A value the crate knows is always its named variant: the only way to an
//!   `UnknownValue(..)` is reading a string that is none of the known values (`From<&str>`,
//!   deserialization), so `State::UnknownValue(..)` never stands for `COMPLETE`.
//! - [`UnknownValue`] is opaque: it can be read (`as_str()`) but not built by users.
//! - Equality and hashing follow the wire string, so they do not change when a regeneration
//!   moves a value from `UnknownValue` to a named variant.
//! - Each impl is paid per enum in the front end of every generated crate, so an enum has what
//!   its users need and no more: `Clone`, `Debug`, `PartialEq`, `Eq`, `Hash`, `Display`,
//!   `From<&str>` and serde. No ordering (sort by `as_str()`) and no `FromStr`
//!   (`State::from(text)` or `text.into()`; it could not fail anyway).

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

/// Deserializes an open enum from a JSON string; an unknown value is never an error.
pub fn deserialize<'de, E, D>(deserializer: D) -> Result<E, D::Error>
where
    E: for<'a> From<&'a str>,
    D: serde::Deserializer<'de>,
{
    crate::wire::deserialize_str(deserializer).map(|value| E::from(&value))
}

/// Defines an open enum: the variants with their JSON values, an `UnknownValue` variant,
/// and the conversions, comparisons and serde impls, all over the wire string. Every function
/// is `#[inline]`, so it is compiled only in the crates that use it.
///
/// Each trait is one short impl over the two `match`es (`as_str` and `From<&str>`).
///
/// Generated code only; the syntax is `enum Name { Variant = "VALUE", .. }`, followed by
/// `impl QueryValue;` for the enum of a parameter (the others never reach a URL, and the impl
/// would be one more function per enum for the compiler).
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $value:literal,)*
        }
        $(impl $query_value:ident;)?
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
        impl $name {
            /// The value as it appears in JSON.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::UnknownValue(value) => value.as_str(),
                }
            }
        }

        #[allow(deprecated)]
        impl ::core::convert::From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::UnknownValue($crate::UnknownValue::__new(other)),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::cmp::PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::core::cmp::Eq for $name {}

        impl ::core::hash::Hash for $name {
            #[inline]
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                ::core::hash::Hash::hash(self.as_str(), state)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            #[inline]
            fn serialize<S: $crate::__private::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            #[inline]
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::open_enum::deserialize(deserializer)
            }
        }

        $(
            impl $crate::__private::$query_value for $name {
                #[inline]
                fn to_query_value(&self) -> ::std::string::String {
                    ::std::borrow::ToOwned::to_owned(self.as_str())
                }
            }
        )?
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
    use std::collections::HashSet;

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
        assert_eq!(State::from("IN_PROGRESS"), State::InProgress);
        let converted: State = "IN_PROGRESS".into();
        assert_eq!(converted, State::InProgress);
    }

    #[test]
    fn equality_and_hashing_follow_the_wire_string() {
        let set: HashSet<State> = ["Z", "IN_PROGRESS", "A", "COMPLETE", "A"]
            .into_iter()
            .map(State::from)
            .collect();
        let mut values: Vec<&str> = set.iter().map(State::as_str).collect();
        values.sort_unstable();
        assert_eq!(values, ["A", "COMPLETE", "IN_PROGRESS", "Z"]);
        assert!(set.contains(&State::InProgress));
        assert_eq!(State::InProgress.to_string(), "IN_PROGRESS");
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
