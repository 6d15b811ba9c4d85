//! Random identifiers: token ids, codes, refresh tokens, error ids.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

/// A random identifier of `len` base64url characters.
pub(crate) fn random_id(len: usize) -> String {
    let mut bytes = vec![0u8; len.div_ceil(4) * 3];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system RNG is available");
    let mut id = B64.encode(bytes);
    id.truncate(len);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_have_the_asked_length_and_differ() {
        let a = random_id(43);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_id(43));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
