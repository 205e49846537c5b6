"""Tool definitions and structured-output schemas as the model sees them, rendered to text.

OpenAI does not bill the JSON of ``tools``: it renders the definitions into a TypeScript-like block that
is added to the system (chat models) or developer (harmony: gpt-5, o-series) message::

    namespace functions {

    // Get the current weather in a given location
    type get_current_weather = (_: {
    // The city and state, e.g. San Francisco, CA
    location: string,
    unit?: "celsius" | "fahrenheit", // default: "celsius"
    }) => any;

    } // namespace functions

Sources for the shape (rules learned, code our own): OpenAI's open-source harmony renderer
(``openai/harmony``, ``src/encoding.rs``: ``json_schema_to_typescript`` and ``template_tools_section``),
the reverse-engineered ``hmarr/openai-chat-tokens`` and the OpenAI cookbook "How to count tokens with
tiktoken" (section 7). The fixed tokens around the block differ per model family and are calibrated
against billed usage in :mod:`advisor.tokens.chat`.

A ``response_format`` of type ``json_schema`` is added as the schema's compact JSON under its name.
Everything here is pure text rendering; nothing raises for odd schemas (unknown shapes render as ``any``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["render_functions", "render_type", "function_specs", "render_response_format", "compact_json"]

_MAX_DEPTH = 8  # $ref cycles and absurd nesting stop here (rendered as ``any``)


def compact_json(value: Any) -> str:
    """JSON without spaces, key order kept, non-ASCII kept (as the API sees it).

    >>> compact_json({"a": [1, "é"]})
    '{"a":[1,"é"]}'
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def function_specs(tools: Any) -> list[Mapping[str, Any]]:
    """The function definitions of ``tools`` (``{"type": "function", "function": {...}}``) or of the
    legacy ``functions`` list (``{"name", "description", "parameters"}``); other entries are skipped.

    >>> function_specs([{"type": "function", "function": {"name": "f"}}, {"name": "g"}, "junk", {"type": "web_search"}])
    [{'name': 'f'}, {'name': 'g'}]
    """
    out: list[Mapping[str, Any]] = []
    if not isinstance(tools, list):
        return out
    for tool in tools:
        if not isinstance(tool, Mapping):
            continue
        if tool.get("type", "function") != "function":  # hosted tools (web_search, file_search, ...) are not functions
            continue
        fn = tool.get("function", tool)
        if isinstance(fn, Mapping) and isinstance(fn.get("name", ""), str):
            out.append(fn)
    return out


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else compact_json(value)


# Numeric bounds of a tool parameter shown after its type, as ``// minimum: 0, maximum: 5`` (before a default, if any;
# that combination not measured). Measured (h5tok, 2026-12-08) on heldout4's HumanSignal/Adala named-tool calls
# (pydantic ``Field(ge=0, le=5)``): gpt-4o-mini's evaluation schemas 11-12 under -> exact (12 calls), LabelItem's
# ``start``/``end`` ``minimum: 0`` (gpt-4o, gpt-4o-mini, gpt-3.5-turbo, gpt-4-turbo) 12 tokens closer (28 calls, still
# 15-16 under); no fitted tool has a bound (0 changed). Not shown: ``minItems``/``uniqueItems`` (5 gpt-3.5-turbo
# calls 8 under: ``// minItems: 1`` leaves them 1 under, with ``uniqueItems: true`` 4 over), lengths, patterns and
# formats (no recorded call): response formats drop them all (SCHEMA_DROPPED_KEYS). Worked example: ``evaluation``
# (integer, minimum 0, maximum 5) renders ``evaluation: number, // minimum: 0, maximum: 5``: 11 o200k tokens more.
BOUND_COMMENT_KEYS: tuple[str, ...] = ("minimum", "maximum")


def _default_comment(schema: Mapping[str, Any]) -> str:
    """The comment after a property's type: its bounds (:data:`BOUND_COMMENT_KEYS`), then its default.

    >>> _default_comment({"type": "integer", "minimum": 0, "maximum": 5}), _default_comment({"default": "a"})
    (' // minimum: 0, maximum: 5', ' // default: "a"')
    """
    bits = [f"{key}: {compact_json(schema[key])}" for key in BOUND_COMMENT_KEYS if key in schema]
    if "default" in schema:
        d = schema["default"]
        bits.append(f"default: {(_literal(d) if 'enum' not in schema else d) if isinstance(d, str) else compact_json(d)}")
    return " // " + ", ".join(bits) if bits else ""


def _resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    """Local ``$ref`` (``#/$defs/X``, ``#/definitions/X``) resolved against the root schema; an ``allOf`` of one
    item is that item (resolved), with the sibling keys kept (pydantic wraps a ``$ref`` that carries a description or
    a default in ``allOf: [{"$ref": ...}]``).

    allOf (h5tok, 2026-12-08): it was rendered as ``any``. The heldout4 calls whose tools have it (HumanSignal/Adala's
    enum labels, gpt-3.5-turbo-0125; eidolon-ai/eidolon's objects, gpt-4-1106-preview) all come closer, 105 of 105:
    Adala's 67 from 12-37 under to 5-6 under, eidolon's 38 from 55-127 under to 43-115 under; no fitted call has one
    (0 changed). Worked example: Adala's ``prediction`` (description "The classification label", ``allOf`` of
    ``$defs/Labels``, enum happy/sad/angry/neutral) renders ``prediction: "happy" | "sad" | "angry" | "neutral",``.

    >>> _resolve({"allOf": [{"$ref": "#/$defs/L"}], "description": "Label"}, {"$defs": {"L": {"enum": ["a", "b"]}}})
    {'enum': ['a', 'b'], 'description': 'Label'}
    """
    if isinstance(schema, Mapping) and isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        item = _resolve(schema["allOf"][0], root)
        if isinstance(item, Mapping):
            return {**item, **{k: v for k, v in schema.items() if k != "allOf"}}
    if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/"):
        node: Any = root
        for part in schema["$ref"][2:].split("/"):
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping):
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            return {**node, **extra}
    return schema


def _is_union(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return False
    kinds, enum = schema.get("type"), schema.get("enum")
    return (any(isinstance(schema.get(k), list) and len(schema[k]) > 1 for k in ("anyOf", "oneOf"))
            or (isinstance(kinds, list) and len(kinds) > 1) or (isinstance(enum, list) and len(enum) > 1))


def render_type(schema: Any, *, indent: str = "", root: Mapping[str, Any] | None = None, depth: int = 0,
                nested_comments: bool = True, titles: bool = True, nested_titles: bool = True,
                nested_indent: bool = True) -> str:
    """A JSON schema as a TypeScript-like type expression.

    >>> render_type({"type": "string", "enum": ["a", "b"]})
    '"a" | "b"'
    >>> render_type({"type": "array", "items": {"type": "integer"}})
    'number[]'
    >>> print(render_type({"type": "object", "properties": {"x": {"type": "number", "description": "X"}},
    ...                    "required": ["x"]}))
    {
    // X
    x: number,
    }
    """
    root = root if root is not None else (schema if isinstance(schema, Mapping) else {})
    via_ref = isinstance(schema, Mapping) and "$ref" in schema
    schema = _resolve(schema, root)
    opts = {"nested_comments": nested_comments, "titles": titles, "nested_titles": nested_titles,
            "nested_indent": nested_indent}
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return "any"
    if "const" in schema:
        return _literal(schema["const"])
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return " | ".join(_literal(v) for v in enum)
    for key in ("anyOf", "oneOf"):
        variants = schema.get(key)
        if isinstance(variants, list) and variants:
            return " | ".join(render_type(v, indent=indent, root=root, depth=depth + 1, **opts) for v in variants)
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if isinstance(k, str)]
        if not kinds:
            return "any"
        return " | ".join(render_type({**schema, "type": k}, indent=indent, root=root, depth=depth + 1, **opts)
                          for k in kinds)
    if kind == "object" or (kind is None and isinstance(schema.get("properties"), Mapping)):
        props = schema.get("properties")
        if not isinstance(props, Mapping) or not props:
            return "object"
        # a nested object's lines and closing brace are indented (harmony; a definition reached through $ref; a strict
        # tool), or not (an inline object of a non-strict tool on gpt-4o-family models: chat.FAMILIES' nested_indent)
        inner = indent + ("  " if depth and (nested_indent or via_ref) else "")
        return "{\n" + _render_properties(schema, indent=inner, root=root, depth=depth, **opts) + f"{inner}}}"
    if kind == "array":
        items = schema.get("items")
        if isinstance(items, Mapping):
            inner = render_type(items, indent=indent, root=root, depth=depth + 1, **opts)
            return f"({inner})[]" if _is_union(_resolve(items, root)) else f"{inner}[]"
        return "any[]"
    return {"string": "string", "number": "number", "integer": "number", "boolean": "boolean",
            "null": "null"}.get(kind if isinstance(kind, str) else "", "any")


def property_comments(prop: Any) -> tuple[Any, Any]:
    """(title, description) shown above a property: the property's own keywords, never those of the definition a
    ``$ref`` points to (the definition's properties are rendered, its title and description are not).

    Recorded calls whose tool has a ``$ref`` to a definition with a title and a description (Mirascope's
    ``Author``, gpt-4o, Chat Completions and Responses, 6 calls) billed 10-11 tokens fewer than with the
    definition's comments shown, and 1-2 off without them; 13 more such calls (openllmetry, crewAI) move 3
    tokens closer each, 3 calls of a definition with a title only move 3 tokens away (1 -> -2).

    >>> property_comments({"$ref": "#/$defs/Author", "description": "Who wrote it."})
    (None, 'Who wrote it.')
    """
    own = prop if isinstance(prop, Mapping) else {}
    return own.get("title"), own.get("description")


def all_of_title(raw: Any, spec: Mapping[str, Any]) -> bool:
    """Whether a property without a title of its own, written ``allOf: [{"$ref": ...}]``, shows the title of the
    definition it names, as two comment lines ``// Title`` and a bare ``//`` (harmony's title form, not the one line
    of a property's own title): ``spec`` is the property resolved (:func:`_resolve`). A bare ``$ref`` shows no
    definition title (:func:`property_comments`).

    Measured (h5tok, 2026-12-08) on heldout4, after the allOf rule and a tools framing of -3 with a system message
    (since refined: :data:`advisor.tokens.chat.FAMILIES`, chatml-cl100k): HumanSignal/Adala's enum
    labels (gpt-3.5-turbo-0125, pydantic ``$defs`` titled ``Labels`` etc.) were 4 under in 67 of 67 calls, whatever
    the enum's size (2, 4 or 5 labels); with the two lines 62 exact, 5 one under; eidolon-ai/eidolon's object
    definitions (gpt-4-1106-preview, 38 calls) 42-114 under -> 21-69 under, none exact. A one-line title gives 3 of the
    4; the same Adala request with the label inlined and titled ``Prediction`` bills the one line (exact). No fitted
    call has an ``allOf`` (0 changed). Worked example: ``prediction`` (description "The classification label",
    ``allOf`` of ``Labels``) is rendered ``// Labels``, ``//``, ``// The classification label``, then the type:
    4 tokens more than without the title (``//\n`` is one cl100k token).

    >>> all_of_title({"allOf": [{"$ref": "#/$defs/L"}]}, {"title": "Labels", "enum": ["a"]})
    True
    >>> all_of_title({"$ref": "#/$defs/L"}, {"title": "Labels", "enum": ["a"]})
    False
    """
    return (isinstance(raw, Mapping) and isinstance(raw.get("allOf"), list) and len(raw["allOf"]) == 1
            and isinstance(spec.get("title"), str) and bool(spec["title"]))


def _render_properties(schema: Mapping[str, Any], *, indent: str, root: Mapping[str, Any], depth: int,
                       nested_comments: bool, titles: bool, nested_titles: bool = True,
                       nested_indent: bool = True) -> str:
    required = schema.get("required")
    required = set(required) if isinstance(required, list) and all(isinstance(r, str) for r in required) else set()
    lines: list[str] = []
    for key, raw in schema["properties"].items():
        title, desc = property_comments(raw)
        spec = _resolve(raw, root)
        spec = spec if isinstance(spec, Mapping) else {}
        if nested_comments or depth == 0:
            if titles and (depth == 0 or nested_titles) and isinstance(title, str) and title:
                lines.append(f"{indent}// {title}")  # one line: see nested_titles_shown
            elif titles and (depth == 0 or nested_titles) and all_of_title(raw, spec):
                lines += [f"{indent}// {spec['title']}", f"{indent}//"]
            if isinstance(desc, str) and desc:
                lines += comment_lines(desc, indent) or [f"{indent}//"]
        typ = render_type(raw if isinstance(raw, Mapping) and "$ref" in raw else spec, indent=indent, root=root,
                          depth=depth + 1, nested_comments=nested_comments, titles=titles,
                          nested_titles=nested_titles, nested_indent=nested_indent)
        lines.append(f"{indent}{key}{'' if key in required else '?'}: {typ},{_default_comment(spec)}")
    return "".join(line + "\n" for line in lines)


def comment_lines(text: str, indent: str = "") -> list[str]:
    """A function's or a property's description as the API's comment lines: the text stripped, each line stripped
    of its indentation and trailing spaces (docstrings arrive indented), a blank line as a bare ``//``.

    Recorded calls with multi-line function descriptions (Python docstrings) bill the stripped form: 128 such
    calls, within 2% for 43% of them with the lines kept as written, 84% stripped (calibration and held-out).
    Property descriptions too (h23g, 2026-12-07): every recorded call whose count this changes comes closer, 10 of
    them in two codebases no rule was fitted on before: DataDog/dd-trace-py's student-info tool (gpt-3.5-turbo, a
    description ending in a space: 1 over -> exact, 2 calls) and langchain-ai/langgraph's Tavily search tool
    (gpt-4.1, five multi-line descriptions indented 8 spaces: 73 over -> exact or 1 over, 8 calls).

    >>> comment_lines("Convert.\\n\\n    Args:\\n        x: a value\\n    ")
    ['// Convert.', '//', '// Args:', '// x: a value']
    """
    return [f"{indent}// {line.strip()}".rstrip() for line in text.strip().splitlines()]


def nested_titles_shown(fn: Mapping[str, Any]) -> bool:
    """Whether the titles of nested properties (inside an object property or an array's items) are shown:
    only for a ``strict`` function. Top-level property titles are shown either way.

    Recorded calls (gpt-4o-mini, Chat Completions): crewAI's non-strict ``TaskEvaluation`` (4 titled properties
    in the ``Entity`` items, 13 calls, 8 calibration + 5 held-out) and ``Person`` (3 in ``Address``, 1 call)
    billed 19 and 15 tokens fewer than counted with those titles, 5 and 4 more without; the strict tools with
    titled nested definitions (Mirascope ``Author``, openai-agents ``Recipe``: 21 calls) are 2 under to 16 over
    with them and 12-40 under without.

    A title is one ``// Title`` line (h23d, 2026-12-07; it was followed by a bare ``//`` line): with the bare line
    the fitted codebases' tool calls (all splits, with /work/scratch/fitted2) billed 1 token fewer per titled
    property (Responses gpt-4o first calls: 0, +2, +4, +16 over at 1, 3, 5, 9 titles; flat without it), tools
    exact 46% -> 57%, within 2% 86.3% -> 88.1% with it gone (and the Responses tools framing 3,
    advisor.tokens.responses). Re-measured then: nested titles shown for strict tools only 88.1% within 2%,
    always 87.7%, never 87.0%.

    >>> nested_titles_shown({"name": "f", "strict": True}), nested_titles_shown({"name": "f"})
    (True, False)
    """
    return fn.get("strict") is True


def schema_description_lines(params: Any, *, title: bool = True) -> list[str]:
    """The comment lines of a function's parameters schema itself, below the function's description: its
    ``title`` as ``// Title`` and a bare ``//`` (``title=True``; pydantic and zod name the schema there), then its
    ``description`` (pydantic puts a model's docstring there).

    The title block is harmony's property-title form (``openai/harmony`` ``src/encoding.rs`` renders a title as
    ``// {title}`` then ``//``); measured on the fitted codebases (h23f, 2026-12-07; all splits with
    /work/scratch/fitted2 and fitted3, 109 tools calls whose parameters carry a title): without it the gpt-4o family
    billed about the title line more (first calls: get_weather_args 5 under, get_city_info_args 6,
    handoff_to_agent_a_args + _b_args 16, Mirascope's Book 3, AllCapsBook 6), exact 11 of 109 with one line,
    41 of 109 with the bare line after it; fitted tools calls within 2% 88.1% -> 90.2%. harmony (gpt-5, o-series)
    renders no schema title (the same renderer) and gpt-4 (8k) neither title nor description: the families'
    ``schema_title`` and ``schema_description``.

    Description: gpt-4o Chat Completions (Mirascope's formatted-output tool, 10 calls, calibration) billed 10-18
    tokens more than counted without it for 7, 2-4 more with it; gpt-5.x Responses (pydantic-ai's load_capability,
    5 calls, one held-out): 6-13 under without it, 1 under to exact with it. gpt-4 (8k) does not bill it: 4 calls
    of the Mirascope tool are 2 under without it (:data:`advisor.tokens.chat.FAMILIES`' ``schema_description``).

    >>> schema_description_lines({"title": "Book", "description": "A book.\\nWith a rating.", "properties": {}})
    ['// Book', '//', '// A book.', '// With a rating.']
    >>> schema_description_lines({"title": "Book", "properties": {}}, title=False)
    []
    """
    if not isinstance(params, Mapping):
        return []
    desc = params.get("description")
    return (schema_title_lines(params) if title else []) + (
        comment_lines(desc) if isinstance(desc, str) and desc.strip() else [])


def schema_title_lines(params: Any) -> list[str]:
    """A parameters schema's ``title`` as ``// Title`` and a bare ``//`` (:func:`schema_description_lines`); rendered
    first, before the function's own description (:func:`render_functions`).

    The title comes first (h12tok, 2026-12-08): FastMCP and pydantic-ai's MCP tools send a title
    (``get_user_idArguments``) with an indented docstring description, and the bill fits ``// Title``, ``//``, the
    description lines, then ``type ...`` exactly where the title after the description leaves 1 over per function
    whose seams differ. Measured on every recorded set: ogx-ai/ogx (heldout7, gpt-4o 2025-10..2026-04, scrubbed ids
    set aside) 115 fixed, 16 closer (+5 -> +1), 0 made wrong; fixtures folder 4 fixed (pydantic-ai 3, openllmetry 1,
    gpt-4o and gpt-4.1: 1-2 over -> exact), exact 88.0% -> 88.1%; heldout3-7 countable unchanged. Worked example:
    pydantic-ai's test_agent_with_stdio_server (gpt-4o, 2025-03-12) billed 82 = user 3 + 1 + 9, priming 3, the
    celsius_to_fahrenheit block 57 + tools 9 (58 with the title after the description: 83).

    >>> schema_title_lines({"title": "get_user_idArguments", "properties": {}}), schema_title_lines({})
    (['// get_user_idArguments', '//'], [])
    """
    name = params.get("title") if isinstance(params, Mapping) else None
    return [f"// {name.strip()}", "//"] if isinstance(name, str) and name.strip() else []


def has_definitions(params: Any) -> bool:
    """Whether a parameters schema carries definitions (``$defs`` or ``definitions``, as pydantic writes a nested
    model). A request in which any function's schema has them is billed without the schemas' titles
    (:func:`schema_description_lines`): fitted calls (h23f, 2026-12-07) of openllmetry's openai-agents recipe
    workflow (gpt-4o Responses, two strict functions, one with ``$defs``: first calls exact without the titles, 15
    over with them; its 10 later calls 1-8 under without, 7-14 over with) and Mirascope's DetailedBook (gpt-4o Chat,
    3 calls: 1 under without, 3 over with). Hiding only the titles of the functions that have ``$defs`` leaves the
    recipe calls 6 over (the other function's title): fitted tools calls within 2% 1,803 -> 1,812 by request,
    1,810 by function.

    >>> has_definitions({"$defs": {"A": {}}, "properties": {}}), has_definitions({"properties": {}})
    (True, False)
    """
    return isinstance(params, Mapping) and any(isinstance(params.get(k), Mapping) for k in ("$defs", "definitions"))


def enum_property(props: Mapping) -> bool:
    """Whether a function's parameters have a property with an ``enum``: its parameters bill the ``(_: {`` opening
    whatever ``params_brace`` says (the gpt-4o family's 1 token fewer for a first property without a comment line is
    not billed then).

    Measured (h8fix, 2026-12-08): the only recorded functions whose first property has no comment line and that have
    an enum property bill it: heldout5's req_llm multi_tool.json get_weather (``location: string``, then ``unit?:
    "celsius" | "fahrenheit"``; Chat Completions gpt-4o, -2024-05-13, -08-06, -11-20, gpt-4o-mini, 2025-10-07 and
    11-02: 10 of 10 one under -> exact) and heldout4's openai/openai-dotnet get_weather_at_location (``unit?: "C" |
    "F" | "K"``; Responses gpt-4o-mini, 4 of 4 one under -> exact); the same get_weather without ``unit``
    (req_llm's openai_multi_tool_call.json) bills ``(_:{`` (exact). No other call changes (0 made wrong); the
    mechanism is not known (no tokenization of the enum line explains it). Worked example: req_llm's gpt_4o
    multi_tool.json ('What's the weather like in Paris, France?', three tools) billed 105, counted 104 with ``(_:{``.

    >>> enum_property({"location": {"type": "string"}, "unit": {"enum": ["C", "F"]}}), enum_property({"a": {}})
    (True, False)
    """
    return any(isinstance(v, Mapping) and "enum" in v for v in props.values())


def render_functions(tools: Any, *, nested_comments: bool = True, titles: bool = True,
                     schema_description: bool = True, nested_indent: bool = True, params_brace: str = " {",
                     schema_title: bool = True) -> str:
    """The ``namespace functions {...}`` block for ``tools`` (or legacy ``functions``); '' when none.
    ``nested_indent=False``: a non-strict function's inline nested objects are not indented (gpt-4o family);
    ``params_brace``: what follows ``(_:`` before the parameters' first line (``"{"`` for the gpt-4o family, whose
    billing matches ``(_:{``: :data:`advisor.tokens.chat.FAMILIES`); ``schema_title``: the parameters schema's title
    shown (:func:`schema_description_lines`; never in a request with definitions: :func:`has_definitions`).

    >>> print(render_functions([{"type": "function", "function": {"name": "now", "description": "Time."}}]))
    namespace functions {
    <BLANKLINE>
    // Time.
    type now = () => any;
    <BLANKLINE>
    } // namespace functions
    """
    specs = function_specs(tools)
    if not specs:
        return ""
    schema_title = schema_title and not any(has_definitions(fn.get("parameters")) for fn in specs)
    parts = ["namespace functions {\n"]
    for fn in specs:
        desc = fn.get("description")
        params = fn.get("parameters")
        if schema_description and schema_title:
            parts += schema_title_lines(params)  # before the function's description: see schema_title_lines
        if isinstance(desc, str) and desc:
            parts += comment_lines(desc)
        if schema_description:
            parts += schema_description_lines(params, title=False)
        props = params.get("properties") if isinstance(params, Mapping) else None
        if isinstance(props, Mapping) and props:
            body = render_type(params, root=params, nested_comments=nested_comments, titles=titles,
                               nested_titles=nested_titles_shown(fn),
                               nested_indent=nested_indent or fn.get("strict") is True)
            brace = " {" if enum_property(props) else params_brace
            body = brace + body[1:] if body.startswith("{") else " " + body
            parts.append(f"type {fn.get('name', '')} = (_:{body}) => any;\n")
        else:
            parts.append(f"type {fn.get('name', '')} = () => any;\n")
    parts.append("} // namespace functions")
    return "\n".join(parts)


# JSON-schema keywords left out of a json_schema response format's text, at any depth (property names are kept,
# whatever they are called): the validation keywords (``required``, ``additionalProperties``, bounds on numbers,
# lengths and item counts, patterns, formats), which constrain the output without being shown, and ``default``.
# Fitted on billed usage of 62 distinct recorded schemas (pydantic-ai, Mirascope, crewAI, openllmetry cassettes;
# gpt-4o, gpt-4o-mini, gpt-4.1): with these dropped and titles kept, the tokens billed beyond the text are one
# constant per request shape (Chat Completions without a system message or tools: 12 for 11 of 18 schemas, 12-16
# for all; Responses: 6 for all 7), where dropping titles instead (the earlier rule) spread them over 2-22 and
# over-counted title-free schemas by 19-71 tokens. ``minimum``/``maximum`` (35 calls) and ``maxItems`` (8 calls)
# were measured (13 and 5 tokens over when shown, 1 and 0 dropped); the other bounds follow the same rule unmeasured.
# ``$schema`` (the dialect URI zod and other generators put at the top) is not billed either: heldout5's
# oaknational/oak-ai-lesson-assistant Responses calls (gpt-4o-2024-11-20 71, gpt-5.4-2026-03-05 32; 22 distinct schemas)
# were each 15 over with it, exact without (103 fixed, 0 made wrong; the fitted files' response formats have none:
# 0 changed). Worked example: '{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}' is 15 o200k tokens
# longer than '{"type":"object"}'
# (oak-ai-lesson-assistant-2b2b827921bc, gpt-5.4: 10,104 counted with it, 10,089 billed). A tool's parameters never
# show it (the TypeScript form renders properties only: lmnr-ts's 2 Responses calls with it, exact).
SCHEMA_DROPPED_KEYS = frozenset({
    "$schema", "required", "additionalProperties", "default",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "format",
    "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
})
_NAME_MAPS = frozenset({"properties", "$defs", "definitions", "patternProperties"})  # their keys are names


def _schema_text_node(node: Any, dropped: frozenset = SCHEMA_DROPPED_KEYS) -> Any:
    """The schema without the dropped keywords (at any depth; a property named like one is kept).

    >>> _schema_text_node({"type": "object", "properties": {"required": {"type": "boolean", "default": False}},
    ...                    "required": ["required"], "additionalProperties": False})
    {'type': 'object', 'properties': {'required': {'type': 'boolean'}}}
    """
    if isinstance(node, list):
        return [_schema_text_node(v, dropped) for v in node]
    if not isinstance(node, Mapping):
        return node
    return {k: ({n: _schema_text_node(v, dropped) for n, v in sub.items()}
                if k in _NAME_MAPS and isinstance(sub, Mapping) else _schema_text_node(sub, dropped))
            for k, sub in node.items() if k not in dropped}


HARMONY_FORMAT_HEADER = "# Response Formats\n\n## "  # openai/harmony docs/format.md, "Structured output"


def render_response_format(response_format: Any, *, harmony: bool = False) -> tuple[str, str]:
    """(kind, text) of a ``response_format``: kind is ``json_schema``, ``json_object``, ``text`` or ''.

    For ``json_schema`` the text is ``name``, the description as a ``// `` comment line and the schema's compact
    JSON without the keywords in :data:`SCHEMA_DROPPED_KEYS` (titles kept); the other kinds add no text of their
    own. The fixed tokens around it (the section header and where it sits) are the family's ``json_schema*``.

    >>> render_response_format({"type": "json_schema", "json_schema": {"name": "r", "description": "One word.",
    ...     "schema": {"type": "object", "properties": {"w": {"title": "W", "type": "string"}}, "required": ["w"]}}})
    ('json_schema', 'r\\n// One word.\\n{"type":"object","properties":{"w":{"title":"W","type":"string"}}}')
    """
    if not isinstance(response_format, Mapping):
        return "", ""
    kind = response_format.get("type")
    if kind != "json_schema":
        return (kind if isinstance(kind, str) else ""), ""
    spec = response_format.get("json_schema")
    if not isinstance(spec, Mapping):
        return "json_schema", ""
    name = spec.get("name") if isinstance(spec.get("name"), str) else ""
    desc = spec.get("description") if isinstance(spec.get("description"), str) else ""
    schema = _schema_text_node(spec.get("schema", {}))
    if harmony:  # the documented section at the end of the developer message
        return "json_schema", f"{HARMONY_FORMAT_HEADER}{name}\n\n" + (f"// {desc}\n" if desc else "") + compact_json(schema)
    return "json_schema", "\n".join(p for p in (name, f"// {desc}" if desc else "", compact_json(schema)) if p)
