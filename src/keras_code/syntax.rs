//! The part of Python's grammar that Keras model code uses, parsed into a small tree.
//!
//! Names, attributes, calls with positional and keyword arguments, literals, tuples and lists are
//! kept. Everything else that may appear in a pasted script (arithmetic, subscripts, dicts,
//! lambdas, comprehensions, conditional expressions) is parsed only far enough to be skipped and
//! becomes [`ExprKind::Opaque`]. Statements that start with a keyword (`import`, `def`, `if`,
//! `for`, …) are not parsed at all.

use super::tokenize::{Token, TokenKind};
use super::{KerasCodeError, Position};

/// How deeply expressions may nest (unary operators, calls in calls) before the parser stops.
const MAX_DEPTH: usize = 64;

/// An expression and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Its first character.
    pub position: Position,
}

/// The expressions Keras model code is made of.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum ExprKind {
    /// `model`, `Conv2D`.
    Name(String),
    /// `tf.keras`, `model.add`: an attribute, with the position of the attribute's name.
    Attribute {
        /// What the attribute is read from.
        object: Box<Expr>,
        /// The attribute's name.
        name: String,
        /// Where the attribute's name starts.
        name_position: Position,
    },
    /// An integer; `None` when it does not fit in 64 bits.
    Int(Option<i64>),
    /// A float.
    Float(f64),
    /// A string (adjacent literals joined, as Python does).
    Str(String),
    /// `None`.
    NoneLiteral,
    /// `True` or `False`.
    Bool(bool),
    /// `(a, b)`, `a, b` or `()`.
    Tuple(Vec<Expr>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `callee(arguments)`.
    Call {
        /// What is called.
        callee: Box<Expr>,
        /// The arguments, in order.
        arguments: Vec<Argument>,
    },
    /// Valid Python that model code never needs (`x / 255`, `a[1:]`, `{...}`, `lambda: ...`).
    Opaque,
}

/// One argument of a call.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Argument {
    /// `Some("filters")` for `filters=32`, `None` for a positional argument.
    pub keyword: Option<String>,
    /// `*args` or `**kwargs`.
    pub unpacked: bool,
    /// The value.
    pub value: Expr,
    /// Where the argument starts (its keyword, if any).
    pub position: Position,
}

/// A statement, as far as model code needs it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Statement {
    /// `a = b = value` (also `a += value` and `a: T = value`, whose value is opaque).
    Assign {
        /// The targets, left to right.
        targets: Vec<Expr>,
        /// The assigned value.
        value: Expr,
    },
    /// An expression on its own (`model.add(...)`), or the value of `return`.
    Expression(Expr),
    /// A statement that is not run: `import`, `def`, `if`, `for`, a decorator, a bare `return`.
    Skipped {
        /// Its first word (`if`).
        keyword: String,
    },
}

/// Keywords that start a statement the parser does not run.
const SKIPPED_KEYWORDS: [&str; 21] = [
    "import", "from", "def", "class", "if", "elif", "else", "for", "while", "with", "try",
    "except", "finally", "pass", "break", "continue", "del", "global", "nonlocal", "assert",
    "raise",
];

/// Words that cannot be a variable name in an expression.
const RESERVED: [&str; 12] = [
    "and", "or", "not", "in", "is", "if", "else", "for", "lambda", "async", "await", "yield",
];

/// Binary and comparison operators (their results are opaque).
const BINARY_OPERATORS: [&str; 19] = [
    "+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "==", "!=", "<", ">",
    "<=", ">=",
];

/// Augmented assignments (`x += 1`).
const AUGMENTED_ASSIGNMENTS: [&str; 13] = [
    "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^=", ">>=", "<<=",
];

/// Parses one statement (a non-empty token list from the tokenizer).
pub(super) fn parse_statement(tokens: &[Token]) -> Result<Statement, KerasCodeError> {
    Parser {
        tokens,
        index: 0,
        depth: 0,
    }
    .statement()
}

struct Parser<'a> {
    tokens: &'a [Token],
    index: usize,
    depth: usize,
}

/// How a token looks in an error message.
fn describe(token: &Token) -> String {
    match &token.kind {
        TokenKind::Name(name) => format!("'{name}'"),
        TokenKind::Int(_) | TokenKind::Float(_) | TokenKind::Imaginary => "a number".into(),
        TokenKind::Str(_) => "a string".into(),
        TokenKind::Op(op) => format!("'{op}'"),
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.index)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'a Token> {
        self.tokens.get(self.index + ahead)
    }

    fn at_op(&self, op: &str) -> bool {
        self.peek().is_some_and(|t| t.is_op(op))
    }

    fn at_name(&self, name: &str) -> bool {
        self.peek().is_some_and(|t| t.is_name(name))
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let token = self.tokens.get(self.index)?;
        self.index += 1;
        Some(token)
    }

    /// The position of the next token, or of the last one when the statement has ended.
    fn position(&self) -> Position {
        self.peek()
            .or(self.tokens.last())
            .map_or(Position { line: 1, column: 1 }, |t| t.position)
    }

    /// The error for the token under the cursor (or for a statement that ends too early).
    fn unexpected(&self, expected: &str) -> KerasCodeError {
        match self.peek() {
            Some(token) => KerasCodeError::at(
                token.position,
                format!("expected {expected} but found {}", describe(token)),
            ),
            None => {
                let last = self.tokens.last();
                KerasCodeError::at(
                    self.position(),
                    format!(
                        "the statement ends after {} but {expected} should follow",
                        last.map_or("nothing".into(), describe)
                    ),
                )
            }
        }
    }

    /// Counts one level of nesting, refusing code nested deeper than [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), KerasCodeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(KerasCodeError::at(
                self.position(),
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn statement(mut self) -> Result<Statement, KerasCodeError> {
        let Some(first) = self.peek() else {
            return Ok(Statement::Skipped {
                keyword: String::new(),
            });
        };
        if first.is_op("@") {
            return Ok(Statement::Skipped {
                keyword: "@".into(),
            });
        }
        if let TokenKind::Name(word) = &first.kind {
            if SKIPPED_KEYWORDS.contains(&word.as_str()) {
                return Ok(Statement::Skipped {
                    keyword: word.clone(),
                });
            }
            if word == "return" {
                self.bump();
                if self.peek().is_none() {
                    return Ok(Statement::Skipped {
                        keyword: "return".into(),
                    });
                }
                let value = self.expression_list()?;
                self.expect_end()?;
                return Ok(Statement::Expression(value));
            }
        }
        let mut expressions = vec![self.expression_list()?];
        loop {
            if self.at_op("=") {
                self.bump();
                expressions.push(self.expression_list()?);
            } else if AUGMENTED_ASSIGNMENTS.iter().any(|op| self.at_op(op)) {
                let position = self.position();
                self.bump();
                self.expression_list()?;
                self.expect_end()?;
                return Ok(Statement::Assign {
                    targets: expressions,
                    value: opaque(position),
                });
            } else if self.at_op(":") && expressions.len() == 1 {
                self.bump();
                self.expression()?;
                if !self.at_op("=") {
                    self.expect_end()?;
                    return Ok(Statement::Skipped {
                        keyword: ":".into(),
                    });
                }
                self.bump();
                let value = self.expression_list()?;
                expressions.push(value);
            } else {
                break;
            }
        }
        self.expect_end()?;
        let value = expressions.pop().unwrap_or_else(|| opaque(self.position()));
        if expressions.is_empty() {
            Ok(Statement::Expression(value))
        } else {
            Ok(Statement::Assign {
                targets: expressions,
                value,
            })
        }
    }

    fn expect_end(&self) -> Result<(), KerasCodeError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.unexpected("the end of the statement")),
        }
    }

    /// `a` or `a, b, ...` (a tuple without brackets), as on either side of `=`.
    fn expression_list(&mut self) -> Result<Expr, KerasCodeError> {
        let position = self.position();
        let first = self.starred_expression()?;
        if !self.at_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.at_op(",") {
            self.bump();
            if self.peek().is_none() || self.at_op("=") {
                break;
            }
            items.push(self.starred_expression()?);
        }
        Ok(Expr {
            kind: ExprKind::Tuple(items),
            position,
        })
    }

    /// An expression, or `*expr` (opaque) where Python allows unpacking.
    fn starred_expression(&mut self) -> Result<Expr, KerasCodeError> {
        if self.at_op("*") || self.at_op("**") {
            let position = self.position();
            self.bump();
            self.expression()?;
            return Ok(opaque(position));
        }
        self.expression()
    }

    /// A full expression: `lambda ...: ...`, `a if b else c`, or an operator chain.
    fn expression(&mut self) -> Result<Expr, KerasCodeError> {
        self.enter()?;
        let position = self.position();
        let result = if self.at_name("lambda") {
            self.bump();
            self.skip_to_colon()?;
            self.expression().map(|_| opaque(position))
        } else {
            self.conditional()
        };
        self.depth -= 1;
        result
    }

    fn conditional(&mut self) -> Result<Expr, KerasCodeError> {
        let first = self.operator_chain()?;
        if !self.at_name("if") {
            return Ok(first);
        }
        self.bump();
        self.operator_chain()?;
        if !self.at_name("else") {
            return Err(self.unexpected("'else'"));
        }
        self.bump();
        self.expression()?;
        Ok(opaque(first.position))
    }

    /// Skips a lambda's parameters, up to and including its `:`.
    fn skip_to_colon(&mut self) -> Result<(), KerasCodeError> {
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            match &token.kind {
                TokenKind::Op("(" | "[" | "{") => depth += 1,
                TokenKind::Op(")" | "]" | "}") if depth == 0 => break,
                TokenKind::Op(")" | "]" | "}") => depth -= 1,
                TokenKind::Op(":") if depth == 0 => {
                    self.bump();
                    return Ok(());
                }
                _ => {}
            }
            self.bump();
        }
        Err(self.unexpected("':'"))
    }

    /// Unary operands joined by binary, comparison and boolean operators; opaque if there is
    /// more than one operand.
    fn operator_chain(&mut self) -> Result<Expr, KerasCodeError> {
        let mut result = self.unary()?;
        while let Some(token) = self.peek() {
            let binary = match &token.kind {
                TokenKind::Op(op) => BINARY_OPERATORS.contains(op) || *op == ":=",
                TokenKind::Name(word) => ["and", "or", "in", "is"].contains(&word.as_str()),
                _ => false,
            };
            let not_in = token.is_name("not") && self.peek_at(1).is_some_and(|t| t.is_name("in"));
            if !(binary || not_in) {
                break;
            }
            self.bump();
            if not_in || (token.is_name("is") && self.at_name("not")) {
                self.bump();
            }
            self.unary()?;
            result = opaque(result.position);
        }
        Ok(result)
    }

    /// `-x`, `+x`, `~x`, `not x`, `await x`; a minus before a number makes a negative literal.
    fn unary(&mut self) -> Result<Expr, KerasCodeError> {
        let Some(token) = self.peek() else {
            return Err(self.unexpected("a value"));
        };
        let sign = token.is_op("-") || token.is_op("+");
        if !(sign || token.is_op("~") || token.is_name("not") || token.is_name("await")) {
            return self.postfix();
        }
        let position = token.position;
        self.bump();
        self.enter()?;
        let operand = self.unary();
        self.depth -= 1;
        let operand = operand?;
        let negate = token.is_op("-");
        let kind = match operand.kind {
            ExprKind::Int(Some(n)) if sign => {
                ExprKind::Int(if negate { n.checked_neg() } else { Some(n) })
            }
            ExprKind::Float(f) if sign => ExprKind::Float(if negate { -f } else { f }),
            _ => ExprKind::Opaque,
        };
        Ok(Expr { kind, position })
    }

    /// An atom followed by calls, attributes and subscripts.
    fn postfix(&mut self) -> Result<Expr, KerasCodeError> {
        let mut expr = self.atom()?;
        loop {
            if self.at_op("(") {
                self.bump();
                self.enter()?;
                let arguments = self.arguments();
                self.depth -= 1;
                expr = match arguments? {
                    Some(arguments) => Expr {
                        position: expr.position,
                        kind: ExprKind::Call {
                            callee: Box::new(expr),
                            arguments,
                        },
                    },
                    None => opaque(expr.position),
                };
            } else if self.at_op(".") {
                self.bump();
                let Some(Token {
                    kind: TokenKind::Name(name),
                    position: name_position,
                }) = self.peek()
                else {
                    return Err(self.unexpected("an attribute name after '.'"));
                };
                self.bump();
                expr = Expr {
                    position: expr.position,
                    kind: ExprKind::Attribute {
                        object: Box::new(expr),
                        name: name.clone(),
                        name_position: *name_position,
                    },
                };
            } else if self.at_op("[") {
                self.skip_brackets()?;
                expr = opaque(expr.position);
            } else {
                return Ok(expr);
            }
        }
    }

    /// Skips from the opening bracket under the cursor past its closing bracket.
    fn skip_brackets(&mut self) -> Result<(), KerasCodeError> {
        let mut depth = 0usize;
        while let Some(token) = self.bump() {
            match &token.kind {
                TokenKind::Op("(" | "[" | "{") => depth += 1,
                TokenKind::Op(")" | "]" | "}") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(self.unexpected("a closing bracket"))
    }

    /// The arguments of a call, after its `(` and through its `)`; `None` for a generator
    /// argument (`f(x for x in y)`), which is skipped.
    fn arguments(&mut self) -> Result<Option<Vec<Argument>>, KerasCodeError> {
        let mut arguments: Vec<Argument> = Vec::new();
        loop {
            if self.at_op(")") {
                self.bump();
                return Ok(Some(arguments));
            }
            let position = self.position();
            let keyword = match (self.peek(), self.peek_at(1)) {
                (
                    Some(Token {
                        kind: TokenKind::Name(name),
                        ..
                    }),
                    Some(next),
                ) if next.is_op("=") && !RESERVED.contains(&name.as_str()) => {
                    self.index += 2;
                    Some(name.clone())
                }
                _ => None,
            };
            let unpacked = keyword.is_none() && (self.at_op("*") || self.at_op("**"));
            if unpacked {
                self.bump();
            }
            let value = self.expression()?;
            if self.at_name("for") || self.at_name("async") {
                self.skip_to_close()?;
                return Ok(None);
            }
            if let Some(name) = &keyword {
                if arguments.iter().any(|a| a.keyword.as_ref() == Some(name)) {
                    return Err(KerasCodeError::at(
                        position,
                        format!("the argument '{name}' is given twice"),
                    ));
                }
            } else if !unpacked && arguments.iter().any(|a| a.keyword.is_some()) {
                return Err(KerasCodeError::at(
                    position,
                    "a positional argument cannot follow a keyword argument; write it before the keyword arguments",
                ));
            }
            arguments.push(Argument {
                keyword,
                unpacked,
                value,
                position,
            });
            if self.at_op(",") {
                self.bump();
            } else if !self.at_op(")") {
                return Err(self.unexpected("',' or ')'"));
            }
        }
    }

    /// Skips to just past the bracket that closes the one the cursor is inside.
    fn skip_to_close(&mut self) -> Result<(), KerasCodeError> {
        let mut depth = 0usize;
        while let Some(token) = self.bump() {
            match &token.kind {
                TokenKind::Op("(" | "[" | "{") => depth += 1,
                TokenKind::Op(")" | "]" | "}") if depth == 0 => return Ok(()),
                TokenKind::Op(")" | "]" | "}") => depth -= 1,
                _ => {}
            }
        }
        Err(self.unexpected("a closing bracket"))
    }

    /// A bracketed sequence after its opening bracket, through `close`: the items, whether a
    /// comma followed the last one, or `None` for a comprehension (skipped).
    fn sequence(&mut self, close: &str) -> Result<Option<(Vec<Expr>, bool)>, KerasCodeError> {
        self.enter()?;
        let mut items = Vec::new();
        let mut trailing_comma = false;
        let result = loop {
            if self.at_op(close) {
                self.bump();
                break Ok(Some((items, trailing_comma)));
            }
            let item = match self.starred_expression() {
                Ok(item) => item,
                Err(error) => break Err(error),
            };
            if self.at_name("for") || self.at_name("async") {
                break self.skip_to_close().map(|_| None);
            }
            items.push(item);
            trailing_comma = self.at_op(",");
            if trailing_comma {
                self.bump();
            } else if !self.at_op(close) {
                break Err(self.unexpected(&format!("',' or '{close}'")));
            }
        };
        self.depth -= 1;
        result
    }

    fn atom(&mut self) -> Result<Expr, KerasCodeError> {
        let Some(token) = self.peek() else {
            return Err(self.unexpected("a value"));
        };
        let position = token.position;
        let kind = match &token.kind {
            TokenKind::Name(name) => match name.as_str() {
                "None" => ExprKind::NoneLiteral,
                "True" => ExprKind::Bool(true),
                "False" => ExprKind::Bool(false),
                word if RESERVED.contains(&word)
                    || SKIPPED_KEYWORDS.contains(&word)
                    || word == "return" =>
                {
                    return Err(self.unexpected("a value"))
                }
                _ => ExprKind::Name(name.clone()),
            },
            TokenKind::Int(n) => ExprKind::Int(*n),
            TokenKind::Float(f) => ExprKind::Float(*f),
            TokenKind::Imaginary => ExprKind::Opaque,
            TokenKind::Str(_) => {
                let mut text = String::new();
                while let Some(TokenKind::Str(part)) = self.peek().map(|t| &t.kind) {
                    text.push_str(part);
                    self.bump();
                }
                return Ok(Expr {
                    kind: ExprKind::Str(text),
                    position,
                });
            }
            TokenKind::Op("(") => {
                self.bump();
                return Ok(match self.sequence(")")? {
                    None => opaque(position),
                    Some((mut items, trailing_comma)) if items.len() == 1 && !trailing_comma => {
                        items.pop().unwrap_or_else(|| opaque(position))
                    }
                    Some((items, _)) => Expr {
                        kind: ExprKind::Tuple(items),
                        position,
                    },
                });
            }
            TokenKind::Op("[") => {
                self.bump();
                return Ok(match self.sequence("]")? {
                    None => opaque(position),
                    Some((items, _)) => Expr {
                        kind: ExprKind::List(items),
                        position,
                    },
                });
            }
            TokenKind::Op("{") => {
                self.skip_brackets()?;
                return Ok(opaque(position));
            }
            TokenKind::Op("...") => ExprKind::Opaque,
            _ => return Err(self.unexpected("a value")),
        };
        self.bump();
        Ok(Expr { kind, position })
    }
}

/// An opaque expression at `position`.
fn opaque(position: Position) -> Expr {
    Expr {
        kind: ExprKind::Opaque,
        position,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokenize::statements;
    use super::*;

    fn parse(source: &str) -> Statement {
        let statements = statements(source).unwrap();
        assert_eq!(statements.len(), 1, "{source}");
        parse_statement(&statements[0]).unwrap()
    }

    fn error(source: &str) -> String {
        let statements = statements(source).unwrap();
        parse_statement(&statements[0]).unwrap_err().to_string()
    }

    fn value(statement: Statement) -> Expr {
        match statement {
            Statement::Expression(expr) => expr,
            Statement::Assign { value, .. } => value,
            other => panic!("not a value: {other:?}"),
        }
    }

    #[test]
    fn a_parenthesised_int_is_an_int_and_a_trailing_comma_makes_a_tuple() {
        assert_eq!(value(parse("(3)")).kind, ExprKind::Int(Some(3)));
        assert!(matches!(value(parse("(3,)")).kind, ExprKind::Tuple(items) if items.len() == 1));
        assert!(matches!(value(parse("()")).kind, ExprKind::Tuple(items) if items.is_empty()));
        assert_eq!(value(parse("-0.5")).kind, ExprKind::Float(-0.5));
    }

    #[test]
    fn a_layer_call_keeps_positional_and_keyword_arguments() {
        let expr = value(parse("x = layers.Conv2D(32, (3, 3), padding='same')(x)"));
        let ExprKind::Call { callee, arguments } = expr.kind else {
            panic!("not a call")
        };
        assert_eq!(arguments.len(), 1);
        let ExprKind::Call { arguments, .. } = callee.kind else {
            panic!("not a call")
        };
        assert_eq!(arguments[0].keyword, None);
        assert_eq!(arguments[2].keyword.as_deref(), Some("padding"));
        assert_eq!(arguments[2].value.kind, ExprKind::Str("same".into()));
        assert_eq!(
            arguments[2].position,
            Position {
                line: 1,
                column: 31
            }
        );
    }

    #[test]
    fn code_that_models_never_need_is_opaque() {
        for source in [
            "x_train.reshape(-1, 28, 28, 1).astype('float32') / 255",
            "x[..., None]",
            "{'a': 1}",
            "lambda x, y: (f(x), y)",
            "[i * 2 for i in range(3)]",
            "a if b else c",
            "not a in b",
            "f(x for x in y)",
        ] {
            assert_eq!(value(parse(source)).kind, ExprKind::Opaque, "{source}");
        }
    }

    #[test]
    fn keyword_statements_are_skipped_and_return_values_are_kept() {
        assert_eq!(
            parse("from tensorflow.keras import layers"),
            Statement::Skipped {
                keyword: "from".into()
            }
        );
        assert!(matches!(parse("return model"), Statement::Expression(_)));
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        assert_eq!(
            error("Dense(10 activation='relu')"),
            "line 1, column 10: expected ',' or ')' but found 'activation'"
        );
        assert_eq!(
            error("Dense(units=10, 'relu')"),
            "line 1, column 17: a positional argument cannot follow a keyword argument; write it before the keyword arguments"
        );
        assert_eq!(
            error("x ="),
            "line 1, column 3: the statement ends after '=' but a value should follow"
        );
    }
}
