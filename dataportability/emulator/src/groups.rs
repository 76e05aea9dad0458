//! The resource groups of the Data Portability API: one per OAuth scope.

/// The prefix of every Data Portability scope; the scope of group `g` is `SCOPE_PREFIX` + `g`.
pub const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/dataportability.";

/// Every resource group of the Discovery document (revision 20260927), sorted.
pub const RESOURCE_GROUPS: [&str; 73] = [
    "alerts.subscriptions",
    "chrome.autofill",
    "chrome.bookmarks",
    "chrome.dictionary",
    "chrome.extensions",
    "chrome.history",
    "chrome.reading_list",
    "chrome.settings",
    "discover.follows",
    "discover.likes",
    "discover.not_interested",
    "maps.aliased_places",
    "maps.commute_routes",
    "maps.commute_settings",
    "maps.ev_profile",
    "maps.factual_contributions",
    "maps.offering_contributions",
    "maps.photos_videos",
    "maps.questions_answers",
    "maps.reviews",
    "maps.starred_places",
    "maps.vehicle_profile",
    "myactivity.maps",
    "myactivity.myadcenter",
    "myactivity.play",
    "myactivity.search",
    "myactivity.shopping",
    "myactivity.youtube",
    "mymaps.maps",
    "nest.camera_event",
    "nest.camera_feature",
    "nest.camera_video",
    "nest.store",
    "nest.user",
    "order_reserve.purchases_reservations",
    "pixel.device_data",
    "play.devices",
    "play.grouping",
    "play.installs",
    "play.library",
    "play.playpoints",
    "play.promotions",
    "play.purchases",
    "play.redemptions",
    "play.subscriptions",
    "play.usersettings",
    "saved.collections",
    "search_ugc.comments",
    "search_ugc.media.reviews_and_stars",
    "search_ugc.media.streaming_video_providers",
    "search_ugc.media.thumbs",
    "search_ugc.media.watched",
    "searchnotifications.settings",
    "searchnotifications.subscriptions",
    "shopping.addresses",
    "shopping.reviews",
    "streetview.imagery",
    "youtube.channel",
    "youtube.clips",
    "youtube.comments",
    "youtube.conversations",
    "youtube.live_chat",
    "youtube.music",
    "youtube.playable",
    "youtube.posts",
    "youtube.private_playlists",
    "youtube.private_videos",
    "youtube.public_playlists",
    "youtube.public_videos",
    "youtube.shopping",
    "youtube.subscriptions",
    "youtube.unlisted_playlists",
    "youtube.unlisted_videos",
];

/// The resource groups that take a time filter (`startTime`/`endTime`), sorted.
///
/// Google's time-filter guide (`developers.google.com/data-portability/user-guide/time-filter`)
/// supports time filters for My Activity, Chrome history and Google Play only; the groups of
/// those products (every `myactivity.*`, `chrome.history`, every `play.*`) are our reading of
/// that list. An `initiate` with a time filter for another group is refused.
pub const TIME_FILTER_GROUPS: [&str; 17] = [
    "chrome.history",
    "myactivity.maps",
    "myactivity.myadcenter",
    "myactivity.play",
    "myactivity.search",
    "myactivity.shopping",
    "myactivity.youtube",
    "play.devices",
    "play.grouping",
    "play.installs",
    "play.library",
    "play.playpoints",
    "play.promotions",
    "play.purchases",
    "play.redemptions",
    "play.subscriptions",
    "play.usersettings",
];

/// Whether `group` takes a time filter ([`TIME_FILTER_GROUPS`]).
pub fn takes_time_filter(group: &str) -> bool {
    TIME_FILTER_GROUPS.binary_search(&group).is_ok()
}

/// Whether `group` is a resource group of the API.
pub fn is_known(group: &str) -> bool {
    RESOURCE_GROUPS.binary_search(&group).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list matches the scopes of the committed Discovery document.
    #[test]
    fn groups_are_the_scopes_of_the_discovery_document() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../discovery/dataportability.v1.json");
        let text = std::fs::read_to_string(path).expect("the committed Discovery document");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let scopes = doc["auth"]["oauth2"]["scopes"].as_object().expect("scopes");
        let mut groups: Vec<&str> = scopes.keys().filter_map(|s| s.strip_prefix(SCOPE_PREFIX)).collect();
        groups.sort_unstable();
        assert_eq!(
            groups, RESOURCE_GROUPS,
            "update RESOURCE_GROUPS from the Discovery document"
        );
        assert!(is_known("myactivity.search") && !is_known("myactivity") && !is_known(""));
    }

    #[test]
    fn the_time_filter_groups_are_the_guides_products_and_sorted() {
        let mut sorted = TIME_FILTER_GROUPS;
        sorted.sort_unstable();
        assert_eq!(sorted, TIME_FILTER_GROUPS, "sorted, for the binary search");
        let products: Vec<&str> = RESOURCE_GROUPS
            .iter()
            .copied()
            .filter(|g| g.starts_with("myactivity.") || g.starts_with("play.") || *g == "chrome.history")
            .collect();
        assert_eq!(products, TIME_FILTER_GROUPS);
        assert!(takes_time_filter("chrome.history") && !takes_time_filter("youtube.public_videos"));
    }
}
