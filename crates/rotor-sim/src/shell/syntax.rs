//! Parsing a command line as the small part of bash a switch's login shell shows to Rotor: words
//! with bash's quoting rules, `;`, `&&` and `||` lists, `|` pipelines, redirections (`>`,
//! `>>`, `<`, `2>&1`, here-documents) and `$` expansion of (always unset) variables and `$?`.
//!
//! Variables are expanded exactly as bash would expand unset ones: to nothing. So a password hash
//! sent unquoted or in double quotes (`"$6$rounds=..."`) loses its `$` fields on the simulator as
//! it would on a real switch; single quotes keep it.

use std::fmt;

/// How a command is joined to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// The first command, or after `;` or a newline.
    Always,
    /// After `&&`: runs only if the previous command succeeded.
    And,
    /// After `||`: runs only if the previous command failed.
    Or,
    /// After `|`: part of the same pipeline, reads the previous command's output.
    Pipe,
}

/// Stands for `$?` in a word until the command runs and the previous exit status is known.
pub const LAST_STATUS_MARK: char = '\u{E000}';

/// Commands that read standard input when no file is named.
const FILTERS: &[&str] = &["cat", "grep", "head", "tail", "wc"];

/// The file operands of a filter command (its words after options, option values and, for
/// `grep`, the pattern).
pub fn file_operands(words: &[String]) -> Vec<&String> {
    let Some(name) = words.first() else {
        return Vec::new();
    };
    let mut operands = Vec::new();
    let mut arguments = words[1..].iter();
    while let Some(word) = arguments.next() {
        if word == "-n" && matches!(name.as_str(), "head" | "tail") {
            arguments.next();
        } else if word == "-e" && name == "grep" {
            arguments.next();
            operands.push(word);
        } else if word == "-" || !word.starts_with('-') {
            operands.push(word);
        }
    }
    if name == "grep" && !words.iter().any(|word| word == "-e") && !operands.is_empty() {
        operands.remove(0);
    }
    operands.retain(|word| *word != "-e");
    operands
}

/// Where a redirection sends or takes data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `> path` or `>> path` (`append`).
    StdoutToFile {
        /// The file written.
        path: String,
        /// `>>`: add to the end instead of replacing the file.
        append: bool,
    },
    /// `2> path` or `2>> path`.
    StderrToFile {
        /// The file written.
        path: String,
        /// `2>>`: add to the end instead of replacing the file.
        append: bool,
    },
    /// `2>&1`.
    StderrToStdout,
    /// `>&2` or `1>&2`.
    StdoutToStderr,
    /// `< path`.
    StdinFromFile {
        /// The file read.
        path: String,
    },
    /// A here-document (`<<EOF` ... `EOF`): its body is the command's standard input.
    StdinText {
        /// The here-document's body.
        text: String,
    },
}

/// One command with its words and redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The command's name and arguments, quotes removed.
    pub words: Vec<String>,
    /// Its redirections, in the order written.
    pub redirects: Vec<Redirect>,
}

impl SimpleCommand {
    /// Whether the command reads its standard input (as `cat` with no file operand and no
    /// input redirection does, or `nv config replace|patch /dev/stdin`).
    pub fn reads_stdin(&self) -> bool {
        let takes_input = self.redirects.iter().any(|redirect| {
            matches!(
                redirect,
                Redirect::StdinFromFile { .. } | Redirect::StdinText { .. }
            )
        });
        let words = match self.words.first().map(String::as_str) {
            Some("sudo") => &self.words[1..],
            _ => &self.words[..],
        };
        if words.first().is_some_and(|name| name == "nv") {
            return !takes_input && crate::nvue::reads_stdin(&words[1..]);
        }
        !takes_input
            && self
                .words
                .first()
                .is_some_and(|name| FILTERS.contains(&name.as_str()))
            && file_operands(&self.words)
                .iter()
                .all(|operand| operand.as_str() == "-")
    }
}

/// A parsed command line: commands with the connector that precedes each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandList {
    /// Each command with the connector before it (the first one's is [`Connector::Always`]).
    pub commands: Vec<(Connector, SimpleCommand)>,
}

impl CommandList {
    /// Whether some command reads the session's standard input (not a pipe).
    pub fn reads_session_stdin(&self) -> bool {
        self.commands
            .iter()
            .any(|(connector, command)| *connector != Connector::Pipe && command.reads_stdin())
    }
}

/// Why a command line could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellError {
    /// The line ends inside quotes or a here-document; an interactive shell asks for more.
    Incomplete {
        /// What the shell is waiting for: the closing quote, the here-document's delimiter,
        /// or, after a line ending in `&&`, `||` or `|`, that operator (a command must follow).
        looking_for: String,
    },
    /// A token where bash does not expect one.
    UnexpectedToken(String),
    /// Valid bash the simulated device does not run (background jobs, subshells, command
    /// substitution).
    Unsupported(String),
}

impl fmt::Display for ShellError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShellError::Incomplete { looking_for } => {
                write!(
                    formatter,
                    "unexpected EOF while looking for matching `{looking_for}'"
                )
            }
            ShellError::UnexpectedToken(token) => {
                write!(formatter, "syntax error near unexpected token `{token}'")
            }
            ShellError::Unsupported(what) => {
                write!(formatter, "{what}: not supported by this simulated device")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Operator(&'static str),
    /// A redirection whose target is the next word (`>`, `>>`, `2>`, `2>>`, `<`).
    RedirectTo(&'static str),
    /// A complete redirection (`2>&1`, `>&2`, or a here-document).
    Redirect(Redirect),
}

/// Parses a command line. With `complete` set (an `exec` request), a missing closing quote is an
/// error and a here-document may end at the end of input; without it (an interactive line), both
/// give [`ShellError::Incomplete`] so the shell can prompt for the next line.
pub fn parse(line: &str, complete: bool) -> Result<CommandList, ShellError> {
    let tokens = tokenize(line, complete)?;
    let mut list = CommandList::default();
    let mut current = SimpleCommand::default();
    let mut connector = Connector::Always;
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            Token::Word(word) => current.words.push(word),
            Token::Redirect(redirect) => current.redirects.push(redirect),
            Token::RedirectTo(kind) => {
                let Some(Token::Word(path)) = tokens.next() else {
                    return Err(ShellError::UnexpectedToken("newline".into()));
                };
                current.redirects.push(match kind {
                    ">" => Redirect::StdoutToFile {
                        path,
                        append: false,
                    },
                    ">>" => Redirect::StdoutToFile { path, append: true },
                    "2>" => Redirect::StderrToFile {
                        path,
                        append: false,
                    },
                    "2>>" => Redirect::StderrToFile { path, append: true },
                    _ => Redirect::StdinFromFile { path },
                });
            }
            Token::Operator(operator) => {
                if current.words.is_empty() && current.redirects.is_empty() {
                    if operator == "\n" {
                        // Blank lines, and a newline after `&&` or `||`, are allowed.
                        continue;
                    }
                    return Err(ShellError::UnexpectedToken(operator.into()));
                }
                let next_connector = match operator {
                    "&&" => Connector::And,
                    "||" => Connector::Or,
                    "|" => Connector::Pipe,
                    _ => Connector::Always,
                };
                list.commands
                    .push((connector, std::mem::take(&mut current)));
                connector = next_connector;
                if next_connector != Connector::Always && tokens.peek().is_none() {
                    if complete {
                        return Err(ShellError::UnexpectedToken("end of file".into()));
                    }
                    return Err(ShellError::Incomplete {
                        looking_for: operator.into(),
                    });
                }
            }
        }
    }
    if !current.words.is_empty() || !current.redirects.is_empty() {
        list.commands.push((connector, current));
    }
    Ok(list)
}

struct Tokenizer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    tokens: Vec<Token>,
    word: Option<String>,
    word_was_quoted: bool,
    /// Here-documents opened on the current line: delimiter, whether it was quoted, and the
    /// index of the token that receives the body.
    pending_here_documents: Vec<(String, bool, usize)>,
    complete: bool,
}

fn tokenize(line: &str, complete: bool) -> Result<Vec<Token>, ShellError> {
    let mut tokenizer = Tokenizer {
        chars: line.chars().peekable(),
        tokens: Vec::new(),
        word: None,
        word_was_quoted: false,
        pending_here_documents: Vec::new(),
        complete,
    };
    tokenizer.run()?;
    Ok(tokenizer.tokens)
}

impl Tokenizer<'_> {
    fn push_char(&mut self, c: char) {
        self.word.get_or_insert_with(String::new).push(c);
    }

    fn finish_word(&mut self) {
        if let Some(word) = self.word.take() {
            self.tokens.push(Token::Word(word));
        }
        self.word_was_quoted = false;
    }

    fn run(&mut self) -> Result<(), ShellError> {
        while let Some(c) = self.chars.next() {
            match c {
                ' ' | '\t' | '\r' => self.finish_word(),
                '\n' => {
                    self.finish_word();
                    self.tokens.push(Token::Operator("\n"));
                    self.read_here_documents()?;
                }
                '#' if self.word.is_none() => {
                    while self.chars.peek().is_some_and(|&next| next != '\n') {
                        self.chars.next();
                    }
                }
                '\'' => self.single_quoted()?,
                '"' => self.double_quoted()?,
                '\\' => match self.chars.next() {
                    Some('\n') => {}
                    Some(next) => {
                        self.word_was_quoted = true;
                        self.push_char(next);
                    }
                    None => self.push_char('\\'),
                },
                '$' => self.expand_variable(false)?,
                '`' => return Err(ShellError::Unsupported("`...`".into())),
                '(' | ')' => {
                    if self.word.is_none() && self.tokens.is_empty() && c == '(' {
                        return Err(ShellError::Unsupported("subshell".into()));
                    }
                    return Err(ShellError::UnexpectedToken(c.to_string()));
                }
                ';' | '&' | '|' => self.list_operator(c)?,
                '>' => self.redirect_output()?,
                '<' => {
                    self.finish_word();
                    if self.chars.peek() == Some(&'<') {
                        self.chars.next();
                        self.here_document()?;
                    } else {
                        self.tokens.push(Token::RedirectTo("<"));
                    }
                }
                other => self.push_char(other),
            }
        }
        self.finish_word();
        if !self.pending_here_documents.is_empty() {
            if self.complete {
                // bash warns and takes everything to the end of input (here: nothing).
                self.pending_here_documents.clear();
            } else {
                let (delimiter, _, _) = &self.pending_here_documents[0];
                return Err(ShellError::Incomplete {
                    looking_for: delimiter.clone(),
                });
            }
        }
        Ok(())
    }

    /// A quoted part starts: the word exists even if the quotes are empty (`''`).
    fn begin_quoted(&mut self) {
        self.word.get_or_insert_with(String::new);
        self.word_was_quoted = true;
    }

    /// The rest of a `'...'` string: everything is literal.
    fn single_quoted(&mut self) -> Result<(), ShellError> {
        self.begin_quoted();
        loop {
            match self.chars.next() {
                Some('\'') => return Ok(()),
                Some(inner) => self.push_char(inner),
                None => {
                    return Err(ShellError::Incomplete {
                        looking_for: "'".into(),
                    });
                }
            }
        }
    }

    /// The rest of a `"..."` string: `$` expands, a backslash escapes `$`, `` ` ``, `"`, `\`
    /// and a newline.
    fn double_quoted(&mut self) -> Result<(), ShellError> {
        self.begin_quoted();
        loop {
            match self.chars.next() {
                Some('"') => return Ok(()),
                Some('\\') => match self.chars.peek().copied() {
                    Some(next @ ('$' | '`' | '"' | '\\')) => {
                        self.chars.next();
                        self.push_char(next);
                    }
                    Some('\n') => {
                        self.chars.next();
                    }
                    _ => self.push_char('\\'),
                },
                Some('$') => self.expand_variable(true)?,
                Some('`') => return Err(ShellError::Unsupported("`...`".into())),
                Some(inner) => self.push_char(inner),
                None => {
                    return Err(ShellError::Incomplete {
                        looking_for: "\"".into(),
                    });
                }
            }
        }
    }

    /// `;`, `&&`, `|` or `||` (`c` is the first character); a single `&` (a background job) and
    /// `&>` are refused.
    fn list_operator(&mut self, c: char) -> Result<(), ShellError> {
        self.finish_word();
        let doubled = self.chars.peek() == Some(&c);
        let operator = match (c, doubled) {
            (';', true) => return Err(ShellError::UnexpectedToken(";;".into())),
            (';', false) => ";",
            ('&', true) => "&&",
            ('&', false) if self.chars.peek() == Some(&'>') => {
                return Err(ShellError::Unsupported("&>".into()));
            }
            ('&', false) => return Err(ShellError::Unsupported("background job (&)".into())),
            (_, true) => "||",
            (_, false) => "|",
        };
        if doubled {
            self.chars.next();
        }
        self.tokens.push(Token::Operator(operator));
        Ok(())
    }

    /// `$name`, `$1`, `${...}` and `$?` expand to nothing (no variables are set); `$(` is
    /// command substitution, which the device does not run; any other `$` is literal.
    fn expand_variable(&mut self, quoted: bool) -> Result<(), ShellError> {
        match self.chars.peek().copied() {
            Some(c) if c.is_ascii_digit() || c == '?' || c == '#' || c == '@' || c == '*' => {
                self.chars.next();
                if c == '?' {
                    self.push_char(LAST_STATUS_MARK);
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                while self
                    .chars
                    .peek()
                    .is_some_and(|&next| next.is_ascii_alphanumeric() || next == '_')
                {
                    self.chars.next();
                }
            }
            Some('{') => {
                for next in self.chars.by_ref() {
                    if next == '}' {
                        break;
                    }
                }
            }
            Some('(') => return Err(ShellError::Unsupported("$(...)".into())),
            _ => {
                self.push_char('$');
                return Ok(());
            }
        }
        if quoted {
            self.word.get_or_insert_with(String::new);
        }
        Ok(())
    }

    fn redirect_output(&mut self) -> Result<(), ShellError> {
        let descriptor = match (&self.word, self.word_was_quoted) {
            (Some(word), false) if word == "1" || word == "2" => {
                let descriptor = if word == "2" { 2 } else { 1 };
                self.word = None;
                descriptor
            }
            _ => {
                self.finish_word();
                1
            }
        };
        let append = if self.chars.peek() == Some(&'>') {
            self.chars.next();
            true
        } else {
            false
        };
        if !append && self.chars.peek() == Some(&'&') {
            self.chars.next();
            let target = self.chars.next();
            let redirect = match (descriptor, target) {
                (2, Some('1')) => Redirect::StderrToStdout,
                (1, Some('2')) => Redirect::StdoutToStderr,
                (1, Some('1')) | (2, Some('2')) => return Ok(()),
                _ => return Err(ShellError::Unsupported("descriptor redirection".into())),
            };
            self.tokens.push(Token::Redirect(redirect));
            return Ok(());
        }
        self.tokens
            .push(Token::RedirectTo(match (descriptor, append) {
                (2, false) => "2>",
                (2, true) => "2>>",
                (_, false) => ">",
                (_, true) => ">>",
            }));
        Ok(())
    }

    fn here_document(&mut self) -> Result<(), ShellError> {
        if self.chars.peek() == Some(&'<') {
            return Err(ShellError::Unsupported("here-string (<<<)".into()));
        }
        if self.chars.peek() == Some(&'-') {
            self.chars.next();
        }
        while self.chars.peek().is_some_and(|&c| c == ' ' || c == '\t') {
            self.chars.next();
        }
        let mut delimiter = String::new();
        let mut quoted = false;
        while let Some(&c) = self.chars.peek() {
            match c {
                '\'' | '"' => {
                    quoted = true;
                    self.chars.next();
                    for inner in self.chars.by_ref() {
                        if inner == c {
                            break;
                        }
                        delimiter.push(inner);
                    }
                }
                ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' => break,
                _ => {
                    delimiter.push(c);
                    self.chars.next();
                }
            }
        }
        if delimiter.is_empty() {
            return Err(ShellError::UnexpectedToken("newline".into()));
        }
        // The body is filled in when the end of the line is reached.
        self.pending_here_documents
            .push((delimiter, quoted, self.tokens.len()));
        self.tokens.push(Token::Redirect(Redirect::StdinText {
            text: String::new(),
        }));
        Ok(())
    }

    /// Reads the bodies of the here-documents opened on the line just ended.
    fn read_here_documents(&mut self) -> Result<(), ShellError> {
        for (delimiter, quoted, token_index) in std::mem::take(&mut self.pending_here_documents) {
            let mut body = String::new();
            let mut found = false;
            loop {
                let mut line = String::new();
                let mut saw_any = false;
                for c in self.chars.by_ref() {
                    saw_any = true;
                    if c == '\n' {
                        break;
                    }
                    line.push(c);
                }
                if !saw_any {
                    break;
                }
                if line.trim_start_matches('\t') == delimiter {
                    found = true;
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            if !found && !self.complete {
                return Err(ShellError::Incomplete {
                    looking_for: delimiter,
                });
            }
            let body = if quoted { body } else { expand_text(&body) };
            if let Some(Token::Redirect(Redirect::StdinText { text })) =
                self.tokens.get_mut(token_index)
            {
                *text = body;
            }
        }
        Ok(())
    }
}

/// Expands variables in an unquoted here-document body (they are all unset).
fn expand_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek().copied() {
                Some(next @ ('$' | '`' | '\\')) => {
                    chars.next();
                    out.push(next);
                }
                _ => out.push('\\'),
            },
            '$' => match chars.peek().copied() {
                Some(next) if next.is_ascii_digit() || matches!(next, '?' | '#' | '@' | '*') => {
                    chars.next();
                    if next == '?' {
                        out.push('0');
                    }
                }
                Some(next) if next.is_ascii_alphabetic() || next == '_' => {
                    while chars
                        .peek()
                        .is_some_and(|&n| n.is_ascii_alphanumeric() || n == '_')
                    {
                        chars.next();
                    }
                }
                Some('{') => {
                    for inner in chars.by_ref() {
                        if inner == '}' {
                            break;
                        }
                    }
                }
                _ => out.push('$'),
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        let list = parse(line, true).unwrap();
        list.commands[0].1.words.clone()
    }

    #[test]
    fn splits_words_with_bash_quoting() {
        assert_eq!(
            words("nv set system message pre-login 'Hello world'"),
            vec!["nv", "set", "system", "message", "pre-login", "Hello world"]
        );
        assert_eq!(words(r#"echo "a b" c\ d"#), vec!["echo", "a b", "c d"]);
        assert_eq!(words("echo ''"), vec!["echo", ""]);
    }

    #[test]
    fn dollar_fields_vanish_unless_single_quoted() {
        assert_eq!(words("echo '$6$salt$hash'")[1], "$6$salt$hash");
        assert_eq!(words("echo \"$6$salt$hash\"")[1], "");
        assert_eq!(words("echo $6$rounds=5000$salt")[1], "=5000");
        assert_eq!(words("echo a$ b")[1], "a$");
        assert_eq!(words("echo $HOME"), vec!["echo"]);
    }

    #[test]
    fn lists_and_redirections() {
        let list = parse(
            "cat > /tmp/x.yaml && nv config replace /tmp/x.yaml; echo done 2>&1",
            true,
        )
        .unwrap();
        assert_eq!(list.commands.len(), 3);
        assert_eq!(list.commands[0].0, Connector::Always);
        assert_eq!(
            list.commands[0].1.redirects,
            vec![Redirect::StdoutToFile {
                path: "/tmp/x.yaml".into(),
                append: false
            }]
        );
        assert!(list.commands[0].1.reads_stdin());
        assert_eq!(list.commands[1].0, Connector::And);
        assert_eq!(list.commands[2].1.redirects, vec![Redirect::StderrToStdout]);
        assert!(list.reads_session_stdin());
        assert!(!parse("cat /tmp/x", true).unwrap().reads_session_stdin());
    }

    #[test]
    fn here_documents_feed_stdin() {
        let list = parse(
            "cat > /tmp/a <<'EOF'\n- set:\n    x: '$6$a'\nEOF\nnv config replace /tmp/a",
            true,
        )
        .unwrap();
        assert_eq!(list.commands.len(), 2);
        assert_eq!(
            list.commands[0].1.redirects[1],
            Redirect::StdinText {
                text: "- set:\n    x: '$6$a'\n".into()
            }
        );
        assert!(!list.commands[0].1.reads_stdin());
        let unquoted = parse("cat <<EOF\nx $6$a\nEOF", true).unwrap();
        assert_eq!(
            unquoted.commands[0].1.redirects[0],
            Redirect::StdinText {
                text: "x \n".into()
            }
        );
        assert!(matches!(
            parse("cat <<EOF\nabc", false),
            Err(ShellError::Incomplete { .. })
        ));
    }

    #[test]
    fn errors_match_bash() {
        assert_eq!(
            parse("echo 'abc", true).unwrap_err().to_string(),
            "unexpected EOF while looking for matching `''"
        );
        assert_eq!(
            parse("&& echo", true).unwrap_err(),
            ShellError::UnexpectedToken("&&".into())
        );
        let piped = parse("nv config show | grep -v x | head -n 3", true).unwrap();
        assert_eq!(piped.commands[1].0, Connector::Pipe);
        assert_eq!(piped.commands[2].0, Connector::Pipe);
        assert!(!piped.reads_session_stdin());
        assert!(parse("grep x", true).unwrap().reads_session_stdin());
        assert!(
            !parse("grep x /tmp/file", true)
                .unwrap()
                .reads_session_stdin()
        );
        assert!(matches!(
            parse("sleep 1 &", true),
            Err(ShellError::Unsupported(_))
        ));
        assert!(parse("# only a comment", true).unwrap().commands.is_empty());
    }
}
