//! A small GraphQL parser for what the App Extensions API needs: operations (query /
//! mutation, named or anonymous, with variable definitions), fields with aliases,
//! arguments and selection sets, and every input value kind. Fragments and directives
//! are refused with an error rather than ignored. Nesting is bounded, so no input can
//! exhaust the stack.

use serde_json::{Map, Number, Value};

const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub enum GValue {
    Variable(String),
    Int(i64),
    Float(f64),
    String(String),
    Bool(bool),
    Null,
    Enum(String),
    List(Vec<GValue>),
    Object(Vec<(String, GValue)>),
}

impl GValue {
    /// The value as JSON, variables substituted (`null` when a variable is absent).
    pub fn resolve(&self, variables: &Map<String, Value>) -> Value {
        match self {
            GValue::Variable(name) => variables.get(name).cloned().unwrap_or(Value::Null),
            GValue::Int(i) => Value::Number((*i).into()),
            GValue::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            GValue::String(s) | GValue::Enum(s) => Value::String(s.clone()),
            GValue::Bool(b) => Value::Bool(*b),
            GValue::Null => Value::Null,
            GValue::List(items) => {
                Value::Array(items.iter().map(|v| v.resolve(variables)).collect())
            }
            GValue::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.resolve(variables)))
                    .collect(),
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub alias: Option<String>,
    pub name: String,
    pub arguments: Vec<(String, GValue)>,
    pub selection: Vec<Field>,
}

impl Field {
    pub fn response_key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }

    pub fn argument(&self, name: &str) -> Option<&GValue> {
        self.arguments
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub kind: OperationKind,
    pub name: Option<String>,
    pub selection: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Punct(char),
    Spread,
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
}

fn lex(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => i += 1,
            '#' => {
                while chars.get(i).is_some_and(|c| *c != '\n') {
                    i += 1;
                }
            }
            '{' | '}' | '(' | ')' | ':' | '$' | '!' | '[' | ']' | '=' | '@' | '|' | '&' => {
                tokens.push(Token::Punct(c));
                i += 1;
            }
            '.' => {
                if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') {
                    tokens.push(Token::Spread);
                    i += 3;
                } else {
                    return Err("Syntax Error: unexpected '.'".into());
                }
            }
            '"' => {
                if chars.get(i + 1) == Some(&'"') && chars.get(i + 2) == Some(&'"') {
                    // Block string: raw until the closing triple quote.
                    let start = i + 3;
                    let mut end = start;
                    loop {
                        match (chars.get(end), chars.get(end + 1), chars.get(end + 2)) {
                            (Some('"'), Some('"'), Some('"')) => break,
                            (Some(_), _, _) => end += 1,
                            (None, _, _) => return Err("Syntax Error: unterminated string".into()),
                        }
                    }
                    tokens.push(Token::Str(
                        chars.get(start..end).unwrap_or_default().iter().collect(),
                    ));
                    i = end + 3;
                } else {
                    let mut out = String::new();
                    i += 1;
                    loop {
                        match chars.get(i) {
                            None | Some('\n') => {
                                return Err("Syntax Error: unterminated string".into());
                            }
                            Some('"') => {
                                i += 1;
                                break;
                            }
                            Some('\\') => {
                                let escaped = chars.get(i + 1).copied();
                                i += 2;
                                match escaped {
                                    Some('n') => out.push('\n'),
                                    Some('t') => out.push('\t'),
                                    Some('r') => out.push('\r'),
                                    Some('b') => out.push('\u{8}'),
                                    Some('f') => out.push('\u{c}'),
                                    Some('u') => {
                                        let hex: String = chars
                                            .get(i..i + 4)
                                            .unwrap_or_default()
                                            .iter()
                                            .collect();
                                        let code = u32::from_str_radix(&hex, 16)
                                            .ok()
                                            .and_then(char::from_u32)
                                            .ok_or("Syntax Error: bad unicode escape")?;
                                        out.push(code);
                                        i += 4;
                                    }
                                    Some(other @ ('"' | '\\' | '/')) => out.push(other),
                                    _ => return Err("Syntax Error: bad escape".into()),
                                }
                            }
                            Some(other) => {
                                out.push(*other);
                                i += 1;
                            }
                        }
                    }
                    tokens.push(Token::Str(out));
                }
            }
            c if c == '-' || c.is_ascii_digit() => {
                let start = i;
                i += 1;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                {
                    i += 1;
                }
                let text: String = chars.get(start..i).unwrap_or_default().iter().collect();
                if let Ok(int) = text.parse::<i64>() {
                    tokens.push(Token::Int(int));
                } else {
                    let float = text
                        .parse::<f64>()
                        .map_err(|_| format!("Syntax Error: invalid number {text}"))?;
                    tokens.push(Token::Float(float));
                }
            }
            c if c == '_' || c.is_ascii_alphabetic() => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| *c == '_' || c.is_ascii_alphanumeric())
                {
                    i += 1;
                }
                tokens.push(Token::Name(
                    chars.get(start..i).unwrap_or_default().iter().collect(),
                ));
            }
            other => return Err(format!("Syntax Error: unexpected character '{other}'")),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn is_punct(&self, c: char) -> bool {
        self.peek() == Some(&Token::Punct(c))
    }

    fn expect_punct(&mut self, c: char) -> Result<(), String> {
        match self.next() {
            Some(Token::Punct(p)) if p == c => Ok(()),
            other => Err(format!("Syntax Error: expected '{c}', found {other:?}")),
        }
    }

    fn name(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Name(n)) => Ok(n),
            other => Err(format!("Syntax Error: expected a name, found {other:?}")),
        }
    }

    fn document(&mut self) -> Result<Vec<Operation>, String> {
        let mut operations = Vec::new();
        while let Some(token) = self.peek() {
            match token {
                Token::Punct('{') => operations.push(Operation {
                    kind: OperationKind::Query,
                    name: None,
                    selection: self.selection_set(0)?,
                }),
                Token::Name(n) if n == "query" || n == "mutation" => {
                    let kind = if n == "query" {
                        OperationKind::Query
                    } else {
                        OperationKind::Mutation
                    };
                    self.pos += 1;
                    let name = match self.peek() {
                        Some(Token::Name(_)) => Some(self.name()?),
                        _ => None,
                    };
                    if self.is_punct('(') {
                        self.variable_definitions()?;
                    }
                    if self.is_punct('@') {
                        return Err("Directives are not supported by the simulator".into());
                    }
                    operations.push(Operation {
                        kind,
                        name,
                        selection: self.selection_set(0)?,
                    });
                }
                Token::Name(n) if n == "fragment" => {
                    return Err("Fragments are not supported by the simulator".into());
                }
                Token::Name(n) if n == "subscription" => {
                    return Err("Subscriptions are not supported".into());
                }
                other => return Err(format!("Syntax Error: unexpected {other:?}")),
            }
        }
        if operations.is_empty() {
            return Err("Syntax Error: the document has no operation".into());
        }
        Ok(operations)
    }

    fn variable_definitions(&mut self) -> Result<(), String> {
        self.expect_punct('(')?;
        while !self.is_punct(')') {
            self.expect_punct('$')?;
            self.name()?;
            self.expect_punct(':')?;
            self.type_ref(0)?;
            if self.is_punct('=') {
                self.pos += 1;
                self.value(0)?;
            }
            if self.peek().is_none() {
                return Err("Syntax Error: unterminated variable definitions".into());
            }
        }
        self.expect_punct(')')
    }

    fn type_ref(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("Syntax Error: type nested too deeply".into());
        }
        if self.is_punct('[') {
            self.pos += 1;
            self.type_ref(depth + 1)?;
            self.expect_punct(']')?;
        } else {
            self.name()?;
        }
        if self.is_punct('!') {
            self.pos += 1;
        }
        Ok(())
    }

    fn selection_set(&mut self, depth: usize) -> Result<Vec<Field>, String> {
        if depth > MAX_DEPTH {
            return Err("Syntax Error: selection nested too deeply".into());
        }
        self.expect_punct('{')?;
        let mut fields = Vec::new();
        while !self.is_punct('}') {
            match self.peek() {
                Some(Token::Spread) => {
                    return Err("Fragments are not supported by the simulator".into());
                }
                Some(Token::Name(_)) => fields.push(self.field(depth)?),
                other => return Err(format!("Syntax Error: unexpected {other:?}")),
            }
        }
        self.expect_punct('}')?;
        if fields.is_empty() {
            return Err("Syntax Error: empty selection set".into());
        }
        Ok(fields)
    }

    fn field(&mut self, depth: usize) -> Result<Field, String> {
        let first = self.name()?;
        let (alias, name) = if self.is_punct(':') {
            self.pos += 1;
            (Some(first), self.name()?)
        } else {
            (None, first)
        };
        let mut arguments = Vec::new();
        if self.is_punct('(') {
            self.pos += 1;
            while !self.is_punct(')') {
                let arg = self.name()?;
                self.expect_punct(':')?;
                arguments.push((arg, self.value(depth)?));
                if self.peek().is_none() {
                    return Err("Syntax Error: unterminated arguments".into());
                }
            }
            self.expect_punct(')')?;
        }
        if self.is_punct('@') {
            return Err("Directives are not supported by the simulator".into());
        }
        let selection = if self.is_punct('{') {
            self.selection_set(depth + 1)?
        } else {
            Vec::new()
        };
        Ok(Field {
            alias,
            name,
            arguments,
            selection,
        })
    }

    fn value(&mut self, depth: usize) -> Result<GValue, String> {
        if depth > MAX_DEPTH {
            return Err("Syntax Error: value nested too deeply".into());
        }
        match self.next() {
            Some(Token::Punct('$')) => Ok(GValue::Variable(self.name()?)),
            Some(Token::Int(i)) => Ok(GValue::Int(i)),
            Some(Token::Float(f)) => Ok(GValue::Float(f)),
            Some(Token::Str(s)) => Ok(GValue::String(s)),
            Some(Token::Name(n)) => Ok(match n.as_str() {
                "true" => GValue::Bool(true),
                "false" => GValue::Bool(false),
                "null" => GValue::Null,
                _ => GValue::Enum(n),
            }),
            Some(Token::Punct('[')) => {
                let mut items = Vec::new();
                while !self.is_punct(']') {
                    if self.peek().is_none() {
                        return Err("Syntax Error: unterminated list".into());
                    }
                    items.push(self.value(depth + 1)?);
                }
                self.expect_punct(']')?;
                Ok(GValue::List(items))
            }
            Some(Token::Punct('{')) => {
                let mut fields = Vec::new();
                while !self.is_punct('}') {
                    let key = self.name()?;
                    self.expect_punct(':')?;
                    fields.push((key, self.value(depth + 1)?));
                    if self.peek().is_none() {
                        return Err("Syntax Error: unterminated object".into());
                    }
                }
                self.expect_punct('}')?;
                Ok(GValue::Object(fields))
            }
            other => Err(format!("Syntax Error: unexpected {other:?} in a value")),
        }
    }
}

pub fn parse(source: &str) -> Result<Vec<Operation>, String> {
    let tokens = lex(source)?;
    Parser { tokens, pos: 0 }.document()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_mutation() {
        let ops = parse(
            r#"mutation AppExtension($input: CreateAppExtensionInput!) {
                appExtension { createAppExtension(input: $input) {
                  appExtension { id context model url label { defaultValue locales { value localeCode } } }
                } }
            }"#,
        )
        .unwrap();
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].kind, OperationKind::Mutation);
        let create = &ops[0].selection[0].selection[0];
        assert_eq!(create.name, "createAppExtension");
        assert_eq!(
            create.argument("input"),
            Some(&GValue::Variable("input".into()))
        );
    }

    #[test]
    fn parses_inline_values_and_aliases() {
        let ops = parse(
            r#"{ s: store { appExtensions(first: 10) { edges { node { id } } } } }
               mutation { appExtension { deleteAppExtension(input: {id: "bc/store/appExtension/2", x: [1, 2.5, true, null, PANEL]}) { deletedAppExtensionId } } }"#,
        )
        .unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].selection[0].response_key(), "s");
        let input = ops[1].selection[0].selection[0].argument("input").unwrap();
        let json = input.resolve(&Map::new());
        assert_eq!(json["id"], "bc/store/appExtension/2");
        assert_eq!(json["x"][4], "PANEL");
    }

    #[test]
    fn refuses_bad_input_without_panicking() {
        for bad in [
            "",
            "{",
            "{ a(",
            "query { a { } }",
            "{ ...F }",
            "fragment F on X { a }",
            "{ a(x: \"unterminated) }",
            "{ a @include(if: true) }",
            &"{a".repeat(200),
            &format!("{{ a(x: {}) }}", "[".repeat(500)),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
