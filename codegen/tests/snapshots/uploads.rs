const IMPORT_UPLOAD: rt::UploadInfo = rt::UploadInfo::new(
    None,
    Some(
        &[
            rt::PathParam::Literal("resumable/upload/tiny/v1/"),
            rt::PathParam::Param {
                name: "parent",
                style: rt::PathStyle::Reserved,
                pattern: None,
            },
            rt::PathParam::Literal("/things:import"),
        ]
    ),
    None,
    &["*/*"],
);
const INSERT_UPLOAD: rt::UploadInfo = rt::UploadInfo::new(
    Some(
        &[
            rt::PathParam::Literal("upload/tiny/v1/"),
            rt::PathParam::Param {
                name: "parent",
                style: rt::PathStyle::Reserved,
                pattern: None,
            },
            rt::PathParam::Literal("/things"),
        ]
    ),
    Some(
        &[
            rt::PathParam::Literal("upload/tiny/v1/"),
            rt::PathParam::Param {
                name: "parent",
                style: rt::PathStyle::Reserved,
                pattern: None,
            },
            rt::PathParam::Literal("/things"),
        ]
    ),
    None,
    &["*/*"],
);
const PUT_UPLOAD: rt::UploadInfo = rt::UploadInfo::new(
    Some(
        &[
            rt::PathParam::Literal("upload/tiny/v1/"),
            rt::PathParam::Param {
                name: "parent",
                style: rt::PathStyle::Reserved,
                pattern: None,
            },
            rt::PathParam::Literal("/things:put"),
        ]
    ),
    None,
    None,
    &["*/*"],
);
