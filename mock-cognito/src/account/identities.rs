//! Identities of the account's pools: their linked logins, developer user identifiers, merges
//! and unlinks.
//!
//! An authenticated identity's id is a pure function of (pool, provider, sub), a name-based
//! UUID, so separate mock-cognito processes hand the same user the same id without sharing
//! anything. The table is compact, because a load test holds millions of identities: ids are
//! kept as their 128-bit UUIDs (the region is the endpoint's), pool and provider names once
//! each, times as `u32` seconds; and a login linked to the identity its id derives from needs
//! no entry of its own (the derivation finds it), so only merges, guest upgrades and second
//! logins are indexed by login.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use super::NAMESPACE;
use crate::error::AwsError;
use crate::texts;

/// An identity as the API shows it: unauthenticated when it has no logins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The pool it belongs to.
    pub pool_id: String,
    /// Linked logins: provider name → `sub`.
    pub logins: BTreeMap<String, String>,
    /// Epoch seconds.
    pub created: i64,
    /// Epoch seconds.
    pub modified: i64,
    /// Merged into another identity (or left without logins by `UnlinkIdentity`).
    pub disabled: bool,
    /// Developer user identifiers linked to it (developer-authenticated identities).
    pub developer_ids: BTreeSet<String>,
}

/// A recorded identity as [`Identities::standing`] sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The pool it belongs to.
    pub pool_id: String,
    /// Merged into another identity, or left without logins.
    pub disabled: bool,
    /// Whether it holds one of the logins asked about; `None` when it has no logins (a guest).
    pub holds: Option<bool>,
}

/// An identity as the table holds it: 32 bytes, so a table entry is 48 (with its 16-byte
/// key at 8-byte alignment). Developer identifiers, rare, are kept beside it.
#[derive(Clone, Debug)]
struct Stored {
    pool: Name,
    created: u32,
    modified: u32,
    disabled: bool,
    logins: Box<[(Name, Box<str>)]>,
}

/// An identity's UUID as a table key: two words, so entries align to 8 bytes, not u128's 16.
type Key = [u64; 2];

fn packed(uuid: u128) -> Key {
    [(uuid >> 64) as u64, uuid as u64]
}

fn unpacked(key: &Key) -> u128 {
    (u128::from(key[0]) << 64) | u128::from(key[1])
}

/// A pool or provider name, interned.
type Name = u32;

/// A login in the index: (pool, provider, sub).
type LoginKey = (Name, Name, Box<str>);

/// Epoch seconds as held (saturated into `u32`: until 2106).
fn held(seconds: i64) -> u32 {
    u32::try_from(seconds.max(0)).unwrap_or(u32::MAX)
}

/// The table's maps hash with foldhash, seeded at random per map: SipHash was most of a
/// lookup. Their keys are ids fedmock made (random, or SHA-1 of a login) and names and
/// subjects from signed calls or verified tokens, never bytes an anonymous caller picks.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The identity table of one endpoint.
#[derive(Debug)]
pub struct Identities {
    region: String,
    names: Vec<Box<str>>,
    name_index: Map<Box<str>, Name>,
    by_id: Map<Key, Stored>,
    /// Developer user identifiers linked to an identity.
    developer_ids: Map<Key, Vec<Box<str>>>,
    /// Logins linked to an identity other than the one their id derives from.
    by_login: Map<LoginKey, u128>,
    /// (pool, developer user identifier) → identity.
    by_developer_id: Map<(Name, Box<str>), u128>,
}

/// The id an identity of (pool, provider, sub) always gets in `region`.
pub fn identity_id_for(region: &str, pool_id: &str, provider: &str, sub: &str) -> String {
    format!("{region}:{}", derived_uuid(pool_id, provider, sub))
}

fn derived_uuid(pool_id: &str, provider: &str, sub: &str) -> Uuid {
    let name = [pool_id, "\n", provider, "\n", sub].concat();
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

impl Identities {
    /// An empty table for identities of `region`.
    pub fn new(region: &str) -> Self {
        Self {
            region: region.to_owned(),
            names: Vec::new(),
            name_index: Map::default(),
            by_id: Map::default(),
            developer_ids: Map::default(),
            by_login: Map::default(),
            by_developer_id: Map::default(),
        }
    }

    /// How many identities the table holds.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// The UUID of an id of this region (`None` for any other string).
    fn uuid_of(&self, id: &str) -> Option<u128> {
        let (region, uuid) = id.split_once(':')?;
        // Only the form ids are written in: 36 characters, lowercase, hyphenated.
        let canonical = uuid.len() == 36 && !uuid.bytes().any(|b| b.is_ascii_uppercase());
        if region != self.region || !canonical {
            return None;
        }
        Uuid::try_parse(uuid).ok().map(|u| u.as_u128())
    }

    fn id_of(&self, uuid: u128) -> String {
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        let text = Uuid::from_u128(uuid).hyphenated().encode_lower(&mut text);
        [self.region.as_str(), ":", text].concat()
    }

    fn intern(&mut self, name: &str) -> Name {
        if let Some(&n) = self.name_index.get(name) {
            return n;
        }
        let n = Name::try_from(self.names.len()).expect("fewer than 2^32 pool and provider names");
        self.names.push(name.into());
        self.name_index.insert(name.into(), n);
        n
    }

    fn name(&self, n: Name) -> &str {
        self.names.get(n as usize).map_or("", |s| s)
    }

    fn view(&self, uuid: Key, stored: &Stored) -> Identity {
        Identity {
            pool_id: self.name(stored.pool).to_owned(),
            logins: stored
                .logins
                .iter()
                .map(|(p, sub)| (self.name(*p).to_owned(), sub.to_string()))
                .collect(),
            created: i64::from(stored.created),
            modified: i64::from(stored.modified),
            disabled: stored.disabled,
            developer_ids: self
                .developer_ids
                .get(&uuid)
                .into_iter()
                .flatten()
                .map(ToString::to_string)
                .collect(),
        }
    }

    fn fresh(pool: Name, now: i64) -> Stored {
        Stored {
            pool,
            created: held(now),
            modified: held(now),
            disabled: false,
            logins: Box::default(),
        }
    }

    /// What the exchange needs of a recorded identity, without copying its logins: its pool,
    /// whether it is disabled, and whether it holds any of `logins` (provider → sub), or
    /// `None` for an identity it has no logins at all.
    pub fn standing(&self, id: &str, logins: &[(String, String)]) -> Option<Standing> {
        let stored = self.by_id.get(&packed(self.uuid_of(id)?))?;
        let holds = logins.iter().any(|(provider, sub)| {
            stored.logins.iter().any(|(p, s)| self.name(*p) == provider && &**s == sub)
        });
        Some(Standing {
            pool_id: self.name(stored.pool).to_owned(),
            disabled: stored.disabled,
            holds: (!stored.logins.is_empty()).then_some(holds),
        })
    }

    /// A recorded identity.
    pub fn get(&self, id: &str) -> Option<Identity> {
        let uuid = packed(self.uuid_of(id)?);
        let stored = self.by_id.get(&uuid)?;
        Some(self.view(uuid, stored))
    }

    /// Forgets every identity of a deleted pool.
    pub fn forget_pool(&mut self, pool_id: &str) {
        let Some(&pool) = self.name_index.get(pool_id) else { return };
        self.by_id.retain(|_, identity| identity.pool != pool);
        self.developer_ids.retain(|uuid, _| self.by_id.contains_key(uuid));
        self.by_login.retain(|(p, _, _), _| *p != pool);
        self.by_developer_id.retain(|(p, _), _| *p != pool);
    }

    /// Records a new unauthenticated identity and returns its (random) id.
    pub fn new_unauthenticated(&mut self, pool_id: &str, now: i64) -> String {
        let pool = self.intern(pool_id);
        let uuid = Uuid::new_v4().as_u128();
        self.by_id.insert(packed(uuid), Self::fresh(pool, now));
        self.id_of(uuid)
    }

    /// The identity a login belongs to: its index entry, else the identity its id derives
    /// from if that one holds it.
    fn owner_of(&self, pool_id: &str, pool: Name, provider: Name, sub: &str) -> Option<u128> {
        // Empty unless logins were merged or added: then the lookup pays for a key.
        if !self.by_login.is_empty()
            && let Some(owner) = self.by_login.get(&(pool, provider, sub.into()))
        {
            return Some(*owner);
        }
        let derived = derived_uuid(pool_id, self.name(provider), sub).as_u128();
        self.by_id
            .get(&packed(derived))
            .filter(|i| i.logins.iter().any(|(p, s)| *p == provider && &**s == sub))
            .map(|_| derived)
    }

    /// The identity that already holds every one of `logins` (and is `target`, if given), when
    /// there is one: then [`Identities::link`] has nothing to do but note the time.
    fn linked_already(
        &self,
        pool_id: &str,
        logins: &[(String, String)],
        target: Option<&str>,
    ) -> Option<u128> {
        let pool = *self.name_index.get(pool_id)?;
        let owner = match target {
            // A login belongs to one identity at a time (merges move them), so the target
            // holding it is its owner.
            Some(id) => self.uuid_of(id)?,
            None => {
                let (provider, sub) = logins.first()?;
                let provider = *self.name_index.get(provider.as_str())?;
                self.owner_of(pool_id, pool, provider, sub)?
            }
        };
        let identity = self.by_id.get(&packed(owner))?;
        let holds = logins.iter().all(|(provider, sub)| {
            identity.logins.iter().any(|(p, s)| self.name(*p) == provider && &**s == sub)
        });
        (holds && !identity.disabled && identity.pool == pool).then_some(owner)
    }

    /// Whether identity `id` of `pool_id` already holds every one of `logins` (at least one)
    /// and is enabled, as every call of a returning user finds it; then its time is noted, as
    /// [`Self::link`] would. Nothing is allocated.
    pub fn touch_linked(
        &mut self,
        pool_id: &str,
        logins: &[(String, String)],
        id: &str,
        now: i64,
    ) -> bool {
        if logins.is_empty() {
            return false;
        }
        let Some(owner) = self.linked_already(pool_id, logins, Some(id)) else { return false };
        if let Some(identity) = self.by_id.get_mut(&packed(owner)) {
            identity.modified = held(now);
        }
        true
    }

    /// Links `logins` (provider → sub) to one identity of `pool`: `target` if given, else the
    /// identity one of them already belongs to, else the id derived from the first login.
    /// Other identities the logins belong to are merged into it and disabled, as Cognito does.
    /// A second, different login of a provider the identity already has is a conflict.
    pub fn link(
        &mut self,
        pool_id: &str,
        logins: &[(String, String)],
        target: Option<&str>,
        now: i64,
    ) -> Result<String, AwsError> {
        if let Some(owner) = self.linked_already(pool_id, logins, target) {
            // The common case, every call of a returning user: nothing to merge or add.
            if let Some(identity) = self.by_id.get_mut(&packed(owner)) {
                identity.modified = held(now);
            }
            return Ok(self.id_of(owner));
        }
        let pool = self.intern(pool_id);
        let keyed: Vec<(Name, &str)> =
            logins.iter().map(|(provider, sub)| (self.intern(provider), sub.as_str())).collect();
        let mut owners: Vec<u128> = Vec::new();
        for (provider, sub) in &keyed {
            if let Some(owner) = self.owner_of(pool_id, pool, *provider, sub)
                && !owners.contains(&owner)
            {
                owners.push(owner);
            }
        }
        let target = match target {
            Some(id) => Some(
                self.uuid_of(id)
                    .ok_or_else(|| texts::IDENTITY_NOT_FOUND.with(&[("identity", &id)]))?,
            ),
            None => None,
        };
        let guest = |uuid: u128| self.by_id.get(&packed(uuid)).is_some_and(|i| i.logins.is_empty());
        let parent = match (target, owners.first().copied(), logins.first()) {
            // A guest identity given the logins of an authenticated one is merged into it: the
            // authenticated identity is kept (aws-amplify/amplify-js#6616).
            (Some(target), Some(owner), _) if guest(target) => {
                if owner != target {
                    owners.push(target);
                }
                owner
            }
            (Some(target), _, _) => target,
            (None, Some(owner), _) => owner,
            (None, None, Some((provider, sub))) => derived_uuid(pool_id, provider, sub).as_u128(),
            (None, None, None) => return Ok(self.new_unauthenticated(pool_id, now)),
        };
        // The logins of the identities merged into the parent, and the new ones.
        let mut merged: Vec<(Name, Box<str>)> =
            keyed.iter().map(|(p, s)| (*p, Box::<str>::from(*s))).collect();
        for other in owners.iter().filter(|o| **o != parent) {
            if let Some(identity) = self.by_id.get_mut(&packed(*other)) {
                merged.extend(std::mem::take(&mut identity.logins));
                identity.disabled = true;
                identity.modified = held(now);
            }
        }
        let identity = self.by_id.entry(packed(parent)).or_insert_with(|| Self::fresh(pool, now));
        for (provider, sub) in &merged {
            let linked = identity.logins.iter().find(|(p, _)| p == provider);
            if linked.is_some_and(|(_, s)| s != sub) {
                let provider = self.names.get(*provider as usize).map_or("", |s| s).to_owned();
                let parent = format!("{}:{}", self.region, Uuid::from_u128(parent));
                return Err(
                    texts::LOGIN_CONFLICT.with(&[("provider", &provider), ("identity", &parent)])
                );
            }
        }
        let mut logins = std::mem::take(&mut identity.logins).into_vec();
        for (provider, sub) in &merged {
            if !logins.iter().any(|(p, _)| p == provider) {
                logins.push((*provider, sub.clone()));
            }
        }
        identity.logins = logins.into_boxed_slice();
        identity.modified = held(now);
        identity.disabled = false;
        for (provider, sub) in merged {
            let derived = derived_uuid(pool_id, self.name(provider), &sub).as_u128();
            if derived == parent {
                self.by_login.remove(&(pool, provider, sub));
            } else {
                self.by_login.insert((pool, provider, sub), parent);
            }
        }
        Ok(self.id_of(parent))
    }

    /// The identity a developer user identifier belongs to in `pool_id`.
    pub fn developer_identity(&self, pool_id: &str, developer_id: &str) -> Option<String> {
        let pool = *self.name_index.get(pool_id)?;
        self.by_developer_id.get(&(pool, developer_id.into())).map(|uuid| self.id_of(*uuid))
    }

    /// Links `developer_id` to `identity_id` (created if new). Fails if the identifier already
    /// belongs to another identity.
    pub fn link_developer(
        &mut self,
        pool_id: &str,
        developer_id: &str,
        identity_id: &str,
        now: i64,
    ) -> Result<(), AwsError> {
        let target = self
            .uuid_of(identity_id)
            .ok_or_else(|| texts::IDENTITY_NOT_FOUND.with(&[("identity", &identity_id)]))?;
        let pool = self.intern(pool_id);
        let key = (pool, Box::<str>::from(developer_id));
        if let Some(owner) = self.by_developer_id.get(&key)
            && *owner != target
        {
            let owner = self.id_of(*owner);
            return Err(texts::DEVELOPER_ID_TAKEN
                .with(&[("developer", &developer_id), ("identity", &owner)]));
        }
        let identity = self.by_id.entry(packed(target)).or_insert_with(|| Self::fresh(pool, now));
        identity.modified = held(now);
        let linked = self.developer_ids.entry(packed(target)).or_default();
        if !linked.iter().any(|d| &**d == developer_id) {
            linked.push(developer_id.into());
        }
        self.by_developer_id.insert(key, target);
        Ok(())
    }

    /// Moves every developer identifier of `source`'s identity to `destination`'s; the source
    /// identity is disabled. Returns the destination identity.
    pub fn merge_developer(
        &mut self,
        pool_id: &str,
        source: &str,
        destination: &str,
        now: i64,
    ) -> Result<String, AwsError> {
        let pool = self.intern(pool_id);
        let not_found = |id: &str| texts::DEVELOPER_ID_NOT_FOUND.with(&[("developer", &id)]);
        let find = |table: &Self, id: &str| table.by_developer_id.get(&(pool, id.into())).copied();
        let from = find(self, source).ok_or_else(|| not_found(source))?;
        let to = find(self, destination).ok_or_else(|| not_found(destination))?;
        if from == to {
            return Ok(self.id_of(to));
        }
        let moved = self.by_id.get_mut(&packed(from)).map(|i| {
            i.disabled = true;
            i.modified = held(now);
        });
        let moved = moved.and_then(|()| self.developer_ids.remove(&packed(from)));
        for id in moved.unwrap_or_default() {
            self.by_developer_id.insert((pool, id.clone()), to);
            if let Some(target) = self.by_id.get_mut(&packed(to)) {
                let linked = self.developer_ids.entry(packed(to)).or_default();
                if !linked.contains(&id) {
                    linked.push(id);
                }
                target.modified = held(now);
            }
        }
        Ok(self.id_of(to))
    }

    /// Removes a developer identifier from an identity.
    pub fn unlink_developer(
        &mut self,
        pool_id: &str,
        identity_id: &str,
        developer_id: &str,
    ) -> Result<(), AwsError> {
        let not_linked = || {
            texts::DEVELOPER_ID_NOT_LINKED
                .with(&[("developer", &developer_id), ("identity", &identity_id)])
        };
        let uuid = self.uuid_of(identity_id).ok_or_else(not_linked)?;
        let pool = *self.name_index.get(pool_id).ok_or_else(not_linked)?;
        let key = (pool, Box::<str>::from(developer_id));
        if self.by_developer_id.get(&key) != Some(&uuid) {
            return Err(not_linked());
        }
        self.by_developer_id.remove(&key);
        if let Some(linked) = self.developer_ids.get_mut(&packed(uuid)) {
            linked.retain(|d| &**d != developer_id);
            if linked.is_empty() {
                self.developer_ids.remove(&packed(uuid));
            }
        }
        Ok(())
    }

    /// The identities of a pool, by id.
    pub fn of_pool(&self, pool_id: &str) -> Vec<(String, Identity)> {
        let Some(&pool) = self.name_index.get(pool_id) else { return Vec::new() };
        let mut all: Vec<(String, Identity)> = self
            .by_id
            .iter()
            .filter(|(_, i)| i.pool == pool)
            .map(|(uuid, i)| (self.id_of(unpacked(uuid)), self.view(*uuid, i)))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Deletes an identity and its links; `false` if there was none.
    pub fn delete(&mut self, id: &str) -> bool {
        let Some(uuid) = self.uuid_of(id) else { return false };
        let Some(identity) = self.by_id.remove(&packed(uuid)) else { return false };
        for (provider, sub) in identity.logins {
            let key = (identity.pool, provider, sub);
            if self.by_login.get(&key) == Some(&uuid) {
                self.by_login.remove(&key);
            }
        }
        for developer_id in self.developer_ids.remove(&packed(uuid)).unwrap_or_default() {
            let key = (identity.pool, developer_id);
            if self.by_developer_id.get(&key) == Some(&uuid) {
                self.by_developer_id.remove(&key);
            }
        }
        true
    }

    /// Removes the logins of `providers` from an identity; with none left it is disabled.
    pub fn unlink(&mut self, id: &str, providers: &[String], now: i64) {
        let Some(uuid) = self.uuid_of(id) else { return };
        let names: Vec<Name> =
            providers.iter().filter_map(|p| self.name_index.get(p.as_str()).copied()).collect();
        let Some(identity) = self.by_id.get_mut(&packed(uuid)) else { return };
        let pool = identity.pool;
        let (removed, kept): (Vec<_>, Vec<_>) =
            std::mem::take(&mut identity.logins).into_iter().partition(|(p, _)| names.contains(p));
        identity.logins = kept.into_boxed_slice();
        identity.modified = held(now);
        identity.disabled = identity.logins.is_empty();
        for (provider, sub) in removed {
            self.by_login.remove(&(pool, provider, sub));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_entry_is_48_bytes_and_keys_round_trip() {
        // 10^6 identities in < 300 MB (issue 12) rests on this size.
        assert_eq!(std::mem::size_of::<(Key, Stored)>(), 48);
        let uuid = Uuid::new_v4().as_u128();
        assert_eq!(unpacked(&packed(uuid)), uuid);
    }

    #[test]
    fn a_returning_login_finds_its_identity_and_only_notes_the_time() {
        let mut table = Identities::new("us-east-1");
        let alice = [("okta".to_owned(), "alice".to_owned())];
        let id = table.link("pool", &alice, None, 10).unwrap();
        assert_eq!(table.link("pool", &alice, None, 20).unwrap(), id, "GetId again");
        assert_eq!(table.link("pool", &alice, Some(&id), 30).unwrap(), id, "with its id");
        assert_eq!(table.get(&id).unwrap().modified, 30);
        assert_eq!(table.get(&id).unwrap().created, 10);
        let standing = |t: &Identities, logins: &[(String, String)]| t.standing(&id, logins);
        assert_eq!(standing(&table, &alice).unwrap().holds, Some(true));
        let bob = [("okta".to_owned(), "bob".to_owned())];
        assert_eq!(standing(&table, &bob).unwrap().holds, Some(false));
        assert_eq!(standing(&table, &bob).unwrap().pool_id, "pool");
        // Another user's login sent with alice's id is no returning login: the slow path
        // refuses it (one login per provider).
        assert!(table.link("pool", &bob, Some(&id), 40).is_err());
        let guest = table.new_unauthenticated("pool", 50);
        assert_eq!(table.standing(&guest, &alice).unwrap().holds, None);
        // The guest given alice's login is merged into alice's identity and disabled.
        assert_eq!(table.link("pool", &alice, Some(&guest), 60).unwrap(), id);
        assert!(table.standing(&guest, &[]).unwrap().disabled);
        assert_eq!(table.link("pool", &alice, Some(&guest), 70).unwrap(), id, "still alice's");
    }

    const POOL: &str = "us-east-1:4b9a3c52-6f1e-4d8a-9c27-0fed0c000001";
    const KEY: &str = "dev.okta.example/oauth2/default";

    fn login(sub: &str) -> Vec<(String, String)> {
        vec![(KEY.to_owned(), sub.to_owned())]
    }

    #[test]
    fn a_login_s_identity_is_derived_and_needs_no_index_entry() {
        let mut table = Identities::new("us-east-1");
        let id = table.link(POOL, &login("alice"), None, 10).unwrap();
        assert_eq!(id, identity_id_for("us-east-1", POOL, KEY, "alice"));
        assert!(table.by_login.is_empty(), "the derivation finds it");
        assert_eq!(table.link(POOL, &login("alice"), None, 11).unwrap(), id);
        let shown = table.get(&id).unwrap();
        assert_eq!(shown.logins.get(KEY).map(String::as_str), Some("alice"));
        assert_eq!((shown.created, shown.modified), (10, 11));
        assert_eq!(table.get("eu-west-1:not-a-uuid"), None);
    }

    #[test]
    fn a_guest_upgraded_by_a_login_keeps_its_id_and_indexes_the_login() {
        let mut table = Identities::new("us-east-1");
        let guest = table.new_unauthenticated(POOL, 1);
        assert_eq!(table.link(POOL, &login("bob"), Some(&guest), 2).unwrap(), guest);
        assert_eq!(table.by_login.len(), 1);
        assert_eq!(table.link(POOL, &login("bob"), None, 3).unwrap(), guest, "found by login");
        assert!(table.delete(&guest));
        assert!(table.by_login.is_empty(), "deleting removes its index entries");
    }

    #[test]
    fn a_guest_given_an_authenticated_user_s_login_is_merged_into_it() {
        let mut table = Identities::new("us-east-1");
        let user = table.link(POOL, &login("carol"), None, 1).unwrap();
        let guest = table.new_unauthenticated(POOL, 2);
        assert_eq!(table.link(POOL, &login("carol"), Some(&guest), 3).unwrap(), user);
        assert!(table.get(&guest).unwrap().disabled);
    }
}
