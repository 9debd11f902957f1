//! Which command a recorded `<-CMD:` request ran, read back exactly from its text.
//!
//! Replay mode makes shims only for the commands a replay file holds, and mode 2 replays only
//! those commands. The reference picks them with an unanchored regex, so `ls` counts as
//! recorded when any word of any line merely begins with `ls` (`lsblk`, an argument `lsfoo`),
//! and a name with a `.` matches any character there. Here the name is the word that the
//! request text puts in the command's place: after the optional `cd <cwd>; ` and
//! `env --unset=VAR 'VAR=value' ` prefixes, up to the first space.

use super::REQUEST_PREFIX;

/// The command name of a request text (without the `<-CMD:` prefix): `mytool` in
/// `cd /w; env 'A=1' mytool x`.
///
/// The prefixes are read as the record form writes them. A `cd` directory containing `; `,
/// or an environment value containing `' `, is cut at that point: such requests are not
/// recognised, which only means that their command is not counted as recorded.
pub fn command_name(text: &str) -> &str {
    let mut rest = text;
    if let Some(after_cd) = rest.strip_prefix("cd ") {
        if let Some(at) = after_cd.find("; ") {
            rest = &after_cd[at + 2..];
        }
    }
    if let Some(mut after_env) = rest.strip_prefix("env ") {
        let mut variables = 0;
        loop {
            if let Some(unset) = after_env.strip_prefix("--unset=") {
                let Some(at) = unset.find(' ') else { break };
                after_env = &unset[at + 1..];
            } else if let Some(set) = after_env.strip_prefix('\'') {
                let Some(at) = set.find("' ") else { break };
                after_env = &set[at + 2..];
            } else {
                break;
            }
            variables += 1;
        }
        // `env` with no variable after it is the command `env` itself.
        if variables > 0 {
            rest = after_env;
        }
    }
    rest.split(' ').next().unwrap_or(rest)
}

/// Those of `intercepts` that some `<-CMD:` request among `request_keys` ran, in the order of
/// `intercepts`.
pub fn recorded_commands<'k>(
    intercepts: &[String],
    request_keys: impl IntoIterator<Item = &'k str>,
) -> Vec<String> {
    let prefix = format!("{REQUEST_PREFIX}:");
    let recorded: std::collections::HashSet<&str> = request_keys
        .into_iter()
        .filter_map(|key| key.strip_prefix(prefix.as_str()))
        .map(command_name)
        .collect();
    intercepts
        .iter()
        .filter(|name| recorded.contains(name.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_follows_the_cd_and_env_prefixes() {
        assert_eq!(command_name("mytool"), "mytool");
        assert_eq!(command_name("mytool \"a b\" it's"), "mytool");
        assert_eq!(command_name("cd /w/sub; mytool x"), "mytool");
        assert_eq!(
            command_name(
                "cd /w/sub; env --unset=UNSETME 'MYVAR=v' 'PATH=/new/a:$PATH:/new/z' mytool both"
            ),
            "mytool"
        );
        assert_eq!(command_name("env --unset=A --unset=B tool"), "tool");
        assert_eq!(command_name("env 'MYVAR=it's' tool"), "tool");
        assert_eq!(command_name("env"), "env");
        assert_eq!(command_name("env -i tool"), "env");
        assert_eq!(command_name(""), "");
    }

    #[test]
    fn only_whole_names_count_not_the_references_loose_regex() {
        let intercepts: Vec<String> = ["ls", "mytool", "my.ool", "git"].map(String::from).to_vec();
        let keys = [
            "<-CMD:lsblk -a",
            "<-CMD:mytool lsfoo",
            "<-CAL:git",
            "<-CMD:cd /x; env 'A=1' git status",
        ];
        assert_eq!(recorded_commands(&intercepts, keys), ["mytool", "git"]);
    }
}
