"""`glossdeck changes`: the terms added, changed and retired since a git revision, as release notes."""

from __future__ import annotations

import html
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from glossdeck import deckstate, pipeline
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.model import Glossary, Term

COMPARED = ("term", "gloss", "definition", "quotes", "views")  # what a student sees change on a card


@dataclass(frozen=True)
class TermChange:
    id: str
    term: str
    gloss: str = ""
    fields: tuple[str, ...] = ()  # for a changed term: which of COMPARED changed
    renamed_from: str = ""


@dataclass(frozen=True)
class Report:
    since: str  # the revision as given (or the default's commit)
    commit: str
    date: str
    added: list[TermChange] = field(default_factory=list)
    changed: list[TermChange] = field(default_factory=list)
    retired: list[TermChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired)


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise GlossdeckError([Problem(None, None, "git is not installed", "install git to compare revisions")]) \
            from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr.strip())
    return done.stdout


class _GitFailed(Exception):
    pass


def _repository(root: Path) -> tuple[Path, str]:
    """The repository's top folder and the project's path inside it ('' at the top)."""
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
        prefix = _git(root, "rev-parse", "--show-prefix").strip()
    except _GitFailed:
        raise GlossdeckError([Problem(root, None, "is not in a git repository, so there is no earlier version to "
                                      "compare with", "run `git init` and commit the glossary, or name a project "
                                      "that is in one (--project DIR)")]) from None
    return top, prefix


def lock_commits(root: Path) -> list[str]:
    """The commits that changed glossary/notes.lock (each a release), newest first."""
    _repository(root)
    try:
        return _git(root, "log", "--format=%H", "--", deckstate.LOCK_FILE).split()
    except _GitFailed:
        return []  # a repository with no commit yet


def resolve_revision(root: Path, rev: str | None) -> str:
    """The commit REV names, or by default the last one that changed the lock."""
    _repository(root)
    if rev is None:
        commits = lock_commits(root)
        if not commits:
            raise GlossdeckError([Problem(root / deckstate.LOCK_FILE, None,
                                          "no commit has changed glossary/notes.lock yet, so there is no release to "
                                          "compare with", "name a revision (`glossdeck changes HEAD~3`), or commit "
                                          "glossary/notes.lock after `glossdeck build`")])
        return commits[0]
    if rev.startswith("-"):  # never an option to git
        raise GlossdeckError([Problem(None, None, f"unknown revision `{rev}`", "name a commit, branch or tag")])
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except _GitFailed:
        raise GlossdeckError([Problem(None, None, f"unknown revision `{rev}`",
                                      "name a commit, branch or tag (`git log --oneline -- glossary` lists them)")]) \
            from None


def _old_tree(root: Path, commit: str, folder: Path) -> Path:
    """The project's glossary/ and seeds/ as they were at `commit`, extracted into `folder`."""
    top, prefix = _repository(root)
    wanted = [prefix + name for name in ("glossary", pipeline.SEEDS_DIR)]
    present = [p for p in wanted if _exists(root, commit, p)]
    if prefix + "glossary" not in present:
        raise GlossdeckError([Problem(None, None, f"commit {commit[:12]} has no {prefix}glossary/ folder",
                                      "name a revision at which the glossary existed")])
    data = subprocess.run(["git", "-C", str(top), "archive", "--format=tar", commit, "--", *present],
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.12, and recent 3.10/3.11 releases
            archive.extractall(folder, filter="data")
        else:
            archive.extractall(folder)  # noqa: S202 (our own repository's archive)
    return folder / prefix


def _exists(root: Path, commit: str, path: str) -> bool:
    try:
        _git(root, "cat-file", "-e", f"{commit}:{path}")
    except _GitFailed:
        return False
    return True


def _load(root: Path) -> Glossary:
    """A glossary's terms, resolved where its quotes check; a past version need not pass today's checks."""
    try:
        return pipeline.check(root)[0]
    except GlossdeckError:
        return pipeline.load_glossary(root)[0]


def changes_since(root: Path, rev: str | None = None, current: Glossary | None = None) -> Report:
    """What changed in the terms between REV and the working tree."""
    commit = resolve_revision(root, rev)
    date = _git(root, "show", "-s", "--format=%cs", commit).strip()
    folder = Path(tempfile.mkdtemp(prefix="glossdeck-changes-"))
    try:
        old = _load(_old_tree(root, commit, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    new = current if current is not None else pipeline.check(root)[0]
    return compare(old, new, rev or commit[:12], commit, date)


def _same_as(root: Path, commit: str) -> bool:
    """Whether the glossary and seeds in the working tree are exactly those of `commit` (no new file either)."""
    paths = ["--", "glossary", pipeline.SEEDS_DIR]
    try:
        _git(root, "diff", "--quiet", commit, *paths)
        return not _git(root, "ls-files", "--others", "--exclude-standard", *paths).strip()
    except _GitFailed:
        return False


def identity(term: Term) -> str:
    """What a term is known by across renames: its first id."""
    return term.renamed_from[0] if term.renamed_from else term.id


def _compared(term: Term) -> dict[str, object]:
    quotes = [(c.source, c.quote, c.speaker) for c in term.citations]
    views = [(v.holder, v.summary, [(c.source, c.quote, c.speaker) for c in v.citations]) for v in term.views]
    return {"term": term.term, "gloss": term.gloss, "definition": term.definition, "quotes": quotes, "views": views}


def compare(old: Glossary, new: Glossary, since: str, commit: str = "", date: str = "") -> Report:
    report = Report(since, commit, date)
    before = {identity(t): t for t in old.terms}
    after = {identity(t): t for t in new.terms}
    for key, term in after.items():
        if key not in before:
            report.added.append(TermChange(term.id, term.term, term.gloss))
            continue
        was, now = _compared(before[key]), _compared(term)
        fields = tuple(name for name in COMPARED if was[name] != now[name])
        renamed = before[key].id if before[key].id != term.id else ""
        if fields or renamed:
            report.changed.append(TermChange(term.id, term.term, term.gloss, fields, renamed))
    for key, term in before.items():
        if key not in after:
            report.retired.append(TermChange(term.id, term.term, term.gloss))
    return report


def to_json(report: Report) -> str:
    data = {"since": report.since, "commit": report.commit, "date": report.date,
            **{kind: [asdict(c) for c in getattr(report, kind)] for kind in ("added", "changed", "retired")}}
    return json.dumps(data, indent=2, ensure_ascii=False)


def _what(change: TermChange) -> str:
    parts = list(change.fields) + ([f"renamed from `{change.renamed_from}`"] if change.renamed_from else [])
    return ", ".join(parts)


def to_markdown(report: Report) -> str:
    lines = [f"# Changes since {report.since}" + (f" ({report.date})" if report.date else ""), ""]
    if report.empty:
        return "\n".join(lines + ["No term was added, changed or retired.", ""])
    for kind, title in (("added", "Added"), ("changed", "Changed"), ("retired", "Retired")):
        items = getattr(report, kind)
        if not items:
            continue
        lines += [f"## {title} ({len(items)})", ""]
        for change in items:
            detail = {"added": change.gloss, "changed": _what(change), "retired": ""}[kind]
            lines.append(f"- **{change.term}**" + (f" — {detail}" if detail else ""))
        lines.append("")
    return "\n".join(lines)


def latest_release(root: Path, current: Glossary | None = None) -> Report | None:
    """What the latest release brought: changes since the last release, or, when the working tree is that
    release, since the one before. None outside git or before the first release."""
    try:
        commits = lock_commits(root)
        if not commits:
            return None
        if len(commits) > 1 and _same_as(root, commits[0]):  # building the release itself: what it brought
            report = changes_since(root, commits[1], current)
        else:
            report = changes_since(root, commits[0], current)
            if report.empty and len(commits) > 1:
                report = changes_since(root, commits[1], current)
    except (GlossdeckError, subprocess.CalledProcessError):
        return None
    return None if report.empty else report


def release_notes_html(root: Path, current: Glossary | None = None) -> str:
    """The latest release's notes as HTML for the deck's description; empty when there are none."""
    report = latest_release(root, current)
    if report is None:
        return ""
    items = []
    for kind, title in (("added", "New"), ("changed", "Changed"), ("retired", "Retired")):
        changes = getattr(report, kind)
        if changes:
            names = ", ".join(html.escape(c.term, quote=False) + (f" ({html.escape(_what(c), quote=False)})"
                                                                  if kind == "changed" else "") for c in changes)
            items.append(f"<li>{title}: {names}</li>")
    when = f" of {html.escape(report.date)}" if report.date else ""
    return (f'<div class="release"><b>In this update</b> (changes since the release{when}):'
            f'<ul>{"".join(items)}</ul></div>')
