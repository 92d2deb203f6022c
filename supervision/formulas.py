"""The small formula language of evaluation schemes and of the shared indicator definitions
(``supervision.indicators``): arithmetic over named inputs (+ - * /),
comparisons, and/or/not, numbers and a few functions (growth, share, min, max).

A formula is parsed once, when its scheme is loaded, and compiled into a Python function of
the input values; anything outside the language (attributes, subscripts, other calls) is
refused, so that a scheme file can never run code.
"""

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

HUNDRED = Decimal(100)


class FormulaError(ValueError):
    """A formula outside the language; the message quotes it and says why."""


def _growth(now: Decimal, start: Decimal) -> Decimal:
    return (now - start) * HUNDRED / start


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return part * HUNDRED / whole


FUNCTIONS: dict[str, Callable[..., Decimal]] = {
    "growth": _growth,  # percent change from start to now
    "share": _share,  # part as a percent of whole
    "min": min,
    "max": max,
}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
}


# What a formula gives: a number (Decimal) or a condition (bool). The language does not tell
# them apart; the scheme does, by where it uses the formula (a measure's value, a penalty's
# condition), and so does the type: Formula[Decimal] or Formula[bool].
V = TypeVar("V")

# A compiled formula: its value is Any to Python, being whichever of the two the formula is.
Compiled = Callable[[Mapping[str, Decimal]], Any]


@dataclass(frozen=True)
class Formula(Generic[V]):
    """Arithmetic over named inputs: + - * /, comparisons, and/or/not, numbers and FUNCTIONS.

    Parsed once on load; anything else (attributes, subscripts, other calls) is refused, so a
    scheme file can never run code.
    """

    text: str
    function: Callable[[Mapping[str, Decimal]], V] = field(compare=False, repr=False)
    names: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str | int | Decimal) -> "Formula[Any]":
        source = str(text)
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"formula {source!r}: {exc.msg}") from exc
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                    raise FormulaError(f"formula {source!r}: unknown function")
                if node.keywords:
                    raise FormulaError(f"formula {source!r}: no keyword arguments")
            elif isinstance(node, ast.Name):
                names.add(node.id)
            elif not isinstance(
                node,
                (
                    ast.Expression,
                    ast.BinOp,
                    ast.UnaryOp,
                    ast.BoolOp,
                    ast.Compare,
                    ast.Constant,
                    ast.Load,
                    ast.Add,
                    ast.Sub,
                    ast.Mult,
                    ast.Div,
                    ast.USub,
                    ast.Not,
                    ast.And,
                    ast.Or,
                    *_COMPARE,
                ),
            ):
                raise FormulaError(f"formula {source!r}: {type(node).__name__} is not allowed")
            if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
                raise FormulaError(f"formula {source!r}: only numbers are allowed as constants")
        return cls(source, _compile(tree.body), frozenset(names - set(FUNCTIONS)))

    def __call__(self, values: Mapping[str, Decimal]) -> V:
        """The formula's value; ZeroDivisionError when a divisor is zero."""
        return self.function(values)

    def sql(self, column: Callable[[str], str]) -> str:
        """The formula as a SQL expression of PostgreSQL's exact numerics, each name read by
        ``column(name)``: NULL where the Python function's caller gives None (a name without
        a value, a divisor of zero). Arithmetic and the functions only."""
        present = " AND ".join(f"{column(name)} IS NOT NULL" for name in sorted(self.names))
        expression = _sql(ast.parse(self.text, mode="eval").body, column)
        return f"CASE WHEN {present} THEN {expression} END" if present else expression


def _divide(left: Decimal, right: Decimal) -> Decimal:
    if right == 0:
        raise ZeroDivisionError
    return left / right


def _guarded(name: str) -> Callable[..., Decimal]:
    function = FUNCTIONS[name]
    if name not in ("growth", "share"):
        return function

    def call(first: Decimal, second: Decimal) -> Decimal:
        if second == 0:
            raise ZeroDivisionError
        return function(first, second)

    return call


def _compile(node: ast.AST) -> Compiled:
    """The node as a Python function of the values, built once: scoring a national period
    evaluates formulas some hundred thousand times."""
    match node:
        case ast.Constant(value=value):
            constant = Decimal(str(value))
            return lambda values: constant
        case ast.Name(id=name):
            return lambda values: values[name]
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            inner = _compile(operand)
            return lambda values: -inner(values)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            inner = _compile(operand)
            return lambda values: not inner(values)
        case ast.BinOp(left=left, op=op, right=right):
            apply = _divide if isinstance(op, ast.Div) else _BINARY[type(op)]
            first, second = _compile(left), _compile(right)
            return lambda values: apply(first(values), second(values))
        case ast.BoolOp(op=op, values=parts):
            compiled = [_compile(part) for part in parts]
            combine = all if isinstance(op, ast.And) else any
            return lambda values: combine(part(values) for part in compiled)
        case ast.Compare(left=left, ops=ops, comparators=rights):
            terms = [_compile(left), *(_compile(right) for right in rights)]
            tests = [_COMPARE[type(op)] for op in ops]

            def compare(values):
                current = terms[0](values)
                for test, term in zip(tests, terms[1:], strict=True):
                    following = term(values)
                    if not test(current, following):
                        return False
                    current = following
                return True

            return compare
        case ast.Call(func=ast.Name(id=name), args=args):
            function = _guarded(name)
            arguments = [_compile(arg) for arg in args]
            return lambda values: function(*(argument(values) for argument in arguments))
    raise FormulaError(f"cannot evaluate {ast.dump(node)}")


def _sql(node: ast.AST, column: Callable[[str], str]) -> str:
    """The node as SQL: a divisor of zero as NULL (NULLIF), as ZeroDivisionError gives None."""
    match node:
        case ast.Constant(value=value):
            return f"CAST('{Decimal(str(value))}' AS NUMERIC)"
        case ast.Name(id=name):
            return column(name)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return f"(-{_sql(operand, column)})"
        case ast.BinOp(left=left, op=ast.Div(), right=right):
            return f"({_sql(left, column)} / NULLIF({_sql(right, column)}, 0))"
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _SQL_BINARY:
            return f"({_sql(left, column)} {_SQL_BINARY[type(op)]} {_sql(right, column)})"
        case ast.Call(func=ast.Name(id="growth"), args=[now, start]):
            first, second = _sql(now, column), _sql(start, column)
            return f"(({first} - {second}) * 100 / NULLIF({second}, 0))"
        case ast.Call(func=ast.Name(id="share"), args=[part, whole]):
            return f"({_sql(part, column)} * 100 / NULLIF({_sql(whole, column)}, 0))"
    raise FormulaError(f"no SQL for {ast.dump(node)}")


_SQL_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
