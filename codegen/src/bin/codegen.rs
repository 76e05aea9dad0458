//! `codegen DOCUMENT.json OUT_DIR [--runtime-path PATH] [--max-document-bytes N]`: generates a
//! client crate from a Discovery document. `PATH` is the runtime crate's directory relative to
//! `OUT_DIR`; a document larger than `N` bytes (default 16 MiB) is refused.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: codegen DOCUMENT.json OUT_DIR [--runtime-path PATH] [--max-document-bytes N]";

/// The document, the output directory and the options, or `None` for a usage error.
fn parse_args(args: &[String]) -> Option<(&String, &String, codegen::Options)> {
    let [document, out_dir, flags @ ..] = args else {
        return None;
    };
    let mut options = codegen::Options::default();
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        let value = flags.next()?;
        match flag.as_str() {
            "--runtime-path" => {
                options = codegen::Options {
                    max_document_bytes: options.max_document_bytes,
                    ..codegen::Options::with_runtime_path(value)
                }
            }
            "--max-document-bytes" => options.max_document_bytes = value.parse().ok()?,
            _ => return None,
        }
    }
    Some((document, out_dir, options))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((document, out_dir, options)) = parse_args(&args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match run(Path::new(document), Path::new(out_dir), &options) {
        Ok(count) => {
            println!("wrote {count} files to {out_dir}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(document: &Path, out_dir: &Path, options: &codegen::Options) -> Result<usize, String> {
    let text = std::fs::read_to_string(document).map_err(|e| format!("cannot read {}: {e}", document.display()))?;
    let generated = codegen::generate(&text, options).map_err(|e| format!("{}: {e}", document.display()))?;
    for (path, content) in &generated.files {
        let target = out_dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, content).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(generated.files.len())
}
