"""`glossdeck changes`: the terms added, changed and retired since a git revision, as release notes."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from glossdeck import deckstate
from glossdeck.errors import GlossdeckError, Problem, Problems
from glossdeck.layout import GLOSSARY_DIR, SEEDS_DIR
from glossdeck.model import Changes, Glossary, Term, TermChange

COMPARED = ("term", "gloss", "definition", "quotes", "views")  # what a student sees change on a card

# Loads the glossary in a project folder (a past version need not pass today's checks). Loading is the
# pipeline's business: it hands its loader in (pipeline.changes_since, pipeline.release_notes).
Loader = Callable[[Path], Glossary]


def _git(root: Path, *args: str, data: bytes | None = None) -> str:
    return _git_bytes(root, *args, data=data).decode("utf-8", "surrogateescape")


def _git_bytes(root: Path, *args: str, data: bytes | None = None) -> bytes:
    """Run git in `root` as the user's own git would run there; _GitFailed carries what git said."""
    try:
        done = subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, env=_environment())
    except FileNotFoundError:
        raise GlossdeckError([Problem(None, None, "git is not installed", "install git to compare revisions")]) \
            from None
    except OSError as error:
        raise GlossdeckError([Problem(None, None, f"cannot run git: {error.strerror}", "check that git works here")]) \
            from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


def _environment() -> dict[str, str]:
    """The environment, with git's own variables meaning what they mean where glossdeck was started.

    git runs in the project's folder; a relative GIT_DIR (a hook sets GIT_DIR=.git) or GIT_WORK_TREE would be read
    from there instead, and GIT_DIR without GIT_WORK_TREE makes git take its current folder for the top of the work
    tree. So relative paths are made absolute, and GIT_WORK_TREE is the folder glossdeck was started in, as it is
    for the user's own git there.
    """
    env = dict(os.environ)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        if env.get(name):
            env[name] = os.path.abspath(env[name])
    if env.get("GIT_DIR") and not env.get("GIT_WORK_TREE"):
        env["GIT_WORK_TREE"] = os.getcwd()
    return env


class _GitFailed(Exception):
    pass


class NotInGit(GlossdeckError):
    """The project is in no git repository (nor is git installed there): no history, and nothing wrong with that."""


def _repository(root: Path) -> tuple[Path, str]:
    """The repository's top folder and the project's path inside it ('' at the top); what git said if it refuses."""
    try:
        top, prefix = (_git(root, "rev-parse", "--show-toplevel", "--show-prefix").split("\n") + ["", ""])[:2]
    except _GitFailed as failed:
        said = str(failed)
        if "not a git repository" in said.lower():
            words = said.splitlines()[0].removeprefix("fatal: ")
            raise NotInGit([Problem(root, None, f"is not in a git repository (git: {words}), so there is no "
                                    "earlier version to compare with", "run `git init` and commit the glossary, or "
                                    "name a project that is in one (--project DIR)")]) from None
        raise GlossdeckError([_refusal(root, said)]) from None
    except GlossdeckError as error:
        if not any((folder / ".git").exists() for folder in (root.resolve(), *root.resolve().parents)):
            raise NotInGit(error.problems) from None  # no git, and no repository either
        raise
    return Path(top), prefix


def _refusal(root: Path, said: str) -> Problem:
    """What git said when it refused the repository (dubious ownership, a broken GIT_DIR …), as it said it."""
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    first = lines[0].removeprefix("fatal: ").removeprefix("error: ") if lines else "git failed"
    rest = " ".join(lines[1:])
    return Problem(root, None, f"git refuses this repository: {first}",
                   f"git says: {rest}" if rest else "run `git status` here to see what git needs")


def _shallow_boundaries(root: Path) -> set[str]:
    """The commits where a shallow clone's history is cut off (empty for a full clone): git knows nothing before
    them, and shows each as if it added every file it holds."""
    if _git(root, "rev-parse", "--is-shallow-repository").strip() != "true":
        return set()
    path = Path(_git(root, "rev-parse", "--git-path", "shallow").strip())
    try:
        return set((root / path).read_text(encoding="ascii").split())
    except OSError:
        return {"(unknown)"}


SHALLOW_HINT = "fetch the whole history (`git fetch --unshallow`; in CI, check out with full history, e.g. " \
    "fetch-depth: 0), or name the revision to compare with"


def releases(root: Path) -> tuple[list[str], bool]:
    """The commits that changed glossary/notes.lock (each a release), newest first, and whether the history is cut
    off (a shallow clone): then releases older than those listed may be missing, and a commit where the history is
    cut is left out, since git cannot tell whether it changed the lock or only seems to."""
    _repository(root)
    if not _has_commits(root):
        return [], False
    cut = _shallow_boundaries(root)
    commits = _git(root, "log", "--format=%H", "--", deckstate.LOCK_FILE).split()
    return [c for c in commits if c not in cut], bool(cut)


def _has_commits(root: Path) -> bool:
    """False on an unborn branch (a new repository, or `git checkout --orphan`): HEAD names no commit yet."""
    try:
        _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except _GitFailed:
        return False
    return True


def lock_commits(root: Path) -> list[str]:
    """The commits that changed glossary/notes.lock (each a release), newest first."""
    return releases(root)[0]


def resolve_revision(root: Path, rev: str | None) -> str:
    """The commit REV names, or by default the last one that changed the lock."""
    _repository(root)
    if rev is None:
        commits, cut = releases(root)
        if not commits and cut:
            raise GlossdeckError([Problem(root, None, "this clone is shallow, and the part of the history it holds "
                                          "has no release (no commit that changed glossary/notes.lock): the last "
                                          "release is in the history it left out", SHALLOW_HINT)])
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
        hint = "name a commit, branch or tag (`git log --oneline -- glossary` lists them)"
        if not _has_commits(root):
            hint = "the repository has no commit yet: commit the glossary first"
        elif _shallow_boundaries(root):
            hint = "this clone is shallow: the revision may be in the history it left out; " + SHALLOW_HINT
        raise GlossdeckError([Problem(None, None, f"unknown revision `{rev}`", hint)]) from None


def _old_tree(root: Path, commit: str, folder: Path) -> Path:
    """The project's glossary/ as it was at `commit` (all the loader reads), written into `folder`.

    Read from git's objects, never unpacked from an archive: a symbolic link is followed as a checkout would
    follow it (to the file it names at `commit` inside the repository, or, outside it, to the file there now),
    never recreated, so no link, absolute or not, can make it fail or lead out of `folder`.
    """
    top, prefix = _repository(root)
    if not _exists(root, commit, prefix + GLOSSARY_DIR):
        raise GlossdeckError([Problem(None, None, f"commit {commit[:12]} has no {prefix}glossary/ folder",
                                      "name a revision at which the glossary existed")])
    listing = _git_bytes(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix + GLOSSARY_DIR)
    paths = [entry.split(b"\t", 1)[1].decode("utf-8", "surrogateescape") for entry in listing.split(b"\0")
             if b"\t" in entry and not entry.startswith(b"160000")]  # submodules hold no file
    paths = [p for p in paths if "\n" not in p]  # git's batch reads one path per line; no term file has a line end
    requests = "".join(f"{commit}:{path}\n" for path in paths).encode("utf-8", "surrogateescape")
    answers = _git_bytes(root, "cat-file", "--batch", "--follow-symlinks", data=requests)
    for path, content in zip(paths, _batch_contents(answers, top, path_of=paths)):
        if content is None:
            continue
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder / prefix


def _batch_contents(answers: bytes, top: Path, path_of: list[str]) -> list[bytes | None]:
    """Each answer of `git cat-file --batch --follow-symlinks`: a file's bytes, or None where a checkout would have
    no file (a dangling link, a loop, a missing object)."""
    contents: list[bytes | None] = []
    at = 0
    for path in path_of:
        end = answers.index(b"\n", at)
        header = answers[at:end].split(b" ")
        at = end + 1
        if header[-1] in (b"missing", b"ambiguous"):
            contents.append(None)
            continue
        size = int(header[-1] if header[0] in (b"symlink", b"dangling", b"loop") else header[2])
        body, at = answers[at:at + size], at + size + 1
        if header[0] == b"symlink":  # it leads out of the repository: to whatever a checkout finds there now
            contents.append(_outside(top, path, os.fsdecode(body)))
        elif header[0] in (b"dangling", b"loop") or header[1] != b"blob":
            contents.append(None)
        else:
            contents.append(body)
    return contents


def _outside(top: Path, path: str, target: str) -> bytes | None:
    place = Path(target) if os.path.isabs(target) else top / target
    try:
        return place.read_bytes() if place.is_file() else None
    except OSError:
        return None


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
        old_root = _old_tree(root, commit, folder)
        old = load(old_root)
        state, _ = deckstate.load(old_root)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    newest = max((entry.mtime for entry in state.entries.values()), default=None)
    return dataclasses.replace(compare(old, current, rev or commit[:12], commit, date),
                               previous_release=old.settings.release,
                               previous_date="" if newest is None else deckstate.day_of(newest))


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


def latest_release(root: Path, current: Glossary, load: Loader, problems: Problems | None = None) -> Changes | None:
    """What the latest release brought: changes since the last release, or, when the working tree is that
    release, since the one before. None outside git or before the first release; None too where the history
    cannot tell (a shallow clone cut before the release needed, a repository git refuses), with a warning in
    `problems` saying why, so that the deck never carries notes that differ silently from a full clone's."""
    problems = problems if problems is not None else Problems()
    try:
        commits, cut = releases(root)
        if not commits:
            return _cut_off(root, problems) if cut else None
        if _same_as(root, commits[0]):  # building the release itself: what it brought, since the one before
            if len(commits) < 2 and cut:
                return _cut_off(root, problems)
            report = changes_since(root, commits[1] if len(commits) > 1 else commits[0], current, load)
        else:
            report = changes_since(root, commits[0], current, load)
            if report.empty and len(commits) < 2 and cut:
                return _cut_off(root, problems)
            if report.empty and len(commits) > 1:
                report = changes_since(root, commits[1], current, load)
    except NotInGit:
        return None
    except GlossdeckError as error:
        for problem in error.problems:
            problems.warn(problem.path, problem.line, "the deck's release notes are left out: " + problem.message,
                          problem.hint)
        return None
    except _GitFailed as failed:
        problems.warn(root, None, f"the deck's release notes are left out: git failed: {failed}",
                      "run `git status` here to see what git needs")
        return None
    return None if report.empty else report


def _cut_off(root: Path, problems: Problems) -> Changes | None:
    """No notes, and a warning saying why: the history needed is not in this clone."""
    problems.warn(root, None, "the deck's release notes are left out: this clone is shallow, and the release they "
                  "would compare with is in the history it left out (a full clone's deck would list them)",
                  SHALLOW_HINT)
    return None
