"""Counting rules found on recorded calls of codebases measured after issue 23 (h23g, 2026-12-07): each test is a real
billed call (its cassette named) whose count is summed by hand, part by part."""

from __future__ import annotations

import pytest

from advisor.tokens.chat import parallel_result_text
from advisor.tokens.counter import count_chat_prompt
from advisor.tokens.tools import render_functions


class TestPropertyDescriptions:
    """A property's description is billed stripped, line by line, as a function's description is
    (advisor.tokens.tools.comment_lines)."""

    STUDENT = {"name": "extract_student_info", "description": "Get the student information from the body of the input text",
               "parameters": {"type": "object", "properties": {
                   "name": {"type": "string", "description": "Name of the person"},
                   "major": {"type": "string", "description": "Major subject."},
                   "school": {"type": "string", "description": "The university name."},
                   "grades": {"type": "integer", "description": "GPA of the student."},
                   "clubs": {"type": "array", "description": "School clubs for extracurricular activities. ",
                             "items": {"type": "string", "description": "Name of School Club"}}}}}
    USER = ("\n    David Nguyen is a sophomore majoring in computer science at Stanford University and has a GPA of 3.8.\n"
            "    David is an active member of the university's Chess Club and the South Asian Student Association.\n"
            "    He hopes to pursue a career in software engineering after graduating.\n    ")

    def test_trailing_space_is_not_billed(self):
        # DataDog/dd-trace-py tests/contrib/openai/cassettes/v0/chat_completion_tool_call.yaml@0720c682 (Apache-2.0),
        # gpt-3.5-turbo: billed 157. Hand sum (cl100k): user 3 + 1 + 58; the tools block 83 (with '// School clubs for
        # extracurricular activities.' ending without its space; 84 with it); tools framing 9; priming 3 -> 157
        tools = [{"type": "function", "function": self.STUDENT}]
        assert "// School clubs for extracurricular activities.\nclubs?: string[]," in render_functions(tools)
        assert count_chat_prompt([{"role": "user", "content": self.USER}], "gpt-3.5-turbo", tools=tools,
                                 options={"tool_choice": "auto"}) == 157

    def test_indented_lines_are_stripped_and_blank_lines_bare(self):
        # langchain-ai/langgraph's Tavily search tool (docs cassettes, gpt-4.1): descriptions written as indented
        # Python strings billed 73 tokens fewer than counted with their indentation (8 calls, now exact or 1 over)
        tools = [{"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {
            "depth": {"type": "string", "description": "How deep.\n\n        Use it when:\n        1. asked\n        "}}}}}]
        assert "// How deep.\n//\n// Use it when:\n// 1. asked\ndepth?: string,\n" in render_functions(tools)


class TestParallelResults:
    """Results of several calls made in one assistant message: text JSON-escaped, a JSON object as written
    (advisor.tokens.chat.parallel_result_text)."""

    def test_json_object_results_are_billed_as_written(self):
        # Arize-ai/openinference python/instrumentation/openinference-instrumentation-openai/tests/.../cassettes/
        # test_tool_calls/test_tool_calls.yaml@ed8d0961 (Apache-2.0), gpt-4o-mini: billed 207. Hand sum (o200k):
        # assistant 3 + 1 + two calls (2 + 7 each, 4 framing each) + parallel call 14; two results 3 + 2 (framing)
        # + the function's name 2 + 13 each (as written; 14 each JSON-escaped); assistant 3 + 1 + 13; user 3 + 1 + 9;
        # tools block 81 + framing 9; priming 3 -> 207 (exact; 209 escaped)
        call = lambda i, name: {"id": f"call_{i}", "type": "function",  # noqa: E731
                                "function": {"name": name, "arguments": '{"city": "New York"}'}}
        tool = lambda name, what: {"type": "function", "function": {  # noqa: E731
            "name": name, "description": f"finds the {what} for a given city", "parameters": {
                "type": "object", "properties": {"city": {"type": "string", "description":
                                                          f"The city to find the {what} for, e.g. 'London'"}},
                "required": ["city"]}}}
        messages = [
            {"role": "assistant", "tool_calls": [call(1, "get_weather"), call(2, "get_population")]},
            {"role": "tool", "tool_call_id": "call_1", "content": '{"city": "New York", "weather": "fine"}'},
            {"role": "tool", "tool_call_id": "call_2", "content": '{"city": "New York", "weather": "large"}'},
            {"role": "assistant", "content": "In New York the weather is fine and the population is large."},
            {"role": "user", "content": "What's the weather and population in San Francisco?"}]
        tools = [tool("get_weather", "weather"), tool("get_population", "population")]
        assert count_chat_prompt(messages, "gpt-4o-mini", tools=tools) == 207

    def test_text_and_lists_stay_escaped(self):
        assert parallel_result_text('line "1"\nline 2') == 'line \\"1\\"\\nline 2'
        assert parallel_result_text('[{"a": 1}]') == '[{\\"a\\": 1}]'
        assert parallel_result_text('{"a": 1} trailing') == '{\\"a\\": 1} trailing'


class TestOSeriesStructuredOutput:
    """o-series models bill a json_schema as harmony's '# Response Formats' section, as gpt-5 does
    (advisor.tokens.chat.FAMILIES['o-series'])."""

    PERSON = {"additionalProperties": False, "properties": {
        "age": {"description": "The person's age", "type": "integer"},
        "city": {"description": "The city where the person lives", "type": "string"},
        "name": {"description": "The person's name", "type": "string"}}, "required": ["name", "age", "city"], "type": "object"}
    ASK = "Generate information about a person named Alice who is 30 years old and lives in Paris."

    def test_chat_completions(self):
        # charmbracelet/fantasy providertests/testdata/TestOpenAIObjectGeneration/openai-o4-mini/simple_object.yaml
        # @caf105e7 (Apache-2.0), o4-mini: billed 95. Hand sum (o200k): user 3 + 1 + 18; the section '# Response
        # Formats', '## Person', the description comment and the schema's JSON without 'required' and
        # 'additionalProperties' 67; the developer message created for it 4; priming 3; request -1 -> 95 (86 before)
        fmt = {"type": "json_schema", "json_schema": {"name": "Person", "strict": True, "schema": self.PERSON,
                                                      "description": "A person with name, age, and city"}}
        assert count_chat_prompt([{"role": "user", "content": self.ASK}], "o4-mini",
                                 options={"response_format": fmt, "max_completion_tokens": 4000}) == 95

    def test_responses_api(self):
        # the same test on the Responses API (TestOpenAIResponsesObjectGeneration/openai-o4-mini/simple_object.yaml
        # @caf105e7), no description: billed 80 = the section joining the developer message the Responses API always
        # sends (no new message: 0 for it), as for gpt-5 (75 before)
        from advisor.tokens.counter import count_responses_request

        req = {"model": "o4-mini", "max_output_tokens": 4000, "store": False,
               "input": [{"role": "user", "content": [{"type": "input_text", "text": self.ASK}]}],
               "text": {"format": {"type": "json_schema", "name": "Person", "schema": self.PERSON}}}
        assert count_responses_request(req) == (80, [])


class TestJsonSchemaWithASystemMessage:
    # counted 54 since the untitled-schema rule (advisor.tokens.chat.UNTITLED_SCHEMA_NAME_FIXED: 'math_schema' has no
    # title, + 2 - 1): one of the calls that rule makes 1 over (2026-12-08), kept as a strict expected failure
    @pytest.mark.xfail(strict=True, reason="untitled-schema rule: counted 54 for 53 billed (2025-08-20)")
    def test_framing_is_nine(self):
        # tmc/langchaingo llms/openai/testdata/TestStructuredOutputObjectSchema.httprr@8fea3de6 (MIT), a Go httprr
        # trace, gpt-4o-2024-08-06: billed 53. Hand sum (o200k): system 3 + 1 + 9; user 3 + 1 + 6; the schema's text
        # 'math_schema' + its JSON without 'additionalProperties' and 'required' 18; json_schema framing 12 - 3 with a
        # system message; priming 3 -> 53 (54 with the earlier -2)
        fmt = {"type": "json_schema", "json_schema": {"name": "math_schema", "strict": True, "schema": {
            "type": "object", "properties": {"final_answer": {"type": "string", "additionalProperties": False}},
            "additionalProperties": False, "required": ["final_answer"]}}}
        messages = [{"role": "system", "content": "You are a student taking a math exam."},
                    {"role": "user", "content": "Solve 2 + 2"}]
        assert count_chat_prompt(messages, "gpt-4o-2024-08-06", options={"response_format": fmt, "temperature": 0}) == 53


class TestForcedToolOnGpt35:
    def test_forced_function_framing_is_seven(self):
        # crewAIInc/crewAI tests/cassettes/test_output_pydantic_to_another_task.yaml@5a3b888f (MIT), gpt-3.5-turbo-0125,
        # tool_choice naming ScoreOutput: billed 83. Hand sum (cl100k): user 3 + 1 + 1; system 3 + 1 + 11 (not first:
        # no shared framing); tools block 42 + framing 9; the forced name 2 + 7; priming 3 -> 83 (82 with 6)
        tools = [{"type": "function", "function": {
            "name": "ScoreOutput", "description": "Correctly extracted `ScoreOutput` with all the required parameters "
            "with correct types", "parameters": {"properties": {"score": {"title": "Score", "type": "integer"}},
                                                 "required": ["score"], "type": "object"}}}]
        messages = [{"role": "user", "content": "4"},
                    {"role": "system", "content": "I'm gonna convert this raw text into valid JSON."}]
        opts = {"tool_choice": {"type": "function", "function": {"name": "ScoreOutput"}}}
        assert count_chat_prompt(messages, "gpt-3.5-turbo-0125", tools=tools, options=opts) == 83


class TestAllOfOfOneRef:
    """A property written ``allOf: [{"$ref": ...}]`` (pydantic's form for a ``$ref`` with a description or default)
    is rendered as the definition it names (advisor.tokens.tools._resolve), not as ``any``."""

    LABELS = {"$defs": {"Labels": {"enum": ["happy", "sad", "angry", "neutral"], "title": "Labels", "type": "string"}},
              "properties": {"prediction": {"allOf": [{"$ref": "#/$defs/Labels"}],
                                            "description": "The classification label"}},
              "required": ["prediction"], "type": "object"}
    TOOLS = [{"type": "function", "function": {
        "name": "Output", "description": "Correctly extracted `Output` with all the required parameters with correct types",
        "parameters": LABELS}}]
    MESSAGES = [{"role": "system", "content": "Recognize emotions from text."},
                {"role": "user", "content": "Examples:\n\n\n\nNow recognize:\n\nText: I am happy"}]

    def test_enum_definition_is_rendered(self):
        assert render_functions(self.TOOLS) == (
            "namespace functions {\n\n// Correctly extracted `Output` with all the required parameters with correct "
            "types\ntype Output = (_: {\n// Labels\n//\n// The classification label\n"
            'prediction: "happy" | "sad" | "angry" | "neutral",\n}) => any;\n\n} // namespace functions')

    def test_forced_call_count(self):
        # HumanSignal/Adala tests/cassettes (Apache-2.0), gpt-3.5-turbo (answered by -0125), 2024-07, tool_choice
        # naming Output: billed 101. Hand sum (cl100k): system 3 + 1 + (6 + the tools seam 7 + the block 60 - 1 for
        # '.\n\n'; the block: 56 + the definition's title '// Labels' 3 + '//' 1, tools.all_of_title), user 3 + 1 + 10,
        # priming 3, tools 9 - 10 with the system message, the forced name 1 + 7 + 1 -> 101 (78 with `any`)
        assert count_chat_prompt(self.MESSAGES, "gpt-3.5-turbo", tools=self.TOOLS,
                                 options={"tool_choice": {"type": "function", "function": {"name": "Output"}}}) == 101

    def test_a_bare_ref_shows_no_definition_title(self):
        bare = {**self.LABELS, "properties": {"prediction": {"$ref": "#/$defs/Labels",
                                                             "description": "The classification label"}}}
        assert "// Labels" not in render_functions([{"type": "function", "function": {"name": "f", "parameters": bare}}])


class TestToolsWithASystemMessageOnGpt35:
    """chat.FAMILIES' chatml-cl100k: the tools block is appended to the leading system message (tokens merge across
    the seam, as on gpt-4o) with tools 9 + tools_with_system -10, and a tool_choice naming a function adds
    forced_with_system 1 when the tools share that system message."""

    FORCE = {"tool_choice": {"type": "function", "function": {"name": "Output"}}}

    def test_named_tool_seam_merges(self):
        # HumanSignal/Adala tests/cassettes/test_agent_with_rag/test_rag_with_openai_chat_completion.yaml@9bb28c22
        # (Apache-2.0), gpt-3.5-turbo answered by -0125 on 2025-04-04: billed 100. Hand sum (cl100k): system 3 + 1 +
        # ('Recognize emotions from text.' 6 + the seam '\n\n# Tools\n\n## functions\n\n' 7 + the block 59 ('//
        # Prediction' one line above the description) - 1: '.\n\n' is one token) = 75, user 3 + 1 + 10, priming 3,
        # tools 9 - 10, the forced name 1 + 7 + 1 -> 100
        label = {"description": "The classification label", "enum": ["happy", "sad", "angry", "neutral"],
                 "title": "Prediction", "type": "string"}
        tools = [{"type": "function", "function": {**TestAllOfOfOneRef.TOOLS[0]["function"], "parameters": {
            "properties": {"prediction": label}, "required": ["prediction"], "type": "object"}}}]
        assert count_chat_prompt(TestAllOfOfOneRef.MESSAGES, "gpt-3.5-turbo", tools=tools, options=self.FORCE) == 100

    def test_named_tool_no_seam_merge(self):
        # HumanSignal/Adala tests/cassettes/test_analysis_skill/test_code_generation.yaml@9bb28c22 (Apache-2.0),
        # gpt-3.5-turbo answered by -0125 on 2025-04-04: billed 131 (130 with the blanket -3 this replaced). Hand sum
        # (cl100k): system 3 + 1 + (14 + the seam 7 + the block 43, nothing merges after 'key') = 68, user 3 + 1 + 48,
        # priming 3, tools 9 - 10, the forced name 1 + 7 + 1 -> 131; left to choose (auto) 9 fewer: 122
        tools = [{"type": "function", "function": {**TestAllOfOfOneRef.TOOLS[0]["function"], "parameters": {
            "properties": {"code": {"description": "Code:", "title": "Code", "type": "string"}},
            "required": ["code"], "type": "object"}}}]
        messages = [{"role": "system",
                     "content": "Generate Python code that calculates the sum of the given values per each key"},
                    {"role": "user", "content": 'Input JSON format: {"a": 1, "b": 2}\nInput JSON format: {"a": 3, '
                                                '"b": 4}\nInput JSON format: {"a": 5, "b": 6}'}]
        assert count_chat_prompt(messages, "gpt-3.5-turbo", tools=tools, options=self.FORCE) == 131
        assert count_chat_prompt(messages, "gpt-3.5-turbo", tools=tools) == 122


class TestNumericBoundsShown:
    """A tool parameter's ``minimum``/``maximum`` are shown after its type (advisor.tokens.tools.BOUND_COMMENT_KEYS)."""

    PARAMS = {"properties": {
        "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Title"},
        "description": {"anyOf": [{"type": "string"}, {"items": {"type": "string"}, "type": "array"}, {"type": "null"}],
                        "default": None, "description": "Text or list of texts for description", "title": "Description"},
        "classification": {"description": "Choices for title", "enum": ["Bug report", "Feature request", "Question", "Other"],
                           "title": "Classification", "type": "string"},
        "rationale": {"anyOf": [{"type": "string"}, {"items": {"type": "string"}, "type": "array"}, {"type": "null"}],
                      "default": None, "description": "Text or list of texts for title", "title": "Rationale"},
        "evaluation": {"description": "Rating for title (0 to 5)", "maximum": 5, "minimum": 0, "title": "Evaluation",
                       "type": "integer"}},
        "required": ["classification", "evaluation"], "type": "object"}
    USER = ("\n                    Given the github issue title:\nI can't login\n and the description:\nI can't login to the "
            "platform\n, \n                    classify the issue. Provide a rationale for your classification. \n"
            "                    Evaluate the final classification on a Likert scale from 1 to 5, \n"
            "                    where 1 is \"Completely irrelevant\" and 5 is \"Completely relevant\".")

    def test_label_studio_skill_call(self):
        # HumanSignal/Adala tests/cassettes/test_label_studio_skill/test_label_studio_skill_basic.yaml@55146d38
        # (Apache-2.0), gpt-4o-mini, 2025-03-24, tool_choice naming MyModel: billed 255. Hand sum (o200k): user
        # 3 + 1 + 75, priming 3, the block 155 (144 + ' // minimum: 0, maximum: 5' 11), tools 9, the forced name
        # 2 + 7 -> 255 (244 without the bounds)
        tools = [{"type": "function", "function": {
            "name": "MyModel", "description": "Correctly extracted `MyModel` with all the required parameters with "
                                              "correct types", "parameters": self.PARAMS}}]
        assert "evaluation: number, // minimum: 0, maximum: 5\n" in render_functions(tools)
        assert count_chat_prompt([{"role": "user", "content": self.USER}], "gpt-4o-mini", tools=tools, options={
            "tool_choice": {"type": "function", "function": {"name": "MyModel"}}}) == 255


class TestResultName:
    """A tool result bills the name of the function it answers as ``.NAME`` (advisor.tokens.chat.result_name_text)."""

    def test_logfire_mcp_sampling_call(self):
        # pydantic/logfire tests/otel_integrations/cassettes/test_pydantic_ai_mcp/test_pydantic_ai_mcp_sampling.yaml
        # @b3c7ed3d (MIT), gpt-4o, 2025-09-01: billed 87. Hand sum (o200k): user 3 + 1 + 'tell a joke about socks' 5,
        # the call 3 + 1 + 'joker' 1 + '{"theme":"socks"}' 6 + 4, the result 3 + '.joker' 2 ('.j', 'oker') + its text
        # 20 + 2, priming 3, the block 24 + tools 9 -> 87 (86 with the bare name 'joker', 1 token)
        call = {"id": "call_YWeIZ4oGGwEnk9GIb443ZNys", "type": "function",
                "function": {"name": "joker", "arguments": '{"theme":"socks"}'}}
        messages = [{"role": "user", "content": "tell a joke about socks"},
                    {"role": "assistant", "content": None, "tool_calls": [call]},
                    {"role": "tool", "tool_call_id": call["id"],
                     "content": 'Why did the sock break up with the shoe?\n\nBecause it found something more "sole-ful!"'}]
        tools = [{"type": "function", "function": {
            "name": "joker", "description": "Poem generator", "strict": True, "parameters": {
                "properties": {"theme": {"type": "string"}}, "required": ["theme"], "type": "object",
                "additionalProperties": False}}}]
        assert count_chat_prompt(messages, "gpt-4o", tools=tools, options={"tool_choice": "auto"}) == 87


class TestSchemaTitleFirst:
    """A parameters schema's title is rendered before the function's description (advisor.tokens.tools
    schema_title_lines)."""

    TOOLS = [{"type": "function", "function": {
        "name": "celsius_to_fahrenheit",
        "description": "Convert Celsius to Fahrenheit.\n\n    Args:\n        celsius: Temperature in Celsius\n\n"
                       "    Returns:\n        Temperature in Fahrenheit\n    ",
        "parameters": {"properties": {"celsius": {"title": "Celsius", "type": "number"}}, "required": ["celsius"],
                       "title": "celsius_to_fahrenheitArguments", "type": "object"}}}]

    def test_mcp_stdio_server_call(self):
        # pydantic/pydantic-ai tests/cassettes/test_mcp/test_agent_with_stdio_server.yaml@444f5d08 (MIT), gpt-4o,
        # 2025-03-12: billed 82. Hand sum (o200k): user 3 + 1 + 'What is 0 degrees Celsius in Fahrenheit?' 9, priming
        # 3, the block 57 ('// celsius_to_fahrenheitArguments', '//', then the description) + tools 9 -> 82 (the
        # block 58 with the title after the description: 83)
        block = render_functions(self.TOOLS)
        assert "{\n\n// celsius_to_fahrenheitArguments\n//\n// Convert Celsius to Fahrenheit.\n" in block
        messages = [{"role": "user", "content": "What is 0 degrees Celsius in Fahrenheit?"}]
        assert count_chat_prompt(messages, "gpt-4o", tools=self.TOOLS, options={"tool_choice": "auto"}) == 82



class TestParallelResultParts:
    """Results of several calls in one message sent as lists of text parts are billed JSON-escaped, as string results
    are (advisor.tokens.chat.parallel_result_text on the parts joined)."""

    CALLS = [{"id": f"call_{i}", "type": "function", "function": {"name": "get_weather", "arguments": f'{{"city":"{c}"}}'}}
             for i, c in ((1, "Paris"), (2, "Rome"))]

    def messages(self, first, second):
        return [{"role": "user", "content": "Weather in Paris and Rome?"},
                {"role": "assistant", "content": None, "tool_calls": self.CALLS},
                {"role": "tool", "tool_call_id": "call_1", "content": first},
                {"role": "tool", "tool_call_id": "call_2", "content": second}]

    def test_parts_are_escaped_like_text(self):
        # hand-written (ogx-ai/ogx's file_search results have this shape: heldout7, 24 gpt-4o calls 24-32 under
        # unescaped, 2-4 escaped). Hand sum (o200k): user 3 + 1 + 6; the assistant 3 + 1 + two calls ('get_weather' 2 +
        # arguments 5) x 2 + 4 x 2 + 14 (parallel); each result 3 + 2 + '.get_weather' 2 + the escaped text
        # ('Paris: \"sunny\"\n20 C' 9, 'Rome: \"rain\"' 5; 8 and 5 as written); priming 3 -> 81 (80 as written)
        first = [{"type": "text", "text": 'Paris: "sunny"\n'}, {"type": "text", "text": "20 C"}]
        second = [{"type": "text", "text": 'Rome: "rain"'}]
        assert count_chat_prompt(self.messages(first, second), "gpt-4o") == 81
        assert count_chat_prompt(self.messages('Paris: "sunny"\n20 C', 'Rome: "rain"'), "gpt-4o") == 81
