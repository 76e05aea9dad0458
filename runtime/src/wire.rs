//! Serde adapters for the JSON encodings Google uses, for `#[serde(with = "As::<...>")]`
//! in generated code: 64-bit integers as strings, base64 bytes, durations as `"1.5s"`.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chrono::TimeDelta;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use serde_with::{DeserializeAs, SerializeAs};

pub use serde_with::{As, Same};

/// A number carried as a JSON string (Google's encoding of `int64` and `uint64`);
/// a bare JSON number is accepted on input too.
pub type StringEncoded = serde_with::PickFirst<(serde_with::DisplayFromStr, Same)>;

/// Reads a JSON string, for the `Deserialize` impls of generated open enums.
pub fn deserialize_str<'de, D: Deserializer<'de>>(deserializer: D) -> Result<std::borrow::Cow<'de, str>, D::Error> {
    std::borrow::Cow::<str>::deserialize(deserializer)
}

/// Bytes as base64 (`format: byte`): written with the standard alphabet and padding, read
/// with either the standard or the URL-safe alphabet, padded or not.
pub struct Base64;

const DECODE_CONFIG: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, DECODE_CONFIG);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, DECODE_CONFIG);

impl SerializeAs<Vec<u8>> for Base64 {
    fn serialize_as<S: Serializer>(source: &Vec<u8>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(source))
    }
}

impl<'de> DeserializeAs<'de, Vec<u8>> for Base64 {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = deserialize_str(deserializer)?;
        STANDARD
            .decode(text.as_bytes())
            .or_else(|_| URL_SAFE.decode(text.as_bytes()))
            .map_err(|e| D::Error::custom(format!("invalid base64: {e}")))
    }
}

/// A `google-duration`: seconds with up to nine fractional digits and an `s` suffix.
pub struct Duration;

impl SerializeAs<TimeDelta> for Duration {
    fn serialize_as<S: Serializer>(source: &TimeDelta, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_duration(*source))
    }
}

impl<'de> DeserializeAs<'de, TimeDelta> for Duration {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<TimeDelta, D::Error> {
        let text = deserialize_str(deserializer)?;
        parse_duration(&text).ok_or_else(|| D::Error::custom(format!("invalid duration {text:?}")))
    }
}

/// Formats a duration as Google does: `"3s"`, `"1.500s"`, `"-0.000001s"`.
pub fn format_duration(duration: TimeDelta) -> String {
    let sign = if duration < TimeDelta::zero() { "-" } else { "" };
    let duration = duration.abs();
    let seconds = duration.num_seconds();
    let nanos = duration.subsec_nanos();
    match nanos {
        0 => format!("{sign}{seconds}s"),
        n if n % 1_000_000 == 0 => format!("{sign}{seconds}.{:03}s", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{sign}{seconds}.{:06}s", n / 1_000),
        n => format!("{sign}{seconds}.{n:09}s"),
    }
}

/// Parses `"3s"`, `"-1.5s"`, `"0.000000001s"`.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let body = text.strip_suffix('s')?;
    let (negative, body) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: i64 = whole.parse().ok()?;
    let nanos: u32 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().ok()?
    };
    let duration = TimeDelta::new(seconds, nanos)?;
    Some(if negative { -duration } else { duration })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Sample {
        #[serde(with = "As::<Option<StringEncoded>>", skip_serializing_if = "Option::is_none")]
        big: Option<i64>,
        #[serde(with = "As::<Option<Vec<StringEncoded>>>", skip_serializing_if = "Option::is_none")]
        many: Option<Vec<u64>>,
        #[serde(with = "As::<Option<Base64>>", skip_serializing_if = "Option::is_none")]
        data: Option<Vec<u8>>,
        #[serde(with = "As::<Option<Duration>>", skip_serializing_if = "Option::is_none")]
        ttl: Option<TimeDelta>,
    }

    #[test]
    fn int64_is_a_string_on_the_wire_and_a_number_is_accepted() {
        let sample = Sample {
            big: Some(i64::MIN),
            many: Some(vec![u64::MAX]),
            ..Sample::default()
        };
        let json = serde_json::to_string(&sample).unwrap();
        assert_eq!(
            json,
            r#"{"big":"-9223372036854775808","many":["18446744073709551615"]}"#
        );
        assert_eq!(serde_json::from_str::<Sample>(&json).unwrap(), sample);
        let from_number: Sample = serde_json::from_str(r#"{"big":42}"#).unwrap();
        assert_eq!(from_number.big, Some(42));
    }

    #[test]
    fn bytes_accept_both_alphabets() {
        let standard: Sample = serde_json::from_str(r#"{"data":"+/8="}"#).unwrap();
        let url_safe: Sample = serde_json::from_str(r#"{"data":"-_8"}"#).unwrap();
        assert_eq!(standard.data, Some(vec![0xfb, 0xff]));
        assert_eq!(url_safe.data, standard.data);
        assert_eq!(serde_json::to_string(&standard).unwrap(), r#"{"data":"+/8="}"#);
        assert!(serde_json::from_str::<Sample>(r#"{"data":"*"}"#).is_err());
    }

    #[test]
    fn durations_round_trip() {
        for text in ["3s", "1.500s", "-0.000001s", "0.000000001s"] {
            let parsed = parse_duration(text).unwrap();
            assert_eq!(format_duration(parsed), text);
        }
        assert_eq!(parse_duration("1.5s"), Some(TimeDelta::milliseconds(1500)));
        for bad in ["", "s", "1", "1.s5", "x s", "1.0000000001s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
