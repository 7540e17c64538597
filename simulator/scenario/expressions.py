"""Safe arithmetic expressions over named parameters.

A scenario may write an effect as ``"children * saving_per_child"``. The text is parsed
with :func:`ast.parse` (which never runs code) and then rebuilt into a small tree of our
own node types that admits only numbers, names, ``+ - * / **``, unary minus and a few
whitelisted functions. Anything else (attribute access, calls to other names, subscripts,
comprehensions, lambdas, strings) is rejected with a message naming the construct.
Evaluation works on numpy arrays, so one call evaluates every path at once.

Size is bounded at parse time (text length, node count, nesting depth) and exponents are
bounded at evaluation time, so no expression can hang the process or exhaust memory.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from simulator.errors import ExpressionError

MAX_LENGTH = 2_000
MAX_NODES = 400
MAX_DEPTH = 100
#: |exponent| above this is refused: no savings model needs x**1000, and it overflows.
MAX_EXPONENT = 64.0


def _clip(x, low, high):
    return np.minimum(np.maximum(x, low), high)


#: name -> (numpy function, number of arguments or None for two or more)
FUNCTIONS: dict[str, tuple[Callable, int | None]] = {
    "min": (lambda *a: _reduce(np.minimum, a), None),
    "max": (lambda *a: _reduce(np.maximum, a), None),
    "clip": (_clip, 3),
    "abs": (np.abs, 1),
    "sqrt": (np.sqrt, 1),
    "exp": (np.exp, 1),
    "log": (np.log, 1),
}


def _reduce(fn, args):
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


class Node:
    """A node of a parsed expression."""

    __slots__ = ()

    def names(self) -> frozenset[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def evaluate(self, env: Mapping[str, object]):  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Number(Node):
    value: float

    def names(self) -> frozenset[str]:
        return frozenset()

    def evaluate(self, env):
        return self.value


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str

    def names(self) -> frozenset[str]:
        return frozenset({self.name})

    def evaluate(self, env):
        return env[self.name]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    operand: Node

    def names(self) -> frozenset[str]:
        return self.operand.names()

    def evaluate(self, env):
        return -self.operand.evaluate(env)


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Node
    right: Node

    def names(self) -> frozenset[str]:
        return self.left.names() | self.right.names()

    def evaluate(self, env):
        a = self.left.evaluate(env)
        b = self.right.evaluate(env)
        match self.op:
            case "+":
                return a + b
            case "-":
                return a - b
            case "*":
                return a * b
            case "/":
                return np.divide(a, b)
            case "**":
                if np.any(np.abs(b) > MAX_EXPONENT):
                    raise ExpressionError(f"exponent larger than {MAX_EXPONENT:g} in absolute value")
                return np.power(np.asarray(a, dtype=np.float64), b)
        raise AssertionError(self.op)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: str
    arguments: tuple[Node, ...]

    def names(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for a in self.arguments:
            out |= a.names()
        return out

    def evaluate(self, env):
        fn = FUNCTIONS[self.function][0]
        return fn(*(a.evaluate(env) for a in self.arguments))


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: the source text, its tree and the names it reads."""

    text: str
    tree: Node

    @property
    def names(self) -> frozenset[str]:
        return self.tree.names()

    def evaluate(self, env: Mapping[str, object]):
        """Evaluate with numpy broadcasting; ``env`` maps every name to a number or array."""
        with np.errstate(all="ignore"):
            return self.tree.evaluate(env)


def parse(text: str) -> Expression:
    """Parse ``text`` into an :class:`Expression`, or raise :class:`ExpressionError`.

    >>> parse("children * saving_per_child").names == {"children", "saving_per_child"}
    True
    >>> float(parse("2 * (3 + x)").evaluate({"x": 1.0}))
    8.0
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError("empty expression")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not valid arithmetic: {exc.msg} in {text!r}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"expression cannot be parsed: {text[:60]!r}") from None
    counter = [0]
    return Expression(text, _build(tree.body, counter, 0))


def _build(node: ast.AST, counter: list[int], depth: int) -> Node:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise ExpressionError(f"expression has more than {MAX_NODES} parts")
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")
    match node:
        case ast.Constant(value=bool()):
            raise ExpressionError("true/false is not a number")
        case ast.Constant(value=int() | float() as value):
            if not math.isfinite(value) or abs(value) > 1e15:
                raise ExpressionError(f"number {value!r} is out of range (at most 1e15)")
            return Number(float(value))
        case ast.Name(id=name):
            return Name(name)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return Unary(_build(operand, counter, depth + 1))
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _build(operand, counter, depth + 1)
        case ast.BinOp(op=op, left=left, right=right) if type(op) in _BINARY:
            return Binary(
                _BINARY[type(op)], _build(left, counter, depth + 1), _build(right, counter, depth + 1)
            )
        case ast.Call(func=ast.Name(id=fname), args=args, keywords=[]) if fname in FUNCTIONS:
            arity = FUNCTIONS[fname][1]
            if arity is None and len(args) < 2:
                raise ExpressionError(f"{fname}() takes two or more arguments")
            if arity is not None and len(args) != arity:
                raise ExpressionError(f"{fname}() takes {arity} argument(s), got {len(args)}")
            return Call(fname, tuple(_build(a, counter, depth + 1) for a in args))
        case ast.Call():
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(f"only these functions may be called: {allowed}")
    kind = type(node).__name__
    raise ExpressionError(
        f"{kind} is not allowed in an expression; use numbers, parameter names, "
        "+ - * / ** and parentheses"
    )
