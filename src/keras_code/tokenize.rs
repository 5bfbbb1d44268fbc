//! Python tokens with their positions, grouped into logical lines (statements).
//!
//! Follows Python's lexical rules where pasted Keras code needs them: `#` comments, a backslash at
//! the end of a line continues it, newlines inside brackets do not end a statement, `;` separates
//! statements, string literals in `'`, `"` and triple quotes (with prefixes such as `r` or `f`),
//! and ints, floats and imaginary numbers. Indentation is not tracked: the parser reads every
//! statement on its own, whatever block it sits in.

use super::{KerasCodeError, Position};

/// How deeply brackets may nest; deeper code is rejected rather than risking the stack.
const MAX_NESTING: usize = 64;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum TokenKind {
    /// An identifier or keyword (`Conv2D`, `model`, `import`).
    Name(String),
    /// An integer literal; `None` when it does not fit in 64 bits.
    Int(Option<i64>),
    /// A float literal.
    Float(f64),
    /// An imaginary literal (`1j`); never part of a model.
    Imaginary,
    /// A string literal, escapes decoded.
    Str(String),
    /// An operator or bracket (`(`, `**`, `=`, `.`).
    Op(&'static str),
}

/// One token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it starts.
    pub position: Position,
}

impl Token {
    /// Whether this token is the operator `op`.
    pub fn is_op(&self, op: &str) -> bool {
        matches!(self.kind, TokenKind::Op(o) if o == op)
    }

    /// Whether this token is the name (or keyword) `name`.
    pub fn is_name(&self, name: &str) -> bool {
        matches!(&self.kind, TokenKind::Name(n) if n == name)
    }
}

/// Python's operators and delimiters, longest first so that `**=` wins over `**` and `*`.
const OPERATORS: [&str; 47] = [
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "==", "!=", "<=", ">=", "<<", ">>",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "(", ")", "[", "]", "{", "}", ",", ":",
    ".", ";", "+", "-", "*", "/", "%", "=", "<", ">", "&", "|", "^", "~", "@",
];

/// Splits `source` into statements (logical lines, split at `;` too), each a non-empty list of
/// tokens.
pub(super) fn statements(source: &str) -> Result<Vec<Vec<Token>>, KerasCodeError> {
    Tokenizer::new(source).run()
}

struct Tokenizer {
    chars: Vec<char>,
    index: usize,
    line: usize,
    column: usize,
    /// Open brackets with their positions, innermost last.
    brackets: Vec<(char, Position)>,
    statements: Vec<Vec<Token>>,
    current: Vec<Token>,
}

impl Tokenizer {
    fn new(source: &str) -> Self {
        let normalized = source.replace("\r\n", "\n").replace('\r', "\n");
        let mut chars: Vec<char> = normalized.chars().collect();
        if chars.first() == Some(&'\u{feff}') {
            chars.remove(0);
        }
        Tokenizer {
            chars,
            index: 0,
            line: 1,
            column: 1,
            brackets: Vec::new(),
            statements: Vec::new(),
            current: Vec::new(),
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.index + ahead).copied()
    }

    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    /// Consumes one character, keeping the line and column up to date.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.index += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn end_statement(&mut self) {
        if !self.current.is_empty() {
            self.statements.push(std::mem::take(&mut self.current));
        }
    }

    fn push(&mut self, kind: TokenKind, position: Position) {
        self.current.push(Token { kind, position });
    }

    fn run(mut self) -> Result<Vec<Vec<Token>>, KerasCodeError> {
        while let Some(c) = self.peek(0) {
            let start = self.position();
            match c {
                '\n' => {
                    self.bump();
                    if self.brackets.is_empty() {
                        self.end_statement();
                    }
                }
                ' ' | '\t' | '\u{c}' => {
                    self.bump();
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                '\\' => {
                    self.bump();
                    if self.peek(0) != Some('\n') {
                        return Err(KerasCodeError::at(
                            start,
                            "a backslash outside a string must be the last character of its line (it continues the line)",
                        ));
                    }
                    self.bump();
                }
                '\'' | '"' => {
                    let text = self.string(false, start)?;
                    self.push(TokenKind::Str(text), start);
                }
                c if c.is_ascii_digit()
                    || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    let kind = self.number(start)?;
                    self.push(kind, start);
                }
                c if c.is_alphabetic() || c == '_' => {
                    let mut name = String::new();
                    while let Some(c) = self.peek(0).filter(|c| c.is_alphanumeric() || *c == '_') {
                        name.push(c);
                        self.bump();
                    }
                    if matches!(self.peek(0), Some('\'' | '"')) {
                        let lower = name.to_ascii_lowercase();
                        if name.len() <= 2 && lower.chars().all(|c| "rbuf".contains(c)) {
                            let text = self.string(lower.contains('r'), start)?;
                            self.push(TokenKind::Str(text), start);
                            continue;
                        }
                    }
                    self.push(TokenKind::Name(name), start);
                }
                _ => self.operator(start)?,
            }
        }
        if let Some(&(open, position)) = self.brackets.last() {
            return Err(KerasCodeError::at(
                position,
                format!("this '{open}' is never closed"),
            ));
        }
        self.end_statement();
        Ok(self.statements)
    }

    fn operator(&mut self, start: Position) -> Result<(), KerasCodeError> {
        let Some(op) = OPERATORS
            .iter()
            .copied()
            .find(|op| op.chars().enumerate().all(|(i, c)| self.peek(i) == Some(c)))
        else {
            let c = self.peek(0).unwrap_or(' ');
            return Err(KerasCodeError::at(start, unexpected_character(c)));
        };
        for _ in 0..op.chars().count() {
            self.bump();
        }
        match op {
            "(" | "[" | "{" => {
                if self.brackets.len() >= MAX_NESTING {
                    return Err(KerasCodeError::at(
                        start,
                        format!("brackets nest more than {MAX_NESTING} deep here"),
                    ));
                }
                self.brackets
                    .push((op.chars().next().unwrap_or('('), start));
            }
            ")" | "]" | "}" => {
                let close = op.chars().next().unwrap_or(')');
                let expected = match close {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match self.brackets.pop() {
                    Some((open, _)) if open == expected => {}
                    Some((open, position)) => {
                        return Err(KerasCodeError::at(
                            start,
                            format!(
                            "'{close}' does not close the '{open}' opened at line {}, column {}",
                            position.line, position.column
                        ),
                        ))
                    }
                    None => {
                        return Err(KerasCodeError::at(
                            start,
                            format!("'{close}' has no opening '{expected}'"),
                        ))
                    }
                }
            }
            ";" if self.brackets.is_empty() => {
                self.end_statement();
                return Ok(());
            }
            _ => {}
        }
        self.push(TokenKind::Op(op), start);
        Ok(())
    }

    /// Reads a string literal starting at the quote under the cursor; `raw` keeps backslashes.
    fn string(&mut self, raw: bool, start: Position) -> Result<String, KerasCodeError> {
        let quote = self.bump().unwrap_or('"');
        let triple = self.peek(0) == Some(quote) && self.peek(1) == Some(quote);
        if triple {
            self.bump();
            self.bump();
        }
        let mut text = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(KerasCodeError::at(start, "this string is never closed"));
            };
            match c {
                c if c == quote && !triple => return Ok(text),
                c if c == quote && self.peek(0) == Some(quote) && self.peek(1) == Some(quote) => {
                    self.bump();
                    self.bump();
                    return Ok(text);
                }
                '\n' if !triple => {
                    return Err(KerasCodeError::at(
                        start,
                        "this string is not closed on its line; add the closing quote",
                    ))
                }
                '\\' => {
                    let Some(next) = self.bump() else {
                        return Err(KerasCodeError::at(start, "this string is never closed"));
                    };
                    if raw {
                        text.push('\\');
                        text.push(next);
                        continue;
                    }
                    match next {
                        '\n' => {}
                        'n' => text.push('\n'),
                        't' => text.push('\t'),
                        'r' => text.push('\r'),
                        '0' => text.push('\0'),
                        '\\' | '\'' | '"' => text.push(next),
                        other => {
                            text.push('\\');
                            text.push(other);
                        }
                    }
                }
                c => text.push(c),
            }
        }
    }

    /// Reads an int, float or imaginary literal (`32`, `0.5`, `1e-3`, `.5`, `1_000`, `0x1F`).
    fn number(&mut self, start: Position) -> Result<TokenKind, KerasCodeError> {
        let mut text = String::new();
        let radix = match (self.peek(0), self.peek(1).map(|c| c.to_ascii_lowercase())) {
            (Some('0'), Some('x')) => 16,
            (Some('0'), Some('o')) => 8,
            (Some('0'), Some('b')) => 2,
            _ => 10,
        };
        if radix != 10 {
            self.bump();
            self.bump();
            while let Some(c) = self.peek(0).filter(|c| c.is_alphanumeric() || *c == '_') {
                text.push(c);
                self.bump();
            }
            let digits = text.replace('_', "");
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return Err(KerasCodeError::at(start, "this number is not valid Python"));
            }
            return Ok(TokenKind::Int(i64::from_str_radix(&digits, radix).ok()));
        }
        let mut is_float = false;
        let digits = |tokenizer: &mut Self, text: &mut String| {
            while let Some(c) = tokenizer
                .peek(0)
                .filter(|c| c.is_ascii_digit() || *c == '_')
            {
                text.push(c);
                tokenizer.bump();
            }
        };
        digits(self, &mut text);
        if self.peek(0) == Some('.') {
            is_float = true;
            text.push('.');
            self.bump();
            digits(self, &mut text);
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = matches!(self.peek(1), Some('+' | '-'));
            if self
                .peek(if sign { 2 } else { 1 })
                .is_some_and(|c| c.is_ascii_digit())
            {
                is_float = true;
                text.push('e');
                self.bump();
                if sign {
                    text.extend(self.bump());
                }
                digits(self, &mut text);
            }
        }
        let imaginary = matches!(self.peek(0), Some('j' | 'J'));
        if imaginary {
            self.bump();
        }
        if self
            .peek(0)
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
            || text.ends_with('_')
            || text.contains("__")
            || text.contains("_.")
            || text.contains("._")
        {
            return Err(KerasCodeError::at(start, "this number is not valid Python"));
        }
        let clean = text.replace('_', "");
        if imaginary {
            return Ok(TokenKind::Imaginary);
        }
        if is_float {
            let value: f64 = clean
                .parse()
                .map_err(|_| KerasCodeError::at(start, "this number is not valid Python"))?;
            return Ok(TokenKind::Float(value));
        }
        Ok(TokenKind::Int(clean.parse().ok()))
    }
}

/// The message for a character Python does not allow outside strings and comments, with the fix
/// for the ones that pasting from a document produces.
fn unexpected_character(c: char) -> String {
    match c {
        '‘' | '’' | '“' | '”' => {
            format!("'{c}' is a typographic quote (from a word processor); use a plain ' or \"")
        }
        '\u{a0}' => {
            "a no-break space (U+00A0) is not allowed in Python code; replace it with a plain space"
                .to_string()
        }
        c if c.is_control() || c.is_whitespace() => {
            format!(
                "the invisible character U+{:04X} is not allowed here; delete it",
                c as u32
            )
        }
        c => format!("'{c}' is not valid Python here"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<Vec<TokenKind>> {
        statements(source)
            .unwrap()
            .into_iter()
            .map(|s| s.into_iter().map(|t| t.kind).collect())
            .collect()
    }

    fn name(text: &str) -> TokenKind {
        TokenKind::Name(text.to_string())
    }

    #[test]
    fn newlines_inside_brackets_and_after_a_backslash_do_not_end_a_statement() {
        let source = "x = f(1,\n      2)  # comment\ny = 3 + \\\n    4\n\n";
        assert_eq!(
            kinds(source),
            vec![
                vec![
                    name("x"),
                    TokenKind::Op("="),
                    name("f"),
                    TokenKind::Op("("),
                    TokenKind::Int(Some(1)),
                    TokenKind::Op(","),
                    TokenKind::Int(Some(2)),
                    TokenKind::Op(")"),
                ],
                vec![
                    name("y"),
                    TokenKind::Op("="),
                    TokenKind::Int(Some(3)),
                    TokenKind::Op("+"),
                    TokenKind::Int(Some(4)),
                ],
            ]
        );
    }

    #[test]
    fn numbers_in_python_forms() {
        assert_eq!(
            kinds("1_000 0.5 .5 1e-3 2. 0x1F 3j 99999999999999999999")[0],
            vec![
                TokenKind::Int(Some(1000)),
                TokenKind::Float(0.5),
                TokenKind::Float(0.5),
                TokenKind::Float(0.001),
                TokenKind::Float(2.0),
                TokenKind::Int(Some(31)),
                TokenKind::Imaginary,
                TokenKind::Int(None),
            ]
        );
    }

    #[test]
    fn strings_with_quotes_prefixes_escapes_and_triple_quotes() {
        assert_eq!(
            kinds(
                r#"'relu' "it's" r'\d' 'a\'b' """two
lines""""#
            )[0],
            vec![
                TokenKind::Str("relu".into()),
                TokenKind::Str("it's".into()),
                TokenKind::Str("\\d".into()),
                TokenKind::Str("a'b".into()),
                TokenKind::Str("two\nlines".into()),
            ]
        );
    }

    #[test]
    fn semicolons_split_statements_and_columns_count_characters() {
        let statements = statements("a = '한국'; b = 2").unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(
            statements[1][0].position,
            Position {
                line: 1,
                column: 11
            }
        );
    }

    #[test]
    fn positioned_errors() {
        let error = |source: &str| statements(source).unwrap_err().to_string();
        assert_eq!(
            error("x = (1,\n 2"),
            "line 1, column 5: this '(' is never closed"
        );
        assert_eq!(
            error("f(1]"),
            "line 1, column 4: ']' does not close the '(' opened at line 1, column 2"
        );
        assert_eq!(
            error("a = 'relu\n"),
            "line 1, column 5: this string is not closed on its line; add the closing quote"
        );
        assert_eq!(error("x = 1 \\ 2"), "line 1, column 7: a backslash outside a string must be the last character of its line (it continues the line)");
        assert_eq!(
            error("x = $"),
            "line 1, column 5: '$' is not valid Python here"
        );
    }
}
