"""Read-only access to a git repository through the git CLI: one log pass, tags, and batched blobs.

Nothing here writes to the repository: every command is a query, optional locks are off
(`GIT_OPTIONAL_LOCKS=0`) and blobs a partial clone does not have are never fetched.
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mlops_tui.sources.models.model import ModelsError


@dataclass(frozen=True)
class Commit:
    """One commit as the log shows it, with the tracked files it changed."""

    sha: str
    parents: tuple[str, ...]
    date: datetime
    author: str
    email: str
    subject: str
    changed: tuple[str, ...]
    oids: tuple[str, ...] = ()  # blob of each changed path after the commit; ZERO when deleted


@dataclass(frozen=True)
class TagRef:
    """An annotated or lightweight tag, peeled to the commit it names."""

    name: str
    annotated: bool
    commit: str
    date: datetime | None
    tagger: str
    email: str
    message: str
    commit_date: datetime | None


ZERO = "0" * 40


def plain_revision(rev: str) -> bool:
    """Whether rev may be handed to git as a revision: not empty, not an option (`--output=...`), no
    newline or other control character (git reads some lists line by line; a terminal would act on it)."""
    return bool(rev) and not rev.startswith("-") and not any(ord(c) < 0x20 or ord(c) == 0x7f for c in rev)


def _utc(stamp: str) -> datetime | None:
    stamp = stamp.strip()
    if not stamp:
        return None
    return datetime.fromtimestamp(int(stamp), tz=timezone.utc)


class GitRepo:
    """A git working tree or bare repository, queried with the git CLI."""

    def __init__(self, path: str | os.PathLike[str], timeout: float = 120.0) -> None:
        self.timeout = timeout
        self.env = {
            **os.environ,
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }
        for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            self.env.pop(var, None)
        start = Path(path).expanduser()
        try:
            start.stat()
        except FileNotFoundError:
            pass
        except OSError as exc:  # an unreadable parent folder (EACCES), a name too long, a symlink loop
            raise ModelsError(f"{start}: {exc.strerror or exc}", hint="set models.repo=PATH or pass --repo PATH") from None
        if not start.exists():
            raise ModelsError(f"{start} does not exist", hint="set models.repo=PATH or pass --repo PATH")
        if not start.is_dir():
            raise ModelsError(f"{start} is not a directory", hint="set models.repo=PATH or pass --repo PATH")
        self.cwd = start.resolve()
        try:
            out = self._run("rev-parse", "--absolute-git-dir", "--is-shallow-repository", check=True)
        except ModelsError as exc:
            raise ModelsError(
                f"{self.cwd} is not a git repository",
                hint="run in a git repository that uses DVC, or set models.repo=PATH / --repo PATH",
            ) from exc
        git_dir, _, shallow = out.partition("\n")
        top = self._run("rev-parse", "--show-toplevel").strip()  # empty in a bare repository
        self.root = Path(top) if top else Path(git_dir)
        self.cwd = self.root  # paths and pathspecs are relative to the top of the repository
        self.shallow = shallow.strip() == "true"
        promisors = self._run("config", "--get-regexp", r"^(remote\..*\.promisor|extensions\.partialclone)$")
        self.partial = any(line.split(" ", 1)[-1].strip().lower() not in ("", "false") for line in promisors.splitlines())
        self._tree_cache: dict[str, dict[str, str]] = {}
        self._present: set[str] | None = None
        self._batch: subprocess.Popen[bytes] | None = None
        self._batch_lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------------

    def _run(self, *args: str, check: bool = False, stdin: bytes | None = None) -> str:
        return self._run_bytes(*args, check=check, stdin=stdin).decode("utf-8", "replace")

    def _run_bytes(self, *args: str, check: bool = False, stdin: bytes | None = None) -> bytes:
        try:
            proc = subprocess.run(
                ["git", "-c", "core.quotepath=off", *args],
                cwd=self.cwd,
                env=self.env,
                input=stdin,
                capture_output=True,
                timeout=self.timeout,
            )
        except FileNotFoundError as exc:
            raise ModelsError("git is not installed", hint="install git") from exc
        except subprocess.TimeoutExpired as exc:
            raise ModelsError(f"git {args[0]} took longer than {self.timeout:.0f} s") from exc
        if check and proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ModelsError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
        return proc.stdout

    def head(self) -> str | None:
        out = self._run("rev-parse", "--verify", "-q", "HEAD^{commit}").strip()
        return out or None

    def resolve(self, rev: str) -> str | None:
        """The commit a revision names, or None when it names nothing."""
        if not plain_revision(rev):
            return None
        out = self._run("rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}").strip()
        return out or None

    # -- history --------------------------------------------------------------------------------

    def log(self, pathspecs: list[str], rev: str = "HEAD", max_count: int | None = None) -> list[Commit]:
        """First-parent commits up to rev touching pathspecs, oldest first, with the blobs each changed; at most
        max_count of them (the newest), so a caller bounding the objects it reads gets no more than it can hold."""
        out = self._run(
            "log", *([f"--max-count={max_count}"] if max_count is not None else []),
            "--first-parent", "--reverse", "-z", "--no-renames", "--raw", "--no-abbrev",
            "--format=%x1e%H%x00%P%x00%ct%x00%an%x00%ae%x00%s%x00", "--end-of-options", rev, "--", *pathspecs,
            check=True,
        )
        commits: list[Commit] = []
        for record in out.split("\x1e"):
            if not record.strip("\x00\n"):
                continue
            fields = record.split("\x00")
            sha, parents, stamp, author, email, subject = fields[:6]
            changed: list[str] = []
            oids: list[str] = []
            rest = [f for f in fields[6:]]
            k = 0
            while k < len(rest):
                meta = rest[k].strip("\n")
                if meta.startswith(":") and k + 1 < len(rest):
                    parts = meta.split()
                    changed.append(rest[k + 1])
                    oids.append(ZERO if parts[-1].startswith("D") else parts[3])
                    k += 2
                else:
                    k += 1
            date = _utc(stamp) or datetime.fromtimestamp(0, timezone.utc)
            commits.append(Commit(sha.strip("\n"), tuple(parents.split()), date, author, email, subject,
                                  tuple(changed), tuple(oids)))
        return commits

    def commit_info(self, shas: list[str]) -> dict[str, Commit]:
        """Author, date and subject of the given commits (one git call)."""
        if not shas:
            return {}
        out = self._run("log", "--no-walk=unsorted", "-z", "--format=%H%x00%P%x00%ct%x00%an%x00%ae%x00%s",
                        "--stdin", stdin="\n".join(shas).encode())
        infos: dict[str, Commit] = {}
        fields = out.split("\x00")
        for i in range(0, len(fields) - 5, 6):
            sha, parents, stamp, author, email, subject = (f.strip("\n") for f in fields[i:i + 6])
            date = _utc(stamp) or datetime.fromtimestamp(0, timezone.utc)
            infos[sha] = Commit(sha, tuple(parents.split()), date, author, email, subject, ())
        return infos

    def tags(self, count: int | None = None) -> list[TagRef]:
        """Every tag (at most `count`), sorted by name, peeled to its commit."""
        fmt = "%00".join([
            "%(refname:strip=2)", "%(objecttype)", "%(objectname)", "%(*objectname)", "%(*objecttype)",
            "%(taggerdate:unix)", "%(taggername)", "%(taggeremail)", "%(*committerdate:unix)",
            "%(committerdate:unix)", "%(contents)",
        ]) + "%00%1e"
        out = self._run("for-each-ref", "--sort=refname", *([f"--count={count}"] if count is not None else []),
                        f"--format={fmt}", "refs/tags", check=True)
        result: list[TagRef] = []
        for record in out.split("\x1e"):
            record = record.lstrip("\n")
            if not record:
                continue
            f = record.split("\x00")
            if len(f) < 11:
                continue
            name, otype, oid, peeled, ptype, tdate, tagger, email, pdate, cdate, message = f[:11]
            if otype == "tag":
                if ptype != "commit":
                    continue
                result.append(TagRef(name, True, peeled, _utc(tdate), tagger, email.strip("<>"), message.strip(),
                                     _utc(pdate)))
            elif otype == "commit":
                result.append(TagRef(name, False, oid, None, "", "", "", _utc(cdate)))
        return result

    def ls_tree(self, commit: str) -> dict[str, str]:
        """Every file path in the commit's tree, with its blob id."""
        if commit not in self._tree_cache:
            out = self._run("ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit, check=True)
            tree: dict[str, str] = {}
            for entry in out.split("\x00"):
                meta, _, path = entry.partition("\t")
                parts = meta.split()
                if len(parts) == 3 and parts[1] == "blob":
                    tree[path] = parts[2]
            self._tree_cache[commit] = tree
        return self._tree_cache[commit]

    def present(self) -> set[str] | None:
        """In a partial clone, the objects that are local (so nothing else is asked for); None otherwise."""
        if not self.partial:
            return None
        if self._present is None:
            out = self._run("cat-file", "--batch-all-objects", "--batch-check=%(objectname)", "--unordered")
            self._present = set(out.split())
        return self._present

    # -- blobs ----------------------------------------------------------------------------------

    def blobs(self, oids: list[str]) -> dict[str, bytes | None]:
        """Contents of blobs by id through `git cat-file --batch`; None where missing.

        In a partial clone only local blobs are asked for, so no lazy fetch reaches the remote."""
        result: dict[str, bytes | None] = {}
        present = self.present()
        unique = [o for o in dict.fromkeys(oids) if o != ZERO and (present is None or o in present)]
        result.update({o: None for o in oids if o not in unique})
        if not unique:
            return result
        with self._batch_lock:
            proc = self._batch_process()
            writer = threading.Thread(target=self._feed, args=(proc, "".join(f"{o}\n" for o in unique).encode()),
                                      daemon=True)
            writer.start()
            stream = proc.stdout
            assert stream is not None
            try:
                for oid in unique:
                    header = stream.readline()
                    if not header:
                        raise ModelsError("git cat-file stopped answering")
                    parts = header.split()
                    if len(parts) == 3 and parts[1] == b"blob":
                        result[oid] = stream.read(int(parts[2]))
                        stream.read(1)
                    elif len(parts) == 3:
                        stream.read(int(parts[2]) + 1)
                        result[oid] = None
                    else:
                        result[oid] = None
            except (OSError, ValueError, ModelsError):
                self.close()
                raise
            finally:
                writer.join(timeout=self.timeout)
        return result

    def _batch_process(self) -> subprocess.Popen[bytes]:
        if self._batch is None or self._batch.poll() is not None:
            self._batch = subprocess.Popen(
                ["git", "cat-file", "--batch"], cwd=self.cwd, env=self.env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        return self._batch

    def close(self) -> None:
        """Stop the `git cat-file` process, if one runs."""
        proc, self._batch = self._batch, None
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                if stream:
                    try:
                        stream.close()
                    except OSError:
                        pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing left to report to
            pass

    @staticmethod
    def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
        try:
            assert proc.stdin is not None
            proc.stdin.write(data)
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def files(self, commit: str, paths: list[str]) -> dict[str, bytes | None]:
        """Contents of paths at a commit (None for a path absent there or not local)."""
        tree = self.ls_tree(commit)
        oids = {p: tree[p] for p in paths if p in tree}
        blobs = self.blobs(list(oids.values()))
        return {p: blobs.get(oids[p]) if p in oids else None for p in paths}

    def blob(self, commit: str, path: str) -> bytes | None:
        return self.files(commit, [path])[path]
