//! Secrets are compared in constant time everywhere: in the app, both clients and both
//! simulators. A source scan finds every `==` / `!=` whose operand is a signature, secret,
//! token, HMAC, MAC, password, CSRF token or JWT, and every map lookup keyed by one (a
//! hash or tree lookup compares bytes with an early exit); there must be none — such
//! comparisons go through `crypto::secret_matches`, `sandbox::secrets` or
//! `Mac::verify_slice`. Unit tests (`#[cfg(test)]` onwards) and comments are not scanned.

use std::path::{Path, PathBuf};

/// The last segment of a name that marks it as holding a secret.
const SECRET_WORDS: &[&str] = &[
    "signature",
    "secret",
    "token",
    "hmac",
    "mac",
    "password",
    "csrf",
    "jwt",
];

/// Calls that only view a value (`x.as_bytes()` is still `x`).
const ACCESSORS: &[&str] = &[
    "as_bytes",
    "as_str",
    "as_ref",
    "as_deref",
    "expose_secret",
    "to_string",
    "to_owned",
    "clone",
    "trim",
    "unwrap_or_default",
    "Some",
    "into_bytes",
    "into",
];

fn is_secret_name(ident: &str) -> bool {
    let lower = ident.to_ascii_lowercase();
    lower
        .rsplit('_')
        .next()
        .is_some_and(|last| SECRET_WORDS.contains(&last))
}

/// The name an operand stands for: its last identifier that is not an accessor.
fn operand_name(operand: &str) -> Option<String> {
    operand
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|s| !s.is_empty() && !s.chars().all(|c| c.is_ascii_digit()))
        .rfind(|s| !ACCESSORS.contains(s))
        .map(str::to_owned)
}

fn operand_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '(' | ')' | '&' | '*' | ':')
}

/// Code without comments, string literals' contents, and unit tests.
fn code_of(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let mut in_string = false;
        let mut escaped = false;
        let mut prev = ' ';
        for c in line.chars() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                    out.push('"');
                }
                continue;
            }
            if c == '/' && prev == '/' {
                out.pop();
                break;
            }
            if c == '"' {
                in_string = true;
            }
            out.push(c);
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// `(line, snippet)` of every non-constant-time comparison of a secret in `source`, and
/// how many comparisons were looked at.
fn findings(source: &str) -> (Vec<(usize, String)>, usize) {
    let code = code_of(source);
    let mut found = Vec::new();
    let mut examined = 0;
    for (n, line) in code.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        for i in 0..chars.len().saturating_sub(1) {
            let op = (chars[i], chars[i + 1]);
            let before = if i > 0 { chars[i - 1] } else { ' ' };
            let after = chars.get(i + 2).copied().unwrap_or(' ');
            if !matches!(op, ('=', '=') | ('!', '=')) || before == '=' || after == '=' {
                continue;
            }
            examined += 1;
            let left: String = {
                let mut j = i;
                while j > 0 && chars[j - 1] == ' ' {
                    j -= 1;
                }
                let end = j;
                while j > 0 && operand_char(chars[j - 1]) {
                    j -= 1;
                }
                chars[j..end].iter().collect()
            };
            let right: String = chars[i + 2..]
                .iter()
                .skip_while(|c| **c == ' ')
                .take_while(|c| operand_char(**c))
                .collect();
            if [left, right]
                .iter()
                .filter_map(|o| operand_name(o))
                .any(|name| is_secret_name(&name))
            {
                found.push((n + 1, line.trim().to_owned()));
            }
        }
        for lookup in [".get(", ".contains_key(", ".get_mut("] {
            for (at, _) in line.match_indices(lookup) {
                examined += 1;
                let arg: String = line[at + lookup.len()..]
                    .chars()
                    .take_while(|c| *c != ')')
                    .collect();
                if operand_name(&arg).is_some_and(|name| is_secret_name(&name)) {
                    found.push((n + 1, line.trim().to_owned()));
                }
            }
        }
    }
    (found, examined)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_scan_finds_what_it_must_and_nothing_else() {
    let bad = r#"
fn a(token: &str, t: &T) -> bool { t.token == token }
fn b(given: &str) -> bool { given.as_bytes() == self.webhook_secret.as_bytes() }
fn c(x: &X) -> bool { x.signature != expected }
fn d() { if old.access_token != token {} }
fn e() -> bool { a.password == password }
fn f() { let g = state.tokens.get(&access_token); }
fn g() { state.codes.contains_key(csrf_token) }
"#;
    let (found, _) = findings(bad);
    assert_eq!(
        found.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6, 7, 8],
        "{found:?}"
    );
    let fine = r#"
fn a() -> bool { token.context != callback.context }
fn b() -> bool { self.peek() == Some(&Token::Punct(c)) }
fn c() -> bool { redirect_uri != app.auth_callback }
fn d() -> bool { secret_matches(expected.as_bytes(), given.as_bytes()) }
fn e() { let s = "token == secret"; } // signature == x
fn f() -> bool { token_type == "bearer" && tokens.len() == 2 }
#[cfg(test)]
mod tests { fn t() { assert!(t.token == token); } }
"#;
    let (found, examined) = findings(fine);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(
        examined, 5,
        "every comparison outside strings, comments and tests"
    );
}

#[test]
fn no_secret_is_compared_with_eq_or_looked_up_by_key() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["app", "bigcommerce", "sequra", "sandbox"] {
        rust_files(&root.join(krate).join("src"), &mut files);
    }
    let mut all = Vec::new();
    let mut examined = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let (found, n) = findings(&source);
        examined += n;
        all.extend(
            found
                .into_iter()
                .map(|(line, code)| format!("{}:{line}: {code}", file.display())),
        );
    }
    assert!(
        files.len() >= 100,
        "only {} source files found",
        files.len()
    );
    assert!(examined >= 500, "only {examined} comparisons examined");
    assert!(
        all.is_empty(),
        "secrets compared outside constant time:\n{}",
        all.join("\n")
    );
    eprintln!(
        "constant-time scan: {} files, {examined} comparisons and lookups examined",
        files.len()
    );
}
