const IMPORT_UPLOAD: ::discovery_runtime::__private::UploadInfo = ::discovery_runtime::__private::UploadInfo::new(
    ::std::option::Option::None,
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::__private::PathParam::Literal(
                "resumable/upload/tiny/v1/",
            ),
            ::discovery_runtime::__private::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::__private::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::__private::PathParam::Literal("/things:import"),
        ],
    ),
    ::std::option::Option::None,
    &["*/*"],
);
const INSERT_UPLOAD: ::discovery_runtime::__private::UploadInfo = ::discovery_runtime::__private::UploadInfo::new(
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::__private::PathParam::Literal("upload/tiny/v1/"),
            ::discovery_runtime::__private::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::__private::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::__private::PathParam::Literal("/things"),
        ],
    ),
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::__private::PathParam::Literal("upload/tiny/v1/"),
            ::discovery_runtime::__private::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::__private::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::__private::PathParam::Literal("/things"),
        ],
    ),
    ::std::option::Option::None,
    &["*/*"],
);
const PUT_UPLOAD: ::discovery_runtime::__private::UploadInfo = ::discovery_runtime::__private::UploadInfo::new(
    ::std::option::Option::Some(
        &[
            ::discovery_runtime::__private::PathParam::Literal("upload/tiny/v1/"),
            ::discovery_runtime::__private::PathParam::Param {
                name: "parent",
                style: ::discovery_runtime::__private::PathStyle::Reserved,
                pattern: ::std::option::Option::None,
            },
            ::discovery_runtime::__private::PathParam::Literal("/things:put"),
        ],
    ),
    ::std::option::Option::None,
    ::std::option::Option::None,
    &["*/*"],
);
