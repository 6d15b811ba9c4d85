//! `MaxResults`/`NextToken` pages over items ordered by id, shared by the list actions.
//! The token is opaque to clients: the base64url of the last id on the page.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

use crate::error::AwsError;
use crate::texts;

/// One page of `items` (already sorted by `id`), after the item `next_token` names.
pub(crate) fn page<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    next_token: Option<&str>,
    max: usize,
) -> Result<(Vec<T>, Option<String>), AwsError> {
    let after = match next_token {
        Some(token) => Some(
            B64.decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| texts::INVALID_NEXT_TOKEN.error())?,
        ),
        None => None,
    };
    let mut rest: Vec<T> =
        items.into_iter().filter(|item| after.as_deref().is_none_or(|a| id(item) > a)).collect();
    let more = rest.len() > max;
    rest.truncate(max);
    let next = rest.last().filter(|_| more).map(|last| B64.encode(id(last)));
    Ok((rest, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once_in_order() {
        let items = vec!["a", "b", "c", "d", "e"];
        let (first, token) = page(items.clone(), |s| s, None, 2).unwrap();
        assert_eq!(first, ["a", "b"]);
        let (second, token) = page(items.clone(), |s| s, token.as_deref(), 2).unwrap();
        assert_eq!(second, ["c", "d"]);
        let (third, token) = page(items.clone(), |s| s, token.as_deref(), 2).unwrap();
        assert_eq!((third, token), (vec!["e"], None));
        assert!(page(items, |s| s, Some("!!"), 2).is_err());
    }
}
