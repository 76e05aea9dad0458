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
}
