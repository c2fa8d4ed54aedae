//! The NVUE configuration tree: parsing and rendering NVUE startup YAML, `set`/`unset`/merge,
//! the diff between two revisions, masking of password hashes, and `nv set ...` command lines.
//!
//! A configuration is a tree whose inner nodes are maps with string keys and whose leaves are YAML
//! scalars. An empty map is meaningful in NVUE (`10.0.0.1/32: {}` is an address that is set), so it
//! is kept as an empty branch. Keys are kept sorted, which makes every rendering deterministic.

use std::fmt;

use serde_yaml::{Mapping, Value};

/// What every password hash is replaced with in output.
pub const MASK: &str = "*";

/// Whether a leaf with this key holds a password hash (and so is masked in output).
pub fn is_password_key(key: &str) -> bool {
    key == "hashed-password" || key == "password"
}

/// One node of the configuration tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A scalar value (string, number, boolean), or an opaque YAML value NVUE does not model.
    Leaf(Value),
    /// A map of named children; may be empty.
    Branch(Children),
}

impl Default for Node {
    fn default() -> Self {
        Node::Branch(Children::new())
    }
}

/// The named children of a branch, sorted by name in one small vector. (A `BTreeMap` allocates
/// about a kilobyte per node however few entries it has, which at ten thousand devices is
/// hundreds of megabytes.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Children(Vec<(String, Node)>);

type ChildEntry = (String, Node);
/// Iterates a branch's children as (name, node).
pub type ChildIter<'a> =
    std::iter::Map<std::slice::Iter<'a, ChildEntry>, fn(&ChildEntry) -> (&String, &Node)>;

impl Children {
    /// No children.
    pub fn new() -> Children {
        Children(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(name, _)| name.as_str().cmp(key))
    }

    /// The child named `key`, if there is one.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.position(key).ok().map(|index| &self.0[index].1)
    }

    /// The child named `key`, to change it in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self.position(key) {
            Ok(index) => Some(&mut self.0[index].1),
            Err(_) => None,
        }
    }

    /// Whether there is a child named `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Inserts or replaces a child; returns the one replaced.
    pub fn insert(&mut self, key: String, node: Node) -> Option<Node> {
        match self.position(&key) {
            Ok(index) => Some(std::mem::replace(&mut self.0[index].1, node)),
            Err(index) => {
                self.0.insert(index, (key, node));
                None
            }
        }
    }

    /// Removes the child named `key`; returns it if there was one.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        self.position(key).ok().map(|index| self.0.remove(index).1)
    }

    /// The child named `key`, created empty when missing.
    pub fn entry_or_default(&mut self, key: &str) -> &mut Node {
        let index = match self.position(key) {
            Ok(index) => index,
            Err(index) => {
                self.0.insert(index, (key.to_string(), Node::default()));
                index
            }
        };
        &mut self.0[index].1
    }

    /// The children as (name, node), sorted by name.
    pub fn iter(&self) -> ChildIter<'_> {
        self.0.iter().map(|(key, node)| (key, node))
    }

    /// The children's names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(key, _)| key)
    }

    /// How many children there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no children.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, Node)> for Children {
    fn from_iter<I: IntoIterator<Item = (String, Node)>>(entries: I) -> Children {
        let mut children = Children::new();
        for (key, node) in entries {
            children.insert(key, node);
        }
        children.0.shrink_to_fit();
        children
    }
}

impl<'a> IntoIterator for &'a Children {
    type Item = (&'a String, &'a Node);
    type IntoIter = ChildIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Node {
    /// Converts a YAML value: maps become branches, `null` an empty branch, anything else a leaf.
    pub fn from_yaml(value: &Value) -> Node {
        match value {
            Value::Mapping(mapping) => Node::Branch(
                mapping
                    .iter()
                    .map(|(key, child)| (scalar_text(key), Node::from_yaml(child)))
                    .collect(),
            ),
            Value::Null => Node::default(),
            Value::Tagged(tagged) => Node::from_yaml(&tagged.value),
            other => Node::Leaf(other.clone()),
        }
    }

    /// Converts to YAML, replacing password hashes with [`MASK`] when `mask` is set.
    pub fn to_yaml(&self, mask: bool) -> Value {
        self.to_yaml_under(None, mask)
    }

    fn to_yaml_under(&self, key: Option<&str>, mask: bool) -> Value {
        match self {
            Node::Leaf(value) => {
                if mask && key.is_some_and(is_password_key) {
                    Value::String(MASK.to_string())
                } else {
                    value.clone()
                }
            }
            Node::Branch(children) => {
                let mut mapping = Mapping::new();
                for (child_key, child) in children {
                    mapping.insert(
                        Value::String(child_key.clone()),
                        child.to_yaml_under(Some(child_key), mask),
                    );
                }
                Value::Mapping(mapping)
            }
        }
    }

    /// The children of a branch; `None` for a leaf.
    pub fn children(&self) -> Option<&Children> {
        match self {
            Node::Branch(children) => Some(children),
            Node::Leaf(_) => None,
        }
    }

    /// The node at a path below this one.
    pub fn get<S: AsRef<str>>(&self, path: &[S]) -> Option<&Node> {
        let mut node = self;
        for segment in path {
            node = node.children()?.get(segment.as_ref())?;
        }
        Some(node)
    }

    /// The text of a leaf at a path, if there is one.
    pub fn leaf_text<S: AsRef<str>>(&self, path: &[S]) -> Option<String> {
        match self.get(path)? {
            Node::Leaf(value) => Some(scalar_text(value)),
            Node::Branch(_) => None,
        }
    }

    /// Makes sure a branch exists at `path`, turning any leaf on the way into a branch.
    pub fn ensure_branch<S: AsRef<str>>(&mut self, path: &[S]) -> &mut Children {
        let mut node = self;
        for segment in path {
            if !matches!(node, Node::Branch(_)) {
                *node = Node::default();
            }
            let Node::Branch(children) = node else {
                unreachable!("just made a branch")
            };
            node = children.entry_or_default(segment.as_ref());
        }
        if !matches!(node, Node::Branch(_)) {
            *node = Node::default();
        }
        match node {
            Node::Branch(children) => children,
            Node::Leaf(_) => unreachable!("just made a branch"),
        }
    }

    /// Sets a leaf at `path` (which must not be empty), creating branches on the way.
    pub fn set_leaf<S: AsRef<str>>(&mut self, path: &[S], value: Value) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        self.ensure_branch(parents)
            .insert(last.as_ref().to_string(), Node::Leaf(value));
    }

    /// Removes the node at `path`; returns whether there was one. Branches left empty by the
    /// removal are kept, as NVUE does.
    pub fn remove<S: AsRef<str>>(&mut self, path: &[S]) -> bool {
        let Some((last, parents)) = path.split_last() else {
            return false;
        };
        let mut node = self;
        for segment in parents {
            match node {
                Node::Branch(children) => match children.get_mut(segment.as_ref()) {
                    Some(child) => node = child,
                    None => return false,
                },
                Node::Leaf(_) => return false,
            }
        }
        match node {
            Node::Branch(children) => children.remove(last.as_ref()).is_some(),
            Node::Leaf(_) => false,
        }
    }

    /// Merges `other` into this node: leaves overwrite, branches merge (a `- set:` patch).
    pub fn merge(&mut self, other: &Node) {
        match (self, other) {
            (Node::Branch(mine), Node::Branch(theirs)) => {
                for (key, their_child) in theirs {
                    match mine.get_mut(key) {
                        Some(my_child) => my_child.merge(their_child),
                        None => {
                            mine.insert(key.clone(), their_child.clone());
                        }
                    }
                }
            }
            (mine, theirs) => *mine = theirs.clone(),
        }
    }

    /// Applies a `- unset:` document: every leaf, `null` or empty map in `other` names a node
    /// to remove; non-empty maps are descended into.
    pub fn unset_tree(&mut self, other: &Node) {
        let Node::Branch(theirs) = other else {
            return;
        };
        for (key, their_child) in theirs {
            match their_child {
                Node::Branch(grandchildren) if !grandchildren.is_empty() => {
                    if let Node::Branch(mine) = self
                        && let Some(my_child) = mine.get_mut(key)
                    {
                        my_child.unset_tree(their_child);
                    }
                }
                _ => {
                    self.remove(&[key]);
                }
            }
        }
    }

    /// Every leaf and empty branch below this node, as (path, value) with `None` for an empty
    /// branch, in path order.
    pub fn leaves(&self) -> Vec<(Vec<String>, Option<Value>)> {
        let mut out = Vec::new();
        collect_leaves(self, &mut Vec::new(), &mut out);
        out
    }

    /// Whether two nodes hold the same configuration (leaves compared by their text, so `65001`
    /// and `'65001'` are equal as they are to NVUE).
    pub fn same_as(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Leaf(a), Node::Leaf(b)) => scalar_text(a) == scalar_text(b),
            (Node::Branch(a), Node::Branch(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same_as(vb))
            }
            _ => false,
        }
    }
}

fn collect_leaves(
    node: &Node,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<Value>)>,
) {
    match node {
        Node::Leaf(value) => out.push((path.clone(), Some(value.clone()))),
        Node::Branch(children) if children.is_empty() => {
            if !path.is_empty() {
                out.push((path.clone(), None));
            }
        }
        Node::Branch(children) => {
            for (key, child) in children {
                path.push(key.clone());
                collect_leaves(child, path, out);
                path.pop();
            }
        }
    }
}

/// The text of a scalar as NVUE prints it on a command line.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Null => String::new(),
        Value::Tagged(tagged) => scalar_text(&tagged.value),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// Turns a command-line word into a YAML scalar: whole decimal numbers become numbers, anything
/// else stays a string.
pub fn parse_cli_value(text: &str) -> Value {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let is_number = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if is_number && let Ok(number) = text.parse::<i64>() {
        return Value::Number(number.into());
    }
    Value::String(text.to_string())
}

/// Quotes a word for a command line the way NVUE does: bare when it is plain, in single quotes
/// when it has spaces or shell syntax.
pub fn quote_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:,@+=%[]".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn value_word(key: Option<&String>, value: &Value, mask: bool) -> String {
    if mask && key.is_some_and(|k| is_password_key(k)) {
        MASK.to_string()
    } else {
        quote_word(&scalar_text(value))
    }
}

fn path_words(path: &[String]) -> String {
    path.iter()
        .map(|segment| quote_word(segment))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a configuration file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The text is not YAML; the message names line and column.
    Yaml(String),
    /// The YAML is not NVUE startup YAML.
    Structure(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Yaml(message) | ParseError::Structure(message) => {
                formatter.write_str(message)
            }
        }
    }
}

/// The documents of an NVUE startup YAML file (`- header:`, `- set:`, `- unset:`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StartupDocuments {
    /// The `- header:` document as written, if present.
    pub header: Option<Value>,
    /// The `- set:` tree, if present.
    pub set: Option<Node>,
    /// The `- unset:` tree, if present.
    pub unset: Option<Node>,
}

/// Parses NVUE startup YAML: a list whose items are one-key maps `header`, `set` or `unset`.
pub fn parse_documents(text: &str) -> Result<StartupDocuments, ParseError> {
    let value: Value =
        serde_yaml::from_str(text).map_err(|error| ParseError::Yaml(error.to_string()))?;
    let Value::Sequence(items) = value else {
        return Err(ParseError::Structure(
            "expected a list of '- header:', '- set:' or '- unset:' documents".to_string(),
        ));
    };
    let mut documents = StartupDocuments::default();
    for (index, item) in items.iter().enumerate() {
        let Value::Mapping(mapping) = item else {
            return Err(ParseError::Structure(format!(
                "item {} is not a map with a 'header', 'set' or 'unset' key",
                index + 1
            )));
        };
        for (key, content) in mapping {
            match key.as_str() {
                Some("header") => documents.header = Some(content.clone()),
                Some("set") => {
                    let node = Node::from_yaml(content);
                    if matches!(node, Node::Leaf(_)) {
                        return Err(ParseError::Structure("'set' must be a map".to_string()));
                    }
                    match &mut documents.set {
                        Some(existing) => existing.merge(&node),
                        None => documents.set = Some(node),
                    }
                }
                Some("unset") => {
                    let node = Node::from_yaml(content);
                    match &mut documents.unset {
                        Some(existing) => existing.merge(&node),
                        None => documents.unset = Some(node),
                    }
                }
                _ => {
                    return Err(ParseError::Structure(format!(
                        "unknown document {:?} in item {}; expected 'header', 'set' or 'unset'",
                        scalar_text(key),
                        index + 1
                    )));
                }
            }
        }
    }
    Ok(documents)
}

/// A whole device configuration: the startup header and the `set` tree.
#[derive(Clone, Debug, PartialEq)]
pub struct NvueConfig {
    /// The `- header:` document (model, nvue-api-version, rev-id, version).
    pub header: Value,
    /// The `- set:` tree; always a branch.
    pub root: Node,
}

impl NvueConfig {
    /// A configuration with this header and `- set:` tree; a leaf given as the root becomes an
    /// empty branch.
    pub fn new(header: Value, root: Node) -> NvueConfig {
        let root = match root {
            Node::Leaf(_) => Node::default(),
            branch => branch,
        };
        NvueConfig { header, root }
    }

    /// Parses NVUE startup YAML into a configuration (its `unset` document, if any, is applied
    /// to the `set` tree). A file without `set` is an empty configuration.
    pub fn from_startup_yaml(text: &str) -> Result<NvueConfig, ParseError> {
        let documents = parse_documents(text)?;
        let mut root = documents.set.unwrap_or_default();
        if let Some(unset) = &documents.unset {
            root.unset_tree(unset);
        }
        Ok(NvueConfig::new(
            documents.header.unwrap_or(Value::Null),
            root,
        ))
    }

    /// Renders NVUE startup YAML (`- header:` then `- set:`).
    pub fn to_startup_yaml(&self, mask: bool) -> String {
        serde_yaml::to_string(&self.documents_value(mask)).unwrap_or_default()
    }

    /// Renders the same documents as pretty JSON.
    pub fn to_json(&self, mask: bool) -> String {
        let value = serde_json::to_value(self.documents_value(mask)).unwrap_or_default();
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }

    fn documents_value(&self, mask: bool) -> Value {
        let mut items = Vec::new();
        if !self.header.is_null() {
            let mut header = Mapping::new();
            header.insert(Value::String("header".into()), self.header.clone());
            items.push(Value::Mapping(header));
        }
        let mut set = Mapping::new();
        set.insert(Value::String("set".into()), self.root.to_yaml(mask));
        items.push(Value::Mapping(set));
        Value::Sequence(items)
    }

    /// One `nv set ...` line per leaf and empty branch, hashes masked when `mask` is set.
    pub fn to_commands(&self, mask: bool) -> Vec<String> {
        self.root
            .leaves()
            .into_iter()
            .map(|(path, value)| match value {
                Some(value) => format!(
                    "nv set {} {}",
                    path_words(&path),
                    value_word(path.last(), &value, mask)
                ),
                None => format!("nv set {}", path_words(&path)),
            })
            .collect()
    }
}

/// One difference between two configurations.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A leaf (with its value) or an empty branch (`None`) that is new or changed.
    Set {
        /// Where, from the root.
        path: Vec<String>,
        /// The leaf's new value; `None` for an empty branch.
        value: Option<Value>,
    },
    /// The highest node present before and absent after.
    Unset {
        /// Where, from the root.
        path: Vec<String>,
    },
}

impl Change {
    /// The path of the changed node, from the root.
    pub fn path(&self) -> &[String] {
        match self {
            Change::Set { path, .. } | Change::Unset { path } => path,
        }
    }

    /// The change as an `nv set`/`nv unset` line; password hashes masked when `mask` is set.
    pub fn to_command(&self, mask: bool) -> String {
        match self {
            Change::Set {
                path,
                value: Some(value),
            } => format!(
                "nv set {} {}",
                path_words(path),
                value_word(path.last(), value, mask)
            ),
            Change::Set { path, value: None } => format!("nv set {}", path_words(path)),
            Change::Unset { path } => format!("nv unset {}", path_words(path)),
        }
    }
}

/// The changes that turn `before` into `after`, sorted by path (an unset before a set of the
/// same path).
pub fn diff(before: &Node, after: &Node) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_into(&mut Vec::new(), Some(before), Some(after), &mut changes);
    changes.sort_by(|a, b| {
        a.path()
            .cmp(b.path())
            .then_with(|| matches!(a, Change::Set { .. }).cmp(&matches!(b, Change::Set { .. })))
    });
    changes
}

fn diff_into(
    path: &mut Vec<String>,
    before: Option<&Node>,
    after: Option<&Node>,
    changes: &mut Vec<Change>,
) {
    match (before, after) {
        (None, None) => {}
        (Some(_), None) => changes.push(Change::Unset { path: path.clone() }),
        (None, Some(Node::Branch(children))) if children.is_empty() => {
            if !path.is_empty() {
                changes.push(Change::Set {
                    path: path.clone(),
                    value: None,
                });
            }
        }
        (None, Some(node)) => {
            for (leaf_path, value) in node.leaves() {
                let mut full = path.clone();
                full.extend(leaf_path);
                changes.push(Change::Set { path: full, value });
            }
        }
        (Some(Node::Leaf(a)), Some(Node::Leaf(b))) => {
            if scalar_text(a) != scalar_text(b) {
                changes.push(Change::Set {
                    path: path.clone(),
                    value: Some(b.clone()),
                });
            }
        }
        (Some(Node::Branch(a)), Some(Node::Branch(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                path.push(key.clone());
                diff_into(path, a.get(key), b.get(key), changes);
                path.pop();
            }
        }
        (Some(_), Some(node)) => {
            changes.push(Change::Unset { path: path.clone() });
            diff_into(path, None, Some(node), changes);
        }
    }
}

/// Renders changes as NVUE's default diff output: a `- set:` document with what is new or
/// changed and an `- unset:` document with what goes away. Empty when there are no changes.
pub fn changes_to_yaml(changes: &[Change], mask: bool) -> String {
    let mut set_tree = Node::default();
    let mut unset_tree = Node::default();
    for change in changes {
        match change {
            Change::Set {
                path,
                value: Some(value),
            } => set_tree.set_leaf(path, value.clone()),
            Change::Set { path, value: None } => {
                set_tree.ensure_branch(path);
            }
            Change::Unset { path } => unset_tree.set_leaf(path, Value::Null),
        }
    }
    let mut items = Vec::new();
    for (name, tree) in [("set", &set_tree), ("unset", &unset_tree)] {
        if tree.children().is_some_and(|children| !children.is_empty()) {
            let mut mapping = Mapping::new();
            mapping.insert(Value::String(name.into()), tree.to_yaml(mask));
            items.push(Value::Mapping(mapping));
        }
    }
    if items.is_empty() {
        return String::new();
    }
    serde_yaml::to_string(&Value::Sequence(items)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
- header:
    model: VX
    nvue-api-version: nvue_v1
    rev-id: 1.0
    version: Cumulus Linux 5.9.0
- set:
    system:
      hostname: leaf-01
      aaa:
        user:
          cumulus:
            hashed-password: '$6$salt$abc'
            role: system-admin
    interface:
      swp1:
        type: swp
        description: uplink
      lo:
        ip:
          address:
            10.0.0.1/32: {}
    router:
      bgp:
        autonomous-system: 65001
";

    fn sample() -> NvueConfig {
        NvueConfig::from_startup_yaml(SAMPLE).unwrap()
    }

    #[test]
    fn parses_and_renders_startup_yaml_round_trip() {
        let config = sample();
        assert_eq!(
            config.root.leaf_text(&["system", "hostname"]).as_deref(),
            Some("leaf-01")
        );
        let again = NvueConfig::from_startup_yaml(&config.to_startup_yaml(false)).unwrap();
        assert!(again.root.same_as(&config.root));
        assert_eq!(again.header, config.header);
    }

    #[test]
    fn masks_hashes_in_yaml_json_and_commands() {
        let config = sample();
        let yaml = config.to_startup_yaml(true);
        assert!(yaml.contains("hashed-password: '*'"), "{yaml}");
        assert!(!yaml.contains("$6$"));
        assert!(!config.to_json(true).contains("$6$"));
        let commands = config.to_commands(true);
        assert!(commands.contains(&"nv set system aaa user cumulus hashed-password *".to_string()));
        assert!(commands.contains(&"nv set interface lo ip address 10.0.0.1/32".to_string()));
        assert!(commands.contains(&"nv set router bgp autonomous-system 65001".to_string()));
        let unmasked = config.to_commands(false);
        assert!(
            unmasked
                .contains(&"nv set system aaa user cumulus hashed-password '$6$salt$abc'".into())
        );
    }

    #[test]
    fn diff_lists_sets_and_highest_unsets_sorted_by_path() {
        let before = sample();
        let mut after = before.clone();
        after.root.set_leaf(
            &["system", "aaa", "user", "cumulus", "hashed-password"],
            Value::String("$6$salt$new".into()),
        );
        after.root.set_leaf(
            &["interface", "swp1", "description"],
            Value::String("to spine 01".into()),
        );
        after.root.remove(&["interface", "lo"]);
        after.root.ensure_branch(&["interface", "swp2"]);
        let changes = diff(&before.root, &after.root);
        let lines: Vec<String> = changes.iter().map(|c| c.to_command(true)).collect();
        assert_eq!(
            lines,
            vec![
                "nv unset interface lo",
                "nv set interface swp1 description 'to spine 01'",
                "nv set interface swp2",
                "nv set system aaa user cumulus hashed-password *",
            ]
        );
        let yaml = changes_to_yaml(&changes, true);
        assert!(yaml.starts_with("- set:"), "{yaml}");
        assert!(yaml.contains("- unset:"), "{yaml}");
        assert!(!yaml.contains("$6$"));
    }

    #[test]
    fn numbers_and_strings_with_the_same_text_are_equal() {
        let before = sample();
        let mut after = before.clone();
        after.root.set_leaf(
            &["router", "bgp", "autonomous-system"],
            Value::String("65001".into()),
        );
        assert!(diff(&before.root, &after.root).is_empty());
    }

    #[test]
    fn leaf_replaced_by_branch_is_unset_then_set() {
        let mut before = Node::default();
        before.set_leaf(&["a", "b"], Value::String("x".into()));
        let mut after = Node::default();
        after.set_leaf(&["a", "b", "c"], Value::String("y".into()));
        let lines: Vec<String> = diff(&before, &after)
            .iter()
            .map(|c| c.to_command(true))
            .collect();
        assert_eq!(lines, vec!["nv unset a b", "nv set a b c y"]);
    }

    #[test]
    fn invalid_yaml_names_line_and_column() {
        let error = NvueConfig::from_startup_yaml("- set:\n    system: [\n  bad: :\n").unwrap_err();
        let ParseError::Yaml(message) = error else {
            panic!("expected a YAML error")
        };
        assert!(message.contains("line"), "{message}");
        assert!(message.contains("column"), "{message}");
    }

    #[test]
    fn structure_errors_are_reported() {
        assert!(matches!(
            NvueConfig::from_startup_yaml("system: {}"),
            Err(ParseError::Structure(_))
        ));
        assert!(matches!(
            NvueConfig::from_startup_yaml("- bogus: {}"),
            Err(ParseError::Structure(_))
        ));
    }

    #[test]
    fn patch_documents_merge_and_unset() {
        let mut config = sample();
        let patch = parse_documents(
            "- set:\n    system:\n      hostname: leaf-99\n- unset:\n    interface:\n      swp1:\n        description: null\n",
        )
        .unwrap();
        config.root.merge(patch.set.as_ref().unwrap());
        config.root.unset_tree(patch.unset.as_ref().unwrap());
        assert_eq!(
            config.root.leaf_text(&["system", "hostname"]).as_deref(),
            Some("leaf-99")
        );
        assert!(
            config
                .root
                .get(&["interface", "swp1", "description"])
                .is_none()
        );
        assert!(config.root.get(&["interface", "swp1", "type"]).is_some());
    }

    #[test]
    fn cli_values_become_numbers_only_when_plainly_numeric() {
        assert_eq!(parse_cli_value("65001"), Value::Number(65001.into()));
        assert_eq!(parse_cli_value("007"), Value::String("007".into()));
        assert_eq!(
            parse_cli_value("10.0.0.1"),
            Value::String("10.0.0.1".into())
        );
        assert_eq!(quote_word("hello world"), "'hello world'");
        assert_eq!(quote_word("it's"), r"'it'\''s'");
        assert_eq!(quote_word("swp1"), "swp1");
    }
}
