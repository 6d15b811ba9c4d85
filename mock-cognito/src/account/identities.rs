//! Identities of the account's pools: their linked logins, developer user identifiers, merges
//! and unlinks.
//!
//! An authenticated identity's id is a pure function of (pool, provider, sub), a name-based
//! UUID, so separate mock-cognito processes hand the same user the same id without sharing
//! anything; this table only records links, merges and unauthenticated ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use super::NAMESPACE;
use crate::error::AwsError;
use crate::texts;

/// An identity: unauthenticated when it has no logins.
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

impl Identity {
    fn new(pool_id: &str, now: i64) -> Self {
        Self {
            pool_id: pool_id.to_owned(),
            logins: BTreeMap::new(),
            created: now,
            modified: now,
            disabled: false,
            developer_ids: BTreeSet::new(),
        }
    }
}

/// The identity table of one endpoint.
#[derive(Debug)]
pub struct Identities {
    region: String,
    by_id: HashMap<String, Identity>,
    by_login: HashMap<(String, String, String), String>,
    /// (pool, developer user identifier) → identity.
    by_developer_id: HashMap<(String, String), String>,
}

/// The id an identity of (pool, provider, sub) always gets in `region`.
pub fn identity_id_for(region: &str, pool_id: &str, provider: &str, sub: &str) -> String {
    let name = format!("{pool_id}\n{provider}\n{sub}");
    format!("{region}:{}", Uuid::new_v5(&NAMESPACE, name.as_bytes()))
}

impl Identities {
    /// An empty table for identities of `region`.
    pub fn new(region: &str) -> Self {
        Self {
            region: region.to_owned(),
            by_id: HashMap::new(),
            by_login: HashMap::new(),
            by_developer_id: HashMap::new(),
        }
    }

    /// A recorded identity.
    pub fn get(&self, id: &str) -> Option<&Identity> {
        self.by_id.get(id)
    }

    /// Forgets every identity of a deleted pool.
    pub fn forget_pool(&mut self, pool_id: &str) {
        self.by_id.retain(|_, identity| identity.pool_id != pool_id);
        self.by_login.retain(|(pool, _, _), _| pool != pool_id);
        self.by_developer_id.retain(|(pool, _), _| pool != pool_id);
    }

    /// Records a new unauthenticated identity and returns its (random) id.
    pub fn new_unauthenticated(&mut self, pool_id: &str, now: i64) -> String {
        let id = format!("{}:{}", self.region, Uuid::new_v4());
        self.by_id.insert(id.clone(), Identity::new(pool_id, now));
        id
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
        let key = |(provider, sub): &(String, String)| {
            (pool_id.to_owned(), provider.clone(), sub.clone())
        };
        let mut owners: Vec<String> = Vec::new();
        for login in logins {
            if let Some(owner) = self.by_login.get(&key(login))
                && !owners.contains(owner)
            {
                owners.push(owner.clone());
            }
        }
        let guest = |id: &str| self.by_id.get(id).is_some_and(|i| i.logins.is_empty());
        let parent = match (target, owners.first().cloned(), logins.first()) {
            // A guest identity given the logins of an authenticated one is merged into it: the
            // authenticated identity is kept (aws-amplify/amplify-js#6616).
            (Some(target), Some(owner), _) if guest(target) => {
                if owner != target {
                    owners.push(target.to_owned());
                }
                owner
            }
            (Some(target), _, _) => target.to_owned(),
            (None, Some(owner), _) => owner,
            (None, None, Some((provider, sub))) => {
                identity_id_for(&self.region, pool_id, provider, sub)
            }
            (None, None, None) => return Ok(self.new_unauthenticated(pool_id, now)),
        };
        let mut merged: Vec<(String, String)> = logins.to_vec();
        for other in owners.iter().filter(|o| **o != parent) {
            if let Some(identity) = self.by_id.get_mut(other) {
                merged.extend(identity.logins.iter().map(|(p, s)| (p.clone(), s.clone())));
                identity.logins.clear();
                identity.disabled = true;
                identity.modified = now;
            }
        }
        let identity =
            self.by_id.entry(parent.clone()).or_insert_with(|| Identity::new(pool_id, now));
        for (provider, sub) in &merged {
            if identity.logins.get(provider).is_some_and(|linked| linked != sub) {
                return Err(
                    texts::LOGIN_CONFLICT.with(&[("provider", provider), ("identity", &parent)])
                );
            }
        }
        for (provider, sub) in &merged {
            identity.logins.insert(provider.clone(), sub.clone());
        }
        identity.modified = now;
        identity.disabled = false;
        for login in &merged {
            self.by_login.insert(key(login), parent.clone());
        }
        Ok(parent)
    }

    /// The identity a developer user identifier belongs to in `pool_id`.
    pub fn developer_identity(&self, pool_id: &str, developer_id: &str) -> Option<&String> {
        self.by_developer_id.get(&(pool_id.to_owned(), developer_id.to_owned()))
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
        let key = (pool_id.to_owned(), developer_id.to_owned());
        if let Some(owner) = self.by_developer_id.get(&key)
            && owner != identity_id
        {
            return Err(texts::DEVELOPER_ID_TAKEN
                .with(&[("developer", &developer_id), ("identity", owner)]));
        }
        let identity =
            self.by_id.entry(identity_id.to_owned()).or_insert_with(|| Identity::new(pool_id, now));
        identity.developer_ids.insert(developer_id.to_owned());
        identity.modified = now;
        self.by_developer_id.insert(key, identity_id.to_owned());
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
        let find = |id: &str| (pool_id.to_owned(), id.to_owned());
        let not_found = |id: &str| texts::DEVELOPER_ID_NOT_FOUND.with(&[("developer", &id)]);
        let from =
            self.by_developer_id.get(&find(source)).cloned().ok_or_else(|| not_found(source))?;
        let to = self
            .by_developer_id
            .get(&find(destination))
            .cloned()
            .ok_or_else(|| not_found(destination))?;
        if from == to {
            return Ok(to);
        }
        let moved = self.by_id.get_mut(&from).map(|i| {
            i.disabled = true;
            i.modified = now;
            std::mem::take(&mut i.developer_ids)
        });
        for id in moved.unwrap_or_default() {
            self.by_developer_id.insert(find(&id), to.clone());
            if let Some(target) = self.by_id.get_mut(&to) {
                target.developer_ids.insert(id);
                target.modified = now;
            }
        }
        Ok(to)
    }

    /// Removes a developer identifier from an identity.
    pub fn unlink_developer(
        &mut self,
        pool_id: &str,
        identity_id: &str,
        developer_id: &str,
    ) -> Result<(), AwsError> {
        let key = (pool_id.to_owned(), developer_id.to_owned());
        if self.by_developer_id.get(&key).map(String::as_str) != Some(identity_id) {
            return Err(texts::DEVELOPER_ID_NOT_LINKED
                .with(&[("developer", &developer_id), ("identity", &identity_id)]));
        }
        self.by_developer_id.remove(&key);
        if let Some(identity) = self.by_id.get_mut(identity_id) {
            identity.developer_ids.remove(developer_id);
        }
        Ok(())
    }

    /// The identities of a pool, by id.
    pub fn of_pool(&self, pool_id: &str) -> Vec<(String, Identity)> {
        let mut all: Vec<(String, Identity)> = self
            .by_id
            .iter()
            .filter(|(_, i)| i.pool_id == pool_id)
            .map(|(id, i)| (id.clone(), i.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Deletes an identity and its links; `false` if there was none.
    pub fn delete(&mut self, id: &str) -> bool {
        self.by_login.retain(|_, owner| owner != id);
        self.by_developer_id.retain(|_, owner| owner != id);
        self.by_id.remove(id).is_some()
    }

    /// Removes the logins of `providers` from an identity; with none left it is disabled.
    pub fn unlink(&mut self, id: &str, providers: &[String], now: i64) {
        let Some(identity) = self.by_id.get_mut(id) else { return };
        let pool = identity.pool_id.clone();
        let removed: Vec<(String, String)> = providers
            .iter()
            .filter_map(|p| identity.logins.remove(p).map(|sub| (p.clone(), sub)))
            .collect();
        identity.modified = now;
        identity.disabled = identity.logins.is_empty();
        for (provider, sub) in removed {
            self.by_login.remove(&(pool.clone(), provider, sub));
        }
    }
}
