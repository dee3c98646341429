"""The Dockerfile parser: BuildKit's reading rules, exact positions, and its errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.documents import DockerfileDocument, Instruction
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers import parse as parse_any
from guardrails.parsers.dockerfile import onbuild_trigger, parse


def doc(text: str) -> DockerfileDocument:
    return parse("Dockerfile", text, Kind.DOCKERFILE)


def instructions(text: str) -> list[Instruction]:
    return doc(text).instructions


def error(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse("Dockerfile", text, Kind.DOCKERFILE)
    return caught.value


def source_at(text: str, line: int, column: int, length: int) -> str:
    """``length`` characters of ``text`` from a 1-based (line, column)."""
    row = text.split("\n")[line - 1].rstrip("\r")
    return row[column - 1 : column - 1 + length]


def assert_maps_back(text: str, ins: Instruction) -> None:
    """Every line of ``arguments`` sits at its mapped place in the file, except the
    normalised continuation marker and the ``\\`` lines standing for skipped lines."""
    for k, arg_line in enumerate(ins.arguments.split("\n")):
        line = ins.args_span.line + k
        column = ins.args_span.column if k == 0 else 1
        if arg_line == "\\":
            continue
        body = arg_line[:-1] if arg_line.endswith("\\") else arg_line
        assert source_at(text, line, column, len(body)) == body


# --------------------------------------------------------------------------- basics


def test_document_carries_path_kind_text_and_escape() -> None:
    text = "FROM alpine\n"
    d = parse("build/Dockerfile", text, Kind.DOCKERFILE)
    assert isinstance(d, DockerfileDocument)
    assert (d.path, d.kind, d.text, d.escape) == ("build/Dockerfile", Kind.DOCKERFILE, text, "\\")


def test_dispatch_through_parsers_package() -> None:
    d = parse_any("Dockerfile", "FROM alpine\nRUN true\n", Kind.DOCKERFILE)
    assert isinstance(d, DockerfileDocument)
    assert [i.keyword for i in d.instructions] == ["FROM", "RUN"]


def test_simple_instructions_positions() -> None:
    from_, run = instructions("FROM alpine:3.19 AS base\nRUN apk add --no-cache curl\n")
    assert from_ == Instruction(
        keyword="FROM",
        arguments="alpine:3.19 AS base",
        span=Span(1, 1, 1, 25),
        args_span=Span(1, 6, 1, 25),
        stage=0,
    )
    assert run.keyword == "RUN"
    assert run.arguments == "apk add --no-cache curl"
    assert run.span == Span(2, 1, 2, 28)
    assert run.args_span == Span(2, 5, 2, 28)
    assert run.exec_form is None
    assert run.flags == {}
    assert run.heredocs == []


def test_lowercase_keywords_are_upper_cased() -> None:
    ins = instructions("from alpine\nrun echo hi\nCoPy a b\n")
    assert [i.keyword for i in ins] == ["FROM", "RUN", "COPY"]
    assert ins[2].arguments == "a b"
    assert ins[2].args_span == Span(3, 6, 3, 9)


def test_leading_whitespace_tabs_and_trailing_blanks() -> None:
    (_, run) = instructions("FROM alpine\n  RUN\techo hi   \n")
    assert run.span == Span(2, 3, 2, 14)
    assert run.args_span == Span(2, 7, 2, 14)
    assert run.arguments == "echo hi"


def test_instruction_without_arguments_has_empty_span_after_keyword() -> None:
    (_, run) = instructions("FROM alpine\nRUN   \n")
    assert run.arguments == ""
    assert run.args_span == Span(2, 4, 2, 4)
    assert run.span == Span(2, 1, 2, 4)


def test_columns_count_characters_not_bytes() -> None:
    (_, run) = instructions("FROM alpine\nRUN echo 'héllo ✓' && rm -rf /x\n")
    assert run.arguments == "echo 'héllo ✓' && rm -rf /x"
    assert run.args_span == Span(2, 5, 2, 32)
    assert run.arguments.index("rm") + run.args_span.column == 23


def test_hash_after_keyword_is_not_a_comment() -> None:
    (_, run) = instructions("FROM alpine\nRUN echo hi # not a comment\n")
    assert run.arguments == "echo hi # not a comment"


def test_all_known_keywords_are_accepted() -> None:
    text = (
        "ARG V=1\nFROM alpine\nADD a /a\nCOPY b /b\nCMD x\nENTRYPOINT y\nENV A=1\nEXPOSE 80\n"
        'HEALTHCHECK NONE\nLABEL a=b\nMAINTAINER me\nONBUILD RUN z\nRUN w\nSHELL ["/bin/sh", "-c"]\n'
        "STOPSIGNAL SIGTERM\nUSER app\nVOLUME /data\nWORKDIR /app\n"
    )
    assert [i.keyword for i in instructions(text)] == [
        "ARG",
        "FROM",
        "ADD",
        "COPY",
        "CMD",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ]


# --------------------------------------------------------------------------- empty files


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "   \n\t\n", "# just a comment\n", "# syntax=docker/dockerfile:1\n# escape=`\n", "\ufeff"],
)
def test_files_without_instructions_are_valid(text: str) -> None:
    assert instructions(text) == []


# --------------------------------------------------------------------------- stages


def test_stage_indexes_with_arg_before_first_from() -> None:
    text = (
        "ARG BASE=alpine\nFROM $BASE AS build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n"
        "FROM build AS test\nRUN make test\n"
    )
    assert [(i.keyword, i.stage) for i in instructions(text)] == [
        ("ARG", 0),
        ("FROM", 0),
        ("RUN", 0),
        ("FROM", 1),
        ("COPY", 1),
        ("FROM", 2),
        ("RUN", 2),
    ]


# --------------------------------------------------------------------------- directives


def test_escape_directive_backtick_continuation() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir C:\\ `\n    && echo done\n"
    d = doc(text)
    assert d.escape == "`"
    run = d.instructions[1]
    # the backtick continuation reads as a backslash continuation, at the same column
    assert run.arguments == "dir C:\\ \\\n    && echo done"
    assert run.args_span == Span(3, 5, 4, 17)
    assert run.span == Span(3, 1, 4, 17)
    assert_maps_back(text, run)


def test_backslash_is_not_a_continuation_with_backtick_escape() -> None:
    text = "# escape=`\nFROM windows\nCOPY testfile.txt c:\\\nRUN dir c:\\\n"
    _, copy, run = instructions(text)
    assert (copy.arguments, copy.span) == ("testfile.txt c:\\", Span(3, 1, 3, 22))
    assert (run.arguments, run.span) == ("dir c:\\", Span(4, 1, 4, 12))


def test_windows_style_file_with_crlf_and_backtick_escape() -> None:
    text = "# escape=`\r\nFROM windows\r\nRUN powershell -Command `\r\n    Remove-Item C:\\temp -Recurse\r\n"
    d = doc(text)
    run = d.instructions[1]
    assert d.escape == "`"
    assert run.arguments == "powershell -Command \\\n    Remove-Item C:\\temp -Recurse"
    assert "\r" not in run.arguments
    assert run.args_span == Span(3, 5, 4, 33)


def test_directives_with_spaces_and_upper_case_names() -> None:
    d = doc("  #  ESCAPE = `  \n# syntax = docker/dockerfile:1.7\nFROM x\n")
    assert d.escape == "`"


def test_directive_after_a_blank_line_is_a_plain_comment() -> None:
    d = doc("# syntax=docker/dockerfile:1\n\n# escape=`\nFROM x\nRUN a `\n")
    assert d.escape == "\\"
    assert d.instructions[1].arguments == "a `"


def test_directive_after_an_instruction_is_a_plain_comment() -> None:
    d = doc("FROM x\n# escape=`\nRUN a \\\n  b\n")
    assert d.escape == "\\"
    assert d.instructions[1].arguments == "a \\\n  b"


def test_unknown_directive_ends_directive_processing() -> None:
    d = doc("# foo=bar\n# escape=`\nFROM x\n")
    assert d.escape == "\\"


def test_duplicate_directive_is_an_error() -> None:
    err = error("# escape=`\n# escape=\\\nFROM x\n")
    assert (err.line, err.column) == (2, 1)
    assert "only one escape" in err.message


def test_invalid_escape_token_is_an_error() -> None:
    err = error("# escape=|\nFROM x\n")
    assert (err.line, err.column) == (1, 1)
    assert "escape" in err.message


# --------------------------------------------------------------------------- continuations


def test_continuation_positions_and_raw_arguments() -> None:
    text = "FROM alpine\nRUN apk add x \\\n    && echo hi \\\n    && rm -rf /tmp/x\nCMD ["
    run = instructions(text)[1]
    assert run.arguments == "apk add x \\\n    && echo hi \\\n    && rm -rf /tmp/x"
    assert run.args_span == Span(2, 5, 4, 21)
    assert run.span == Span(2, 1, 4, 21)
    assert_maps_back(text, run)


def test_blanks_after_the_backslash_still_continue_the_line() -> None:
    text = "FROM alpine\nRUN echo a \\   \t\n    && echo b\n"
    run = instructions(text)[1]
    assert run.arguments == "echo a \\\n    && echo b"
    assert run.span == Span(2, 1, 3, 14)
    assert_maps_back(text, run)


def test_comment_lines_inside_a_continuation_are_dropped_in_place() -> None:
    text = (
        "FROM debian\n"
        "RUN apt-get update && \\\n"
        "    # install the tools\n"
        "    apt-get install -y curl && \\\n"
        "  # another one\n"
        "    rm -rf /var/lib/apt/lists/*\n"
        "USER app\n"
    )
    _, run, user = instructions(text)
    assert run.arguments == (
        "apt-get update && \\\n\\\n    apt-get install -y curl && \\\n\\\n    rm -rf /var/lib/apt/lists/*"
    )
    assert run.span == Span(2, 1, 6, 32)
    assert run.args_span == Span(2, 5, 6, 32)
    assert user.span == Span(7, 1, 7, 9)
    assert_maps_back(text, run)


def test_comment_between_command_and_operand_keeps_them_one_command() -> None:
    # Docker runs "rm -rf /": the skipped comment line must not split the command.
    run = instructions("FROM alpine\nRUN rm -rf \\\n# careful\n/\n")[1]
    assert run.arguments == "rm -rf \\\n\\\n/"
    assert run.span == Span(2, 1, 4, 2)


def test_empty_continuation_lines_are_skipped_like_docker() -> None:
    text = "FROM alpine\nRUN echo a \\\n\n   \n    && echo b\nUSER x\n"
    _, run, user = instructions(text)
    assert run.arguments == "echo a \\\n\\\n\\\n    && echo b"
    assert run.span == Span(2, 1, 5, 14)
    assert user.span.line == 6
    assert_maps_back(text, run)


def test_empty_continuation_line_joins_the_next_instruction_text() -> None:
    # BuildKit keeps reading after an empty continuation line: this is ONE instruction.
    ins = instructions("FROM alpine\nRUN echo a \\\n\nRUN echo b\n")
    assert [i.keyword for i in ins] == ["FROM", "RUN"]
    assert ins[1].arguments == "echo a \\\n\\\nRUN echo b"


def test_keyword_alone_on_its_line_arguments_start_on_the_next() -> None:
    text = "FROM alpine\nRUN \\\n    set -eux; \\\n    make\n"
    run = instructions(text)[1]
    assert run.span == Span(2, 1, 4, 9)
    assert run.args_span == Span(3, 5, 4, 9)
    assert run.arguments == "set -eux; \\\n    make"
    assert_maps_back(text, run)


def test_double_backslash_at_end_still_continues_like_docker() -> None:
    run = instructions("FROM alpine\nRUN echo \\\\\n  next\n")[1]
    assert run.arguments == "echo \\\\\n  next"
    assert run.span == Span(2, 1, 3, 7)


def test_continuation_at_end_of_file() -> None:
    run = instructions("FROM alpine\nRUN echo a \\\n# trailing comment\n")[1]
    assert run.arguments == "echo a \\"
    assert run.span == Span(2, 1, 2, 13)


def test_crlf_positions_match_lf() -> None:
    lf = 'FROM alpine\nRUN apk add x \\\n    # c\n    && rm -rf /tmp\nCMD ["sh"]\n'
    crlf = lf.replace("\n", "\r\n")
    assert instructions(lf) == instructions(crlf)
    run = instructions(crlf)[1]
    assert "\r" not in run.arguments
    assert run.span == Span(2, 1, 4, 19)


def test_byte_order_mark_is_not_a_column() -> None:
    (from_,) = instructions("\ufeffFROM alpine\n")
    assert from_.span == Span(1, 1, 1, 12)


def test_byte_order_mark_before_a_directive() -> None:
    assert doc("\ufeff# escape=`\nFROM x\n").escape == "`"


# --------------------------------------------------------------------------- flags


def test_flags_are_split_from_arguments() -> None:
    text = (
        "FROM alpine\n"
        "RUN --mount=type=cache,target=/var/cache/apk \\\n"
        "    --mount=type=secret,id=npmrc --network=none \\\n"
        "    apk add curl\n"
        "COPY --from=build --chown=app:app /out /app\n"
    )
    _, run, copy = instructions(text)
    assert run.flags == {"mount": "type=cache,target=/var/cache/apk\ntype=secret,id=npmrc", "network": "none"}
    assert run.arguments == "apk add curl"
    assert run.args_span == Span(4, 5, 4, 17)
    assert run.span == Span(2, 1, 4, 17)
    assert copy.flags == {"from": "build", "chown": "app:app"}
    assert copy.arguments == "/out /app"
    assert copy.args_span == Span(5, 35, 5, 44)


def test_flag_quotes_bare_flags_and_double_dash() -> None:
    (_, copy, run) = instructions('FROM a\nCOPY --link --from="build stage" a b\nRUN --network=host -- --not-a-flag\n')
    assert copy.flags == {"link": "", "from": "build stage"}
    assert copy.arguments == "a b"
    assert run.flags == {"network": "host"}
    assert run.arguments == "--not-a-flag"
    assert run.args_span == Span(3, 23, 3, 35)


def test_flags_only_leaves_empty_arguments_after_last_flag() -> None:
    (_, run) = instructions("FROM a\nRUN --mount=type=cache,target=/x\n")
    assert run.flags == {"mount": "type=cache,target=/x"}
    assert run.arguments == ""
    assert run.args_span == Span(2, 33, 2, 33)


# --------------------------------------------------------------------------- exec form


def test_exec_form_with_escaped_quotes() -> None:
    (_, cmd) = instructions('FROM a\nCMD ["sh", "-c", "echo \\"hi\\" && rm -rf /x"]\n')
    assert cmd.exec_form == ["sh", "-c", 'echo "hi" && rm -rf /x']
    assert cmd.arguments == '["sh", "-c", "echo \\"hi\\" && rm -rf /x"]'
    assert cmd.args_span == Span(2, 5, 2, 45)


def test_exec_form_for_run_entrypoint_shell_volume_copy() -> None:
    text = (
        'FROM a\nRUN ["apt-get", "update"]\nENTRYPOINT ["/entry.sh"]\nSHELL ["bash", "-o", "pipefail", "-c"]\n'
        'VOLUME ["/data"]\nCOPY ["a b", "/dst/"]\nENV X=[1]\nLABEL a=["x"]\n'
    )
    forms = [i.exec_form for i in instructions(text)]
    assert forms == [
        None,
        ["apt-get", "update"],
        ["/entry.sh"],
        ["bash", "-o", "pipefail", "-c"],
        ["/data"],
        ["a b", "/dst/"],
        None,
        None,
    ]


def test_exec_form_after_flags_and_across_continuations() -> None:
    text = 'FROM a\nRUN --network=none ["echo", \\\n     "x"]\n'
    run = instructions(text)[1]
    assert run.exec_form == ["echo", "x"]
    assert run.args_span == Span(2, 20, 3, 10)


def test_empty_exec_form() -> None:
    assert instructions("FROM a\nCMD []\n")[1].exec_form == []


def test_invalid_json_is_shell_form() -> None:
    text = 'FROM a\nCMD ["echo", \'single\']\nRUN [ -f /x ] && rm /x\nENTRYPOINT ["a"] extra\n'
    assert [i.exec_form for i in instructions(text)[1:]] == [None, None, None]


def test_json_array_of_non_strings_is_an_error() -> None:
    err = error('FROM a\nCMD ["echo", 1]\n')
    assert (err.line, err.column) == (2, 5)
    assert "only strings" in err.message


def test_shell_requires_json() -> None:
    err = error("FROM a\nSHELL /bin/bash -c\n")
    assert (err.line, err.column) == (2, 7)


def test_healthcheck_cmd_exec_form() -> None:
    text = 'FROM a\nHEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]\nHEALTHCHECK CMD curl -f x\n'
    _, exec_form, shell = instructions(text)
    assert exec_form.flags == {"interval": "5s"}
    assert exec_form.arguments == 'CMD ["curl", "-f", "http://localhost/"]'
    assert exec_form.exec_form == ["curl", "-f", "http://localhost/"]
    assert shell.exec_form is None


# --------------------------------------------------------------------------- heredocs


def test_run_heredoc_body_and_spans() -> None:
    text = "FROM alpine\nRUN <<EOF\napk add curl\nrm -rf /tmp/*\nEOF\nUSER app\n"
    _, run, user = instructions(text)
    assert run.arguments == "<<EOF"
    assert run.args_span == Span(2, 5, 2, 10)
    assert run.heredocs == [("EOF", "apk add curl\nrm -rf /tmp/*\n", Span(3, 1, 4, 14))]
    assert run.span == Span(2, 1, 5, 4)
    assert user.span == Span(6, 1, 6, 9)


def test_heredoc_with_command_redirect_and_quoted_name() -> None:
    text = "FROM alpine\nRUN cat <<'EOT' > /etc/motd\nhello $USER\nEOT\n"
    run = instructions(text)[1]
    assert run.arguments == "cat <<'EOT' > /etc/motd"
    assert run.heredocs == [("EOT", "hello $USER\n", Span(3, 1, 3, 12))]
    assert run.span == Span(2, 1, 4, 4)


def test_heredoc_double_quoted_name() -> None:
    run = instructions('FROM a\nRUN <<"END"\necho hi\nEND\n')[1]
    assert run.heredocs == [("END", "echo hi\n", Span(3, 1, 3, 8))]


def test_heredoc_dash_allows_tab_indented_terminator_and_keeps_tabs() -> None:
    text = "FROM a\nRUN <<-EOF\n\techo hi\n\t\tEOF\nCMD x\n"
    _, run, cmd = instructions(text)
    assert run.heredocs == [("EOF", "\techo hi\n", Span(3, 1, 3, 9))]
    assert run.span == Span(2, 1, 4, 6)
    assert cmd.span.line == 5


def test_heredoc_terminator_must_match_exactly_without_dash() -> None:
    text = "FROM a\nRUN <<EOF\n\tEOF\nEOF \nEOF\n"
    run = instructions(text)[1]
    assert run.heredocs == [("EOF", "\tEOF\nEOF \n", Span(3, 1, 4, 5))]


def test_multiple_heredocs_on_one_copy() -> None:
    text = "FROM a\nCOPY <<a.txt <<b.txt /dst/\nalpha\na.txt\nbeta\nbeta2\nb.txt\nRUN x\n"
    _, copy, run = instructions(text)
    assert copy.arguments == "<<a.txt <<b.txt /dst/"
    assert copy.heredocs == [
        ("a.txt", "alpha\n", Span(3, 1, 3, 6)),
        ("b.txt", "beta\nbeta2\n", Span(5, 1, 6, 6)),
    ]
    assert copy.span == Span(2, 1, 7, 6)
    assert run.span.line == 8


def test_heredoc_with_file_descriptor_and_empty_body() -> None:
    run = instructions("FROM a\nRUN 3<<EOF cat\nEOF\n")[1]
    assert run.heredocs == [("EOF", "", Span(3, 1, 3, 1))]
    assert run.span == Span(2, 1, 3, 4)


def test_heredoc_after_continuation_lines() -> None:
    text = "FROM a\nRUN --mount=type=cache,target=/x \\\n  <<EOF\necho\nEOF\n"
    run = instructions(text)[1]
    assert run.arguments == "<<EOF"
    assert run.args_span == Span(3, 3, 3, 8)
    assert run.heredocs == [("EOF", "echo\n", Span(4, 1, 4, 5))]


def test_heredoc_body_lines_are_raw_comments_and_backslashes_kept() -> None:
    text = "FROM a\nRUN <<EOF\n# comment\necho a \\\n  b\n\nEOF\n"
    run = instructions(text)[1]
    assert run.heredocs[0][1] == "# comment\necho a \\\n  b\n\n"
    assert run.heredocs[0][2] == Span(3, 1, 6, 1)


def test_heredoc_crlf_body_has_no_carriage_returns() -> None:
    run = instructions("FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\n")[1]
    assert run.heredocs == [("EOF", "echo hi\n", Span(3, 1, 3, 8))]
    assert run.span == Span(2, 1, 4, 4)


@pytest.mark.parametrize(
    "line",
    [
        'RUN echo "<<EOF"',  # quoted: not a heredoc word
        "RUN cat <<<here-string",  # here-string
        "CMD <<EOF",  # only RUN, COPY and ADD take heredocs
        'RUN ["cat", "<<EOF"]',  # exec form
        "RUN cat <<",  # no name
    ],
)
def test_not_heredocs(line: str) -> None:
    ins = instructions(f"FROM a\n{line}\nUSER x\n")
    assert ins[1].heredocs == []
    assert ins[2].keyword == "USER"


def test_unterminated_heredoc_is_an_error_at_its_opener() -> None:
    err = error("FROM a\nRUN echo start && cat <<EOF\nline\n")
    assert (err.line, err.column) == (2, 23)
    assert "unterminated heredoc" in err.message


def test_second_heredoc_unterminated() -> None:
    err = error("FROM a\nCOPY <<a <<b /d\nx\na\ny\n")
    assert (err.line, err.column) == (2, 10)


# --------------------------------------------------------------------------- ONBUILD


def test_onbuild_keeps_trigger_in_arguments() -> None:
    text = "FROM a\nONBUILD RUN --mount=type=cache,target=/c \\\n    rm -rf /tmp/*\n"
    onbuild = instructions(text)[1]
    assert onbuild.keyword == "ONBUILD"
    assert onbuild.arguments == "RUN --mount=type=cache,target=/c \\\n    rm -rf /tmp/*"
    assert onbuild.args_span == Span(2, 9, 3, 18)
    assert onbuild.exec_form is None
    assert onbuild.flags == {}
    trigger = onbuild_trigger(onbuild)
    assert trigger == Instruction(
        keyword="RUN",
        arguments="rm -rf /tmp/*",
        span=Span(2, 9, 3, 18),
        args_span=Span(3, 5, 3, 18),
        flags={"mount": "type=cache,target=/c"},
    )


def test_onbuild_trigger_exec_form_and_lowercase() -> None:
    onbuild = instructions('FROM a\nonbuild cmd ["run", "me"]\n')[1]
    trigger = onbuild_trigger(onbuild)
    assert trigger is not None
    assert (trigger.keyword, trigger.exec_form, trigger.args_span) == ("CMD", ["run", "me"], Span(2, 13, 2, 26))


def test_onbuild_run_heredoc() -> None:
    onbuild = instructions("FROM a\nONBUILD RUN <<EOF\necho later\nEOF\n")[1]
    assert onbuild.heredocs == [("EOF", "echo later\n", Span(3, 1, 3, 11))]
    assert onbuild.span == Span(2, 1, 4, 4)
    trigger = onbuild_trigger(onbuild)
    assert trigger is not None and trigger.heredocs == onbuild.heredocs


def test_onbuild_trigger_of_other_instructions_is_none() -> None:
    assert onbuild_trigger(instructions("FROM a\n")[0]) is None


@pytest.mark.parametrize(
    ("line", "column"),
    [("ONBUILD ONBUILD RUN x", 9), ("ONBUILD FROM x", 9), ("ONBUILD MAINTAINER me", 9), ("ONBUILD BOGUS x", 9)],
)
def test_invalid_onbuild_triggers(line: str, column: int) -> None:
    err = error(f"FROM a\n{line}\n")
    assert (err.line, err.column) == (2, column)


def test_onbuild_without_trigger() -> None:
    err = error("FROM a\nONBUILD\n")
    assert (err.line, err.column) == (2, 1)


# --------------------------------------------------------------------------- errors


def test_unknown_instruction() -> None:
    err = error("FROM a\n\n  RUNN echo\n")
    assert (err.line, err.column) == (3, 3)
    assert err.message == "unknown instruction: RUNN"


def test_unknown_instruction_on_a_continued_line_reports_where_it_starts() -> None:
    err = error("FROM a\nRUN ok\n\\\n  bogus x\n")
    assert (err.line, err.column) == (4, 3)


def test_first_instruction_must_be_from() -> None:
    err = error("# comment\nARG X=1\nRUN echo\nFROM alpine\n")
    assert (err.line, err.column) == (3, 1)
    assert "FROM" in err.message


def test_only_arg_instructions_is_an_error() -> None:
    err = error("\nARG A=1\nARG B=2\n")
    assert (err.line, err.column) == (2, 1)


def test_lone_continuation_is_content_without_instruction() -> None:
    err = error("\n  \\\n")
    assert (err.line, err.column) == (2, 3)


def test_stray_text_is_an_unknown_instruction() -> None:
    err = error("this is not a dockerfile\n")
    assert (err.line, err.column) == (1, 1)


# --------------------------------------------------------------------------- properties

_TOKENS = [
    "FROM a", "RUN", "run", "COPY", "ONBUILD", "ARG x", " ", "\t", "\\", "`", "#", "# escape=`", "<<EOF",
    "<<-EOF", "EOF", "\tEOF", '"', "'", "[", "]", '["a"]', "--mount=x", "--", "\n", "\r\n", "\n", "é", "CMD",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join))
def test_any_input_parses_or_raises_parse_error_and_maps_back(text: str) -> None:
    try:
        parsed = doc(text)
    except ParseError as err:
        assert err.line >= 1 and err.column >= 1
        return
    lines = [line.rstrip("\r") for line in text.split("\n")]
    for ins in parsed.instructions:
        assert_maps_back(text, ins)
        assert (ins.span.line, ins.span.column) <= (ins.args_span.line, ins.args_span.column)
        for _name, body, span in ins.heredocs:
            assert body == "".join(f"{line}\n" for line in lines[span.line - 1 : span.end_line]) or body == ""
