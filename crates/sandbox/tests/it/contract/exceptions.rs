//! Where the official OpenAPI files are known to be wrong, and what we validate instead.
//!
//! Nothing is loosened silently: each exception replaces one node of one spec file with a
//! corrected schema (still strictly validated), names the original text it corrects — so the
//! load fails loudly once BigCommerce fixes the file and the exception can go — and says why.

/// One correction to a spec file, applied when the file is loaded.
#[derive(Debug)]
pub struct SpecPatch {
    /// File name in `contracts/bigcommerce/openapi/`.
    pub file: &'static str,
    /// JSON pointer of the node to replace (its parent must exist).
    pub pointer: &'static str,
    /// The node as the official file has it (JSON), or `None` when it is absent there.
    pub original: Option<&'static str>,
    /// What we validate against instead (JSON).
    pub replacement: &'static str,
    /// Why: the evidence that the file is wrong (spec section, example, documentation).
    pub reason: &'static str,
}

/// Evidence tags as in `spec/bigcommerce-platform.md` §0: [§n] that document, [C:repo/path]
/// BigCommerce's own client code, "own example" an example in the same spec file.
pub const SPEC_PATCHES: &[SpecPatch] = &[];
