"""KQL (Kibana Query Language) translated into Elasticsearch/OpenSearch query DSL, written here.

No maintained Python library does this, and Kibana's own grammar is under a licence we can't use; this
is our own recursive-descent parser for the part of KQL people type. Grammar (keywords `and`, `or`, `not`
in any case; `or` binds loosest, then `and`, then `not`):

    query      := [or_expr] END                    empty query: match_all
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" or_expr ")" | field_expr | value
    field_expr := FIELD ":" value_group            service.name: api
                | FIELD ("<" | "<=" | ">" | ">=") single   status >= 500
    value_group:= "(" v_or ")" | value             host.name: (web-01 or web-02)
    v_or       := v_and ("or" v_and)*   v_and := v_not ("and" v_not)*
    v_not      := "not" v_not | "(" v_or ")" | value
    value      := QUOTED | WORD+                   "timed out" | timed out | web-*
    single     := QUOTED | WORD

- WORD: a run of characters other than whitespace and `\\ ( ) : < > " { }`; a backslash escapes the next
  character (`\\*` is a literal star, `\\(` a parenthesis, `\\ ` a space, `\\and` the word "and").
  Consecutive words form one value, as in Kibana (`message: timed out` is the value "timed out").
- QUOTED: double quotes, `\\"` and `\\\\` inside; always a phrase, never a wildcard.
- An unescaped `*` in a WORD is a wildcard; `field: *` means the field exists.

Translation (the DSL, built as plain dicts):
- `field: value` -> `match` {field: value}; quoted -> `match_phrase`; with a wildcard ->
  `query_string` {fields: [field], query: value with every other reserved character escaped};
  `field: *` -> `exists`.
- free text (a value without a field): `multi_match` {query, type best_fields (phrase when quoted),
  lenient: true} over the index's default fields; with a wildcard -> `query_string`.
- `field OP value` -> `range` {field: {gt|gte|lt|lte: value}} (dates and numbers as written).
- `a and b` -> bool.filter [a, b]; `a or b` -> bool.should [a, b] with minimum_should_match 1;
  `not a` -> bool.must_not [a]. Chains flatten (`a and b and c` is one bool.filter of three).

Not supported (a KqlSyntaxError says so): nested-field queries `field: { ... }`, wildcards in field names.
A syntax error raises `KqlSyntaxError` (a `QueryError`) with the 1-based column in its message and in
`.column`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops_tui.sources.logs.query import QueryError

_SPECIAL = set('\\():<>"{}')
_KEYWORDS = {"and", "or", "not"}
# Characters query_string treats specially (besides whitespace); `*` is handled on its own.
_QS_RESERVED = set('+-=&|><!(){}[]^"~?:\\/')


class KqlSyntaxError(QueryError):
    """A KQL query that does not parse; `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"KQL syntax error at column {column}: {message}")
        self.column = column


@dataclass(frozen=True)
class _Token:
    kind: str          # WORD, QUOTED, LPAREN, RPAREN, COLON, OP, AND, OR, NOT, LBRACE, END
    text: str          # unescaped text (for OP: the operator)
    pos: int           # 0-based offset in the query
    pattern: str = ""  # WORD only: query_string form (reserved characters escaped, wildcards kept)
    wildcard: bool = False


def _tokens(source: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
        elif char in "()":
            out.append(_Token("LPAREN" if char == "(" else "RPAREN", char, i))
            i += 1
        elif char == ":":
            out.append(_Token("COLON", char, i))
            i += 1
        elif char in "<>":
            op = source[i:i + 2] if source[i + 1:i + 2] == "=" else char
            out.append(_Token("OP", op, i))
            i += len(op)
        elif char in "{}":
            raise KqlSyntaxError("nested field queries ({ ... }) are not supported", i + 1)
        elif char == '"':
            start, i, text = i, i + 1, []
            while i < n and source[i] != '"':
                if source[i] == "\\" and i + 1 < n:
                    i += 1
                text.append(source[i])
                i += 1
            if i >= n:
                raise KqlSyntaxError("unterminated quoted phrase", start + 1)
            out.append(_Token("QUOTED", "".join(text), start))
            i += 1
        else:
            start, text, pattern, wildcard, escaped_any = i, [], [], False, False
            while i < n and (source[i] == "\\" or not (source[i].isspace() or source[i] in _SPECIAL)):
                char = source[i]
                if char == "\\":
                    if i + 1 >= n:
                        raise KqlSyntaxError("a backslash at the end escapes nothing", i + 1)
                    i += 1
                    char, escaped_any = source[i], True
                    pattern.append("\\" + char if char in _QS_RESERVED or char in "* " else char)
                elif char == "*":
                    pattern.append(char)
                    wildcard = True
                else:
                    pattern.append("\\" + char if char in _QS_RESERVED else char)
                text.append(char)
                i += 1
            word = "".join(text)
            kind = word.lower() if word.lower() in _KEYWORDS and not escaped_any else "WORD"
            out.append(_Token(kind.upper(), word, start, "".join(pattern), wildcard))
    out.append(_Token("END", "", n))
    return out


def _describe(token: _Token) -> str:
    if token.kind == "END":
        return "the end of the query"
    if token.kind in ("AND", "OR", "NOT"):
        return f"'{token.text}'"
    return f"{token.text!r}" if token.kind in ("WORD", "QUOTED") else f"'{token.text}'"


def _combine(kind: str, parts: list[dict]) -> dict:
    if len(parts) == 1:
        return parts[0]
    flat: list[dict] = []
    for part in parts:
        inner = part.get("bool", {})
        if kind == "filter" and list(inner) == ["filter"]:
            flat.extend(inner["filter"])
        elif kind == "should" and set(inner) == {"should", "minimum_should_match"}:
            flat.extend(inner["should"])
        else:
            flat.append(part)
    if kind == "should":
        return {"bool": {"should": flat, "minimum_should_match": 1}}
    return {"bool": {"filter": flat}}


_RANGE = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.at = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, expected: str, token: _Token | None = None) -> KqlSyntaxError:
        token = token or self.peek
        return KqlSyntaxError(f"expected {expected}, found {_describe(token)}", token.pos + 1)

    def query(self) -> dict:
        if self.peek.kind == "END":
            return {"match_all": {}}
        result = self.or_expr(self.primary)
        if self.peek.kind != "END":
            raise self.fail("'and', 'or' or the end of the query")
        return result

    def or_expr(self, primary) -> dict:
        parts = [self.and_expr(primary)]
        while self.peek.kind == "OR":
            self.take()
            parts.append(self.and_expr(primary))
        return _combine("should", parts)

    def and_expr(self, primary) -> dict:
        parts = [self.not_expr(primary)]
        while self.peek.kind == "AND":
            self.take()
            parts.append(self.not_expr(primary))
        return _combine("filter", parts)

    def not_expr(self, primary) -> dict:
        if self.peek.kind == "NOT":
            self.take()
            return {"bool": {"must_not": [self.not_expr(primary)]}}
        if self.peek.kind == "LPAREN":
            opening = self.take()
            inner = self.or_expr(primary)
            if self.peek.kind != "RPAREN":
                if self.peek.kind == "END":
                    raise KqlSyntaxError("unclosed '('", opening.pos + 1)
                raise self.fail("'and', 'or' or ')'")
            self.take()
            return inner
        return primary()

    def primary(self) -> dict:
        token = self.peek
        if token.kind == "WORD" and self.tokens[self.at + 1].kind in ("COLON", "OP"):
            field = self.take()
            if field.wildcard:
                raise KqlSyntaxError("wildcards in field names are not supported", field.pos + 1)
            if self.peek.kind == "OP":
                op = self.take()
                value = self.take()
                if value.kind not in ("WORD", "QUOTED") or value.wildcard:
                    raise self.fail(f"a value after '{op.text}'", value)
                return {"range": {field.text: {_RANGE[op.text]: value.text}}}
            self.take()  # the colon
            if self.peek.kind == "LPAREN":
                opening = self.take()
                inner = self.or_expr(lambda: self.field_value(field.text))
                if self.peek.kind != "RPAREN":
                    if self.peek.kind == "END":
                        raise KqlSyntaxError("unclosed '('", opening.pos + 1)
                    raise self.fail("'and', 'or' or ')'")
                self.take()
                return inner
            return self.field_value(field.text)
        return self.free_value()

    def value(self) -> tuple[str, str, bool, bool]:
        """(text, query_string pattern, wildcard, quoted) of the value here."""
        token = self.peek
        if token.kind == "QUOTED":
            self.take()
            return token.text, "", False, True
        if token.kind != "WORD":
            raise self.fail("a value")
        words = [self.take()]
        while self.peek.kind == "WORD":
            words.append(self.take())
        if self.peek.kind in ("COLON", "OP"):
            raise KqlSyntaxError("a field name cannot contain spaces (quote the value, or add 'and'/'or')",
                                 words[-1].pos + 1)
        text = " ".join(word.text for word in words)
        pattern = "\\ ".join(word.pattern for word in words)
        return text, pattern, any(word.wildcard for word in words), False

    def field_value(self, field: str) -> dict:
        text, pattern, wildcard, quoted = self.value()
        if quoted:
            return {"match_phrase": {field: text}}
        if text == "*" and wildcard:
            return {"exists": {"field": field}}
        if wildcard:
            return {"query_string": {"fields": [field], "query": pattern}}
        return {"match": {field: text}}

    def free_value(self) -> dict:
        text, pattern, wildcard, quoted = self.value()
        if quoted:
            return {"multi_match": {"query": text, "type": "phrase", "lenient": True}}
        if wildcard:
            return {"query_string": {"query": pattern}}
        return {"multi_match": {"query": text, "type": "best_fields", "lenient": True}}


def to_dsl(query: str) -> dict[str, Any]:
    """The query DSL for a KQL query; raises KqlSyntaxError (a QueryError) with the column."""
    return _Parser(query).query()
