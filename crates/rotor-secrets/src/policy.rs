//! The password policy: what generated passwords look like, and the random source they use.

use crate::Password;

/// Characters the NVUE CLI and a login shell take literally, so an operator can type the
/// password at a prompt and Rotor never needs to quote it: no quotes, backslash, `$`, `!`, `#`,
/// `;`, `&`, `|`, `<`, `>`, brackets, globs, `~` or whitespace.
pub const SAFE_SYMBOLS: &str = "%+,-./:=@^_";

/// How generated passwords are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// How many characters a password has, 12 to 128 (default 24).
    pub length: usize,
    /// At least this many lowercase letters (default 2).
    pub min_lowercase: usize,
    /// At least this many uppercase letters (default 2).
    pub min_uppercase: usize,
    /// At least this many digits (default 2).
    pub min_digits: usize,
    /// At least this many symbols from `symbols` (default 2).
    pub min_symbols: usize,
    /// The symbols to draw from; each must be one of the safe symbols `%+,-./:=@^_` (the
    /// default is all of them).
    pub symbols: String,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            length: 24,
            min_lowercase: 2,
            min_uppercase: 2,
            min_digits: 2,
            min_symbols: 2,
            symbols: SAFE_SYMBOLS.to_string(),
        }
    }
}

/// Why a policy cannot generate passwords.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    /// The length (given) is outside 12 to 128.
    #[error("password length {0} is outside 12..=128")]
    Length(usize),
    /// The minimum counts add up to more than the length.
    #[error("the minimum counts add up to {required}, more than the length {length}")]
    Minimums {
        /// The sum of the minimum counts.
        required: usize,
        /// The policy's length.
        length: usize,
    },
    /// A symbol (given) is not one of the safe symbols `%+,-./:=@^_`.
    #[error("symbol {0:?} is not one NVUE's CLI takes literally (allowed: {SAFE_SYMBOLS})")]
    Symbol(char),
    /// The operating system's random source failed (its error, given).
    #[error("the operating system's random source failed: {0}")]
    Random(String),
}

const LOWERCASE: &str = "abcdefghijkmnopqrstuvwxyz";
const UPPERCASE: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &str = "23456789";

impl PasswordPolicy {
    /// Checks the length, that the minimum counts fit in it, and that every symbol is safe.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if !(12..=128).contains(&self.length) {
            return Err(PolicyError::Length(self.length));
        }
        let required = self.min_lowercase + self.min_uppercase + self.min_digits + self.min_symbols;
        if required > self.length {
            return Err(PolicyError::Minimums {
                required,
                length: self.length,
            });
        }
        if let Some(bad) = self.symbols.chars().find(|c| !SAFE_SYMBOLS.contains(*c)) {
            return Err(PolicyError::Symbol(bad));
        }
        Ok(())
    }

    /// A new password that contains none of `users` (NVOS's password hardening refuses a
    /// password containing its user's name).
    pub fn generate_avoiding(&self, users: &[&str]) -> Result<Password, PolicyError> {
        for _ in 0..100 {
            let password = self.generate()?;
            let text = password.expose().to_ascii_lowercase();
            if !users
                .iter()
                .any(|user| !user.is_empty() && text.contains(&user.to_ascii_lowercase()))
            {
                return Ok(password);
            }
        }
        Err(PolicyError::Random(
            "no password without the user names came out of 100 tries".into(),
        ))
    }

    /// A new password from the operating system's random source.
    pub fn generate(&self) -> Result<Password, PolicyError> {
        self.validate()?;
        let mut random = RandomSource::default();
        let mut characters: Vec<char> = Vec::with_capacity(self.length);
        let classes = [
            (LOWERCASE, self.min_lowercase),
            (UPPERCASE, self.min_uppercase),
            (DIGITS, self.min_digits),
            (self.symbols.as_str(), self.min_symbols),
        ];
        for (alphabet, minimum) in classes {
            let alphabet: Vec<char> = alphabet.chars().collect();
            for _ in 0..minimum {
                characters.push(alphabet[random.below(alphabet.len())?]);
            }
        }
        let all: Vec<char> = classes.iter().flat_map(|(a, _)| a.chars()).collect();
        while characters.len() < self.length {
            characters.push(all[random.below(all.len())?]);
        }
        // Fisher-Yates, so the required characters are not at the front.
        for i in (1..characters.len()).rev() {
            let j = random.below(i + 1)?;
            characters.swap(i, j);
        }
        let password = Password::new(characters.iter().collect::<String>());
        characters.fill('\0');
        Ok(password)
    }
}

/// Unbiased random numbers from the OS, drawn in blocks.
#[derive(Default)]
struct RandomSource {
    buffer: Vec<u8>,
}

impl RandomSource {
    fn byte(&mut self) -> Result<u8, PolicyError> {
        if self.buffer.is_empty() {
            let mut block = [0u8; 64];
            getrandom::fill(&mut block).map_err(|e| PolicyError::Random(e.to_string()))?;
            self.buffer.extend_from_slice(&block);
        }
        Ok(self.buffer.pop().expect("refilled above"))
    }

    /// A uniform number in `0..bound` (bound <= 256), by rejection sampling.
    fn below(&mut self, bound: usize) -> Result<usize, PolicyError> {
        debug_assert!(bound > 0 && bound <= 256);
        let limit = 256 - (256 % bound);
        loop {
            let value = self.byte()? as usize;
            if value < limit {
                return Ok(value % bound);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_follow_the_policy() {
        let policy = PasswordPolicy::default();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let password = policy.generate().unwrap();
            let text = password.expose();
            assert_eq!(text.chars().count(), 24);
            assert!(text.chars().filter(|c| c.is_ascii_lowercase()).count() >= 2);
            assert!(text.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2);
            assert!(text.chars().filter(|c| c.is_ascii_digit()).count() >= 2);
            assert!(text.chars().filter(|c| SAFE_SYMBOLS.contains(*c)).count() >= 2);
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_alphanumeric() || SAFE_SYMBOLS.contains(c))
            );
            seen.insert(text.to_string());
        }
        assert_eq!(seen.len(), 200, "passwords repeat");
    }

    #[test]
    fn bad_policies_are_refused() {
        let short = PasswordPolicy {
            length: 8,
            ..Default::default()
        };
        assert_eq!(short.validate(), Err(PolicyError::Length(8)));
        let quoting = PasswordPolicy {
            symbols: "'".into(),
            ..Default::default()
        };
        assert_eq!(quoting.validate(), Err(PolicyError::Symbol('\'')));
        let greedy = PasswordPolicy {
            length: 12,
            min_digits: 13,
            ..Default::default()
        };
        assert!(matches!(
            greedy.validate(),
            Err(PolicyError::Minimums { .. })
        ));
    }
}
