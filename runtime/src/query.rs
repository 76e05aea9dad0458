//! How typed parameter values become query strings.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};

/// A value that can be sent as a query parameter.
pub trait QueryValue {
    /// The value as Google expects it in a query string (before URL encoding).
    fn to_query_value(&self) -> String;
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query_value(&self) -> String {
        (**self).to_query_value()
    }
}

impl QueryValue for str {
    fn to_query_value(&self) -> String {
        self.to_owned()
    }
}

impl QueryValue for String {
    fn to_query_value(&self) -> String {
        self.clone()
    }
}

macro_rules! display_query_value {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn to_query_value(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

display_query_value!(bool, i32, u32, i64, u64, f32, f64);

impl QueryValue for DateTime<Utc> {
    fn to_query_value(&self) -> String {
        self.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

impl QueryValue for NaiveDate {
    fn to_query_value(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

impl QueryValue for TimeDelta {
    fn to_query_value(&self) -> String {
        crate::wire::format_duration(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_values_the_way_google_reads_them() {
        let time = DateTime::parse_from_rfc3339("2024-03-08T10:00:00.5+01:00").unwrap();
        assert_eq!(time.with_timezone(&Utc).to_query_value(), "2024-03-08T09:00:00.500Z");
        assert_eq!(true.to_query_value(), "true");
        assert_eq!((-5i64).to_query_value(), "-5");
        assert_eq!(TimeDelta::milliseconds(1500).to_query_value(), "1.500s");
    }
}
