"""The words the rule reads names by: what makes an instance, a value, a class or a lock.

Python code says what an object is mostly through naming conventions (PEP 8 capitalized classes,
`create_*` factories, `_lock`s), so these tables are the rule's knowledge of the language's
idioms; keeping them apart from the logic keeps both easy to review.
"""

from __future__ import annotations

CONTAINERS = {"dict", "list", "set", "bytearray", "defaultdict", "deque"}
"""Builtin containers that, called empty, make a container to be filled after it is shared."""
FACTORY_WORDS = {"create", "make", "build", "new", "connect", "open", "factory"}
"""First words of factory function names: `create_engine()`, `make_pool()`, `build_opener()`,
`CacheFactory.factory()`."""
CLASS_WORDS = {"class", "classes", "cls", "type", "types"}
"""Last words of a factory that makes a class, not an instance (`make_runner_class()`)."""
VALUE_WORDS = {
    *("id", "ids", "uuid", "key", "keys", "name", "names", "token", "hash", "digest"),
    *("pattern", "patterns", "regex", "regexp", "re", "template", "format", "fmt"),
    *("table", "tables", "map", "mapping", "index", "lookup", "dict", "list", "set", "tuple"),
    *("str", "string", "text", "bytes", "path", "paths", "url", "uri", "number", "version"),
}
"""Last words of a factory that makes a value (`build_table()`, `make_pattern()`, `new_id()`)."""
VALUE_CLASSES = {
    *("Path", "PurePath", "PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath"),
    *("Decimal", "Fraction", "UUID", "Struct", "Template", "MappingProxyType"),
    *("IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network", "IPv4Interface"),
    *("IPv6Interface", "Version", "Specifier", "SpecifierSet", "Requirement", "Marker"),
}
"""Classes whose instances are immutable values (standard library, and `packaging`'s): equal
however often made, so two threads making one each lose nothing."""
CLASS_PARAMETERS = {"cls", "klass", "kls", "clazz", "class_", "mcs", "mcls", "metacls"}
"""Names a function gives its class parameter by convention (and a decorator its class
argument)."""
IMPLICIT_CLASSMETHODS = {"__new__", "__init_subclass__", "__class_getitem__"}
"""Methods whose first parameter is the class even without `@classmethod`."""
CLASS_SETUP_METHODS = {"__init_subclass__", "__init__"}
"""Methods that run on a class being created, before any other thread can see it (`__init__`
of a metaclass: its first parameter is the new class)."""
LOCK_WORDS = {
    *("mutex", "mutexes", "mtx", "semaphore", "sem", "sema", "cond", "condition", "cv", "lck"),
    *("synchronized", "synchronised"),
}
"""Words that name a lock in an identifier, beyond those ending in "lock(s)" or "locked"."""
LOCKED_FUNCTION_WORDS = {"locked", "synchronized", "synchronised"}
"""Words in a function's name that say its caller holds the lock (`_create_locked`)."""
NOT_LOCK_WORDS = {"block", "blocks", "blocked", "clock", "clocks", "unlock", "unlocks", "unlocked"}
"""Words that end in "lock" without naming one."""
LOCK_CONSTRUCTORS = {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "allocate_lock"}
"""Lock constructors: `with threading.Lock():` makes a new lock per call, which guards nothing."""
SENTINEL_WORDS = ("missing", "sentinel", "unset", "notset", "not_set", "undefined")
"""Names of sentinels that mean "not created yet", compared with `is` as None is."""


def words(identifier: str) -> list[str]:
    """`_instanceLock` -> ["instance", "lock"]: snake_case and camelCase parts, lowercased."""
    found: list[str] = []
    current = ""
    for index, char in enumerate(identifier):
        starts_word = char.isupper() and (
            (index > 0 and identifier[index - 1].islower())
            or (index + 1 < len(identifier) and identifier[index + 1].islower() and current)
        )
        if char == "_" or starts_word:
            if current:
                found.append(current.lower())
            current = "" if char == "_" else char
        else:
            current += char
    if current:
        found.append(current.lower())
    return found


def is_capitalized(name: str) -> bool:
    """`Client`, `_Screen`: a class by PEP 8 naming (not a CONSTANT)."""
    bare = name.lstrip("_")
    return bare[:1].isupper() and not bare.isupper()
