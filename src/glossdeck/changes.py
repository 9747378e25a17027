"""`glossdeck changes`: the terms added, changed and retired since a git revision, as release notes."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from glossdeck import deckstate
from glossdeck.errors import GlossdeckError, Problem
from glossdeck.layout import GLOSSARY_DIR, SEEDS_DIR
from glossdeck.model import Changes, Glossary, Term, TermChange

COMPARED = ("term", "gloss", "definition", "quotes", "views")  # what a student sees change on a card

# Loads the glossary in a project folder (a past version need not pass today's checks). Loading is the
# pipeline's business: it hands its loader in (pipeline.changes_since, pipeline.release_notes).
Loader = Callable[[Path], Glossary]


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
    wanted = [prefix + name for name in (GLOSSARY_DIR, SEEDS_DIR)]
    present = [p for p in wanted if _exists(root, commit, p)]
    if prefix + GLOSSARY_DIR not in present:
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


def changes_since(root: Path, rev: str | None, current: Glossary, load: Loader) -> Changes:
    """What changed in the terms between REV (default: the latest release) and `current`, the working tree's."""
    commit = resolve_revision(root, rev)
    date = _git(root, "show", "-s", "--format=%cs", commit).strip()
    folder = Path(tempfile.mkdtemp(prefix="glossdeck-changes-"))
    try:
        old = load(_old_tree(root, commit, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return compare(old, current, rev or commit[:12], commit, date)


def _same_as(root: Path, commit: str) -> bool:
    """Whether the glossary and seeds in the working tree are exactly those of `commit` (no new file either)."""
    paths = ["--", GLOSSARY_DIR, SEEDS_DIR]
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


def compare(old: Glossary, new: Glossary, since: str, commit: str = "", date: str = "") -> Changes:
    before = {identity(t): t for t in old.terms}
    after = {identity(t): t for t in new.terms}
    added, changed = [], []
    for key, term in after.items():
        if key not in before:
            added.append(TermChange(term.id, term.term, term.gloss))
            continue
        was, now = _compared(before[key]), _compared(term)
        fields = tuple(name for name in COMPARED if was[name] != now[name])
        renamed = before[key].id if before[key].id != term.id else ""
        if fields or renamed:
            changed.append(TermChange(term.id, term.term, term.gloss, fields, renamed))
    retired = [TermChange(t.id, t.term, t.gloss) for key, t in before.items() if key not in after]
    return Changes(since, commit, date, tuple(added), tuple(changed), tuple(retired))


def to_json(report: Changes) -> str:
    data = {"since": report.since, "commit": report.commit, "date": report.date,
            **{kind: [asdict(c) for c in getattr(report, kind)] for kind in ("added", "changed", "retired")}}
    return json.dumps(data, indent=2, ensure_ascii=False)


def to_markdown(report: Changes) -> str:
    lines = [f"# Changes since {report.since}" + (f" ({report.date})" if report.date else ""), ""]
    if report.empty:
        return "\n".join(lines + ["No term was added, changed or retired.", ""])
    for kind, title in (("added", "Added"), ("changed", "Changed"), ("retired", "Retired")):
        items = getattr(report, kind)
        if not items:
            continue
        lines += [f"## {title} ({len(items)})", ""]
        for change in items:
            detail = {"added": change.gloss, "changed": change.what, "retired": ""}[kind]
            lines.append(f"- **{change.term}**" + (f" — {detail}" if detail else ""))
        lines.append("")
    return "\n".join(lines)


def latest_release(root: Path, current: Glossary, load: Loader) -> Changes | None:
    """What the latest release brought: changes since the last release, or, when the working tree is that
    release, since the one before. None outside git or before the first release."""
    try:
        commits = lock_commits(root)
        if not commits:
            return None
        if len(commits) > 1 and _same_as(root, commits[0]):  # building the release itself: what it brought
            report = changes_since(root, commits[1], current, load)
        else:
            report = changes_since(root, commits[0], current, load)
            if report.empty and len(commits) > 1:
                report = changes_since(root, commits[1], current, load)
    except (GlossdeckError, subprocess.CalledProcessError):
        return None
    return None if report.empty else report
