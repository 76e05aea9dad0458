//! `codegen DOCUMENT.json OUT_DIR`: generates a client crate from a Discovery document.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [document, out_dir] = args.as_slice() else {
        eprintln!("usage: codegen DOCUMENT.json OUT_DIR");
        return ExitCode::from(2);
    };
    match run(Path::new(document), Path::new(out_dir)) {
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

fn run(document: &Path, out_dir: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(document).map_err(|e| format!("cannot read {}: {e}", document.display()))?;
    let generated = codegen::generate(&text, &codegen::Options::default())
        .map_err(|e| format!("{}: {e}", document.display()))?;
    for (path, content) in &generated.files {
        let target = out_dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, content).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(generated.files.len())
}
