"""The Makefile parser: GNU make's reading rules, recipe text and positions, and errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.documents import MakefileDocument, RecipeLine
from guardrails.model import Kind, ParseError, Span
from guardrails.parsers import parse as parse_any
from guardrails.parsers.makefile import parse


def doc(text: str) -> MakefileDocument:
    return parse("Makefile", text, Kind.MAKEFILE)


def recipes(text: str) -> list[RecipeLine]:
    return doc(text).recipes


def variables(text: str) -> dict[str, str]:
    return doc(text).variables


def error(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse("Makefile", text, Kind.MAKEFILE)
    return caught.value


def source_at(text: str, line: int, column: int, length: int) -> str:
    row = text.split("\n")[line - 1].rstrip("\r")
    return row[column - 1 : column - 1 + length]


# --------------------------------------------------------------------------- basics


def test_document_carries_path_kind_text() -> None:
    text = "all:\n\techo hi\n"
    d = parse("sub/Makefile", text, Kind.MAKEFILE)
    assert isinstance(d, MakefileDocument)
    assert (d.path, d.kind, d.text) == ("sub/Makefile", Kind.MAKEFILE, text)


def test_dispatch_through_parsers_package() -> None:
    d = parse_any("Makefile", "all:\n\ttrue\n", Kind.MAKEFILE)
    assert isinstance(d, MakefileDocument)
    assert [r.text for r in d.recipes] == ["true"]


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "X = 1\n", ".PHONY: all\nall:\n"])
def test_files_without_recipes(text: str) -> None:
    assert recipes(text) == []


def test_recipe_lines_positions() -> None:
    text = "build: main.c\n\tgcc -o app main.c\n\t./app --selftest\n"
    assert recipes(text) == [
        RecipeLine("build", "gcc -o app main.c", Span(2, 2, 2, 19)),
        RecipeLine("build", "./app --selftest", Span(2 + 1, 2, 3, 18)),
    ]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("\t@echo hi", 3),
        ("\t-echo hi", 3),
        ("\t+echo hi", 3),
        ("\t@-+echo hi", 5),
        ("\t@ - echo hi", 6),
        ("\t  @echo hi", 5),
        ("\t\t-@ \techo hi", 7),
    ],
)
def test_recipe_prefix_flags_are_stripped(line: str, column: int) -> None:
    (recipe,) = recipes(f"all:\n{line}\n")
    assert recipe.text == "echo hi"
    assert recipe.span == Span(2, column, 2, column + 7)


def test_multiple_targets_double_colon_and_grouped_targets() -> None:
    text = "a  b:: c\n\techo x\ng1 g2 &: src\n\tgen\n%.o: %.c\n\tcc -c $<\n$(OBJS): %.o: %.c\n\tcc\n"
    assert [(r.target, r.text) for r in recipes(text)] == [
        ("a b", "echo x"),
        ("g1 g2", "gen"),
        ("%.o", "cc -c $_"),
        ("$(OBJS)", "cc"),
    ]


def test_recipes_follow_the_latest_rule() -> None:
    text = "one:\n\techo 1\n\ntwo: one\n\techo 2\n"
    assert [(r.target, r.span.line) for r in recipes(text)] == [("one", 2), ("two", 5)]


def test_blank_and_comment_lines_do_not_end_a_recipe() -> None:
    text = "all:\n\techo a\n\n# make comment\n   \n\techo b\n"
    assert [(r.text, r.span.line) for r in recipes(text)] == [("echo a", 2), ("echo b", 6)]


def test_tab_comment_in_a_rule_is_a_shell_line() -> None:
    (recipe,) = recipes("all:\n\t# passed to the shell\n")
    assert recipe.text == "# passed to the shell"


def test_empty_recipe_lines_are_skipped() -> None:
    assert recipes("all:\n\t\n\t@\n\t   \n\t@-  \n") == []


def test_trailing_blanks_are_not_part_of_the_command() -> None:
    (recipe,) = recipes("all:\n\techo hi  \t\n")
    assert recipe.text == "echo hi"
    assert recipe.span == Span(2, 2, 2, 9)


def test_columns_count_characters() -> None:
    (recipe,) = recipes("all:\n\techo 'é✓' && rm -rf /x\n")
    assert recipe.span == Span(2, 2, 2, 24)
    assert recipe.span.column + recipe.text.index("rm") == 15


def test_tab_lines_in_a_rule_are_recipes_even_if_they_look_like_directives() -> None:
    text = "all:\n\tifeq (a,b)\n\tinclude x\n\tX = 1\n"
    assert [r.text for r in recipes(text)] == ["ifeq (a,b)", "include x", "X = 1"]
    assert variables(text) == {}


# --------------------------------------------------------------------------- inline recipes


def test_inline_recipe_after_semicolon() -> None:
    text = "all: dep ; @echo done # the shell sees this\n"
    assert recipes(text) == [RecipeLine("all", "echo done # the shell sees this", Span(1, 13, 1, 44))]


def test_inline_recipe_then_tab_lines() -> None:
    text = "all: ; echo one\n\techo two\n"
    assert [(r.text, r.span) for r in recipes(text)] == [
        ("echo one", Span(1, 8, 1, 16)),
        ("echo two", Span(2, 2, 2, 10)),
    ]


def test_comment_before_semicolon_means_no_inline_recipe() -> None:
    assert recipes("all: dep # note ; not a recipe\n") == []


def test_semicolon_inside_a_make_reference_is_not_a_recipe() -> None:
    text = "all: $(subst ;, ,a;b)\n\techo\n"
    assert [(r.target, r.text) for r in recipes(text)] == [("all", "echo")]


def test_inline_recipe_on_continued_rule_line() -> None:
    text = "all: a \\\n   b ; rm -rf out\n"
    assert recipes(text) == [RecipeLine("all", "rm -rf out", Span(2, 8, 2, 18))]


def test_inline_recipe_with_continuation() -> None:
    text = "a: ; echo one \\\n\tand two\n"
    (recipe,) = recipes(text)
    assert recipe.text == "echo one \\\n and two"
    assert recipe.span == Span(1, 6, 2, 9)


# --------------------------------------------------------------------------- continuations


def test_continued_recipe_is_one_line_with_tabs_replaced() -> None:
    text = "deploy:\n\tkubectl apply -f k8s/ && \\\n\t  kubectl rollout status \\\n\t\tdeploy/app\n\techo done\n"
    first, second = recipes(text)
    assert first.text == "kubectl apply -f k8s/ && \\\n   kubectl rollout status \\\n \tdeploy/app"
    assert first.span == Span(2, 2, 4, 13)
    assert second.span == Span(5, 2, 5, 11)
    # every line of the text sits at its place in the file
    for k, line in enumerate(first.text.split("\n")):
        column = first.span.column if k == 0 else 1
        assert source_at(text, first.span.line + k, column + 1, len(line) - 1) == line[1:]


def test_continuation_line_without_tab_is_kept_as_is() -> None:
    (recipe,) = recipes("all:\n\techo a \\\nb\n")
    assert recipe.text == "echo a \\\nb"
    assert recipe.span == Span(2, 2, 3, 2)


def test_escaped_backslash_does_not_continue() -> None:
    text = "all:\n\techo a\\\\\n\techo b\n"
    assert [r.text for r in recipes(text)] == ["echo a\\\\", "echo b"]


def test_comment_continuation_swallows_the_next_line() -> None:
    text = "all:\n# note \\\n\techo swallowed\n\techo real\n"
    assert [(r.text, r.span.line) for r in recipes(text)] == [("echo real", 4)]


def test_crlf_positions_match_lf() -> None:
    lf = "all:\n\t@echo hi \\\n\t  there\n\t-rm -rf $(DIR)\n"
    crlf = lf.replace("\n", "\r\n")
    assert recipes(lf) == recipes(crlf)
    first, second = recipes(crlf)
    assert first.text == "echo hi \\\n   there"
    assert "\r" not in first.text
    assert first.span == Span(2, 3, 3, 9)
    assert second.span == Span(4, 3, 4, 16)


def test_byte_order_mark_is_not_a_column() -> None:
    text = "\ufeffall: ; echo hi\n"
    assert recipes(text) == [RecipeLine("all", "echo hi", Span(1, 8, 1, 15))]


# --------------------------------------------------------------------------- recipe text


def test_make_references_become_same_length_shell_expansions() -> None:
    (recipe,) = recipes("all:\n\t$(CC) ${CFLAGS} -o $@ $< $^ $(@D) $(MY-VAR) $(1) $X $? $*\n")
    assert recipe.text == "${CC} ${CFLAGS} -o $@ $_ $_ ${_D} ${MY_VAR} ${1} $X $? $*"


def test_function_calls_become_one_opaque_expansion() -> None:
    (recipe,) = recipes("all:\n\trm -f $(patsubst %.c,%.o,$(SRCS)) $()\n")
    assert recipe.text == "rm -f ${patsubst___c___o___SRCS_} $()"
    assert len(recipe.text) == len("rm -f $(patsubst %.c,%.o,$(SRCS)) $()")


def test_shell_function_becomes_command_substitution() -> None:
    (recipe,) = recipes("all:\n\tdocker rm -f $(shell docker ps -aq) ${shell echo $$x}\n")
    assert recipe.text == "docker rm -f $(      docker ps -aq) $(      echo  $x)"


def test_double_dollar_at_word_start() -> None:
    (recipe,) = recipes("all:\n\tfor f in *.log; do rm $$f; done\n")
    assert recipe.text == "for f in *.log; do rm  $f; done"
    assert recipe.text.index("$f") + recipe.span.column == 25  # the source column of "f"


def test_double_dollar_inside_a_word_does_not_split_it() -> None:
    (recipe,) = recipes('all:\n\trm -rf /tmp/$$d "$$HOME/x" a=$$(pwd) $$$$\n')
    assert recipe.text == 'rm -rf  /tmp/$d  "$HOME/x"  a=$(pwd)   $$'
    assert len(recipe.text) == len('rm -rf /tmp/$$d "$$HOME/x" a=$$(pwd) $$$$')


def test_unclosed_reference_is_left_alone() -> None:
    (recipe,) = recipes("all:\n\techo $(foo \\\n\tbar) $\n")
    assert recipe.text == "echo $(foo \\\n bar) $"


def test_text_length_is_preserved_line_by_line() -> None:
    text = "all:\n\t@echo $(A) $$B ${C} \\\n\t  $(shell id -u) $<\n"
    (recipe,) = recipes(text)
    source_lines = text.split("\n")
    first, second = recipe.text.split("\n")
    assert len(first) == len(source_lines[1]) - recipe.span.column + 1
    assert len(second) == len(source_lines[2])


# --------------------------------------------------------------------------- variables


def test_assignment_operators() -> None:
    text = (
        "A = one\nB := two\nC ::= three\nD :::= four\nE ?= five\nE ?= ignored\nF = x\nF += y\nG += only\n"
        "H != git rev-parse HEAD\nI=tight\nJ=\n"
    )
    assert variables(text) == {
        "A": "one",
        "B": "two",
        "C": "three",
        "D": "four",
        "E": "five",
        "F": "x y",
        "G": "only",
        "H": "git rev-parse HEAD",
        "I": "tight",
        "J": "",
    }


def test_modifiers_comments_escapes_and_continuations() -> None:
    text = (
        "export PATH := /usr/bin:$(PATH)\noverride CFLAGS += -O2  # tuned\nprivate export K = v\n"
        "HASH = a \\# b\nLIST = one \\\n       two \\\n       three\n"
    )
    assert variables(text) == {
        "PATH": "/usr/bin:$(PATH)",
        "CFLAGS": "-O2",
        "K": "v",
        "HASH": "a # b",
        "LIST": "one two three",
    }


def test_names_with_references_and_keywords_as_names() -> None:
    text = "$(PREFIX)_DIR = /opt\nifdef = yes\nexport = no\n"
    assert variables(text) == {"$(PREFIX)_DIR": "/opt", "ifdef": "yes", "export": "no"}


def test_export_and_unexport_without_assignment_are_directives() -> None:
    assert variables("X = 1\nexport X\nunexport Y Z\nexport\n") == {"X": "1"}


def test_target_specific_variables_are_not_global() -> None:
    assert variables("prod: DB_HOST = 10.0.0.1\nprod: export X := 1\n") == {}


def test_undefine() -> None:
    assert variables("X = 1\nY = 2\nundefine X\n") == {"Y": "2"}


def test_define_body_is_stored_and_not_parsed() -> None:
    text = "define DEPLOY\n\trm -rf /\nnot: a rule\n  define NESTED\n  endef\nendef\nall:\n\t$(DEPLOY)\n"
    d = doc(text)
    assert d.variables == {"DEPLOY": "\trm -rf /\nnot: a rule\n  define NESTED\n  endef"}
    assert d.recipes == [RecipeLine("all", "${DEPLOY}", Span(8, 2, 8, 11))]


def test_define_with_operator_and_modifiers() -> None:
    text = "X = a\noverride define X +=\nb\nendef # done\nexport define Y :=\n  y\n  endef\n"
    assert variables(text) == {"X": "a b", "Y": "  y"}


def test_tab_endef_does_not_close_a_define() -> None:
    text = "define X\n\tendef\n endef\nall:\n\techo\n"
    d = doc(text)
    assert d.variables == {"X": "\tendef"}
    assert [(r.target, r.span.line) for r in d.recipes] == [("all", 5)]


def test_define_inside_a_rule_keeps_the_rule() -> None:
    text = "all:\n\techo a\ndefine X\n\techo hidden\nendef\n\techo b\n"
    assert [(r.text, r.span.line) for r in recipes(text)] == [("echo a", 2), ("echo b", 6)]


def test_assignment_between_recipe_lines_keeps_the_rule() -> None:
    text = "all:\n\techo a\nX = 1\n\techo b\n"
    assert [(r.target, r.text) for r in recipes(text)] == [("all", "echo a"), ("all", "echo b")]


def test_recipeprefix_changes_the_recipe_character() -> None:
    text = ".RECIPEPREFIX = >\nall:\n> echo a \\\n> b\n>@rm x\n"
    d = doc(text)
    assert d.variables == {".RECIPEPREFIX": ">"}
    assert d.recipes == [
        RecipeLine("all", "echo a \\\n  b", Span(3, 3, 4, 4)),
        RecipeLine("all", "rm x", Span(5, 3, 5, 7)),
    ]


def test_recipeprefix_reset_to_tab() -> None:
    text = ".RECIPEPREFIX := >\n.RECIPEPREFIX =\nall:\n\techo tab\n"
    assert [r.text for r in recipes(text)] == ["echo tab"]


def test_tab_line_under_custom_prefix_is_not_a_recipe() -> None:
    err = error(".RECIPEPREFIX = >\nall:\n\techo tab\n")
    assert (err.line, err.column, err.message) == (3, 2, "missing separator")


# --------------------------------------------------------------------------- conditionals and include


def test_recipes_of_every_branch_are_kept() -> None:
    text = (
        "clean:\n"
        "ifeq ($(OS),Windows_NT)\n"
        "\tdel /q build\n"
        "else ifdef KEEP\n"
        "\techo keep\n"
        "else\n"
        "  ifneq ($(FORCE),)\n"
        "\trm -rf build\n"
        "  endif\n"
        "endif\n"
    )
    assert [(r.target, r.text, r.span.line) for r in recipes(text)] == [
        ("clean", "del /q build", 3),
        ("clean", "echo keep", 5),
        ("clean", "rm -rf build", 8),
    ]


def test_conditional_around_rules_and_assignments() -> None:
    text = "ifdef CI\nX = ci\nci:\n\techo ci\nelse\nX = local\nlocal:\n\techo local\nendif\n"
    d = doc(text)
    assert d.variables == {"X": "local"}
    assert [(r.target, r.text) for r in d.recipes] == [("ci", "echo ci"), ("local", "echo local")]


def test_include_lines() -> None:
    text = "include common.mk\n-include $(wildcard *.d)\nsinclude opt.mk\nall:\n\techo\n"
    assert [(r.target, r.text) for r in recipes(text)] == [("all", "echo")]


def test_expansion_only_line_may_be_a_rule_header() -> None:
    text = "$(eval $(call TEMPLATE,x))\n\techo generated\n"
    assert recipes(text) == [RecipeLine("$(eval $(call TEMPLATE,x))", "echo generated", Span(2, 2, 2, 16))]


def test_rule_without_targets_ignores_its_recipe() -> None:
    assert recipes(": prereq\n\techo ignored\nall:\n\techo kept\n") == [
        RecipeLine("all", "echo kept", Span(4, 2, 4, 11))
    ]


def test_tab_prefixed_assignment_comment_and_conditional_before_any_rule() -> None:
    text = "\tFOO = 1\n\t# tab comment\n\tifdef FOO\n\tendif\nall:\n\techo $(FOO)\n"
    d = doc(text)
    assert d.variables == {"FOO": "1"}
    assert [r.text for r in d.recipes] == ["echo ${FOO}"]


# --------------------------------------------------------------------------- errors


def test_recipe_before_first_target() -> None:
    err = error("X = 1\n\n\techo orphan\nall:\n\techo\n")
    assert (err.line, err.column) == (3, 1)
    assert err.message == "recipe commences before first target"


def test_recipe_after_include_has_no_rule() -> None:
    err = error("all:\n\techo a\ninclude other.mk\n\techo b\n")
    assert (err.line, err.column) == (4, 1)


def test_recipe_after_target_specific_variable_has_no_rule() -> None:
    err = error("all: X = 1\n\techo x\n")
    assert (err.line, err.column) == (2, 1)


def test_unterminated_define() -> None:
    err = error("X = 1\n  define FOO\nbody\n\techo\n")
    assert (err.line, err.column) == (2, 3)
    assert "endef" in err.message


def test_nested_define_needs_two_endefs() -> None:
    err = error("define A\ndefine B\nendef\n")
    assert (err.line, err.column) == (1, 1)


def test_endif_without_if() -> None:
    err = error("all:\n\techo\n  endif\n")
    assert (err.line, err.column) == (3, 3)
    assert "endif" in err.message


def test_else_without_if() -> None:
    err = error("else\n")
    assert (err.line, err.column) == (1, 1)
    assert "else" in err.message


def test_two_elses_in_one_conditional() -> None:
    err = error("ifdef A\nelse\nelse\nendif\n")
    assert (err.line, err.column) == (3, 1)
    assert err.message == "only one 'else' per conditional"


def test_unterminated_conditional_reports_the_open_if() -> None:
    err = error("ifdef A\n  ifeq ($(B),1)\n  endif\nall:\n\techo\n")
    assert (err.line, err.column) == (1, 1)
    assert "endif" in err.message


def test_unterminated_inner_conditional() -> None:
    err = error("ifdef A\n  ifeq ($(B),1)\nendif\n")
    assert (err.line, err.column) == (1, 1)
    err = error("ifdef A\nendif\n ifndef C\n")
    assert (err.line, err.column) == (3, 2)


def test_spaces_instead_of_tab() -> None:
    err = error("all:\n        echo hi\n")
    assert (err.line, err.column) == (2, 9)
    assert err.message == "missing separator (did you mean TAB instead of 8 spaces?)"


def test_stray_word_is_missing_separator() -> None:
    err = error("all:\n\techo\nnonsense words\n")
    assert (err.line, err.column, err.message) == (3, 1, "missing separator")


def test_stray_endef() -> None:
    err = error("X = 1\nendef\n")
    assert (err.line, err.column) == (2, 1)
    assert "endef" in err.message


def test_semicolon_without_rule() -> None:
    err = error("; echo x\n")
    assert (err.line, err.column, err.message) == (1, 1, "missing rule before recipe")


def test_empty_variable_names() -> None:
    assert error("= value\n").message == "empty variable name"
    err = error("define\nendef\n")
    assert (err.line, err.column) == (1, 1)


# --------------------------------------------------------------------------- properties

_TOKENS = [
    "all:", "a b::", ";", "#", "\\", "\t", " ", "$$", "$(", ")", "${", "}", "$<", "X = 1", "define X", "endef",
    "ifdef X", "else", "endif", "include x", ".RECIPEPREFIX = >", ">", "@", "-", "\n", "\r\n", "\n\t", "é",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join))
def test_any_input_parses_or_raises_parse_error_with_line_by_line_text(text: str) -> None:
    try:
        parsed = doc(text)
    except ParseError as err:
        assert err.line >= 1 and err.column >= 1
        return
    lines = [line.rstrip("\r") for line in text.split("\n")]
    for recipe in parsed.recipes:
        text_lines = recipe.text.split("\n")
        assert recipe.span.end_line - recipe.span.line == len(text_lines) - 1
        for k, line in enumerate(text_lines):
            column = recipe.span.column if k == 0 else 1
            assert len(line) <= len(lines[recipe.span.line + k - 1]) - column + 1
