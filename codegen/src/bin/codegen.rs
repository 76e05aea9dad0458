//! `codegen DOCUMENT.json OUT_DIR [--runtime-path PATH]`: generates a client crate from a
//! Discovery document. `PATH` is the runtime crate's directory relative to `OUT_DIR`.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: codegen DOCUMENT.json OUT_DIR [--runtime-path PATH]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (document, out_dir, options) = match args.as_slice() {
        [document, out_dir] => (document, out_dir, codegen::Options::default()),
        [document, out_dir, flag, path] if flag == "--runtime-path" => {
            (document, out_dir, codegen::Options::with_runtime_path(path))
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
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
