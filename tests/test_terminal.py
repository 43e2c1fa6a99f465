"""What reaches the terminal: a title, quote or outlet name from an input cannot send escape
sequences (colour, cursor moves, window title, screen clearing) nor reorder a line with bidi
overrides, and a file name holding a newline cannot forge a line of marsad's own output."""

from __future__ import annotations

import io
import json

from rich.console import Console
from typer.testing import CliRunner

from marsad.briefs import add_briefs
from marsad.model import Storyline
from marsad.render.terminal import escaped, printable, printable_block, render_story

from test_briefs import kharkiv_analysis

# Escape sequences a hostile page could put in a headline: set the window title (OSC),
# clear the screen, recolour, and the one-byte CSI (U+009B).
OSC_TITLE = "\x1b]0;تم الاختراق\x07"
CLEAR = "\x1b[2J\x1b[H"
CSI_C1 = "\x9b31m"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: shows what follows reversed


def test_printable_escapes_controls_and_drops_overrides():
    s = printable(f"مقتل 8 في {OSC_TITLE}ضربة{CLEAR} روسية{CSI_C1}\n\nعلى\tخاركيف {RLO}gnp.exe")
    assert "\x1b" not in s and "\x07" not in s and "\x9b" not in s and RLO not in s
    assert "\\x1b]0;" in s and "\\x9b31m" in s  # shown, so the reader sees something was there
    assert "روسية" in s and "\n" not in s and "\t" not in s and "على خاركيف" in s
    # the marks that only set the direction of neighbouring punctuation stay (common in Arabic text)
    assert printable("قال\u200f: «نعم»\u061c") == "قال\u200f: «نعم»\u061c"
    assert printable("خبر\u2028عاجل") == "خبر عاجل"


def test_escaped_writes_every_control_as_an_escape():
    assert escaped("أخبار/a\nerror: b.json") == "أخبار/a\\nerror: b.json"
    assert escaped(f"x{RLO}y\x1b[31m\u2029") == "x\\u202ey\\x1b[31m\\u2029"
    assert escaped("مسار عادي/ملف.txt") == "مسار عادي/ملف.txt"


def _hostile_analysis():
    an = kharkiv_analysis()
    story = an.stories[0]
    story.title = f"{OSC_TITLE}مقتل 8 في ضربة{CLEAR} على خاركيف{CSI_C1}"
    an.storylines.append(Storyline("L9", f"الحرب {RLO}في أوكرانيا", [story.id]))
    story.storyline = "L9"
    for a in an.articles:
        if a.story == story.id:
            a.outlet = f"النهار\x1b[8m"  # "concealed" text: what follows would be invisible
    add_briefs(an)
    first = story.brief["summary"][0]
    first["text"] = first["text"] + CLEAR
    return an, story.id


def test_story_view_never_passes_control_characters():
    an, sid = _hostile_analysis()
    buf = io.StringIO()
    render_story(an, sid, Console(file=buf, width=160, color_system=None, force_terminal=False))
    out = buf.getvalue()
    for bad in ("\x1b", "\x07", "\x9b", RLO):
        assert bad not in out, repr(bad)
    assert "مقتل 8 في ضربة" in out and "\\x1b]0;" in out and "\\x1b[8m" in out


def test_story_view_on_a_colour_terminal_has_only_rich_styles():
    an, sid = _hostile_analysis()
    buf = io.StringIO()
    render_story(an, sid, Console(file=buf, width=160, force_terminal=True, color_system="truecolor"))
    out = buf.getvalue()
    assert "\x1b]" not in out and "\x1b[2J" not in out and "\x1b[8m" not in out and "\x9b" not in out
    assert "\x1b[" in out  # rich's own colours are still there


def test_story_command_output_is_clean(monkeypatch):
    import marsad.pipeline
    from marsad.cli import app

    an, sid = _hostile_analysis()
    monkeypatch.setattr(marsad.pipeline, "load_analysis", lambda db: an)
    r = CliRunner().invoke(app, ["story", sid, "--db", "unused.db"])
    assert r.exit_code == 0, r.output
    assert "\x1b]" not in r.output and "\x1b[2J" not in r.output and "مقتل 8 في ضربة" in r.output


def test_a_newline_in_a_file_name_cannot_forge_an_error_line(tmp_path):
    from marsad.cli import app

    d = tmp_path / "in"
    d.mkdir()
    (d / "خبر.json").write_text(json.dumps({"title": "عنوان", "text": "نص"}, ensure_ascii=False)[:-3],
                                 encoding="utf-8")  # malformed: one real error
    forged = d / "x\nerror: all other inputs were lost.json"
    forged.write_text("{", encoding="utf-8")
    r = CliRunner().invoke(app, ["analyze", str(d), "--quiet", "--no-embeddings", "--no-facts"])
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 2, r.output
    assert not any(ln.startswith("error: all other inputs") for ln in lines)
    assert any("x\\nerror: all other inputs were lost.json" in ln for ln in lines)


def test_story_markdown_on_standard_output_is_clean(monkeypatch):
    import marsad.pipeline
    from marsad.cli import app

    an, sid = _hostile_analysis()
    monkeypatch.setattr(marsad.pipeline, "load_analysis", lambda db: an)
    r = CliRunner().invoke(app, ["story", sid, "--db", "unused.db", "--markdown"])
    assert r.exit_code == 0, r.output
    for bad in ("\x1b", "\x07", "\x9b", RLO, "\r"):
        assert bad not in r.output, repr(bad)
    assert r.output.startswith("# ") and "\n## " in r.output  # still Markdown, line by line
    assert printable_block("سطر\tأول\r\nسطر\x1b[2K ثان") == "سطر\tأول\\r\nسطر\\x1b[2K ثان"
