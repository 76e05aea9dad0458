//! What the emulated user chooses on Google's consent screen: which of the requested scopes to
//! allow, one-time or time-based access, and for how long.
//!
//! Google's "Configure OAuth" page (`developers.google.com/data-portability/user-guide/configure-oauth`):
//! a user "may give consent to some but not all of the scopes", and "chooses whether to grant
//! you access to their data once, or for 30 or 180 days". A test sets the choices for every
//! later consent (`PUT /emulator/v1/consent`, [`Emulator::set_consent`](crate::Emulator::set_consent)),
//! or for one authorization request with hint parameters of the emulator's own
//! (`emulator_granted_resources`, `emulator_access_type`, `emulator_time_based_days`), which
//! Google's server would ignore.

use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::auth::AccessType;
use crate::groups;

/// The lengths a user may choose for time-based access, in days.
pub const TIME_BASED_DAYS: [u32; 2] = [30, 180];

/// The emulated user's choices on the consent screen. `None` fields take the defaults: every
/// requested scope, the configured `consent_access_type`, the configured `time_based_grant`.
/// The JSON form (`PUT /emulator/v1/consent`) has the same fields in camelCase.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ConsentChoices {
    /// The resource groups the user allows, of those requested; a request none of whose scopes
    /// is allowed is denied (`error=access_denied`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_resources: Option<Vec<String>>,
    /// One-time or time-based access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_type: Option<AccessType>,
    /// How long time-based access lasts: 30 or 180 days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_based_days: Option<u32>,
}

impl ConsentChoices {
    /// A description of what is wrong: an unknown group, or a length other than 30 or 180 days.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(unknown) = self.granted_resources.iter().flatten().find(|g| !groups::is_known(g)) {
            return Err(format!("Unknown resource group {unknown:?} in grantedResources"));
        }
        match self.time_based_days {
            Some(days) if !TIME_BASED_DAYS.contains(&days) => Err(format!(
                "timeBasedDays must be 30 or 180 (the choices of Google's consent screen), not {days}"
            )),
            _ => Ok(()),
        }
    }

    /// The choices of one authorization request: its hint parameters over `self`.
    pub(crate) fn with_hints<'a>(&self, param: impl Fn(&str) -> Option<&'a str>) -> Result<Self, String> {
        let mut choices = self.clone();
        if let Some(granted) = param("emulator_granted_resources") {
            choices.granted_resources = Some(
                granted
                    .split([',', ' '])
                    .filter(|g| !g.is_empty())
                    .map(|g| g.strip_prefix(groups::SCOPE_PREFIX).unwrap_or(g).to_owned())
                    .collect(),
            );
        }
        if let Some(access) = param("emulator_access_type") {
            choices.access_type = Some(AccessType::parse(access)?);
        }
        if let Some(days) = param("emulator_time_based_days") {
            let days = days
                .parse()
                .map_err(|_| format!("emulator_time_based_days must be 30 or 180, not {days:?}"))?;
            choices.time_based_days = Some(days);
        }
        choices.validate()?;
        Ok(choices)
    }

    /// The requested groups the user allows, in order.
    pub(crate) fn allowed(&self, requested: &[String]) -> Vec<String> {
        match &self.granted_resources {
            None => requested.to_vec(),
            Some(granted) => requested.iter().filter(|g| granted.contains(g)).cloned().collect(),
        }
    }
}

/// The choices in force, changed at run time.
#[derive(Debug, Default)]
pub(crate) struct ConsentSwitch {
    choices: Mutex<ConsentChoices>,
}

impl ConsentSwitch {
    /// Replaces the choices.
    pub fn set(&self, choices: ConsentChoices) {
        *self.choices.lock().unwrap_or_else(PoisonError::into_inner) = choices;
    }

    /// The choices now.
    pub fn get(&self) -> ConsentChoices {
        self.choices.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_override_the_choices_and_are_checked() {
        let base = ConsentChoices {
            time_based_days: Some(30),
            ..Default::default()
        };
        let hints = [
            (
                "emulator_granted_resources",
                "myactivity.search,https://www.googleapis.com/auth/dataportability.chrome.history",
            ),
            ("emulator_time_based_days", "180"),
        ];
        let param = |name: &str| hints.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let choices = base.with_hints(param).expect("valid");
        assert_eq!(choices.time_based_days, Some(180));
        let requested = [
            "chrome.history".to_owned(),
            "maps.reviews".to_owned(),
            "myactivity.search".to_owned(),
        ];
        assert_eq!(choices.allowed(&requested), ["chrome.history", "myactivity.search"]);
        assert_eq!(base.allowed(&requested), requested, "every requested scope by default");
        let bad_days = |name: &str| (name == "emulator_time_based_days").then_some("90");
        assert!(base.with_hints(bad_days).is_err());
        let bad_group = |name: &str| (name == "emulator_granted_resources").then_some("nope");
        assert!(base.with_hints(bad_group).is_err());
    }
}
