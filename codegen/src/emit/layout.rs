//! Where the text emitters break a line: the layout `rustfmt` gives a signature, a call or an
//! array with its default settings (`max_width = 100`, `fn_call_width = 60`,
//! `array_width = 60`, <https://rust-lang.github.io/rustfmt/?version=v1&search=#use_small_heuristics>),
//! so that generated files read as if formatted by it.

use std::fmt::Write as _;

/// The widest line `rustfmt` writes (`max_width`).
pub const WIDTH: usize = 100;

/// The widest argument list `rustfmt` keeps on the line of its call (`fn_call_width`), and
/// the widest array it keeps on one line (`array_width`).
pub const SHORT_LIST_WIDTH: usize = 60;

/// The width of `text` as `rustfmt` counts it (characters; the generated code is ASCII but
/// for string literals and docs).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `head(params) tail {` on one line when it fits, else one parameter a line.
pub fn write_fn(out: &mut String, indent: &str, head: &str, params: &[String], tail: &str) {
    let one_line = format!("{indent}{head}({}){tail} {{", params.join(", "));
    if width(&one_line) <= WIDTH {
        let _ = writeln!(out, "{one_line}");
        return;
    }
    let _ = writeln!(out, "{indent}{head}(");
    for p in params {
        let _ = writeln!(out, "{indent}    {p},");
    }
    let _ = writeln!(out, "{indent}){tail} {{");
}

/// `callee(args)end` on one line when it fits, else one argument a line.
pub fn write_call(out: &mut String, indent: &str, callee: &str, args: &[String], end: &str) {
    let one_line = format!("{indent}{callee}({}){end}", args.join(", "));
    if width(&one_line) <= WIDTH {
        let _ = writeln!(out, "{one_line}");
        return;
    }
    write_vertical(out, indent, &format!("{callee}("), args, &format!("){end}"));
}

/// `callee(args)end` as `rustfmt` lays out a call whose arguments are literals or paths: on
/// one line when it fits and the arguments take at most [`SHORT_LIST_WIDTH`], else one
/// argument a line.
pub fn write_short_call(out: &mut String, indent: &str, callee: &str, args: &[String], end: &str) {
    let joined = args.join(", ");
    let one_line = format!("{indent}{callee}({joined}){end}");
    if width(&joined) <= SHORT_LIST_WIDTH && width(&one_line) <= WIDTH {
        let _ = writeln!(out, "{one_line}");
        return;
    }
    write_vertical(out, indent, &format!("{callee}("), args, &format!("){end}"));
}

/// An element of an array literal: a path, or a call whose arguments are literals.
pub enum Element<'a> {
    /// `Self::Variant`.
    Path(String),
    /// `callee(args..)`.
    Call(&'a str, Vec<String>),
}

impl Element<'_> {
    fn one_line(&self) -> String {
        match self {
            Self::Path(path) => path.clone(),
            Self::Call(callee, args) => format!("{callee}({})", args.join(", ")),
        }
    }
}

/// `lhs = open elements close;` (a `const` or `static` item whose value is an array) as
/// `rustfmt` lays it out: on one line when it fits and the elements take at most
/// [`SHORT_LIST_WIDTH`]; else the value alone on the next line when it fits there; else one
/// element a line. A lone element is "overflowed" instead: a call keeps its opening on the
/// line of the brackets (the next line when it does not fit and its arguments do) and puts its
/// arguments one a line.
pub fn write_array_item(out: &mut String, indent: &str, lhs: &str, (open, close): (&str, &str), elements: &[Element]) {
    let one_line: Vec<String> = elements.iter().map(Element::one_line).collect();
    let joined = one_line.join(", ");
    let short = width(&joined) <= SHORT_LIST_WIDTH;
    let same_line = format!("{indent}{lhs} = {open}{joined}{close};");
    let next_line = format!("{indent}    {open}{joined}{close};");
    let inner = format!("{indent}    ");
    let lone = elements.len() == 1;
    if let [Element::Call(callee, args)] = elements
        && !short
    {
        let head = format!("{lhs} = {open}{callee}(");
        if width(indent) + width(&head) <= WIDTH {
            write_vertical(out, indent, &head, args, &format!("){close};"));
            return;
        }
        // On the next line only when every argument fits there; else one element a line.
        // Each argument is followed by a comma.
        if args.iter().all(|arg| width(&inner) + 4 + width(arg) < WIDTH) {
            let _ = writeln!(out, "{indent}{lhs} =");
            write_vertical(out, &inner, &format!("{open}{callee}("), args, &format!("){close};"));
            return;
        }
    }
    let fits_one_line = elements.is_empty() || short || lone;
    if fits_one_line && width(&same_line) <= WIDTH {
        let _ = writeln!(out, "{same_line}");
    } else if fits_one_line && width(&next_line) <= WIDTH {
        let _ = writeln!(out, "{indent}{lhs} =\n{next_line}");
    } else if lone && matches!(elements, [Element::Path(_)]) {
        // Too long for any line: left as it is.
        let _ = writeln!(out, "{same_line}");
    } else {
        let _ = writeln!(out, "{indent}{lhs} = {open}");
        for element in elements {
            match element {
                Element::Path(path) => {
                    let _ = writeln!(out, "{inner}{path},");
                }
                Element::Call(callee, args) => write_short_call(out, &inner, callee, args, ","),
            }
        }
        let _ = writeln!(out, "{indent}{close};");
    }
}

fn write_vertical(out: &mut String, indent: &str, open: &str, items: &[String], close: &str) {
    let _ = writeln!(out, "{indent}{open}");
    for item in items {
        let _ = writeln!(out, "{indent}    {item},");
    }
    let _ = writeln!(out, "{indent}{close}");
}

/// `lhs = rhs;` (a `const` or `static` item) on one line when it fits, else with `rhs` on the
/// next line, indented, when it fits there.
pub fn write_assignment(out: &mut String, indent: &str, lhs: &str, rhs: &str) {
    let one_line = format!("{indent}{lhs} = {rhs};");
    let next_line = format!("{indent}    {rhs};");
    if width(&one_line) > WIDTH && width(&next_line) <= WIDTH {
        let _ = writeln!(out, "{indent}{lhs} =\n{next_line}");
    } else {
        let _ = writeln!(out, "{one_line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(lhs: &str, elements: &[Element]) -> String {
        let mut out = String::new();
        write_array_item(&mut out, "", lhs, ("&[", "]"), elements);
        out
    }

    fn paths(names: &[&str]) -> Vec<Element<'static>> {
        names.iter().map(|n| Element::Path(format!("Self::{n}"))).collect()
    }

    /// The layouts `rustfmt` (edition 2024, default settings) gives these items.
    #[test]
    fn arrays_are_laid_out_as_rustfmt_does() {
        let lhs = "pub const ALL: &'static [Scope]";
        let at_depth_one = |elements: &[Element]| {
            let mut out = String::new();
            write_array_item(&mut out, "    ", lhs, ("&[", "]"), elements);
            out
        };
        assert_eq!(
            at_depth_one(&paths(&["A", "B"])),
            format!("    {lhs} = &[Self::A, Self::B];\n")
        );
        let long = ["A", "Bbbbbbbbbbbbbbbbbbbb", "Cccccccccccccccc"];
        assert_eq!(
            at_depth_one(&paths(&long)),
            format!("    {lhs} =\n        &[Self::A, Self::Bbbbbbbbbbbbbbbbbbbb, Self::Cccccccccccccccc];\n")
        );
        let longer = ["A", "Bbbbbbbbbbbbbbbbbbbb", "Cccccccccccccccccccccccccccc"];
        assert_eq!(
            at_depth_one(&paths(&longer)),
            format!(
                "    {lhs} = &[\n        Self::A,\n        Self::Bbbbbbbbbbbbbbbbbbbb,\n        \
                 Self::Cccccccccccccccccccccccccccc,\n    ];\n"
            )
        );
        assert_eq!(array(lhs, &[]), format!("{lhs} = &[];\n"));
    }

    #[test]
    fn a_lone_call_is_overflowed() {
        let args = |url: &str| vec![format!("\"{url}\""), "\"a\"".to_owned(), "\"b\"".to_owned()];
        let lhs = "static SCOPES: [::discovery_runtime::__private::ScopeInfo; 1]";
        let callee = "::discovery_runtime::__private::ScopeInfo::new";
        assert_eq!(
            array(lhs, &[Element::Call(callee, args("https://x/a"))]),
            format!("{lhs} =\n    &[{callee}(\n        \"https://x/a\",\n        \"a\",\n        \"b\",\n    )];\n")
        );
        // An argument too long for the next line: one element a line instead.
        let url = format!("https://x/{}", "x".repeat(90));
        assert_eq!(
            array(lhs, &[Element::Call(callee, args(&url))]),
            format!("{lhs} = &[\n    {callee}(\n        \"{url}\",\n        \"a\",\n        \"b\",\n    ),\n];\n")
        );
        // A call that fits after the `=`: overflowed on that line.
        assert_eq!(
            array("static S: [S; 1]", &[Element::Call("S::new", args(&url))]),
            format!("static S: [S; 1] = &[S::new(\n    \"{url}\",\n    \"a\",\n    \"b\",\n)];\n")
        );
    }

    #[test]
    fn calls_break_when_their_arguments_are_long() {
        let mut out = String::new();
        let args = ["\"fields\"".to_owned(), format!("{}(value)", "x".repeat(55))];
        write_short_call(&mut out, "    ", "self.call.set_query", &args, ";");
        assert_eq!(
            out,
            format!(
                "    self.call.set_query(\n        \"fields\",\n        {}(value),\n    );\n",
                "x".repeat(55)
            )
        );
    }
}
