"""A mypy plugin: calling a factory_boy factory gives the model it makes.

factory_boy's factories are generic (`DjangoModelFactory[User]`) and type `create()` and
`build()`, but calling the class itself (`UserFactory()`, the way every test does) goes through
the factory's metaclass, which mypy cannot see through: it would type the result as the factory.
This plugin types `SomeFactory(...)` as the `T` of its `BaseFactory[T]` base, so a factory that
names its model (`class UserFactory(DjangoModelFactory[User])`) makes a `User`, and one that does
not makes `Any`.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import Instance, Type, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


class FactoryBoyPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        if symbol is None or not isinstance(symbol.node, TypeInfo):
            return None
        if symbol.node.fullname == BASE_FACTORY or not symbol.node.has_base(BASE_FACTORY):
            return None
        return made_type


def made_type(ctx: FunctionContext) -> Type:
    """Return the `T` of the called factory's `BaseFactory[T]` base."""
    factory_type = get_proper_type(ctx.default_return_type)
    if not isinstance(factory_type, Instance):
        return ctx.default_return_type
    base = next(info for info in factory_type.type.mro if info.fullname == BASE_FACTORY)
    return map_instance_to_supertype(factory_type, base).args[0]


def plugin(version: str) -> type[Plugin]:
    return FactoryBoyPlugin
