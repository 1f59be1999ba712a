"""The command line: a thin layer over assistant.service.Assistant, built from the same settings
as the desktop app (assistant/runtime.py), so both answer with the same model unless --model or
--server says otherwise. It never imports the UI: `clausewise` with no arguments opens the app
through ui/launch.py, and so does `clausewise-app`.

    clausewise                                   open the desktop app (ui/launch.py)
    clausewise [--index DIR] ingest PATH...      index files and folders
    clausewise [--index DIR] docs                list indexed documents
    clausewise [--index DIR] remove DOC          remove a document (file name or id prefix)
    clausewise [--index DIR] search "question" [-k N] [--doc NAME] [--type pdf]
    clausewise [--index DIR] ask "question" [--doc NAME] [--model KEY|PATH] [--server URL]
    clausewise [--index DIR] review --checklist NAME [--docs DOC...] --out FILE.xlsx|.csv|.md
    clausewise checklists                        the checklists a review can use
    clausewise models [prepare KEY]              the packaged models; prepare joins and verifies one
    clausewise eval retrieval --corpus DIR --questions FILE --out RUN.jsonl [-k 10]
    clausewise eval answers --corpus DIR [DIR ...] --questions FILE --out ANSWERS.jsonl [--model KEY|PATH]
    clausewise eval review --corpus DIR --labels FILE --out CELLS.jsonl [--checklist NAME]
    clausewise eval split --set DIR --corpus DIR --out DIR   split a labelled set by contract (tune / validation)
    clausewise demo                              index the bundled sample contracts and search them
    clausewise --version                         the installed version
    clausewise [--index DIR] doctor              check the installation, models and indexes; exit 1 on a problem
    clausewise [--index DIR] init [--encrypted]  create a collection, encrypted under a passphrase
    clausewise [--index DIR] passphrase          change an encrypted collection's passphrase
    clausewise [--index DIR] audit [--verify] [--csv FILE]   the collection's audit log

An encrypted collection's passphrase comes from CLAUSEWISE_PASSPHRASE, else the terminal asks,
else a line on standard input (CLAUSEWISE_NEW_PASSPHRASE, or the next line, for `passphrase`).
A missing or wrong passphrase exits 2.

The index folder is --index, else CLAUSEWISE_HOME, else the default (see assistant.paths).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import Collection

from assistant.conversation import citation_line, passage_line
from assistant.errors import ClausewiseError, PassphraseProblem
from assistant.types import IngestProgress, IngestReport, IngestStatus, SearchFilters
from assistant.text import normalise_space

SAMPLES = Path(__file__).resolve().parent / "samples"


def installed_version() -> str:
    """The version pip installed (an offline install, an editable checkout); none in a bare tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clausewise")
    except PackageNotFoundError:
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clausewise", description="Private assistant for contracts and compliance documents.")
    parser.add_argument("--index", metavar="DIR", help="index folder (default: $CLAUSEWISE_HOME or the data directory)")
    parser.add_argument("--version", action="version", version=f"clausewise {installed_version()}")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("ingest", help="index files and folders (PDF, DOCX, TXT, Markdown)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--full", action="store_true",
                   help="also give the new documents their full-quality (MiniLM) vectors now, as 'upgrade' does")
    sub.add_parser("upgrade", help="give documents indexed with fast vectors their full-quality (MiniLM) vectors")
    sub.add_parser("docs", help="list indexed documents")
    p = sub.add_parser("remove", help="remove a document and all its passages")
    p.add_argument("document", metavar="DOC", help="file name or id prefix, as shown by 'docs'")
    p = sub.add_parser("search", help="print the passages that best match a question")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    p.add_argument("--doc", action="append", default=[], help="only this document (repeatable)")
    p.add_argument("--type", action="append", default=[], dest="types", help="only this type: pdf, docx, txt, md")
    p = sub.add_parser("ask", help="answer a question from the indexed documents, with citations")
    p.add_argument("question")
    p.add_argument("--doc", action="append", default=[], help="only this document (repeatable)")
    p.add_argument("--type", action="append", default=[], dest="types", help="only this type: pdf, docx, txt, md")
    _model_options(p)
    p = sub.add_parser("review", help="ask a checklist of every document; write a table with the evidence")
    p.add_argument("--checklist", required=True, help="checklist name (see 'clausewise checklists') or a .toml file")
    p.add_argument("--docs", nargs="+", metavar="DOC", help="only these documents (file names or id prefixes)")
    p.add_argument("--out", required=True, type=Path, help="the table: .xlsx, .csv or .md")
    _model_options(p)
    sub.add_parser("checklists", help="list the checklists a review can use")
    p = sub.add_parser("models", help="list the packaged models, or prepare one")
    p.add_argument("action", nargs="?", choices=["list", "prepare"], default="list")
    p.add_argument("key", nargs="?", help="catalogue key (for prepare; default: the default model)")
    sub.add_parser("doctor", help="check versions, models, memory, the data folder and every index; exit 1 on a problem")
    p = sub.add_parser("init", help="create an empty collection in --index DIR (or the default one)")
    p.add_argument("--encrypted", action="store_true", help="encrypt it under a passphrase (CLAUSEWISE_PASSPHRASE, or asked)")
    sub.add_parser("passphrase", help="change an encrypted collection's passphrase (no re-indexing)")
    p = sub.add_parser("audit", help="print the collection's audit log: every ingest, removal, question, review and export")
    p.add_argument("--verify", action="store_true", help="check the hash chain: exit 0 if intact, else name the first bad entry and exit 1")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the log to a CSV file")
    p = sub.add_parser("demo", help="index the bundled sample contracts, search them and answer a question")
    _model_options(p)

    ev = sub.add_parser("eval", help="score retrieval on an evaluation set")
    ev_sub = ev.add_subparsers(dest="eval_command", required=True)
    p = ev_sub.add_parser("retrieval", help="build a fresh index of a corpus and score retrieval")
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--questions", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--fast-vectors", action="store_true",
                   help="score the fast vectors alone, as a collection is searched before its upgrade")
    p.add_argument("--upgraded", action="store_true",
                   help="index with fast vectors, then upgrade them, as a collection in the app ends up")
    p = ev_sub.add_parser("answers", help="build a fresh index of a corpus, answer every question, score the answers")
    p.add_argument("--corpus", required=True, type=Path, nargs="+",
                   help="one or more folders, indexed together (the natural questions need two)")
    p.add_argument("--questions", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--reuse-index", type=Path, metavar="DIR",
                   help="keep the corpus index in DIR and reuse it on later runs (default: a fresh temporary index)")
    p.add_argument("--coverage-threshold", type=float, help="abstention threshold on subject coverage (tuning)")
    p.add_argument("--model-cache", type=Path, metavar="FILE",
                   help="replay the model's replies to prompts seen before from FILE (and add new ones); see "
                        "assistant/evaluation/model_cache.py")
    p.add_argument("--replay-timing", action="store_true",
                   help="with --model-cache: wait as long as the model took to its first piece, so the time to first "
                        "token is the one measured (else replayed answers report it without the model's share)")
    _model_options(p)
    p = ev_sub.add_parser("review", help="review labelled documents with a checklist and score it against the labels")
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--labels", required=True, type=Path, help="clause-presence labels (clause_presence.jsonl format)")
    p.add_argument("--out", required=True, type=Path, help="one JSON line per document and item")
    p.add_argument("--checklist", action="append",
                   help="review with this checklist's labelled items (repeatable; default: every checklist, "
                        "each labelled clause by the first item that names it)")
    p.add_argument("--reuse-index", type=Path, metavar="DIR",
                   help="keep the index (and the review cache) in DIR and reuse them on later runs")
    p.add_argument("--no-model", action="store_true",
                   help="decide by the signals and learned detectors alone, without asking the model (fast, for tuning)")
    p.add_argument("--no-detectors", action="store_true",
                   help="leave the learned detectors out: the signals alone decide (for comparison)")
    _model_options(p)
    p = ev_sub.add_parser("train-detectors", help="train the learned clause detectors on clause-presence labels")
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--labels", required=True, type=Path, help="clause-presence labels (clause_presence.jsonl format)")
    p.add_argument("--out", required=True, type=Path, help="the detectors file to write (the shipped one: "
                                                          "assistant/clauses/detectors/detectors.json)")
    p.add_argument("--reuse-index", type=Path, metavar="DIR", help="keep the corpus index in DIR and reuse it")
    p = ev_sub.add_parser("split", help="split a labelled contract set by contract into tune/ and validation/ parts")
    p.add_argument("--set", required=True, type=Path, dest="eval_set",
                   help="folder with contracts.jsonl, questions.jsonl and clause_presence.jsonl (e.g. shared/eval/cuad100)")
    p.add_argument("--corpus", required=True, type=Path, help="the folder holding the set's contracts")
    p.add_argument("--out", required=True, type=Path)
    return parser


def _model_options(p) -> None:
    p.add_argument("--model", help="catalogue key (see 'clausewise models') or path to a .gguf file "
                                   "(default: the one in the settings)")
    p.add_argument("--server", metavar="URL", help="an OpenAI-compatible server (llama.cpp, vLLM) instead of a local model")
    p.add_argument("--passages", type=int, help="passages the model reads (default: the settings', 3 unless changed)")
    p.add_argument("--threads", type=int, help="CPU threads for the local model (default: the settings', every core)")


def main(argv: list[str] | None = None) -> int:
    # Offline for everything this process and its children load, set once here rather than as a
    # side effect of a model load (the embedder itself also loads with `local_files_only`).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `clausewise` alone opens the app before it gets here (ui/launch.py)
        parser.print_help()
        print("\nThe desktop app is clausewise-app (or clausewise with no arguments).")
        return 0
    command = args.command
    try:
        return COMMANDS[command](args)
    except PassphraseProblem as exc:
        print(f"clausewise: {exc.message}", file=sys.stderr)
        return 2
    except ClausewiseError as exc:
        print(f"clausewise: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("clausewise: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `clausewise search … | head`: the reader has all it wanted
        sys.stderr.close()
        return 0


def command_settings(args):
    """The saved settings (the app's), with this command's options on top: --model picks a local
    model (the settings' server is not asked), --server another server."""
    from dataclasses import replace

    from assistant.errors import InvalidSetting
    from assistant.settings import Settings, load_settings

    try:
        settings = load_settings()
    except InvalidSetting as exc:  # as the app does: say so, and go on with the defaults
        print(f"clausewise: {exc.message} Using the default settings.", file=sys.stderr)
        settings = Settings()
    generation, answering = settings.generation, settings.answering
    if getattr(args, "model", None):
        generation = replace(generation, model=args.model, server_url="")
    if getattr(args, "server", None) and args.server != generation.server_url:
        # The settings' key and model name belong to the settings' server: never send them elsewhere.
        generation = replace(generation, server_url=args.server, server_model="", api_key="")
    if getattr(args, "passages", None):
        answering = replace(answering, passages=args.passages)
    if getattr(args, "threads", None):
        generation = replace(generation, threads=args.threads)
    if getattr(args, "coverage_threshold", None) is not None:
        answering = replace(answering, coverage_threshold=args.coverage_threshold)
    return replace(settings, generation=generation, answering=answering)


def _assistant(args, index_dir: Path | None = None):
    from assistant.runtime import cli_runtime

    index = index_dir or (Path(args.index) if args.index else None)
    return cli_runtime(command_settings(args), passphrase=terminal_passphrase).assistant(index)


def terminal_passphrase(folder: Path, env: str = "CLAUSEWISE_PASSPHRASE", confirm: bool = False) -> str | None:
    """The environment's passphrase, else one typed at the terminal (twice when `confirm`), else a
    line piped on standard input (`printf '%s\\n' "$PASS" | clausewise …`); None with none of them,
    so the command refuses plainly instead of waiting for input that never comes."""
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        return _piped_line()
    first = getpass.getpass(f"Passphrase for the collection at {folder}: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        from assistant.errors import WeakPassphrase

        raise WeakPassphrase("The two passphrases differ; nothing was created or changed.")
    return first


class ProgressBar:
    """A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal
    except for one line per finished file, so logs stay readable."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.began = time.monotonic()

    def __call__(self, progress: IngestProgress, report: IngestReport | None):
        if not self.tty:
            if report is not None:
                print(f"[{progress.done}/{progress.total}] {report.status.value}: {Path(report.path).name}", file=self.stream)
            return
        width = 30
        # By the files' sizes where the pipeline says (one long PDF is most of a batch's time),
        # else by the count of files.
        share = progress.share or progress.done / max(progress.total, 1)
        filled = int(width * share)
        elapsed = time.monotonic() - self.began
        eta = elapsed * (1 - share) / share if share > 0 else 0
        if progress.ocr:  # seconds a page: say so, so a slow bar is understood
            doing = f"{progress.current[:24]} OCR page {progress.page} of {progress.pages}"
        elif progress.pages:
            doing = f"{progress.current[:30]} p. {progress.page}/{progress.pages}"
        else:
            doing = progress.current[:40]
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.done}/{progress.total}  ~{eta:4.0f}s left  {doing:<40}"
        self.stream.write(line)
        if progress.done == progress.total:
            self.stream.write("\n")
        self.stream.flush()


def say(message: str) -> None:
    print(f"clausewise: {message}", file=sys.stderr, flush=True)


def report_table(reports: list[IngestReport]) -> str:
    rows = [("status", "file", "pages", "chunks", "note")]
    for r in reports:
        rows.append((r.status.value, Path(r.path).name, str(r.pages or ""), str(r.chunks or ""), r.reason))
    widths = [min(max(len(row[i]) for row in rows), 60 if i == 1 else 200) for i in range(5)]
    lines = ["  ".join(cell[: widths[i]].ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    counts = {s: sum(1 for r in reports if r.status == s) for s in IngestStatus}
    lines.append(
        f"{counts[IngestStatus.OK]} indexed, {counts[IngestStatus.SKIPPED]} unchanged, "
        f"{counts[IngestStatus.FAILED]} failed" + (f", {counts[IngestStatus.CANCELLED]} cancelled" if counts[IngestStatus.CANCELLED] else "")
    )
    return "\n".join(lines)


def cmd_ingest(args) -> int:
    assistant = _assistant(args)
    missing = [p for p in args.paths if not Path(p).exists()]
    reports = assistant.ingest(args.paths, progress=ProgressBar(), notify=say)
    print(report_table(reports))
    for p in missing:
        print(f"note: {p} does not exist", file=sys.stderr)
    if args.full:
        run_upgrade(assistant)
    else:
        note_pending(assistant)
    return 1 if any(r.status == IngestStatus.FAILED for r in reports) else 0


def note_pending(assistant) -> None:
    """Say when documents are searched by their fast vectors, and how to upgrade them."""
    pending = len(assistant.pending_upgrade())
    if pending:
        say(f"{pending} document{'s are' if pending > 1 else ' is'} searchable with fast vectors; "
            "`clausewise upgrade` (or the open app, in the background) gives them full-quality ones.")


def run_upgrade(assistant) -> None:
    from assistant.ingest.upgrade import UpgradeProgress

    bar = ProgressBar()

    def progress(p: UpgradeProgress):
        bar(IngestProgress(done=p.done, total=p.total, current=p.current or "done", path=""), None)

    result = assistant.upgrade(progress=progress if bar.tty else None, notify=say)
    print(f"{result.upgraded} document{'s' if result.upgraded != 1 else ''} upgraded to full-quality vectors "
          f"({result.windows} windows, {result.seconds:.1f} s)" + (f"; {result.remaining} still to do" if result.remaining else ""))


def cmd_upgrade(args) -> int:
    run_upgrade(_assistant(args))
    return 0


def cmd_docs(args) -> int:
    from assistant.ingest.ocr import describe as describe_ocr

    assistant = _assistant(args)
    docs = assistant.documents()
    if not docs:
        print("No documents indexed yet. Add some with: clausewise ingest PATH")
        return 0
    # Text addressed to AI systems in a document is never used, and is a finding in itself: the
    # "AI" column counts its passages ("-" for none), and a note under the table names them.
    flagged = assistant.flagged_documents()
    ocr_reports = assistant.ocr_reports()
    print(f"{'id':12}  {'type':4}  {'pages':>5}  {'chunks':>6}  {'AI':>3}  name")
    for d in docs:
        print(f"{d.source_id[:12]}  {d.doc_type:4}  {d.pages:>5}  {d.chunks:>6}  {flagged.get(d.source_id, '-'):>3}  {d.name}")
    print(f"{len(docs)} documents, {sum(d.chunks for d in docs)} passages")
    for d in docs:  # what OCR read, and how well: as the app's library row says it
        if d.source_id in ocr_reports:
            print(f"  {d.name}: {describe_ocr(ocr_reports[d.source_id])}")
    for d in docs:
        if d.source_id in flagged:
            count = flagged[d.source_id]
            print(f"! {d.name} contains text addressed to AI systems ({count} passage{'s' if count > 1 else ''}), "
                  "which answers and reviews do not use.")
    note_pending(assistant)
    return 0


def cmd_remove(args) -> int:
    removed = _assistant(args).remove(args.document)
    for doc in removed:
        print(f"removed {doc.name} ({doc.chunks} passages)")
    return 0


def print_hits(hits) -> None:
    if not hits:
        print("No matching passages.")
    for rank, hit in enumerate(hits, start=1):
        heading = f" — {hit.chunk.heading}" if hit.chunk.heading else ""
        print(f"[{rank}] {hit.doc_name}, p. {hit.page}{heading}  (score {hit.score:.4f})")
        body = normalise_space(hit.text)
        print(textwrap.indent(textwrap.fill(body[:600] + ("…" if len(body) > 600 else ""), 100), "    "))


def cmd_search(args) -> int:
    filters = SearchFilters(documents=tuple(args.doc), doc_types=tuple(args.types)) if (args.doc or args.types) else None
    assistant = _assistant(args)
    print_hits(assistant.search(args.question, k=args.k, filters=filters))
    note_pending(assistant)
    return 0


def print_answer(answer, streamed: str, low_pages: Collection[tuple[str, int]] = ()) -> None:
    """After the streamed tokens: the final text where it differs, then citations or nearest
    passages; a quote from a page OCR read with low confidence (in `low_pages`) says so."""
    if answer.abstained and streamed.strip() != answer.text:
        print(("\n\n" if streamed else "") + answer.text)
    else:
        print()
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            print(citation_line(c, low_confidence=(c.source_id, c.page) in low_pages))
    elif answer.passages:
        print("\nNearest passages:")
        for n, p in enumerate(answer.passages, start=1):
            print(passage_line(n, p))
    if answer.unsupported and not answer.abstained:
        print("\nNot supported by any passage (check before relying on it):")
        for sentence in answer.unsupported:
            print(f"  - {sentence}")
    for note in answer.notes:
        print(f"\nNote: {note}")
    if answer.first_token_seconds is not None:
        speed = f", {answer.tokens_per_second:.1f} tokens/s" if answer.tokens_per_second else ""
        print(f"\n(first token after {answer.first_token_seconds:.1f} s{speed})", file=sys.stderr)


def cmd_ask(args) -> int:
    filters = SearchFilters(documents=tuple(args.doc), doc_types=tuple(args.types)) if (args.doc or args.types) else None
    assistant = _assistant(args)
    if not assistant.documents():
        raise ClausewiseError("No documents are indexed yet. Add some first: clausewise ingest PATH")
    stream_answer(assistant, args.question, filters)
    note_pending(assistant)
    return 0


def stream_answer(assistant, question: str, filters: SearchFilters | None = None) -> None:
    from assistant.types import Answer, Failure, Token

    streamed = ""
    for event in assistant.ask(question, filters=filters):
        if isinstance(event, Token):
            streamed += event.text
            print(event.text, end="", flush=True)
        elif isinstance(event, Answer):
            print_answer(event, streamed, assistant.low_confidence_pages(event.documents))
        elif isinstance(event, Failure):
            raise ClausewiseError(event.message)


def cmd_models(args) -> int:
    from assistant.generation.models import CATALOGUE, DEFAULT_MODEL, ModelUnavailable, model_path, part_files, package_dir

    if args.action == "prepare":
        key = args.key or DEFAULT_MODEL
        if key not in CATALOGUE:
            raise ClausewiseError(f"Unknown model '{key}'. Known: {', '.join(CATALOGUE)}")
        print(f"{key}: {model_path(key)}")
        if args.key is None:  # set-up: the fast embedder too, distilled here from the packaged MiniLM
            from assistant.embedding.static import prepare

            print(f"fast embedder: {prepare()}")
        return 0
    for key, model in CATALOGUE.items():
        try:
            installed = bool(package_dir(model.package)) if model.package else bool(part_files(model))
        except ModelUnavailable:
            installed = False
        default = " (default)" if key == DEFAULT_MODEL else ""
        state = "installed" if installed else "not installed"
        print(f"{key:<22} {model.size / 1e6:>6.0f} MB  {state:<14} {model.label}{default}")
    return 0


def cmd_eval(args) -> int:
    if args.eval_command == "answers":
        return cmd_eval_answers(args)
    if args.eval_command == "review":
        return cmd_eval_review(args)
    if args.eval_command == "train-detectors":
        return cmd_eval_train_detectors(args)
    if args.eval_command == "split":
        from assistant.evaluation.split import write_split

        counts = write_split(args.eval_set, args.corpus, args.out)
        for part, n in counts.items():
            print(f"{part}: {n} contracts in {args.out / part}")
        return 0
    from assistant.evaluation.retrieval import run_retrieval_eval

    fast = None
    if args.fast_vectors or args.upgraded:
        from assistant.runtime import default_fast_embedder

        fast = default_fast_embedder()
    scores, facts = run_retrieval_eval(args.corpus, args.questions, args.out, k=args.k, progress=ProgressBar(),
                                       fast_embedder=fast, upgrade=args.upgraded)
    for report in facts["failed"]:
        print(f"failed: {Path(report.path).name}: {report.reason}", file=sys.stderr)
    print(f"questions scored: {scores.questions}")
    print(f"recall@5:  {scores.recall_at_5:.3f}")
    print(f"recall@10: {scores.recall_at_10:.3f}")
    print(f"MRR@10:    {scores.mrr_at_10:.3f}")
    print(f"ingest {facts['ingest_seconds']:.1f} s, search {facts['search_seconds']:.1f} s; run file: {args.out}")
    return 0


def cmd_eval_answers(args) -> int:
    import dataclasses

    from assistant.evaluation.answers import run_answer_eval

    def factory(index_dir):
        if not args.model_cache:
            return _assistant(args, index_dir)
        from assistant.evaluation.model_cache import ModelCache
        from assistant.runtime import cli_runtime

        runtime = cli_runtime(command_settings(args), passphrase=terminal_passphrase)
        generation = runtime.settings.generation
        model = f"{generation.server_url} {generation.server_model}".strip() if generation.server_url else generation.model
        runtime = dataclasses.replace(runtime, generator=ModelCache(runtime.generator, args.model_cache, model,
                                                                    replay_timing=args.replay_timing))
        return runtime.assistant(index_dir)

    def on_answer(question, line):
        mark = "abstained" if line["abstained"] else f"{len(line['citations'])} citation(s)"
        print(f"{question['id']}: {mark}", file=sys.stderr, flush=True)

    if args.reuse_index:
        args.reuse_index.mkdir(parents=True, exist_ok=True)
    scores, facts = run_answer_eval(args.corpus, args.questions, args.out, factory, index_dir=args.reuse_index,
                                    limit=args.limit, progress=ProgressBar(), on_answer=on_answer)
    for report in facts["failed"]:
        print(f"failed: {Path(report.path).name}: {report.reason}", file=sys.stderr)
    s = dataclasses.asdict(scores)
    ttft, tps = s["median_first_token_seconds"], s["median_tokens_per_second"]
    print(f"answerable questions citing the gold document: {scores.cites_gold_document:.3f} (of {scores.answerable})")
    print(f"answerable PDF questions citing a gold page:   {scores.cites_gold_page:.3f} (of {scores.pdf_questions})")
    print(f"unanswerable questions abstained on:           {scores.abstained_unanswerable:.3f} (of {scores.unanswerable})")
    print(f"answerable questions wrongly abstained on:     {scores.abstained_answerable:.3f}")
    print(f"citation quotes found verbatim:                {scores.quotes_verbatim:.3f} (of {scores.quotes})")
    if scores.with_key_facts:
        print(f"key facts stated:                              {scores.key_facts_stated:.3f} (of {scores.with_key_facts})")
    print(f"cited text covers a gold span:                 {scores.clause_covered:.3f} (of {scores.answerable})")
    if scores.two_part:
        print(f"two-part questions with every part answered:   {scores.every_part_answered:.3f} (of {scores.two_part})")
    print(f"answers cut inside a sentence: {scores.answers_cut}; prompt labels echoed: {scores.labels_echoed}; "
          f"statements with a number or name their quotes lack: {scores.unsupported_statements}")
    print(f"median time to first token: {ttft:.2f} s" if ttft is not None else "median time to first token: n/a")
    print(f"median tokens per second:   {tps:.1f}" if tps is not None else "median tokens per second: n/a")
    whole = scores.median_single_answer_seconds
    print(f"median whole answer to a one-part question: {whole:.2f} s" if whole is not None else
          "median whole answer to a one-part question: n/a")
    print(f"ingest {facts['ingest_seconds']:.1f} s, answering {facts['answer_seconds']:.1f} s; answers: {args.out}")
    return 0


def cmd_checklists(args) -> int:
    from assistant.clauses.checklist import available, load_checklist, user_checklists_dir

    for name, path in available().items():
        checklist = load_checklist(path)
        print(f"{name:24s} {len(checklist.items):3d} items  v{checklist.version}  {checklist.name}")
    print(f"(add your own .toml files to {user_checklists_dir()})")
    return 0


class ReviewProgressLine:
    """One line per finished document on stderr, with the running count of cells."""

    def __init__(self):
        self.began = time.perf_counter()
        self.document = ""

    def __call__(self, progress):
        if progress.document != self.document or progress.done == progress.total:
            self.document = progress.document
            elapsed = time.perf_counter() - self.began
            print(f"[{progress.done}/{progress.total} cells, {elapsed:.0f} s] {progress.document}",
                  file=sys.stderr, flush=True)


def cmd_review(args) -> int:
    from collections import Counter

    from assistant.clauses.checklist import find_checklist
    from assistant.review.export import write_review

    checklist = find_checklist(args.checklist)
    assistant = _assistant(args)
    began = time.perf_counter()
    cells = list(assistant.review(checklist, documents=args.docs, progress=ReviewProgressLine()))
    seconds = time.perf_counter() - began
    if not cells:
        raise ClausewiseError("There are no indexed documents to review; run 'clausewise ingest' first.")
    write_review(args.out, checklist, cells)
    assistant.record_export(args.out, f"review '{checklist.name}'")
    assistant.close()
    counts = Counter(c.status for c in cells)
    documents = len({c.source_id for c in cells})
    print(f"{checklist.name}: {documents} document(s), {len(checklist.items)} items: "
          f"{counts['found']} found, {counts['not_found']} not found, {counts['unclear']} unclear, "
          f"{counts['to_check']} wording to check "
          f"in {seconds:.1f} s; written to {args.out}")
    return 0


def cmd_eval_review(args) -> int:
    from assistant.clauses.checklist import all_checklists, find_checklist
    from assistant.evaluation.review import SignalsOnlyJudge, run_review_eval

    if args.reuse_index:
        args.reuse_index.mkdir(parents=True, exist_ok=True)
    checklists = [find_checklist(name) for name in args.checklist] if args.checklist else all_checklists()
    scores, facts = run_review_eval(args.corpus, args.labels, args.out, checklists,
                                    lambda index_dir: _assistant(args, index_dir), index_dir=args.reuse_index,
                                    progress=ReviewProgressLine(), judge=SignalsOnlyJudge() if args.no_model else None,
                                    detectors=None if args.no_detectors else "shipped")
    for report in facts["failed"]:
        print(f"failed: {Path(report.path).name}: {report.reason}", file=sys.stderr)
    if facts["uncovered"]:
        print(f"labelled clauses no checklist item names: {', '.join(facts['uncovered'])}", file=sys.stderr)
    print(f"cells scored (document x labelled item): {scores.cells} ({scores.missing} labelled pairs without a cell)")
    print(f"found / not found accuracy:  {scores.accuracy:.3f}")
    print(f"precision of found:          {scores.found_precision:.3f} ({scores.found} found)")
    print(f"recall of found:             {scores.found_recall:.3f} (of {scores.present} present)")
    print(f"found with overlapping evidence: {scores.evidence_overlap:.3f} (first quote alone: {scores.first_quote_overlap:.3f})")
    print(f"unclear cells:               {scores.unclear}")
    print(f"{facts['documents']} documents: ingest {facts['ingest_seconds']:.1f} s, review {facts['review_seconds']:.1f} s;"
          f" cells: {args.out}")
    return 0


def cmd_eval_train_detectors(args) -> int:
    from assistant.clauses.checklist import all_checklists
    from assistant.evaluation.detector_training import train_on_corpus

    if args.reuse_index:
        args.reuse_index.mkdir(parents=True, exist_ok=True)
    detectors, report = train_on_corpus(args.corpus, args.labels, all_checklists(),
                                        lambda index_dir: _assistant(args, index_dir), index_dir=args.reuse_index)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(detectors.to_json(), encoding="utf-8")
    for label, r in sorted(report.items()):
        print(f"{label:36s} {r['mode']:8s} threshold {r['threshold'] if r['threshold'] is not None else '-':>4}  "
              f"documents right out of fold: signals {r['signals_correct']}, chosen {r['chosen_correct']} of "
              f"{r['documents']}; precision of found {r['precision']:.2f} ({r['found']} found)")
    print(f"{len(detectors.by_label)} detectors written to {args.out}")
    return 0


def cmd_doctor(args) -> int:
    from assistant.doctor import checkup, environment

    report = checkup(environment(extra_index=Path(args.index) if args.index else None))
    print(report.text(), end="")
    return report.exit_code


def _piped_line() -> str | None:
    """One line from a pipe or file on standard input, if one is there within a moment; a script
    whose standard input stays open and empty is never left waiting."""
    import select

    try:
        ready, _, _ = select.select([sys.stdin], [], [], 0.5)
    except (OSError, ValueError):  # no usable standard input (closed, or not selectable)
        return None
    line = sys.stdin.readline() if ready else ""
    return line.rstrip("\r\n") or None


def cmd_init(args) -> int:
    from assistant.store.encryption import create_keyring
    from assistant.store.manifest import MANIFEST_NAME

    assistant = _assistant(args)
    folder = assistant.index_dir
    if (folder / MANIFEST_NAME).exists():
        raise ClausewiseError(f"{folder} holds a collection already"
                              + ("; an existing one cannot be encrypted in place: create a new one with "
                                 "--encrypted and ingest the documents again." if args.encrypted and not assistant.encrypted else "."))
    if args.encrypted:
        passphrase = terminal_passphrase(folder, confirm=True)
        if not passphrase:
            from assistant.errors import PassphraseRequired

            raise PassphraseRequired("An encrypted collection needs a passphrase: set CLAUSEWISE_PASSPHRASE, "
                                     "or run the command in a terminal to be asked for it.")
        assistant._key = create_keyring(folder, passphrase)
    assistant.record("create", encrypted=args.encrypted)
    print(f"Created {'an encrypted' if args.encrypted else 'a'} collection at {folder}")
    return 0


def cmd_passphrase(args) -> int:
    from assistant.errors import PassphraseRequired
    from assistant.store.encryption import change_passphrase

    assistant = _assistant(args)
    if not assistant.encrypted:
        raise ClausewiseError(f"The collection at {assistant.index_dir} is not encrypted; it has no passphrase.")
    old = terminal_passphrase(assistant.index_dir)
    new = terminal_passphrase(assistant.index_dir, env="CLAUSEWISE_NEW_PASSPHRASE", confirm=True)
    if not old or not new:
        raise PassphraseRequired("Give the current passphrase in CLAUSEWISE_PASSPHRASE and the new one in "
                                 "CLAUSEWISE_NEW_PASSPHRASE, or run the command in a terminal to be asked.")
    change_passphrase(assistant.index_dir, old, new)
    assistant.unlock(new)
    assistant.record("passphrase changed")
    print(f"The passphrase of the collection at {assistant.index_dir} is changed; nothing was re-indexed.")
    return 0


def cmd_audit(args) -> int:
    log = _assistant(args).audit_log
    entries = log.entries()
    if not args.verify:
        for e in entries:
            print(f"{e.seq:>5}  {e.when}  {e.user:<10}  {e.action:<18}  {e.summary()}")
        if not entries:
            print("The audit log is empty.")
    if args.csv:
        log.write_csv(args.csv, entries)
        print(f"written to {args.csv}", file=sys.stderr)
    verdict = log.verify()
    if args.verify or not verdict.intact:
        print(f"audit log {verdict.message}", file=sys.stdout if verdict.intact else sys.stderr)
    return 0 if verdict.intact else 1


def cmd_demo(args) -> int:
    assistant = _assistant(args)
    print(f"Index: {assistant.index_dir}")
    reports = assistant.ingest([SAMPLES], progress=ProgressBar(), notify=say)
    print(report_table(reports))
    for question in ("How much notice is needed to terminate for convenience?",
                     "Within how many hours must the processor report a personal data breach?",
                     "Which law governs the supply agreement?"):
        print(f"\n? {question}")
        print_hits(assistant.search(question, k=2))
    question = "How much notice does a party need to give to terminate the supply agreement for convenience?"
    print(f"\n? {question}  (answered by the local model)\n")
    try:
        stream_answer(assistant, question)
    except ClausewiseError as exc:
        print(f"The model could not answer: {exc.message}")
    print("\nTry your own: clausewise ask \"your question\"   or add documents: clausewise ingest PATH")
    return 0


COMMANDS = {
    "init": cmd_init,
    "passphrase": cmd_passphrase,
    "audit": cmd_audit,
    "ingest": cmd_ingest,
    "upgrade": cmd_upgrade,
    "docs": cmd_docs,
    "remove": cmd_remove,
    "search": cmd_search,
    "ask": cmd_ask,
    "models": cmd_models,
    "review": cmd_review,
    "checklists": cmd_checklists,
    "eval": cmd_eval,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
}

if __name__ == "__main__":
    sys.exit(main())
