const IMPORT_UPLOAD: ::discovery_runtime::UploadInfo = ::discovery_runtime::UploadInfo::new(
    ::std::option::Option::None,
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::PathParam::Literal("resumable/upload/tiny/v1/"),
            ::discovery_runtime::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::PathParam::Literal("/things:import"),
        ],
    ),
    ::std::option::Option::None,
    &["*/*"],
);
const INSERT_UPLOAD: ::discovery_runtime::UploadInfo = ::discovery_runtime::UploadInfo::new(
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::PathParam::Literal("upload/tiny/v1/"),
            ::discovery_runtime::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::PathParam::Literal("/things"),
        ],
    ),
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::PathParam::Literal("upload/tiny/v1/"),
            ::discovery_runtime::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::PathParam::Literal("/things"),
        ],
    ),
    ::std::option::Option::None,
    &["*/*"],
);
const PUT_UPLOAD: ::discovery_runtime::UploadInfo = ::discovery_runtime::UploadInfo::new(
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::PathParam::Literal("upload/tiny/v1/"),
            ::discovery_runtime::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::PathParam::Literal("/things:put"),
        ],
    ),
    ::std::option::Option::None,
    ::std::option::Option::None,
    &["*/*"],
);
